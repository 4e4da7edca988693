// SPDX-License-Identifier: Apache-2.0
#include "launcher/docker/docker_client.h"

#include <chrono>
#include <cstdlib>
#include <deque>
#include <thread>

#include <absl/strings/str_format.h>
#include <nlohmann/json.hpp>

#include "fabric/base/status_macros.h"

namespace fabric::launcher::docker {
namespace {

std::string UrlEncodeImpl(std::string_view s);

using Json = nlohmann::json;

// Non-throwing accessors: engine responses are untrusted input.
std::string Str(const Json& j, const char* key) {
  if (j.is_object()) {
    auto it = j.find(key);
    if (it != j.end() && it->is_string()) {
      return it->get<std::string>();
    }
  }
  return {};
}

int64_t Int(const Json& j, const char* key, int64_t fallback) {
  if (j.is_object()) {
    auto it = j.find(key);
    if (it != j.end() && it->is_number_integer()) {
      return it->get<int64_t>();
    }
  }
  return fallback;
}

std::map<std::string, std::string> Labels(const Json& j) {
  std::map<std::string, std::string> out;
  if (j.is_object()) {
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (it.value().is_string()) {
        out[it.key()] = it.value().get<std::string>();
      }
    }
  }
  return out;
}

Json ParseJson(std::string_view text) { return Json::parse(text, nullptr, false); }

// Image references go into paths as they are ("repo/name:tag"), other characters escaped.
std::string PathEncode(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '/' || c == ':' || c == '@') {
      out += c;
    } else {
      out += UrlEncodeImpl(std::string_view(&c, 1));
    }
  }
  return out;
}

bool Ok(int status) { return status >= 200 && status < 300; }

std::string Short(const std::string& id) { return id.substr(0, 12); }

std::string UrlEncodeImpl(std::string_view s) {
  static const char* kHex = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : s) {
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~') {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

}  // namespace

std::string UrlEncode(std::string_view s) { return UrlEncodeImpl(s); }

Status ApiError(const HttpResponse& response, const std::string& what) {
  Json j = ParseJson(response.body);
  std::string message = Str(j, "message");
  if (message.empty()) {
    message = response.body.substr(0, 512);
    while (!message.empty() && (message.back() == '\n' || message.back() == '\r')) {
      message.pop_back();
    }
  }
  std::string m = absl::StrFormat("%s: %s (HTTP %d)", what, message, response.status);
  switch (response.status) {
    case 400:
      return InvalidArgumentError(m);
    case 401:
    case 403:
      return PermissionDeniedError(m);
    case 404:
      return NotFoundError(m);
    case 409:
      return AlreadyExistsError(m);
    default:
      return InternalError(m);
  }
}

DockerClientOptions DockerClientOptions::FromEnv() {
  DockerClientOptions o;
  if (const char* e = std::getenv("CORE_VM_ENDPOINT"); e != nullptr && *e != '\0') {
    o.endpoint = e;
  }
  return o;
}

DockerClient::DockerClient(std::unique_ptr<HttpTransport> transport, DockerClientOptions options)
    : transport_(std::move(transport)), options_(std::move(options)) {}

StatusOr<std::unique_ptr<DockerClient>> DockerClient::Connect(
    const DockerClientOptions& options, std::unique_ptr<HttpTransport> transport) {
  if (transport == nullptr) {
    ASSIGN_OR_RETURN(transport, NewCurlTransport(options.endpoint));
  }
  auto client = std::make_unique<DockerClient>(std::move(transport), options);
  RETURN_IF_ERROR(client->Ping());
  RETURN_IF_ERROR(client->NegotiateVersion());
  return client;
}

StatusOr<HttpResponse> DockerClient::Call(const std::string& method, const std::string& path,
                                          std::string body, std::string content_type,
                                          bool streaming, const BodyCallback& on_data,
                                          std::chrono::milliseconds stream_timeout,
                                          const std::atomic<bool>* cancel) {
  HttpRequest r;
  r.cancel = cancel;
  r.method = method;
  r.target = (api_version_.empty() ? "" : "/v" + api_version_) + path;
  r.body = std::move(body);
  if (!content_type.empty()) {
    r.headers.emplace_back("Content-Type", std::move(content_type));
  }
  r.timeout = streaming ? stream_timeout : options_.request_timeout;
  return transport_->Do(r, on_data);
}

