// SPDX-License-Identifier: Apache-2.0
//
// HttpTransport: one HTTP/1.1 exchange with the Docker engine. DockerClient speaks the Docker
// REST API through it; CurlTransport is the real one (libcurl, over a unix socket or TCP), and
// tests substitute fakes.
//
// Thread-safety: implementations are safe to call concurrently (each call is independent).

#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fabric/base/status.h"

namespace fabric::launcher::docker {

struct HttpRequest {
  std::string method;  // GET, POST, PUT, DELETE, HEAD
  std::string target;  // path and query, already escaped: "/v1.41/containers/json?all=1"
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // Whole-exchange limit; 0 = none (follow streams, builds, waits).
  std::chrono::milliseconds timeout{0};
  // When set, the exchange is abandoned (Cancelled) within about a second of it becoming true,
  // even while no byte arrives (a build that prints nothing, a wait).
  const std::atomic<bool>* cancel = nullptr;
};

struct HttpResponse {
  int status = 0;
  std::string body;  // the whole body, unless it was streamed to a BodyCallback
};

// Receives a 2xx response's body as it arrives; returning false aborts the transfer (the call
// then returns Cancelled). Non-2xx bodies are always collected into HttpResponse::body.
using BodyCallback = std::function<bool(std::string_view chunk)>;

class HttpTransport {
 public:
  virtual ~HttpTransport() = default;
  // Returns the response whatever its status. Errors: Unavailable when the engine cannot be
  // reached or the connection drops mid-body ("... is dockerd running ..."), PermissionDenied
  // when the socket refuses us, DeadlineExceeded on timeout, Cancelled when on_data said stop
  // or the request's cancel flag was raised.
  virtual StatusOr<HttpResponse> Do(const HttpRequest& request, const BodyCallback& on_data) = 0;
  StatusOr<HttpResponse> Do(const HttpRequest& request) { return Do(request, nullptr); }
  // The endpoint, for messages: "unix:///var/run/docker.sock".
  virtual std::string Endpoint() const = 0;
};

// libcurl transport. `endpoint`: "unix:///path/to/docker.sock", "tcp://host:port" or
// "http://host:port". InvalidArgument for anything else.
StatusOr<std::unique_ptr<HttpTransport>> NewCurlTransport(const std::string& endpoint);

}  // namespace fabric::launcher::docker
