// SPDX-License-Identifier: Apache-2.0
//
// DockerClient: the calls fabric-cpp makes on the Docker Engine REST API (Fabric's
// dockercontroller used go-dockerclient for the same set): ping, version, image inspect, build
// and remove, container create/start/logs/wait/stop/kill/remove/list, archive upload/download.
//
//   auto client = DockerClient::Connect(DockerClientOptions::FromEnv());  // pings, negotiates
//   if (!client.ok()) { die(client.status()); }  // "cannot connect ... is dockerd running ..."
//   auto id = (*client)->CreateContainer(config);
//
// Every error names the call and the object, keeps the engine's own message, and says what to
// do where there is something to do. Codes: Unavailable (engine unreachable or gone mid-stream),
// PermissionDenied (socket refused), NotFound (404: no such image/container), AlreadyExists (409
// conflict), FailedPrecondition (a build that failed: the builder's error verbatim plus its last
// output lines), InvalidArgument (400), Internal (500 and anything else).
//
// The API version is the engine's, capped at kMaxApiVersion (1.41, Docker 20.10), and every
// path is prefixed with it.
//
// Thread-safety: all methods are safe to call concurrently; each call is its own HTTP exchange.
// Long calls (build, follow logs, wait) block only their caller.

#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "fabric/base/status.h"
#include "launcher/docker/docker_streams.h"
#include "launcher/docker/http_transport.h"

namespace fabric::launcher::docker {

inline constexpr char kMaxApiVersion[] = "1.41";

struct DockerClientOptions {
  // CORE_VM_ENDPOINT.
  std::string endpoint = "unix:///var/run/docker.sock";
  // Limit for short calls (not builds, follow streams or waits).
  std::chrono::milliseconds request_timeout{30000};
  // How long RemoveContainer waits for a removal the engine already has in progress.
  std::chrono::milliseconds removal_wait{30000};
  // Reads CORE_VM_ENDPOINT (default above).
  static DockerClientOptions FromEnv();
};

struct VersionInfo {
  std::string version;      // "20.10.24"
  std::string api_version;  // "1.41"
  std::string min_api_version;
};

struct ImageInfo {
  std::string id;
  std::map<std::string, std::string> labels;
  int64_t size = 0;
};

struct BuildImageRequest {
  std::string tag;      // "dev-peer0-mycc-1.0-<hash>"
  std::string context;  // tar (optionally gzipped) holding a Dockerfile
  std::map<std::string, std::string> labels;
  std::string network_mode;                   // empty: the engine's default
  bool pull = false;                          // never pull implicitly (air-gapped machines)
  std::chrono::milliseconds timeout{0};       // 0: no limit
  const std::atomic<bool>* cancel = nullptr;  // abandons the build once true
};

struct ContainerConfig {
  std::string name;
  std::string image;
  std::vector<std::string> cmd;  // argv; empty: the image's
  std::vector<std::string> env;  // "KEY=value"
  std::map<std::string, std::string> labels;
  std::string network_mode = "host";  // HostConfig.NetworkMode
  int64_t memory_bytes = 0;           // HostConfig.Memory; 0 = unlimited
  int64_t pids_limit = 0;             // HostConfig.PidsLimit; 0 = unlimited
  std::string working_dir;
  std::string user;  // Config.User ("uid:gid"); empty: the image's
  // HostConfig.CapDrop ["ALL"] and SecurityOpt ["no-new-privileges"]: the processes get no
  // capability, whatever their user, and cannot gain one through setuid binaries.
  bool unprivileged = false;
};

struct ContainerSummary {
  std::string id;
  std::string name;   // without the leading '/'
  std::string state;  // "running", "exited", "created", ...
  std::map<std::string, std::string> labels;
};

struct LogsOptions {
  bool follow = false;  // stream until the container stops
  int tail = -1;        // last N lines; -1 = all
};

class DockerClient {
 public:
  // Uses `transport` as is, unversioned paths until NegotiateVersion or Connect.
  DockerClient(std::unique_ptr<HttpTransport> transport, DockerClientOptions options);

