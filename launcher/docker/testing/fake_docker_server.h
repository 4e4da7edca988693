// SPDX-License-Identifier: Apache-2.0
//
// FakeDockerServer: a tiny HTTP/1.1 server on a unix socket that answers like the Docker
// engine, for DockerClient/DockerLauncher unit tests. Each connection carries one request; the
// handler returns the raw bytes to send back (helpers build well-formed responses, tests can
// also send broken ones), then the connection is closed.
//
// Thread-safety: the handler runs on the server's thread; requests() is safe to call anytime.

#pragma once

#include <functional>
#include <map>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

namespace fabric::launcher::docker::testing {

struct FakeRequest {
  std::string method;
  std::string target;  // path and query, with the /v1.xx prefix
  std::string path;    // target without the version prefix and query
  std::string query;
  std::map<std::string, std::string> headers;  // lower-cased names
  std::string body;
};

class FakeDockerServer {
 public:
  using Handler = std::function<std::string(const FakeRequest&)>;

  // Listens on a fresh socket under /tmp; `handler` answers every request not about
  // /_ping or /version (those get Docker 20.10 answers unless the handler returns non-empty).
  explicit FakeDockerServer(Handler handler);
  ~FakeDockerServer();

  std::string endpoint() const { return "unix://" + socket_path_; }
  std::vector<FakeRequest> requests() const;

  // A complete response with a body.
  static std::string Response(int status, const std::string& body,
                              const std::string& content_type = "application/json");
  // A chunked response: headers and `chunks`; `terminate` = false leaves the stream open and
  // cut (the daemon going away mid-stream).
  static std::string Chunked(int status, const std::vector<std::string>& chunks, bool terminate,
                             const std::string& content_type = "application/json");
  // One multiplexed log frame.
  static std::string MuxFrame(int stream, const std::string& payload);

 private:
  void Serve(int fd);

  const Handler handler_;
  std::string socket_path_;
  int listen_fd_ = -1;
  mutable std::mutex mu_;
  // Guarded by mu_:
  std::vector<FakeRequest> requests_;
  std::jthread thread_;
};

}  // namespace fabric::launcher::docker::testing
