// SPDX-License-Identifier: Apache-2.0
//
// The test helpers that other tests rely on to kill processes and cut connections.
#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <string>
#include <thread>

#include <gtest/gtest.h>

#include "fabric/base/testing/child_process.h"
#include "fabric/base/testing/tcp_proxy.h"

namespace fabric::testing {
namespace {

std::string TempPath(const std::string& name) {
  const char* dir = std::getenv("TMPDIR");
  return std::string(dir != nullptr ? dir : "/tmp") + "/" + name + "." + std::to_string(getpid());
}

TEST(ChildProcessTest, LogsOutputAndReportsTheExitStatus) {
  std::string log = TempPath("child.log");
  unlink(log.c_str());
  {
    ChildProcess child("/bin/sh", {"-c", "echo hello $GREETING; exit 3"}, {"GREETING=world"}, log);
    int status = child.Wait();
    ASSERT_TRUE(WIFEXITED(status));
    EXPECT_EQ(WEXITSTATUS(status), 3);
    EXPECT_EQ(child.log(), "hello world\n");
  }
  unlink(log.c_str());
}

TEST(ChildProcessTest, StopKillsAndTheDestructorReapsARunningChild) {
  std::string log = TempPath("sleeper.log");
  pid_t second = 0;
  {
    ChildProcess child("/bin/sleep", {"30"}, {}, log);
    int status = child.Stop(SIGKILL);
    ASSERT_TRUE(WIFSIGNALED(status));
    EXPECT_EQ(WTERMSIG(status), SIGKILL);
    ChildProcess other("/bin/sleep", {"30"}, {}, log);
    second = other.pid();
  }
  EXPECT_NE(kill(second, 0), 0);  // gone, and reaped
  unlink(log.c_str());
}

// An echo server on an ephemeral loopback port, one connection at a time.
class EchoServer {
 public:
  EchoServer() {
    fd_ = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    bind(fd_, reinterpret_cast<sockaddr*>(&addr), len);
    listen(fd_, 8);
    getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len);
    port_ = ntohs(addr.sin_port);
    thread_ = std::thread([this] {
      while (!stop_) {
        pollfd p{fd_, POLLIN, 0};
        if (poll(&p, 1, 20) <= 0) {
          continue;
        }
        int c = accept(fd_, nullptr, nullptr);
        char buf[256];
        ssize_t n;
        while ((n = read(c, buf, sizeof(buf))) > 0) {
          (void)write(c, buf, static_cast<size_t>(n));
        }
        close(c);
      }
    });
  }
  ~EchoServer() {
    stop_ = true;
    thread_.join();
    close(fd_);
  }
  int port() const { return port_; }

 private:
  int fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

int Connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  EXPECT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  return fd;
}

// What comes back for `message` within `wait_ms`: the echo, "" when the peer closed, or
// "(silence)".
std::string RoundTrip(int fd, const std::string& message, int wait_ms) {
  (void)send(fd, message.data(), message.size(), MSG_NOSIGNAL);
  pollfd p{fd, POLLIN, 0};
  if (poll(&p, 1, wait_ms) <= 0) {
    return "(silence)";
  }
  char buf[256];
  ssize_t n = read(fd, buf, sizeof(buf));
  return n > 0 ? std::string(buf, static_cast<size_t>(n)) : "";
}

TEST(TcpProxyTest, ForwardsThenPartitionsThenHeals) {
  EchoServer echo;
  TcpProxy proxy(echo.port());
  ASSERT_NE(proxy.port(), 0);

  int before = Connect(proxy.port());
  EXPECT_EQ(RoundTrip(before, "ping", 5000), "ping");

  proxy.Cut();
  EXPECT_EQ(RoundTrip(before, "again", 5000), "");  // the open connection is closed
  int during = Connect(proxy.port());               // accepted, never answered
  EXPECT_EQ(RoundTrip(during, "lost", 200), "(silence)");

  proxy.Restore();
  EXPECT_EQ(RoundTrip(during, "x", 5000), "");  // the hanging one ends, so its client retries
  int after = Connect(proxy.port());
  EXPECT_EQ(RoundTrip(after, "pong", 5000), "pong");
  for (int fd : {before, during, after}) {
    close(fd);
  }
}

}  // namespace
}  // namespace fabric::testing
