// SPDX-License-Identifier: Apache-2.0
#include "launcher/docker/docker_launcher.h"

#include <algorithm>
#include <charconv>
#include <condition_variable>
#include <cstdlib>
#include <deque>
#include <optional>
#include <thread>

#include <absl/strings/str_format.h>

#include "common/archive/archive.h"
#include "common/crypto/hash.h"
#include "common/logging/logging.h"
#include "fabric/base/status_macros.h"
#include "launcher/docker/chaincode_package.h"
#include "launcher/docker/go_build.h"
#include "launcher/docker/node_build.h"

namespace fabric::launcher::docker {
namespace {

// What is left until `deadline` for a Docker call (0: no limit); at least 1 ms once passed, so
// that the call fails with DeadlineExceeded instead of running unbounded.
std::chrono::milliseconds Remaining(std::chrono::steady_clock::time_point deadline) {
  if (deadline == std::chrono::steady_clock::time_point::max()) {
    return std::chrono::milliseconds(0);
  }
  auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
      deadline - std::chrono::steady_clock::now());
  return std::max(left, std::chrono::milliseconds(1));
}

// What the builder's output archive (one file: the chaincode's program, or the Node.js
// chaincode's folder as a tar) may hold.
constexpr archive::ReadLimits kBuilderOutputLimits{
    .max_entries = 16, .max_total_bytes = 1ull << 30, .max_entry_bytes = 1ull << 30};

logging::Logger& Log() {
  static logging::Logger logger("chaincode.docker");
  return logger;
}

constexpr char kPeerLabel[] = "org.fabric-cpp.peer";
constexpr char kCcidLabel[] = "org.fabric-cpp.chaincode.id";
constexpr char kRoleLabel[] = "org.fabric-cpp.role";
constexpr char kHashLabel[] = "org.fabric-cpp.chaincode.package.hash";
// The builder and runtime base images a chaincode image was made with ("<ccenv id> <baseos id>"):
// new ones (a new shim, say) make new chaincode images.
constexpr char kBuilderLabel[] = "org.fabric-cpp.chaincode.builder";

std::string Sanitize(const std::string& s) {
  std::string out = s;
  for (char& c : out) {
    if (!isalnum(static_cast<unsigned char>(c)) && c != '-' && c != '_' && c != '.') {
      c = '-';
    }
  }
  return out;
}

std::string Lower(std::string s) {
  for (char& c : s) {
    c = static_cast<char>(tolower(static_cast<unsigned char>(c)));
  }
  return s;
}

std::string JoinLines(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& l : lines) {
    out += "\n  " + l;
  }
  return out;
}

std::string EnvValue(const std::vector<std::string>& env, const std::string& name) {
  for (const auto& kv : env) {
    if (kv.rfind(name + "=", 0) == 0) {
      return kv.substr(name.size() + 1);
    }
  }
  return {};
}

// The last component of a container path: the name a downloaded file has in its archive.
std::string BaseName(const std::string& path) { return path.substr(path.rfind('/') + 1); }

}  // namespace

// One chaincode container: its id, and the owned thread that forwards its output and waits
// for its exit.
class DockerLauncher::Container {
 public:
  Container(DockerClient& client, std::string ccid, std::string id, size_t max_lines,
            std::function<void(int)> on_exit)
      : client_(client),
        ccid_(std::move(ccid)),
        id_(std::move(id)),
        max_lines_(max_lines),
        on_exit_(std::move(on_exit)) {}
  ~Container() = default;  // jthread joins

  void Begin() {
    thread_ = std::jthread([this](std::stop_token stop) { Run(stop); });
  }
  const std::string& id() const { return id_; }

