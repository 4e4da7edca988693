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

#include "fabric/base/thread_name.h"

namespace fabric::node {
namespace {

constexpr size_t kMaxRequest = 64 * 1024;
constexpr std::chrono::seconds kConnectionDeadline{5};

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
  int fd = ::socket(res->ai_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
  int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
  if (fd < 0 || ::bind(fd, res->ai_addr, res->ai_addrlen) != 0 || ::listen(fd, 64) != 0) {
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

// One connection: its request so far, then its response and how much of it was sent.
struct OperationsServer::Connection {
  int fd = -1;
  std::chrono::steady_clock::time_point deadline;
  std::string request;
  std::string response;
  size_t sent = 0;
};

// A poll loop over the listener and up to kMaxConnections connections, each with its own
// deadline: slow or idle clients cost a slot for at most kConnectionDeadline and never delay
// the others; with every slot taken, new connections wait in the listen backlog.
void OperationsServer::Serve(std::stop_token stop) {
  SetThreadName("operations");
  std::vector<Connection> conns;
  std::vector<pollfd> fds;
  while (!stop.stop_requested()) {
    fds.clear();
    fds.push_back({listen_fd_, static_cast<short>(conns.size() < kMaxConnections ? POLLIN : 0), 0});
    for (const Connection& c : conns) {
      fds.push_back({c.fd, static_cast<short>(c.response.empty() ? POLLIN : POLLOUT), 0});
    }
    if (::poll(fds.data(), fds.size(), 100) < 0 && errno != EINTR) {
      continue;
    }
    const auto now = std::chrono::steady_clock::now();
    for (size_t i = 0; i < conns.size(); ++i) {
      Connection& c = conns[i];
      const short ready = fds[i + 1].revents;
      const bool done = ready != 0 ? Progress(c) : false;
      if (done || now > c.deadline) {
        ::close(c.fd);
        c.fd = -1;
      }
    }
    std::erase_if(conns, [](const Connection& c) { return c.fd < 0; });
    if ((fds[0].revents & POLLIN) != 0) {
      while (conns.size() < kMaxConnections) {
        int fd = ::accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC | SOCK_NONBLOCK);
        if (fd < 0) {
          break;
        }
        conns.push_back(Connection{fd, now + kConnectionDeadline, {}, {}, 0});
      }
    }
  }
  for (const Connection& c : conns) {
    ::close(c.fd);
  }
}

// Reads what arrived, or writes what it can of the response. True when the connection is done.
bool OperationsServer::Progress(Connection& c) const {
  if (c.response.empty()) {
    char buf[4096];
    ssize_t n = ::recv(c.fd, buf, sizeof(buf), 0);
    if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
      return false;
    }
    if (n <= 0) {
      return true;
    }
    c.request.append(buf, static_cast<size_t>(n));
    if (c.request.find("\r\n\r\n") == std::string::npos && c.request.size() < kMaxRequest) {
      return false;
    }
    const Response r = Respond(c.request);
    c.response = absl::StrFormat(
        "HTTP/1.1 %d %s\r\nContent-Type: %s\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s",
        r.code, Reason(r.code), r.content_type, r.body.size(), r.body);
  }
  ssize_t n = ::send(c.fd, c.response.data() + c.sent, c.response.size() - c.sent, MSG_NOSIGNAL);
  if (n < 0 && (errno == EAGAIN || errno == EINTR)) {
    return false;
  }
  if (n <= 0) {
    return true;
  }
  c.sent += static_cast<size_t>(n);
  return c.sent == c.response.size();
}

OperationsServer::Response OperationsServer::Respond(const std::string& request) const {
  size_t line_end = request.find("\r\n");
  size_t sp1 = request.find(' ');
  size_t sp2 = sp1 == std::string::npos ? sp1 : request.find(' ', sp1 + 1);
  if (line_end == std::string::npos || sp2 == std::string::npos || sp2 > line_end) {
    return {400, "text/plain", "bad request\n"};
  }
  std::string path = request.substr(sp1 + 1, sp2 - sp1 - 1);
  path = path.substr(0, path.find('?'));
  return Handle(request.substr(0, sp1), path);
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
