// SPDX-License-Identifier: Apache-2.0

#include "peer/node/operations.h"

#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstring>
#include <ctime>

#include <absl/strings/str_format.h>
#include <nlohmann/json.hpp>

#include "fabric/thread_name.h"

namespace fabric::node {
namespace {

constexpr size_t kMaxRequest = 64 * 1024;
constexpr int kReadTimeoutMs = 5000;

const char* Reason(int code) {
  switch (code) {
    case 200:
      return "OK";
    case 400:
      return "Bad Request";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 503:
      return "Service Unavailable";
    default:
      return "Error";
  }
}

void WriteAll(int fd, const std::string& data) {
  size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::send(fd, data.data() + off, data.size() - off, MSG_NOSIGNAL);
    if (n < 0 && errno == EINTR) {
      continue;
    }
    if (n <= 0) {
      return;
    }
    off += static_cast<size_t>(n);
  }
}

std::string NowRfc3339() {
  time_t t = time(nullptr);
  tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace

OperationsServer::~OperationsServer() { Stop(); }

void OperationsServer::AddHealthCheck(std::string component, HealthCheck check) {
  checks_.emplace_back(std::move(component), std::move(check));
}

Status OperationsServer::Start(const std::string& listen_address) {
  size_t colon = listen_address.rfind(':');
  if (colon == std::string::npos) {
    return InvalidArgumentError("operations listener: bad address " + listen_address +
                                " (want host:port)");
  }
  std::string host = listen_address.substr(0, colon);
  std::string port = listen_address.substr(colon + 1);
  addrinfo hints{};
  hints.ai_family = AF_INET;
  hints.ai_socktype = SOCK_STREAM;
  hints.ai_flags = AI_PASSIVE;
  addrinfo* res = nullptr;
  if (getaddrinfo(host.empty() ? nullptr : host.c_str(), port.c_str(), &hints, &res) != 0 ||
      res == nullptr) {
    return InvalidArgumentError("operations listener: cannot resolve " + listen_address);
  }
  int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (fd < 0 || ::bind(fd, res->ai_addr, res->ai_addrlen) != 0 || ::listen(fd, 16) != 0) {
    std::string err = strerror(errno);
    freeaddrinfo(res);
    if (fd >= 0) {
      ::close(fd);
    }
    return UnavailableError(
        absl::StrFormat("operations listener: cannot bind %s: %s", listen_address, err));
  }
  freeaddrinfo(res);
  sockaddr_in bound{};
  socklen_t len = sizeof(bound);
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &len);
  port_ = ntohs(bound.sin_port);
  listen_fd_ = fd;
  thread_ = std::jthread([this](std::stop_token stop) { Serve(stop); });
  return Status::OK();
}

void OperationsServer::Stop() {
  if (thread_.joinable()) {
    thread_.request_stop();
    thread_.join();
  }
  if (listen_fd_ >= 0) {
    ::close(listen_fd_);
    listen_fd_ = -1;
  }
}

void OperationsServer::Serve(std::stop_token stop) {
  SetThreadName("operations");
  while (!stop.stop_requested()) {
    pollfd p{listen_fd_, POLLIN, 0};
    int n = ::poll(&p, 1, 100);
    if (n <= 0) {
      continue;
    }
    int conn = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (conn < 0) {
      continue;
    }
    ServeConnection(conn);
    ::close(conn);
  }
}

void OperationsServer::ServeConnection(int fd) const {
  std::string request;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(kReadTimeoutMs);
  char buf[4096];
  while (request.find("\r\n\r\n") == std::string::npos && request.size() < kMaxRequest) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
                    deadline - std::chrono::steady_clock::now())
                    .count();
    pollfd p{fd, POLLIN, 0};
    if (left <= 0 || ::poll(&p, 1, static_cast<int>(left)) <= 0) {
      return;
    }
    ssize_t n = ::recv(fd, buf, sizeof(buf), 0);
    if (n <= 0) {
      return;
    }
    request.append(buf, static_cast<size_t>(n));
  }
  Response r;
  size_t line_end = request.find("\r\n");
  size_t sp1 = request.find(' ');
  size_t sp2 = sp1 == std::string::npos ? sp1 : request.find(' ', sp1 + 1);
  if (line_end == std::string::npos || sp2 == std::string::npos || sp2 > line_end) {
    r = {400, "text/plain", "bad request\n"};
  } else {
    std::string path = request.substr(sp1 + 1, sp2 - sp1 - 1);
    path = path.substr(0, path.find('?'));
    r = Handle(request.substr(0, sp1), path);
  }
  WriteAll(fd, absl::StrFormat("HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\n"
                               "Connection: close\r\n\r\n%s",
                               r.code, Reason(r.code), r.content_type, r.body.size(), r.body));
}

OperationsServer::Response OperationsServer::Handle(const std::string& method,
                                                    const std::string& path) const {
  if (path != "/healthz" && path != "/metrics") {
    return {404, "text/plain", "404 page not found\n"};
  }
  if (method != "GET") {
    return {405, "text/plain", "method not allowed\n"};
  }
  if (path == "/metrics") {
    return {200, "text/plain; version=0.0.4; charset=utf-8", metrics_.Render()};
  }
  nlohmann::json failed = nlohmann::json::array();
  for (const auto& [component, check] : checks_) {
    Status s = check();
    if (!s.ok()) {
      failed.push_back({{"component", component}, {"reason", std::string(s.message())}});
    }
  }
  nlohmann::json body;
  if (failed.empty()) {
    body = {{"status", "OK"}, {"time", NowRfc3339()}};
    return {200, "application/json", body.dump() + "\n"};
  }
  body = {{"status", "Service Unavailable"}, {"time", NowRfc3339()}, {"failed_checks", failed}};
  return {503, "application/json", body.dump() + "\n"};
}

}  // namespace fabric::node