  bool exited() const {
    std::lock_guard<std::mutex> lock(mu_);
    return exit_code_.has_value();
  }
  std::optional<int> WaitExit(std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return exit_code_.has_value(); });
    return exit_code_;
  }
  std::vector<std::string> Lines() const {
    std::lock_guard<std::mutex> lock(mu_);
    return {lines_.begin(), lines_.end()};
  }
  // Lets go of the container (the launcher stopped or removed it, or cannot reach the engine to)
  // and waits for the thread: it ends at once rather than reconnecting.
  void Join() {
    if (thread_.joinable()) {
      thread_.request_stop();
      thread_.join();
    }
  }

 private:
  // Copies the container's output and waits for its exit. When the engine connection drops
  // (dockerd restarts), the container may well still run: it reconnects, with a growing delay,
  // until the engine answers, and follows the output from then on. Only an exit the engine
  // reports, a removed container or the launcher letting go (stop) end it.
  void Run(std::stop_token stop) {
    LogsOptions follow{.follow = true};
    std::chrono::milliseconds delay(200);
    bool lost = false;
    int exit_code = 137;  // removed, or let go: report it as killed
    while (true) {
      Status logs = client_.Logs(id_, follow, [&](LogStream, std::string_view line) {
        FLOG_INFO(Log(), "[%s] %s", ccid_, line);
        std::lock_guard<std::mutex> lock(mu_);
        lines_.emplace_back(line);
        if (lines_.size() > max_lines_) {
          lines_.pop_front();
        }
      });
      StatusOr<int> code = client_.WaitContainer(id_);
      if (code.ok()) {
        if (lost) {
          FLOG_INFO(Log(), "[%s] the Docker engine answers again for container %s", ccid_,
                    id_.substr(0, 12));
        }
        exit_code = *code;
        break;
      }
      if (code.status().IsNotFound() || stop.stop_requested()) {
        break;
      }
      if (!lost) {
        FLOG_WARN(Log(),
                  "[%s] lost the Docker engine while following container %s (%s; output: %s); "
                  "it may still be running: reconnecting",
                  ccid_, id_.substr(0, 12), code.status().message(),
                  logs.ok() ? "ended" : logs.message());
        lost = true;
      }
      std::mutex wait_mu;
      std::unique_lock<std::mutex> wait_lock(wait_mu);
      std::condition_variable_any().wait_for(wait_lock, stop, delay, [] { return false; });
      if (stop.stop_requested()) {
        break;
      }
      delay = std::min(delay * 2, std::chrono::milliseconds(10000));
      follow.tail = 0;  // on reconnecting, only what the container prints from then on
    }
    FLOG_INFO(Log(), "chaincode container exited ccid=%s id=%s code=%d", ccid_, id_.substr(0, 12),
              exit_code);
    {
      std::lock_guard<std::mutex> lock(mu_);
      exit_code_ = exit_code;
    }
    cv_.notify_all();
    if (on_exit_) {
      on_exit_(exit_code);
    }
  }

  DockerClient& client_;
  const std::string ccid_;
  const std::string id_;
  const size_t max_lines_;
  const std::function<void(int)> on_exit_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_:
  std::deque<std::string> lines_;
  std::optional<int> exit_code_;
  std::jthread thread_;  // last: joined first
};

TarOwner OwnerOf(std::string_view user) {
  TarOwner owner;
  const size_t colon = user.find(':');
  std::string_view uid = user.substr(0, colon);
  std::string_view gid = colon == std::string_view::npos ? "0" : user.substr(colon + 1);
  auto number = [](std::string_view s, uint32_t* out) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc() && end == s.data() + s.size();
  };
  if (!number(uid, &owner.uid) || !number(gid, &owner.gid)) {
    return TarOwner{};
  }
  return owner;
}

Status PingDockerEngine(const DockerClientOptions& options) {
  auto client = DockerClient::Connect(options);
  if (!client.ok()) {
    return client.status().Annotate("docker engine check failed (chaincodes cannot be launched)");
  }
  auto v = (*client)->Version();
  FLOG_INFO(Log(), "docker engine %s at %s, API %s", v.ok() ? v->version : "?", options.endpoint,
            (*client)->api_version());
  return Status::OK();
}

DockerLauncher::DockerLauncher(DockerLauncherOptions options, std::unique_ptr<DockerClient> client)
    : options_(std::move(options)), client_(std::move(client)) {}