  // Opens a client on options.endpoint (or on `transport` when given), pings the engine and
  // negotiates the API version. This is the check the peer runs at start: its error says why
  // the engine cannot be used and what to do.
  static StatusOr<std::unique_ptr<DockerClient>> Connect(
      const DockerClientOptions& options, std::unique_ptr<HttpTransport> transport = nullptr);

  // GET /_ping.
  Status Ping();
  // GET /version.
  StatusOr<VersionInfo> Version();
  // GET /version, then uses min(engine API, kMaxApiVersion) for every later call.
  Status NegotiateVersion();
  std::string api_version() const { return api_version_; }
  std::string endpoint() const { return transport_->Endpoint(); }

  // GET /images/{name}/json. NotFound "image X not found" when absent.
  StatusOr<ImageInfo> InspectImage(const std::string& name);
  // POST /build with `request.context`; `on_output` gets each line of the builder's output.
  // FailedPrecondition "build of image X failed: <builder's error>" + the last output lines.
  Status BuildImage(const BuildImageRequest& request,
                    const std::function<void(std::string_view)>& on_output = nullptr);
  // DELETE /images/{name}?force=1&noprune=0.
  Status RemoveImage(const std::string& name);

  // POST /containers/create. Returns the id. NotFound when the image is missing;
  // AlreadyExists when the name is taken.
  StatusOr<std::string> CreateContainer(const ContainerConfig& config);
  // PUT /containers/{id}/archive?path=: extracts `tar` (plain or gzipped) at `path`.
  Status UploadArchive(const std::string& id, const std::string& path, const std::string& tar);
  // GET /containers/{id}/archive?path=: a tar holding `path`.
  StatusOr<std::string> DownloadArchive(const std::string& id, const std::string& path);
  // POST /containers/{id}/start (already started: OK).
  Status StartContainer(const std::string& id);
  // GET /containers/{id}/logs, demultiplexed into lines. With follow, returns when the
  // container stops. DataLoss when the stream ends mid-frame (lines received are delivered).
  Status Logs(const std::string& id, const LogsOptions& options, const MuxDecoder::LineFn& on_line);
  // POST /containers/{id}/wait: blocks until the container exits (at most `timeout`; 0 = no
  // limit) and returns its exit code. DeadlineExceeded when the limit passed first; Cancelled
  // once `cancel` (when given) becomes true.
  StatusOr<int> WaitContainer(const std::string& id,
                              std::chrono::milliseconds timeout = std::chrono::milliseconds(0),
                              const std::atomic<bool>* cancel = nullptr);
  // POST /containers/{id}/stop?t=grace (SIGTERM, then SIGKILL after `grace`). Not running: OK.
  Status StopContainer(const std::string& id, std::chrono::seconds grace);
  // POST /containers/{id}/kill. Not running: OK.
  Status KillContainer(const std::string& id);
  // DELETE /containers/{id}?force=1&v=1. Absent: OK. When the engine is already removing it
  // (409 "removal ... already in progress": a crashed chaincode being cleaned up, or another
  // client), waits up to options.removal_wait for it to be gone, then OK; DeadlineExceeded
  // if it is still there.
  Status RemoveContainer(const std::string& id);
  // GET /containers/json?all=1&filters={"label":[...]}: containers carrying every "k=v" label.
  StatusOr<std::vector<ContainerSummary>> ListContainers(const std::vector<std::string>& labels);

 private:
  // `streaming` calls (builds, follows, waits) have no request_timeout, only `stream_timeout`
  // when given.
  StatusOr<HttpResponse> Call(const std::string& method, const std::string& path,
                              std::string body = {}, std::string content_type = {},
                              bool streaming = false, const BodyCallback& on_data = nullptr,
                              std::chrono::milliseconds stream_timeout = {},
                              const std::atomic<bool>* cancel = nullptr);

  const std::unique_ptr<HttpTransport> transport_;
  const DockerClientOptions options_;
  std::string api_version_;  // set once by NegotiateVersion, before concurrent use
};

// Maps a non-2xx engine response to a Status: "<what>: <engine message> (HTTP <code>)".
Status ApiError(const HttpResponse& response, const std::string& what);

// Percent-encodes a query parameter value.
std::string UrlEncode(std::string_view s);

}  // namespace fabric::launcher::docker
