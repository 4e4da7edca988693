// SPDX-License-Identifier: Apache-2.0
//
// OperationsServer: the peer's operations HTTP/1.1 listener (Fabric's operations.listenAddress):
//   GET /healthz  200 {"status":"OK","time":"..."} or 503 {"status":"Service Unavailable",
//                 "failed_checks":[{"component":"docker","reason":"..."}]}
//   GET /metrics  200 Prometheus text (text/plain; version=0.0.4)
//   anything else 404; methods other than GET 405.
// Up to 64 connections served at once by one poll loop, one request per connection
// (Connection: close), each connection closed 5 s after it was accepted, requests capped at
// 64 KiB: slow clients cannot delay /healthz for others.
//
// Ownership: borrows the registry; checks are copied. Thread-safety: Start/Stop from one
// thread; AddHealthCheck before Start.

#pragma once

#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "fabric/base/status.h"
#include "peer/node/metrics.h"

namespace fabric::node {

class OperationsServer {
 public:
  using HealthCheck = std::function<Status()>;

  explicit OperationsServer(const MetricsRegistry& metrics) : metrics_(metrics) {}
  ~OperationsServer();  // Stop()s.
  OperationsServer(const OperationsServer&) = delete;
  OperationsServer& operator=(const OperationsServer&) = delete;

  // A named check run on every /healthz; a non-OK status fails the check with its message.
  void AddHealthCheck(std::string component, HealthCheck check);

  // Binds `listen_address` ("host:port", port 0 picks one) and starts serving. Unavailable
  // "operations listener: cannot bind <address>: <errno text>"; InvalidArgument for a malformed
  // address.
  Status Start(const std::string& listen_address);
  // Stops accepting and joins the serving thread. Idempotent.
  void Stop();
  int port() const { return port_; }

  // The response to one request line (for tests): status code, content type and body.
  struct Response {
    int code = 200;
    std::string content_type;
    std::string body;
  };
  Response Handle(const std::string& method, const std::string& path) const;

 private:
  struct Connection;
  static constexpr size_t kMaxConnections = 64;

  void Serve(std::stop_token stop);
  bool Progress(Connection& c) const;
  Response Respond(const std::string& request) const;

  const MetricsRegistry& metrics_;
  std::vector<std::pair<std::string, HealthCheck>> checks_;
  int listen_fd_ = -1;
  int port_ = 0;
  std::jthread thread_;
};

}  // namespace fabric::node