StatusOr<std::unique_ptr<DockerLauncher>> DockerLauncher::Open(
    DockerLauncherOptions options, std::unique_ptr<DockerClient> client) {
  if (client == nullptr) {
    auto c = DockerClient::Connect(options.client);
    if (!c.ok()) {
      return c.status().Annotate("docker launcher");
    }
    client = std::move(*c);
  }
  std::unique_ptr<DockerLauncher> launcher(
      new DockerLauncher(std::move(options), std::move(client)));
  if (launcher->options_.remove_stale_containers) {
    auto removed = launcher->RemoveStaleContainers();
    if (!removed.ok()) {
      return removed.status().Annotate("remove stale chaincode containers");
    }
  }
  for (const auto& image : {launcher->options_.ccenv_image, launcher->options_.baseos_image}) {
    if (launcher->client_->InspectImage(image).status().IsNotFound()) {
      FLOG_WARN(Log(),
                "image %s is missing: chaincodes without a built image cannot be launched "
                "(run scripts/build-images.sh; nothing is pulled)",
                image);
    }
  }
  return launcher;
}

DockerLauncher::~DockerLauncher() {
  std::vector<std::string> ccids;
  {
    std::lock_guard<std::mutex> lock(mu_);
    for (const auto& [ccid, c] : containers_) {
      ccids.push_back(ccid);
    }
  }
  for (const auto& ccid : ccids) {
    (void)Stop(ccid);
  }
}

std::string DockerLauncher::ContainerName(const std::string& ccid) const {
  std::string name = ccid.substr(0, ccid.find(':'));
  std::string version = ccid.find(':') == std::string::npos ? "" : ccid.substr(ccid.find(':') + 1);
  return Sanitize(options_.network_id + "-" + options_.peer_id + "-" + name + "-" + version);
}

std::string DockerLauncher::ImageName(const std::string& ccid) const {
  std::string name = ccid.substr(0, ccid.find(':'));
  std::string version = ccid.find(':') == std::string::npos ? "" : ccid.substr(ccid.find(':') + 1);
  std::string base = options_.network_id + "-" + options_.peer_id + "-" + name + "-" + version;
  return Lower(Sanitize(base) + "-" + crypto::HexEncode(crypto::Sha256(base)));
}

std::shared_ptr<std::mutex> DockerLauncher::LockFor(
    std::map<std::string, std::shared_ptr<std::mutex>>& locks, const std::string& key) {
  std::lock_guard<std::mutex> lock(mu_);
  auto& m = locks[key];
  if (m == nullptr) {
    m = std::make_shared<std::mutex>();
  }
  return m;
}

StatusOr<int> DockerLauncher::RemoveStaleContainers() {
  ASSIGN_OR_RETURN(auto list,
                   client_->ListContainers({std::string(kPeerLabel) + "=" + PeerLabel()}));
  int removed = 0;
  for (const auto& c : list) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      bool ours = false;
      for (const auto& [ccid, mine] : containers_) {
        ours = ours || mine->id() == c.id;
      }
      if (ours) {
        continue;
      }
    }
    FLOG_INFO(Log(), "removing container %s left by an earlier run of peer %s", c.name,
              PeerLabel());
    RETURN_IF_ERROR(client_->RemoveContainer(c.id));
    ++removed;
  }
  return removed;
}

StatusOr<std::string> DockerLauncher::EnsureImage(const std::string& ccid,
                                                  const std::string& code_package,
                                                  std::chrono::steady_clock::time_point deadline) {
  ChaincodePackage package;
  package.ccid = ccid;
  package.code_package = code_package;
  return EnsureImage(package, deadline);
}

StatusOr<std::string> DockerLauncher::EnsureImage(const ChaincodePackage& package,
                                                  std::chrono::steady_clock::time_point deadline) {
  ASSIGN_OR_RETURN(BuildRecipe recipe, RecipeFor(package.ccid, package));
  return EnsureImageOf(package.ccid, package.code_package, recipe, deadline);
}