Status DockerClient::Ping() {
  ASSIGN_OR_RETURN(HttpResponse r, Call("GET", "/_ping"));
  if (!Ok(r.status)) {
    return ApiError(r, "ping Docker engine at " + endpoint()).Annotate("docker engine unhealthy");
  }
  return Status::OK();
}

StatusOr<VersionInfo> DockerClient::Version() {
  ASSIGN_OR_RETURN(HttpResponse r, Call("GET", "/version"));
  if (!Ok(r.status)) {
    return ApiError(r, "docker version");
  }
  Json j = ParseJson(r.body);
  VersionInfo v{Str(j, "Version"), Str(j, "ApiVersion"), Str(j, "MinAPIVersion")};
  if (v.api_version.empty()) {
    return InternalError("docker version: no ApiVersion in the engine's answer: " +
                         r.body.substr(0, 200));
  }
  return v;
}

Status DockerClient::NegotiateVersion() {
  ASSIGN_OR_RETURN(VersionInfo v, Version());
  auto parse = [](const std::string& s) {
    int major = 0, minor = 0;
    std::sscanf(s.c_str(), "%d.%d", &major, &minor);
    return major * 1000 + minor;
  };
  if (parse(v.api_version) < parse("1.24")) {
    return FailedPreconditionError(absl::StrFormat(
        "Docker engine %s at %s speaks API %s; fabric-cpp needs 1.24 or later (Docker 1.12+)",
        v.version, endpoint(), v.api_version));
  }
  api_version_ = parse(v.api_version) < parse(kMaxApiVersion) ? v.api_version : kMaxApiVersion;
  return Status::OK();
}

StatusOr<ImageInfo> DockerClient::InspectImage(const std::string& name) {
  ASSIGN_OR_RETURN(HttpResponse r, Call("GET", "/images/" + PathEncode(name) + "/json"));
  if (r.status == 404) {
    return NotFoundError("image " + name + " not found");
  }
  if (!Ok(r.status)) {
    return ApiError(r, "inspect image " + name);
  }
  Json j = ParseJson(r.body);
  ImageInfo info;
  info.id = Str(j, "Id");
  info.size = Int(j, "Size", 0);
  if (j.is_object() && j.contains("Config") && j["Config"].is_object() &&
      j["Config"].contains("Labels")) {
    info.labels = Labels(j["Config"]["Labels"]);
  }
  return info;
}

Status DockerClient::BuildImage(const BuildImageRequest& request,
                                const std::function<void(std::string_view)>& on_output) {
  std::string path = "/build?forcerm=1&rm=1&q=0&t=" + UrlEncode(request.tag) +
                     "&pull=" + (request.pull ? "1" : "0");
  if (!request.network_mode.empty()) {
    path += "&networkmode=" + UrlEncode(request.network_mode);
  }
  if (!request.labels.empty()) {
    Json labels = Json::object();
    for (const auto& [k, v] : request.labels) {
      labels[k] = v;
    }
    path += "&labels=" + UrlEncode(labels.dump());
  }
  std::deque<std::string> tail;  // the builder's last output lines
  std::string error;
  LineSplitter lines;
  auto on_line = [&](std::string_view line) {
    Json j = ParseJson(line);
    if (j.is_discarded()) {
      return;
    }
    if (std::string e = Str(j, "error"); !e.empty()) {
      error = e;
    }
    std::string s = Str(j, "stream");
    while (!s.empty() && s.back() == '\n') {
      s.pop_back();
    }
    if (!s.empty()) {
      if (on_output) {
        on_output(s);
      }
      tail.push_back(std::move(s));
      if (tail.size() > 20) {
        tail.pop_front();
      }
    }
  };
  auto r = Call(
      "POST", path, request.context, "application/x-tar", /*streaming=*/true,
      [&](std::string_view chunk) {
        lines.Feed(chunk, on_line);
        return true;
      },
      request.timeout, request.cancel);
  lines.Flush(on_line);
  std::string last;
  for (const auto& l : tail) {
    last += "\n  " + l;
  }
  if (!r.ok()) {
    return r.status().Annotate("build of image " + request.tag + " interrupted" +
                               (last.empty() ? "" : " after:" + last));
  }
  if (!Ok(r->status)) {
    return ApiError(*r, "build of image " + request.tag);
  }
  if (!error.empty()) {
    return FailedPreconditionError(absl::StrFormat("build of image %s failed: %s%s", request.tag,
                                                   error, last.empty() ? "" : "\n" + last));
  }
  return Status::OK();
}

