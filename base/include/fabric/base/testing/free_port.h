// SPDX-License-Identifier: Apache-2.0
//
// FreeLoopbackPorts (tests only): ports on 127.0.0.1 nothing listens on, for a server that must
// be told its port before it starts (a child process, a node restarted on the address its
// clients know). The sockets are bound all at once, so the ports differ, and closed before the
// caller binds them; nothing else on a test machine races for them in practice.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

namespace fabric::testing {

// `count` distinct free ports; empty when they cannot be reserved.
inline std::vector<int> FreeLoopbackPorts(int count) {
  std::vector<int> fds;
  std::vector<int> ports;
  for (int i = 0; i < count; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    if (fd < 0) {
      break;
    }
    fds.push_back(fd);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      break;
    }
    ports.push_back(ntohs(addr.sin_port));
  }
  for (int fd : fds) {
    close(fd);
  }
  if (ports.size() != static_cast<size_t>(count)) {
    ports.clear();
  }
  return ports;
}

// One free port; 0 when none can be reserved.
inline int FreeLoopbackPort() {
  std::vector<int> ports = FreeLoopbackPorts(1);
  return ports.empty() ? 0 : ports[0];
}

}  // namespace fabric::testing