namespace {

// The Docker launcher builds C++, Go and Node.js packages. Other languages get an answer that
// says what can be done instead; Java in particular needs a Maven or Gradle repository at build
// time, which a peer without internet access cannot reach.
Status CheckBuildable(const std::string& ccid, const std::string& type) {
  if (type.empty() || type == "CPP" || type == "GOLANG" || type == "NODE") {
    return Status::OK();
  }
  if (type == "JAVA") {
    return InvalidArgumentError(
        "chaincode " + ccid +
        " is a Java package: fabric-cpp does not build Java chaincode (its build needs a Maven or "
        "Gradle repository); run it started by hand against a peer in dev mode "
        "(CORE_CHAINCODE_MODE=dev) or package the chaincode in C++, Go or Node.js (-l cpp, "
        "-l golang, -l node)");
  }
  return InvalidArgumentError(absl::StrFormat(
      "chaincode %s has type %s; the docker launcher builds CPP, GOLANG and NODE packages only: "
      "run %s chaincode started by hand against a peer in dev mode (CORE_CHAINCODE_MODE=dev)",
      ccid, type, type));
}

}  // namespace

StatusOr<BuildRecipe> DockerLauncher::RecipeFor(const std::string& ccid,
                                                const ChaincodePackage& package) const {
  RETURN_IF_ERROR(CheckBuildable(ccid, package.type));
  if (package.type == "GOLANG") {
    return GoBuildRecipe(ccid, package.code_package, package.path, options_.goenv_image,
                         options_.baseos_image);
  }
  if (package.type == "NODE") {
    return NodeBuildRecipe(ccid, package.code_package, options_.node);
  }
  return CppBuildRecipe(options_.ccenv_image, options_.baseos_image);
}

StatusOr<std::string> DockerLauncher::EnsureImageOf(
    const std::string& ccid, const std::string& code_package, const BuildRecipe& recipe,
    std::chrono::steady_clock::time_point deadline) {
  const std::string image = ImageName(ccid);
  const std::string hash = PackageHash(code_package);
  auto lock_ptr = LockFor(image_locks_, image);
  std::lock_guard<std::mutex> build_lock(*lock_ptr);
  auto image_id = [this](const std::string& name) {
    auto info = client_->InspectImage(name);
    return info.ok() ? info->id : std::string("missing");
  };
  const std::string builder = image_id(recipe.image) + " " + image_id(recipe.runtime_image);
  std::string stale_id;
  auto existing = client_->InspectImage(image);
  if (existing.ok()) {
    auto label = [&](const char* key) {
      auto it = existing->labels.find(key);
      return it == existing->labels.end() ? std::string("none") : it->second;
    };
    const std::string built_from = label(kHashLabel);
    const std::string built_by = label(kBuilderLabel);
    if (built_from == hash && built_by == builder) {
      return image;
    }
    stale_id = existing->id;
    if (built_from != hash) {
      FLOG_WARN(Log(),
                "image %s was built from a different package than %s's (hash %s, want %s): "
                "rebuilding",
                image, ccid, built_from.substr(0, 12), hash.substr(0, 12));
    } else {
      FLOG_INFO(Log(), "image %s was built with other builder images (%s, now %s): rebuilding",
                image, built_by, builder);
    }
  } else if (!existing.status().IsNotFound()) {
    return existing.status();
  }
  auto start = std::chrono::steady_clock::now();
  ASSIGN_OR_RETURN(std::string output, RunBuilder(ccid, recipe, code_package, deadline));
  RETURN_IF_ERROR(
      BuildRuntimeImage(ccid, recipe, image, hash, builder, std::move(output), deadline));
  FLOG_INFO(Log(), "built %s image %s for %s in %d ms", recipe.type, image, ccid,
            std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::steady_clock::now() -
                                                                  start)
                .count());
  if (!stale_id.empty()) {
    (void)client_->RemoveImage(stale_id);  // best effort: a running old container keeps it
  }
  return image;
}