Status DockerClient::RemoveImage(const std::string& name) {
  ASSIGN_OR_RETURN(HttpResponse r, Call("DELETE", "/images/" + PathEncode(name) + "?force=1"));
  if (!Ok(r.status) && r.status != 404) {
    return ApiError(r, "remove image " + name);
  }
  return Status::OK();
}

StatusOr<std::string> DockerClient::CreateContainer(const ContainerConfig& c) {
  Json body = {{"Image", c.image},      {"Env", c.env}, {"AttachStdout", false},
               {"AttachStderr", false}, {"Tty", false}, {"OpenStdin", false}};
  if (!c.cmd.empty()) {
    body["Cmd"] = c.cmd;
  }
  if (!c.working_dir.empty()) {
    body["WorkingDir"] = c.working_dir;
  }
  Json labels = Json::object();
  for (const auto& [k, v] : c.labels) {
    labels[k] = v;
  }
  body["Labels"] = labels;
  Json host = {{"NetworkMode", c.network_mode}};
  if (c.memory_bytes > 0) {
    host["Memory"] = c.memory_bytes;
  }
  if (c.pids_limit > 0) {
    host["PidsLimit"] = c.pids_limit;
  }
  if (c.unprivileged) {
    host["CapDrop"] = Json::array({"ALL"});
    host["SecurityOpt"] = Json::array({"no-new-privileges"});
  }
  if (!c.user.empty()) {
    body["User"] = c.user;
  }
  body["HostConfig"] = host;
  std::string path = "/containers/create";
  if (!c.name.empty()) {
    path += "?name=" + UrlEncode(c.name);
  }
  ASSIGN_OR_RETURN(HttpResponse r, Call("POST", path, body.dump(), "application/json"));
  if (r.status == 404) {
    return ApiError(r, "create container " + c.name)
        .Annotate("image " + c.image + " missing (build it, or run scripts/build-images.sh)");
  }
  if (!Ok(r.status)) {
    return ApiError(r, "create container " + c.name);
  }
  std::string id = Str(ParseJson(r.body), "Id");
  if (id.empty()) {
    return InternalError("create container " + c.name + ": no Id in the engine's answer");
  }
  return id;
}

Status DockerClient::UploadArchive(const std::string& id, const std::string& path,
                                   const std::string& tar) {
  ASSIGN_OR_RETURN(HttpResponse r,
                   Call("PUT", "/containers/" + id + "/archive?path=" + UrlEncode(path), tar,
                        "application/x-tar", /*streaming=*/true));
  if (!Ok(r.status)) {
    return ApiError(r, "upload to " + path + " in container " + Short(id));
  }
  return Status::OK();
}

StatusOr<std::string> DockerClient::DownloadArchive(const std::string& id,
                                                    const std::string& path) {
  ASSIGN_OR_RETURN(HttpResponse r,
                   Call("GET", "/containers/" + id + "/archive?path=" + UrlEncode(path), {}, {},
                        /*streaming=*/true));
  if (!Ok(r.status)) {
    return ApiError(r, "download " + path + " from container " + Short(id));
  }
  return std::move(r.body);
}

Status DockerClient::StartContainer(const std::string& id) {
  ASSIGN_OR_RETURN(HttpResponse r, Call("POST", "/containers/" + id + "/start"));
  if (!Ok(r.status) && r.status != 304) {
    return ApiError(r, "start container " + Short(id));
  }
  return Status::OK();
}

Status DockerClient::Logs(const std::string& id, const LogsOptions& options,
                          const MuxDecoder::LineFn& on_line) {
  std::string path = "/containers/" + id + "/logs?stdout=1&stderr=1";
  if (options.follow) {
    path += "&follow=1";
  }
  if (options.tail >= 0) {
    path += "&tail=" + std::to_string(options.tail);
  }
  MuxDecoder mux;
  auto r = Call("GET", path, {}, {}, /*streaming=*/options.follow, [&](std::string_view chunk) {
    mux.Feed(chunk, on_line);
    return true;
  });
  bool complete = mux.Finish(on_line);
  if (!r.ok()) {
    return r.status().Annotate("logs of container " + Short(id));
  }
  if (!Ok(r->status)) {
    return ApiError(*r, "logs of container " + Short(id));
  }
  if (!complete) {
    return DataLossError("log stream of container " + Short(id) + " ended mid-frame (truncated)");
  }
  return Status::OK();
}

