// SPDX-License-Identifier: Apache-2.0
#include "launcher/docker/testing/fake_docker_server.h"

#include <poll.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>

namespace fabric::launcher::docker::testing {
namespace {

std::atomic<int> counter{0};

bool ReadRequest(int fd, FakeRequest& req) {
  std::string data;
  char buf[65536];
  size_t header_end = std::string::npos;
  size_t content_length = 0;
  while (true) {
    if (header_end == std::string::npos) {
      header_end = data.find("\r\n\r\n");
      if (header_end != std::string::npos) {
        std::string head = data.substr(0, header_end);
        size_t line_end = head.find("\r\n");
        std::string first = head.substr(0, line_end);
        size_t sp1 = first.find(' ');
        size_t sp2 = first.rfind(' ');
        req.method = first.substr(0, sp1);
        req.target = first.substr(sp1 + 1, sp2 - sp1 - 1);
        size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
        while (pos < head.size()) {
          size_t e = head.find("\r\n", pos);
          if (e == std::string::npos) {
            e = head.size();
          }
          std::string line = head.substr(pos, e - pos);
          size_t colon = line.find(':');
          if (colon != std::string::npos) {
            std::string name = line.substr(0, colon);
            for (auto& c : name) {
              c = static_cast<char>(tolower(c));
            }
            std::string value = line.substr(colon + 1);
            while (!value.empty() && value[0] == ' ') {
              value.erase(0, 1);
            }
            req.headers[name] = value;
          }
          pos = e + 2;
        }
        if (auto it = req.headers.find("content-length"); it != req.headers.end()) {
          content_length = std::stoul(it->second);
        }
      }
    }
    if (header_end != std::string::npos && data.size() >= header_end + 4 + content_length) {
      req.body = data.substr(header_end + 4, content_length);
      break;
    }
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n <= 0) {
      return false;
    }
    data.append(buf, static_cast<size_t>(n));
  }
  std::string t = req.target;
  size_t q = t.find('?');
  req.query = q == std::string::npos ? "" : t.substr(q + 1);
  t = t.substr(0, q);
  if (t.rfind("/v1.", 0) == 0) {
    t = t.substr(t.find('/', 1));
  }
  req.path = t;
  return true;
}

void WriteAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = write(fd, data.data() + off, data.size() - off);
    if (n <= 0) {
      return;
    }
    off += static_cast<size_t>(n);
  }
}

std::string Reason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 409:
      return "Conflict";
    default:
      return "Internal Server Error";
  }
}

}  // namespace

FakeDockerServer::FakeDockerServer(Handler handler) : handler_(std::move(handler)) {
  socket_path_ = "/tmp/fake-docker-" + std::to_string(getpid()) + "-" +
                 std::to_string(counter.fetch_add(1)) + ".sock";
  unlink(socket_path_.c_str());
  listen_fd_ = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::snprintf(addr.sun_path, sizeof(addr.sun_path), "%s", socket_path_.c_str());
  if (bind(listen_fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      listen(listen_fd_, 64) != 0) {
    std::perror("fake docker server: bind/listen");
    std::abort();
  }
  thread_ = std::jthread([this](std::stop_token stop) {
    while (!stop.stop_requested()) {
      pollfd p{listen_fd_, POLLIN, 0};
      if (poll(&p, 1, 50) <= 0) {
        continue;
      }
      int fd = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
      if (fd >= 0) {
        Serve(fd);
        close(fd);
      }
    }
  });
}

FakeDockerServer::~FakeDockerServer() {
  thread_.request_stop();
  thread_.join();
  close(listen_fd_);
  unlink(socket_path_.c_str());
}

void FakeDockerServer::Serve(int fd) {
  FakeRequest req;
  if (!ReadRequest(fd, req)) {
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    requests_.push_back(req);
  }
  std::string out = handler_(req);
  if (out.empty() && req.path == "/_ping") {
    out = Response(200, "OK", "text/plain");
  } else if (out.empty() && req.path == "/version") {
    out = Response(200, R"({"Version":"20.10.24","ApiVersion":"1.41","MinAPIVersion":"1.12"})");
  } else if (out.empty()) {
    out = Response(404, R"({"message":"page not found"})");
  }
  WriteAll(fd, out);
  shutdown(fd, SHUT_WR);
}

std::vector<FakeRequest> FakeDockerServer::requests() const {
  std::lock_guard<std::mutex> lock(mu_);
  return requests_;
}

std::string FakeDockerServer::Response(int status, const std::string& body,
                                       const std::string& content_type) {
  return "HTTP/1.1 " + std::to_string(status) + " " + Reason(status) +
         "\r\nContent-Type: " + content_type +
         "\r\nContent-Length: " + std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" +
         body;
}

std::string FakeDockerServer::Chunked(int status, const std::vector<std::string>& chunks,
                                      bool terminate, const std::string& content_type) {
  std::string out = "HTTP/1.1 " + std::to_string(status) + " " + Reason(status) +
                    "\r\nContent-Type: " + content_type +
                    "\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n";
  for (const auto& c : chunks) {
    char size[32];
    std::snprintf(size, sizeof(size), "%zx\r\n", c.size());
    out += size + c + "\r\n";
  }
  if (terminate) {
    out += "0\r\n\r\n";
  }
  return out;
}

std::string FakeDockerServer::MuxFrame(int stream, const std::string& payload) {
  std::string h(8, '\0');
  h[0] = static_cast<char>(stream);
  uint32_t n = static_cast<uint32_t>(payload.size());
  h[4] = static_cast<char>(n >> 24);
  h[5] = static_cast<char>(n >> 16);
  h[6] = static_cast<char>(n >> 8);
  h[7] = static_cast<char>(n);
  return h + payload;
}

}  // namespace fabric::launcher::docker::testing