StatusOr<std::string> DockerLauncher::RunBuilder(const std::string& ccid, const BuildRecipe& recipe,
                                                 const std::string& code_package,
                                                 std::chrono::steady_clock::time_point deadline) {
  if (client_->InspectImage(recipe.image).status().IsNotFound()) {
    return FailedPreconditionError(absl::StrFormat(
        "chaincode builder image %s not found: run scripts/build-images.sh (images are never "
        "pulled)",
        recipe.image));
  }
  ContainerConfig cfg;
  cfg.name = ContainerName(ccid) + "-builder";
  cfg.image = recipe.image;
  cfg.cmd = recipe.cmd;
  cfg.env = recipe.env;
  cfg.working_dir = recipe.working_dir;
  // Most builds need nothing from the network; npm reaches the registry as the host does.
  cfg.network_mode = recipe.needs_network ? options_.network_mode : "none";
  cfg.memory_bytes = options_.memory_bytes;
  cfg.pids_limit = options_.pids_limit;
  cfg.unprivileged = true;
  cfg.labels = {{kPeerLabel, PeerLabel()}, {kCcidLabel, ccid}, {kRoleLabel, "builder"}};
  (void)client_->RemoveContainer(cfg.name);  // a builder left by a crash
  ASSIGN_OR_RETURN(std::string id, client_->CreateContainer(cfg));
  struct Remover {
    DockerClient& client;
    std::string id;
    ~Remover() { (void)client.RemoveContainer(id); }
  } remover{*client_, id};
  RETURN_IF_ERROR(client_->UploadArchive(id, kBuildInputDir, code_package));
  for (const auto& [path, tar] : recipe.uploads) {
    RETURN_IF_ERROR(client_->UploadArchive(id, path, tar));
  }
  RETURN_IF_ERROR(client_->StartContainer(id));
  StatusOr<int> waited = client_->WaitContainer(id, Remaining(deadline), &shutting_down_);
  if (waited.status().IsDeadlineExceeded()) {
    return DeadlineExceededError(absl::StrFormat(
        "chaincode %s did not build before the launch deadline (chaincode.startuptimeout); its "
        "builder was removed",
        ccid));
  }
  ASSIGN_OR_RETURN(int code, std::move(waited));
  if (code != 0) {
    std::deque<std::string> lines;
    (void)client_->Logs(id, {}, [&](LogStream, std::string_view line) {
      lines.emplace_back(line);
      if (lines.size() > 30) {
        lines.pop_front();
      }
    });
    if (recipe.explain_failure) {
      return FailedPreconditionError(recipe.explain_failure({lines.begin(), lines.end()}));
    }
    return FailedPreconditionError(
        absl::StrFormat("chaincode %s failed to build in %s (exit code %d); builder output:%s",
                        ccid, recipe.image, code, JoinLines({lines.begin(), lines.end()})));
  }
  ASSIGN_OR_RETURN(std::string output, DownloadOutput(ccid, id, recipe.output));
  if (recipe.check_output) {
    RETURN_IF_ERROR(recipe.check_output(output));
  }
  return output;
}

StatusOr<std::string> DockerLauncher::DownloadOutput(const std::string& ccid,
                                                     const std::string& container_id,
                                                     const std::string& path) {
  ASSIGN_OR_RETURN(std::string tar, client_->DownloadArchive(container_id, path));
  StatusOr<std::vector<archive::Entry>> files = archive::Read(tar, kBuilderOutputLimits);
  if (!files.ok()) {
    return files.status().Annotate("chaincode " + ccid + ": the builder's output");
  }
  for (archive::Entry& file : *files) {
    if (file.path == BaseName(path) && file.type == archive::EntryType::kFile) {
      return std::move(file.content);
    }
  }
  return InternalError("chaincode " + ccid + ": the builder produced no " + path);
}