StatusOr<int> DockerClient::WaitContainer(const std::string& id, std::chrono::milliseconds timeout,
                                          const std::atomic<bool>* cancel) {
  ASSIGN_OR_RETURN(HttpResponse r, Call("POST", "/containers/" + id + "/wait", {}, {},
                                        /*streaming=*/true, nullptr, timeout, cancel));
  if (!Ok(r.status)) {
    return ApiError(r, "wait for container " + Short(id));
  }
  Json j = ParseJson(r.body);
  int64_t code = Int(j, "StatusCode", -1);
  if (code < 0) {
    return InternalError("wait for container " + Short(id) + ": no StatusCode in " +
                         r.body.substr(0, 200));
  }
  return static_cast<int>(code);
}

Status DockerClient::StopContainer(const std::string& id, std::chrono::seconds grace) {
  auto r = Call("POST", "/containers/" + id + "/stop?t=" + std::to_string(grace.count()), {}, {},
                /*streaming=*/true);
  RETURN_IF_ERROR(r.status());
  if (!Ok(r->status) && r->status != 304 && r->status != 404) {
    return ApiError(*r, "stop container " + Short(id));
  }
  return Status::OK();
}

Status DockerClient::KillContainer(const std::string& id) {
  ASSIGN_OR_RETURN(HttpResponse r, Call("POST", "/containers/" + id + "/kill"));
  if (!Ok(r.status) && r.status != 404 && r.status != 409) {  // 409: not running
    return ApiError(r, "kill container " + Short(id));
  }
  return Status::OK();
}

Status DockerClient::RemoveContainer(const std::string& id) {
  ASSIGN_OR_RETURN(HttpResponse r, Call("DELETE", "/containers/" + id + "?force=1&v=1"));
  if (Ok(r.status) || r.status == 404) {
    return Status::OK();
  }
  if (r.status != 409 || r.body.find("already in progress") == std::string::npos) {
    return ApiError(r, "remove container " + Short(id));
  }
  // The engine is removing it already: wait until it is gone.
  const auto deadline = std::chrono::steady_clock::now() + options_.removal_wait;
  while (std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
    ASSIGN_OR_RETURN(HttpResponse inspect, Call("GET", "/containers/" + id + "/json"));
    if (inspect.status == 404) {
      return Status::OK();
    }
    if (!Ok(inspect.status)) {
      return ApiError(inspect, "inspect container " + Short(id) + " being removed");
    }
  }
  return DeadlineExceededError(absl::StrFormat(
      "remove container %s: the engine's removal still not finished after %d ms; check "
      "`docker ps -a` and the engine's log",
      Short(id), options_.removal_wait.count()));
}

StatusOr<std::vector<ContainerSummary>> DockerClient::ListContainers(
    const std::vector<std::string>& labels) {
  Json filters = {{"label", labels}};
  ASSIGN_OR_RETURN(HttpResponse r,
                   Call("GET", "/containers/json?all=1&filters=" + UrlEncode(filters.dump())));
  if (!Ok(r.status)) {
    return ApiError(r, "list containers");
  }
  Json j = ParseJson(r.body);
  if (!j.is_array()) {
    return InternalError("list containers: expected a JSON array, got " + r.body.substr(0, 200));
  }
  std::vector<ContainerSummary> out;
  for (const auto& c : j) {
    ContainerSummary s;
    s.id = Str(c, "Id");
    s.state = Str(c, "State");
    if (c.is_object() && c.contains("Names") && c["Names"].is_array() && !c["Names"].empty() &&
        c["Names"][0].is_string()) {
      s.name = c["Names"][0].get<std::string>();
      if (!s.name.empty() && s.name[0] == '/') {
        s.name.erase(0, 1);
      }
    }
    if (c.is_object() && c.contains("Labels")) {
      s.labels = Labels(c["Labels"]);
    }
    out.push_back(std::move(s));
  }
  return out;
}

}  // namespace fabric::launcher::docker
