// SPDX-License-Identifier: Apache-2.0
//
// OperationsServer: the peer's operations HTTP/1.1 listener (Fabric's operations.listenAddress),
// served by libmicrohttpd. Fabric's routes and answers:
//   GET /healthz  200 {"status":"OK","time":"..."} or 503 {"status":"Service Unavailable",
//                 "time":"...","failed_checks":[{"component":"docker","reason":"..."}]}
//   GET /metrics  200 Prometheus text (text/plain; version=0.0.4)
//   GET /logspec  200 {"spec":"info"}; PUT /logspec {"spec":"chaincode=debug:info"} 204, or 400
//                 {"error":"..."} for a body that is not such an object or a malformed spec
//   GET /version  200 {"Version":"..."}
//   other paths 404; methods other than GET on /healthz and /metrics 405; other methods on
//   /logspec and /version 400 with the JSON error, as Fabric's handlers answer.
// Request bodies over Options::max_body get 413. A request line without a method and a path is
// dropped without an answer; other malformed requests get 400.
//
// One libmicrohttpd thread serves up to Options::max_connections connections at once (more wait
// in the listen backlog), one request per connection (Connection: close). Each connection is
// closed Options::connection_lifetime after it was accepted, whatever it is doing, so clients
// that trickle a request cannot hold every slot and delay /healthz for others.
//
// Ownership: borrows the registry; checks are copied. Thread-safety: Start/Stop from one
// thread; AddHealthCheck before Start. Checks run on the serving thread.

#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fabric/base/status.h"
#include "peer/node/metrics.h"

namespace fabric::node {

class OperationsServer {
 public:
  using HealthCheck = std::function<Status()>;

  struct Options {
    size_t max_connections = 64;
    std::chrono::milliseconds connection_lifetime{5000};
    size_t max_body = 64 * 1024;
    // /version's "Version"; left out of the answer when empty, as Fabric's omitempty.
    std::string version;
  };

  explicit OperationsServer(const MetricsRegistry& metrics);
  OperationsServer(const MetricsRegistry& metrics, Options options);
  ~OperationsServer();  // Stop()s.
  OperationsServer(const OperationsServer&) = delete;
  OperationsServer& operator=(const OperationsServer&) = delete;

  // A named check run on every /healthz; a non-OK status fails the check with its message.
  void AddHealthCheck(std::string component, HealthCheck check);

  // Binds `listen_address` ("host:port", port 0 picks one) and starts serving. Unavailable
  // "operations listener: cannot bind <address>: <errno text>" when the address is taken,
  // InvalidArgument for a malformed address, FailedPrecondition when already started.
  Status Start(const std::string& listen_address);
  // Closes the listener and every connection (requests in flight are cut) and joins the
  // serving threads. Idempotent.
  void Stop();
  // The bound port (also after Stop); 0 before Start.
  int port() const { return port_; }

  // The answer to one request (for tests): status code, content type (empty with no body) and
  // body. `path` carries no query string.
  struct Response {
    int code = 200;
    std::string content_type;
    std::string body;
  };
  Response Handle(std::string_view method, std::string_view path, std::string_view body = {}) const;

 private:
  struct Http;  // the libmicrohttpd daemon and the connection reaper (operations_http.cc)

  Response Healthz() const;
  Response Logspec(std::string_view method, std::string_view body) const;
  Response Version(std::string_view method) const;

  const MetricsRegistry& metrics_;
  const Options options_;
  std::vector<std::pair<std::string, HealthCheck>> checks_;
  int port_ = 0;
  std::unique_ptr<Http> http_;
};

}  // namespace fabric::node