Status DockerLauncher::BuildRuntimeImage(const std::string& ccid, const BuildRecipe& recipe,
                                         const std::string& image, const std::string& hash,
                                         const std::string& builder, std::string output,
                                         std::chrono::steady_clock::time_point deadline) {
  std::string name = ccid.substr(0, ccid.find(':'));
  std::string version = ccid.find(':') == std::string::npos ? "" : ccid.substr(ccid.find(':') + 1);
  std::vector<archive::Entry> context;  // push_back: an initializer list would copy the output
  context.push_back(archive::File("Dockerfile", recipe.dockerfile));
  context.push_back(archive::File(BaseName(recipe.output), std::move(output), recipe.output_mode));
  BuildImageRequest req;
  req.tag = image;
  ASSIGN_OR_RETURN(req.context, archive::Write(context));
  req.network_mode = "none";
  req.timeout = Remaining(deadline);
  req.cancel = &shutting_down_;
  req.labels = {{"org.hyperledger.fabric.chaincode.id.name", name},
                {"org.hyperledger.fabric.chaincode.id.version", version},
                {"org.hyperledger.fabric.chaincode.type", recipe.type},
                {kHashLabel, hash},
                {kBuilderLabel, builder},
                {kPeerLabel, PeerLabel()}};
  return client_->BuildImage(req);
}

StatusOr<std::string> DockerLauncher::CreateContainer(const StartRequest& request,
                                                      const BuildRecipe& recipe,
                                                      const std::string& image) {
  ContainerConfig cfg;
  cfg.name = ContainerName(request.ccid);
  cfg.image = image;
  std::string address = EnvValue(request.env, "CORE_PEER_ADDRESS");
  cfg.cmd = recipe.command(address, request.package.args);
  cfg.env = request.env;
  cfg.network_mode = options_.network_mode;
  cfg.memory_bytes = options_.memory_bytes;
  cfg.pids_limit = options_.pids_limit;
  cfg.user = options_.chaincode_user;
  cfg.unprivileged = true;
  std::string name = request.ccid.substr(0, request.ccid.find(':'));
  cfg.labels = {{kPeerLabel, PeerLabel()},
                {kCcidLabel, request.ccid},
                {kRoleLabel, "chaincode"},
                {"org.hyperledger.fabric.chaincode.id.name", name}};
  if (options_.network_mode != "host" &&
      (address.rfind("127.", 0) == 0 || address.rfind("localhost", 0) == 0)) {
    FLOG_WARN(Log(),
              "chaincode %s gets peer address %s but runs in network %s, where that is "
              "the container itself: set the peer's chaincode address or use network mode host",
              request.ccid, address, options_.network_mode);
  }
  auto id = client_->CreateContainer(cfg);
  if (id.status().IsAlreadyExists()) {  // a container of that name we do not track
    RETURN_IF_ERROR(client_->RemoveContainer(cfg.name));
    id = client_->CreateContainer(cfg);
  }
  return id;
}

