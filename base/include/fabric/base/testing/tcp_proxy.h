// SPDX-License-Identifier: Apache-2.0
//
// TcpProxy (tests only): forwards connections from a loopback port to a target port, and can cut
// them to simulate a network partition between two real processes on one machine (no
// firewall rules needed). While cut, open connections are closed and new ones are accepted but
// never answered, as packets into a partition vanish: clients see their deadlines expire, not
// a prompt refusal.
#pragma once

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <list>
#include <mutex>
#include <thread>
#include <vector>

namespace fabric::testing {

class TcpProxy {
 public:
  // Listens on 127.0.0.1 (an ephemeral port) and forwards to 127.0.0.1:`target_port`.
  explicit TcpProxy(int target_port) : target_port_(target_port) {
    listen_fd_ = socket(AF_INET, SOCK_STREAM, 0);
    int one = 1;
    setsockopt(listen_fd_, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
    sockaddr_in addr = Loopback(0);
    socklen_t len = sizeof(addr);
    if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), len) != 0 ||
        listen(listen_fd_, 64) != 0 ||
        getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      close(listen_fd_);
      listen_fd_ = -1;
      return;
    }
    port_ = ntohs(addr.sin_port);
    acceptor_ = std::thread([this] { Accept(); });
  }
  ~TcpProxy() {
    stop_ = true;
    if (acceptor_.joinable()) {
      acceptor_.join();
    }
    CloseAll();
    std::lock_guard<std::mutex> lock(mu_);
    for (std::thread& t : pumps_) {
      t.join();
    }
    for (int fd : closed_) {
      close(fd);
    }
    if (listen_fd_ >= 0) {
      close(listen_fd_);
    }
  }
  TcpProxy(const TcpProxy&) = delete;
  TcpProxy& operator=(const TcpProxy&) = delete;

  // The port clients connect to; 0 when the proxy could not listen.
  int port() const { return port_; }

  // Starts the partition: open connections are closed, new ones hang.
  void Cut() {
    cut_ = true;
    CloseAll();
  }
  // Ends it: connections made from now on are forwarded again.
  void Restore() {
    cut_ = false;
    CloseAll();  // the hanging ones, so their clients reconnect
  }

 private:
  static sockaddr_in Loopback(int port) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    return addr;
  }

  void Accept() {
    while (!stop_) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) {
        continue;
      }
      int client = accept(listen_fd_, nullptr, nullptr);
      if (client < 0) {
        continue;
      }
      int server = -1;
      if (!cut_) {
        server = socket(AF_INET, SOCK_STREAM, 0);
        sockaddr_in target = Loopback(target_port_);
        if (connect(server, reinterpret_cast<sockaddr*>(&target), sizeof(target)) != 0) {
          close(server);
          close(client);  // target down: refuse, as the target itself would
          continue;
        }
      }
      std::lock_guard<std::mutex> lock(mu_);
      open_.push_back(client);
      if (server >= 0) {
        open_.push_back(server);
        pumps_.emplace_back([this, client, server] { Pump(client, server); });
      }
    }
  }

  // Copies bytes both ways until either side closes or the proxy closes them.
  void Pump(int a, int b) {
    char buf[16384];
    pollfd fds[2] = {{a, POLLIN, 0}, {b, POLLIN, 0}};
    while (!stop_) {
      if (poll(fds, 2, 50) < 0) {
        break;
      }
      bool done = false;
      for (int i = 0; i < 2 && !done; ++i) {
        if (fds[i].revents == 0) {
          continue;
        }
        ssize_t n = read(fds[i].fd, buf, sizeof(buf));
        done = n <= 0 || !WriteAll(fds[1 - i].fd, buf, static_cast<size_t>(n));
      }
      if (done) {
        break;
      }
    }
    shutdown(a, SHUT_RDWR);
    shutdown(b, SHUT_RDWR);
  }

  static bool WriteAll(int fd, const char* data, size_t size) {
    while (size > 0) {
      ssize_t n = send(fd, data, size, MSG_NOSIGNAL);
      if (n <= 0) {
        return false;
      }
      data += n;
      size -= static_cast<size_t>(n);
    }
    return true;
  }

  // Shuts every open socket down (pumps see it and end); descriptors are closed at destruction
  // so that a pump never reads from a number reused by a new connection.
  void CloseAll() {
    std::lock_guard<std::mutex> lock(mu_);
    for (int fd : open_) {
      shutdown(fd, SHUT_RDWR);
    }
    closed_.insert(closed_.end(), open_.begin(), open_.end());
    open_.clear();
  }

  const int target_port_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::atomic<bool> stop_{false};
  std::atomic<bool> cut_{false};
  std::thread acceptor_;
  std::mutex mu_;
  std::list<int> open_;
  std::vector<int> closed_;
  std::vector<std::thread> pumps_;
};

}  // namespace fabric::testing
