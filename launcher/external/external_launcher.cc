// SPDX-License-Identifier: Apache-2.0
#include "launcher/external/external_launcher.h"

#include <stdlib.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <absl/strings/ascii.h>
#include <absl/strings/escaping.h>
#include <absl/strings/str_format.h>
#include <nlohmann/json.hpp>

#include "common/archive/archive.h"
#include "common/logging/logging.h"
#include "fabric/base/status_macros.h"
#include "launcher/external/connection_info.h"

namespace fabric::launcher::external {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

logging::Logger& Log() {
  static logging::Logger logger("chaincode.externalbuilder");
  return logger;
}

// A ccid as a file name (Fabric's SanitizeCCIDPath).
std::string SanitizeCcid(const std::string& ccid) {
  std::string out = ccid;
  for (char& c : out) {
    if (std::string_view("<>:\"/\\|?*&").find(c) != std::string_view::npos) {
      c = '-';
    }
  }
  return out;
}

Status WriteFile(const fs::path& path, const std::string& content, fs::perms perms) {
  std::error_code ec;
  fs::create_directories(path.parent_path(), ec);
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << content;
  out.close();
  if (!out) {
    return InternalError("write " + path.string());
  }
  fs::permissions(path, perms, ec);
  return Status::OK();
}

StatusOr<std::string> ReadFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return NotFoundError("cannot read " + path.string());
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// A fresh private folder under $TMPDIR, removed when this object goes.
class ScratchDir {
 public:
  static StatusOr<std::unique_ptr<ScratchDir>> Create(const std::string& ccid) {
    const char* tmp = ::getenv("TMPDIR");
    std::string dir = std::string(tmp != nullptr && *tmp != '\0' ? tmp : "/tmp") + "/fabric-" +
                      SanitizeCcid(ccid) + "-XXXXXX";
    if (::mkdtemp(dir.data()) == nullptr) {
      return InternalError("mkdtemp " + dir + ": " + strerror(errno));
    }
    return std::unique_ptr<ScratchDir>(new ScratchDir(dir));
  }
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const std::string& path() const { return path_; }

 private:
  explicit ScratchDir(std::string path) : path_(std::move(path)) {}
  const std::string path_;
};

// Unpacks a code package (a tar.gz; archive::Read refuses links and ".." names) into `dir`.
Status Unpack(const std::string& code_package, const fs::path& dir) {
  ASSIGN_OR_RETURN(std::vector<archive::Entry> entries, archive::Read(code_package));
  for (const archive::Entry& e : entries) {
    if (e.type == archive::EntryType::kDirectory) {
      std::error_code ec;
      fs::create_directories(dir / e.path, ec);
      continue;
    }
    const bool exec = (e.mode & 0100) != 0;
    RETURN_IF_ERROR(
        WriteFile(dir / e.path, e.content,
                  exec ? fs::perms::owner_all : fs::perms::owner_read | fs::perms::owner_write));
  }
  return Status::OK();
}

std::string MetadataJson(const StartRequest& request) {
  nlohmann::json md;
  md["type"] = absl::AsciiStrToLower(request.package.type.empty() ? "cpp" : request.package.type);
  std::string label = request.ccid;
  std::replace(label.begin(), label.end(), ':', '_');
  md["label"] = label;
  md["path"] = "";
  return md.dump();
}

// The value of `key` in "K=V" entries, or "".
std::string EnvValue(const std::vector<std::string>& env, const std::string& key) {
  for (const std::string& kv : env) {
    if (kv.starts_with(key + "=")) {
      return kv.substr(key.size() + 1);
    }
  }
  return "";
}

// A TLS file of the request named by env `key`, as PEM (launch files hold base64 of PEM, as
// Fabric 1.4 writes them, or PEM).
std::string TlsPem(const StartRequest& request, const std::string& key) {
  auto it = request.files.find(EnvValue(request.env, key));
  if (it == request.files.end()) {
    return "";
  }
  std::string pem;
  if (it->second.find("-----BEGIN") == std::string::npos &&
      absl::Base64Unescape(it->second, &pem)) {
    return pem;
  }
  return it->second;
}

}  // namespace