Status DockerLauncher::Start(const StartRequest& request) {
  const std::string& ccid = request.ccid;
  if (shutting_down_.load()) {
    return Status(StatusCode::kCancelled, "cannot launch " + ccid + ": the peer is shutting down");
  }
  if (ccid.empty() || ccid.find(':') == std::string::npos) {
    return InvalidArgumentError("chaincode id \"" + ccid + "\" is not name:version");
  }
  RETURN_IF_ERROR(CheckBuildable(ccid, request.package.type));
  if (request.package.code_package.empty()) {
    return InvalidArgumentError("chaincode " + ccid +
                                " has no code package: install it on this peer");
  }
  auto lock_ptr = LockFor(ccid_locks_, ccid);
  std::lock_guard<std::mutex> lifecycle(*lock_ptr);
  ASSIGN_OR_RETURN(BuildRecipe recipe, RecipeFor(ccid, request.package));
  const std::string& code_package = request.package.code_package;
  ASSIGN_OR_RETURN(std::string image, EnsureImageOf(ccid, code_package, recipe, request.deadline));
  RETURN_IF_ERROR(StopLocked(ccid));
  auto id = CreateContainer(request, recipe, image);
  if (id.status().IsNotFound()) {  // the image vanished since EnsureImage: once more
    ASSIGN_OR_RETURN(image, EnsureImageOf(ccid, code_package, recipe, request.deadline));
    id = CreateContainer(request, recipe, image);
  }
  if (!id.ok()) {
    return id.status();
  }
  if (!request.files.empty()) {
    const TarOwner owner = OwnerOf(options_.chaincode_user);
    std::vector<archive::Entry> files;
    for (const auto& [path, content] : request.files) {
      archive::Entry& file = files.emplace_back(archive::File(
          path.substr(std::min(path.find_first_not_of('/'), path.size())), content, 0600));
      file.uid = owner.uid;
      file.gid = owner.gid;
    }
    StatusOr<std::string> tar = archive::Write(files);
    Status s = tar.ok() ? client_->UploadArchive(*id, "/", *tar) : tar.status();
    if (!s.ok()) {
      (void)client_->RemoveContainer(*id);
      return s.Annotate("upload TLS files for " + ccid);
    }
  }
  Status s = client_->StartContainer(*id);
  if (!s.ok()) {
    (void)client_->RemoveContainer(*id);
    return s;
  }
  FLOG_INFO(Log(), "started chaincode container ccid=%s name=%s id=%s image=%s peer.address=%s",
            ccid, ContainerName(ccid), id->substr(0, 12), image,
            EnvValue(request.env, "CORE_PEER_ADDRESS"));
  auto container =
      std::make_shared<Container>(*client_, ccid, *id, options_.log_lines, request.on_exit);
  {
    std::lock_guard<std::mutex> lock(mu_);
    containers_[ccid] = container;
    last_lines_.erase(ccid);
  }
  container->Begin();
  return Status::OK();
}

Status DockerLauncher::StopLocked(const std::string& ccid) {
  std::shared_ptr<Container> c;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = containers_.find(ccid);
    if (it != containers_.end()) {
      c = it->second;
      containers_.erase(it);
    }
  }
  if (c == nullptr) {
    return client_->RemoveContainer(ContainerName(ccid));  // by name: one we do not track
  }
  Status stop = client_->StopContainer(c->id(), options_.stop_grace);
  if (!stop.ok()) {
    FLOG_WARN(Log(), "stop chaincode %s: %s; killing it", ccid, stop.message());
    (void)client_->KillContainer(c->id());
  }
  Status removed = client_->RemoveContainer(c->id());
  c->Join();
  {
    std::lock_guard<std::mutex> lock(mu_);
    last_lines_[ccid] = c->Lines();
  }
  return removed;
}

Status DockerLauncher::Stop(const std::string& ccid) {
  auto lock_ptr = LockFor(ccid_locks_, ccid);
  std::lock_guard<std::mutex> lifecycle(*lock_ptr);
  return StopLocked(ccid);
}

StatusOr<int> DockerLauncher::Wait(const std::string& ccid, std::chrono::milliseconds timeout) {
  std::shared_ptr<Container> c;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = containers_.find(ccid);
    if (it != containers_.end()) {
      c = it->second;
    }
  }
  if (c == nullptr) {
    return NotFoundError("no chaincode container for " + ccid);
  }
  std::optional<int> code = c->WaitExit(timeout);
  if (!code.has_value()) {
    return DeadlineExceededError("chaincode container for " + ccid + " still running");
  }
  return *code;
}

bool DockerLauncher::IsRunning(const std::string& ccid) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = containers_.find(ccid);
  return it != containers_.end() && !it->second->exited();
}

std::string DockerLauncher::ContainerId(const std::string& ccid) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = containers_.find(ccid);
  return it == containers_.end() ? "" : it->second->id();
}

std::vector<std::string> DockerLauncher::LastLogLines(const std::string& ccid) const {
  std::shared_ptr<Container> c;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = containers_.find(ccid);
    if (it == containers_.end()) {
      auto l = last_lines_.find(ccid);
      return l == last_lines_.end() ? std::vector<std::string>{} : l->second;
    }
    c = it->second;
  }
  return c->Lines();
}

}  // namespace fabric::launcher::docker
