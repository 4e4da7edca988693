// A chaincode that never registers with the peer.
#include <unistd.h>

#include <cstdio>

int main(int argc, char** argv) {
  std::printf("sleeper chaincode starting, %d args, last %s\n", argc, argv[argc - 1]);
  std::printf("not registering: waiting forever\n");
  std::fflush(stdout);
  sleep(3600);
  return 0;
}