bool IsExternalServiceType(const std::string& type) {
  const std::string t = absl::AsciiStrToLower(type);
  return t == "external" || t == "ccaas";
}

StatusOr<std::unique_ptr<ExternalLauncher>> ExternalLauncher::Create(
    ExternalLauncherOptions options, std::unique_ptr<Launcher> fallback) {
  RETURN_IF_ERROR(ValidateBuilders(options.builders));
  if (!options.builders.empty() && options.durable_path.empty()) {
    return InvalidArgumentError("external builders need a folder to keep builds in");
  }
  return std::unique_ptr<ExternalLauncher>(
      new ExternalLauncher(std::move(options), std::move(fallback)));
}

ExternalLauncher::ExternalLauncher(ExternalLauncherOptions options,
                                   std::unique_ptr<Launcher> fallback)
    : options_(std::move(options)),
      fallback_(std::move(fallback)),
      processes_(
          ProcessLauncher::Options{.grace_period = options_.grace_period, .process_group = true}) {
  for (const BuilderConfig& config : options_.builders) {
    builders_.push_back(std::make_unique<Builder>(config, processes_));
  }
}

ExternalLauncher::~ExternalLauncher() = default;

void ExternalLauncher::SetRoute(const std::string& ccid, Route route) {
  std::lock_guard<std::mutex> lock(mu_);
  routes_[ccid] = route;
}

std::optional<ExternalLauncher::Route> ExternalLauncher::GetRoute(const std::string& ccid) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = routes_.find(ccid);
  return it == routes_.end() ? std::nullopt : std::optional<Route>(it->second);
}

Status ExternalLauncher::Start(const StartRequest& request) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (shut_down_) {
      return Status(StatusCode::kCancelled, "peer is shutting down: not launching " + request.ccid);
    }
  }
  RETURN_IF_ERROR(Stop(request.ccid));
  ASSIGN_OR_RETURN(std::optional<Instance> instance, BuildWithBuilders(request));
  if (instance.has_value()) {
    return StartInstance(*instance, request);
  }
  if (IsExternalServiceType(request.package.type)) {
    return ConnectExternalPackage(request);
  }
  if (fallback_ == nullptr) {
    return FailedPreconditionError(absl::StrFormat(
        "no external builder detected chaincode %s (type %s) and no other launcher is configured",
        request.ccid, request.package.type));
  }
  SetRoute(request.ccid, Route::kFallback);
  return fallback_->Start(request);
}

StatusOr<std::optional<ExternalLauncher::Instance>> ExternalLauncher::BuildWithBuilders(
    const StartRequest& request) {
  if (builders_.empty()) {
    return std::optional<Instance>();
  }
  ASSIGN_OR_RETURN(std::optional<Instance> cached, CachedBuild(request.ccid));
  if (cached.has_value()) {
    FLOG_INFO(Log(), "reusing the build of ccid=%s by external builder %s", request.ccid,
              cached->builder->name());
    return cached;
  }
  return DetectAndBuild(request);
}

StatusOr<std::optional<ExternalLauncher::Instance>> ExternalLauncher::CachedBuild(
    const std::string& ccid) {
  const fs::path dir = fs::path(options_.durable_path) / SanitizeCcid(ccid);
  auto info = ReadFile(dir / "build-info.json");
  if (!info.ok()) {
    return std::optional<Instance>();
  }
  nlohmann::json doc = nlohmann::json::parse(*info, nullptr, false);
  if (!doc.is_object() || !doc.contains("builder_name") || !doc["builder_name"].is_string()) {
    return InternalError(
        absl::StrFormat("malformed build info at %s: remove the folder %s to "
                        "build chaincode %s again",
                        (dir / "build-info.json").string(), dir.string(), ccid));
  }
  const std::string name = doc["builder_name"].get<std::string>();
  for (const auto& builder : builders_) {
    if (builder->name() == name) {
      return std::optional<Instance>(
          Instance{builder.get(), (dir / "bld").string(), (dir / "release").string()});
    }
  }
  return FailedPreconditionError(absl::StrFormat(
      "chaincode %s was built by external builder '%s', which is no longer configured: add it "
      "back or remove %s",
      ccid, name, dir.string()));
}

StatusOr<std::optional<ExternalLauncher::Instance>> ExternalLauncher::DetectAndBuild(
    const StartRequest& request) {
  ASSIGN_OR_RETURN(std::unique_ptr<ScratchDir> scratch, ScratchDir::Create(request.ccid));
  const fs::path root(scratch->path());
  BuildDirs dirs{(root / "src").string(), (root / "metadata").string(), (root / "bld").string(),
                 (root / "release").string()};
  for (const std::string& d : {dirs.source, dirs.metadata, dirs.output, dirs.release}) {
    std::error_code ec;
    fs::create_directories(d, ec);
  }
  RETURN_IF_ERROR(Unpack(request.package.code_package, dirs.source)
                      .Annotate("unpack the code package of " + request.ccid));
  RETURN_IF_ERROR(WriteFile(fs::path(dirs.metadata) / "metadata.json", MetadataJson(request),
                            fs::perms::owner_read | fs::perms::owner_write));
  for (const auto& builder : builders_) {
    ASSIGN_OR_RETURN(bool detected, builder->Detect(request.ccid, dirs, request.deadline));
    if (!detected) {
      continue;
    }
    FLOG_INFO(Log(), "external builder %s detected ccid=%s", builder->name(), request.ccid);
    RETURN_IF_ERROR(builder->Build(request.ccid, dirs, request.deadline));
    RETURN_IF_ERROR(builder->Release(request.ccid, dirs, request.deadline));
    ASSIGN_OR_RETURN(Instance instance, Persist(request.ccid, *builder, dirs));
    return std::optional<Instance>(instance);
  }
  return std::optional<Instance>();
}

StatusOr<ExternalLauncher::Instance> ExternalLauncher::Persist(const std::string& ccid,
                                                               Builder& builder,
                                                               const BuildDirs& dirs) {
  const fs::path dir = fs::path(options_.durable_path) / SanitizeCcid(ccid);
  std::error_code ec;
  fs::remove_all(dir, ec);
  fs::create_directories(dir, ec);
  const auto options = fs::copy_options::recursive | fs::copy_options::copy_symlinks;
  if (!ec) {
    fs::copy(dirs.output, dir / "bld", options, ec);
  }
  if (!ec) {
    fs::copy(dirs.release, dir / "release", options, ec);
  }
  if (ec) {
    fs::remove_all(dir, ec);
    return InternalError(
        absl::StrFormat("keep the build of %s in %s: %s", ccid, dir.string(), ec.message()));
  }
  // Written last: a build without it is not reused.
  RETURN_IF_ERROR(WriteFile(dir / "build-info.json",
                            nlohmann::json{{"builder_name", builder.name()}}.dump(),
                            fs::perms::owner_read | fs::perms::owner_write));
  return Instance{&builder, (dir / "bld").string(), (dir / "release").string()};
}

Status ExternalLauncher::StartInstance(const Instance& instance, const StartRequest& request) {
  const fs::path connection = fs::path(instance.release_dir) / kReleaseServerDir / kConnectionFile;
  std::error_code ec;
  if (fs::exists(connection, ec)) {
    ASSIGN_OR_RETURN(ChaincodeServerInfo info,
                     ReadConnectionInfo(connection.string(),
                                        absl::StrFormat("connection.json of %s released by "
                                                        "external builder '%s'",
                                                        request.ccid, instance.builder->name())));
    if (!request.connect) {
      return FailedPreconditionError("chaincode " + request.ccid +
                                     " is a server, but this peer cannot connect to servers");
    }
    SetRoute(request.ccid, Route::kServer);
    return request.connect(info);
  }
  if (!instance.builder->HasRun()) {
    return FailedPreconditionError(
        absl::StrFormat("external builder '%s' built chaincode %s, but its release has no "
                        "chaincode/server/connection.json and the builder has no bin/run",
                        instance.builder->name(), request.ccid));
  }
  return StartRun(instance, request);
}

Status ExternalLauncher::StartRun(const Instance& instance, const StartRequest& request) {
  ASSIGN_OR_RETURN(std::unique_ptr<ScratchDir> scratch, ScratchDir::Create(request.ccid));
  nlohmann::json run;
  run["chaincode_id"] = request.ccid;
  run["peer_address"] = EnvValue(request.env, "CORE_PEER_ADDRESS");
  run["client_cert"] = TlsPem(request, "CORE_TLS_CLIENT_CERT_PATH");
  run["client_key"] = TlsPem(request, "CORE_TLS_CLIENT_KEY_PATH");
  run["root_cert"] = TlsPem(request, "CORE_PEER_TLS_ROOTCERT_FILE");
  run["mspid"] = options_.mspid;
  RETURN_IF_ERROR(WriteFile(fs::path(scratch->path()) / "chaincode.json", run.dump(),
                            fs::perms::owner_read | fs::perms::owner_write));
  StartRequest start = instance.builder->RunRequest(request, instance.output_dir, scratch->path());
  // The run folder lives as long as the process.
  std::shared_ptr<ScratchDir> keep(std::move(scratch));
  auto on_exit = request.on_exit;
  start.on_exit = [keep, on_exit](int code) {
    if (on_exit) {
      on_exit(code);
    }
  };
  SetRoute(request.ccid, Route::kRun);
  return processes_.Start(start);
}

Status ExternalLauncher::ConnectExternalPackage(const StartRequest& request) {
  const std::string origin = "connection.json of external chaincode " + request.ccid;
  auto entries = archive::Read(request.package.code_package);
  if (!entries.ok()) {
    return entries.status().Annotate("read the package of " + request.ccid);
  }
  auto it = std::find_if(entries->begin(), entries->end(),
                         [](const archive::Entry& e) { return e.path == kConnectionFile; });
  if (it == entries->end()) {
    return InvalidArgumentError(absl::StrFormat(
        "the external package of %s has no connection.json at its top: package a folder "
        "holding it with `peer chaincode package -l external -p DIR`",
        request.ccid));
  }
  ASSIGN_OR_RETURN(ChaincodeServerInfo info, ParseConnectionInfo(it->content, origin));
  if (!request.connect) {
    return FailedPreconditionError("chaincode " + request.ccid +
                                   " is a server, but this peer cannot connect to servers");
  }
  SetRoute(request.ccid, Route::kServer);
  return request.connect(info);
}

Status ExternalLauncher::Stop(const std::string& ccid) {
  std::optional<Route> route = GetRoute(ccid);
  if (route == Route::kRun) {
    return processes_.Stop(ccid);
  }
  if (route == Route::kFallback && fallback_ != nullptr) {
    return fallback_->Stop(ccid);
  }
  return Status::OK();
}

StatusOr<int> ExternalLauncher::Wait(const std::string& ccid, std::chrono::milliseconds timeout) {
  std::optional<Route> route = GetRoute(ccid);
  if (route == Route::kRun) {
    return processes_.Wait(ccid, timeout);
  }
  if (route == Route::kFallback && fallback_ != nullptr) {
    return fallback_->Wait(ccid, timeout);
  }
  return NotFoundError("no chaincode process " + ccid);
}

bool ExternalLauncher::IsRunning(const std::string& ccid) const {
  std::optional<Route> route = GetRoute(ccid);
  if (route == Route::kRun) {
    return processes_.IsRunning(ccid);
  }
  return route == Route::kFallback && fallback_ != nullptr && fallback_->IsRunning(ccid);
}

std::vector<std::string> ExternalLauncher::LastLogLines(const std::string& ccid) const {
  std::optional<Route> route = GetRoute(ccid);
  if (route == Route::kRun) {
    return processes_.LastLogLines(ccid);
  }
  if (route == Route::kFallback && fallback_ != nullptr) {
    return fallback_->LastLogLines(ccid);
  }
  return {};
}

void ExternalLauncher::Shutdown() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    shut_down_ = true;
  }
  if (fallback_ != nullptr) {
    fallback_->Shutdown();
  }
}

bool ExternalLauncher::SharesPeerFileSystem() const {
  return fallback_ == nullptr || fallback_->SharesPeerFileSystem();
}

}  // namespace fabric::launcher::external
