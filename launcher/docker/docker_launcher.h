// SPDX-License-Identifier: Apache-2.0
//
// DockerLauncher: runs each user chaincode in its own Docker container (Fabric's
// core/container/dockercontroller), through DockerClient.
//
// Start(ccid "name:version", package):
//  1. image `<networkid>-<peerid>-<name>-<version>-<hex sha256(unsanitized base)>` (lower case,
//     Fabric's GetVMNameForDocker). It is reused when its label
//     org.fabric-cpp.chaincode.package.hash equals the package's hash (no rebuild on peer restart),
//     and rebuilt when the package differs (Fabric's stale-image trap). Building: a throwaway
//     container of the package type's builder image builds the package and a runtime image is
//     built around its output (POST /build), labelled with the package hash: one flow for every
//     type, the language's part in its BuildRecipe (build_recipe.h). CPP: ccenv's fabric-cc-build,
//     the binary on baseos; GOLANG: goenv's offline `go build` (go_build.h), the binary on
//     baseos; NODE: `npm install` in nodeenv, the folder on node-runtime (node_build.h).
//  2. any container of the chaincode's name is stopped and removed, then a new one is created:
//     name `<networkid>-<peerid>-<name>-<version>`, cmd the recipe's (`chaincode
//     -peer.address=<addr>`; NODE: `npm start -- --peer.address <addr>`), the
//     request's env (CORE_CHAINCODE_ID_NAME, CORE_PEER_ADDRESS, CORE_PEER_TLS_ENABLED, ...),
//     labels naming the peer and chaincode, HostConfig NetworkMode/Memory; request.files (TLS
//     material) are uploaded; the container is started.
//  3. an owned thread per container streams its output into the peer log ("[mycc:1.0] ...",
//     module chaincode.docker), keeps the last lines for errors (LastLogLines), then waits for
//     the exit and calls request.on_exit(code). A chaincode that dies is relaunched by the next
//     Start.
// Open() pings the engine, negotiates the API version, and removes containers left by an
// earlier run of this peer (label org.fabric-cpp.peer=<networkid>-<peerid>). The destructor
// stops and removes every container this launcher started (peer shutdown).
//
// Concurrency: Start/Stop of one ccid are serialized (a per-ccid lifecycle mutex held across
// the Docker calls of that one chaincode on purpose); builds of one image are serialized;
// different chaincodes proceed in parallel. All methods are safe to call concurrently.

#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "launcher/docker/build_recipe.h"
#include "launcher/docker/docker_client.h"
#include "launcher/docker/node_build.h"
#include "launcher/launcher.h"

namespace fabric::launcher::docker {

// The peer fills these from its configuration (peer/node/config.h: the keys and CORE_ variables
// named below); tests and benchmarks set what they need.
struct DockerLauncherOptions {
  DockerClientOptions client;
  std::string network_id = "dev";  // peer.networkId (CORE_PEER_NETWORKID)
  std::string peer_id = "jdoe";    // peer.id (CORE_PEER_ID)
  // HostConfig (CORE_VM_DOCKER_HOSTCONFIG_NETWORKMODE, CORE_VM_DOCKER_HOSTCONFIG_MEMORY, as
  // Fabric's core.yaml: 2 GiB; CORE_VM_DOCKER_HOSTCONFIG_PIDSLIMIT). Builders get the same
  // memory and pids limits.
  std::string network_mode = "host";
  int64_t memory_bytes = 2147483648;
  int64_t pids_limit = 1024;
  // The user chaincode containers run as (CORE_VM_DOCKER_CHAINCODEUSER, "uid:gid"; not a Fabric
  // key): nobody by default. Every container, builders too, runs without capabilities and
  // with no-new-privileges; the files the peer uploads into a chaincode container (its TLS key
  // and certificates) belong to this user.
  std::string chaincode_user = "65534:65534";
  // chaincode.builder and the C++ runtime (CORE_CHAINCODE_BUILDER, CORE_CHAINCODE_CPP_RUNTIME).
  std::string ccenv_image = "fabric-cpp/ccenv:latest";
  std::string baseos_image = "fabric-cpp/baseos:latest";
  // The Go chaincode builder (launcher/docker/go_build.h); Go binaries run in baseos_image.
  std::string goenv_image = "fabric-cpp/goenv:latest";
  // Node.js chaincode (type NODE): images and how the builder reaches the npm registry
  // (chaincode.node.*, launcher/docker/node_build.h).
  NodeBuildOptions node;
  std::chrono::seconds stop_grace{2};  // SIGTERM -> SIGKILL
  size_t log_lines = 50;               // kept per chaincode for LastLogLines
  bool remove_stale_containers = true;
};

// The numeric owner of files the launcher puts into a container.
struct TarOwner {
  uint32_t uid = 0;
  uint32_t gid = 0;
};

// "uid:gid" (or "uid", gid 0) as a TarOwner; root for anything else (a user name: an archive
// cannot resolve it).
TarOwner OwnerOf(std::string_view user);

// The peer-start check: pings the engine at options.endpoint. Unavailable/PermissionDenied
// with a hint ("is dockerd running, is the socket mounted") when it cannot be used.
Status PingDockerEngine(const DockerClientOptions& options);

class DockerLauncher : public Launcher {
 public:
  // Connects (or uses `client`), removes stale containers of this peer, warns when the
  // builder/runtime images are missing. Errors: PingDockerEngine's.
  static StatusOr<std::unique_ptr<DockerLauncher>> Open(
      DockerLauncherOptions options, std::unique_ptr<DockerClient> client = nullptr);
  ~DockerLauncher() override;
  DockerLauncher(const DockerLauncher&) = delete;
  DockerLauncher& operator=(const DockerLauncher&) = delete;

  // Errors: InvalidArgument (bad ccid, no code package, unsupported type), FailedPrecondition
  // (builder image missing; chaincode build failed, with the compiler's last lines),
  // Unavailable (engine), Internal (create/start failures, with the engine's message).
  Status Start(const StartRequest& request) override;
  Status Stop(const std::string& ccid) override;
  StatusOr<int> Wait(const std::string& ccid, std::chrono::milliseconds timeout) override;
  bool IsRunning(const std::string& ccid) const override;
  std::vector<std::string> LastLogLines(const std::string& ccid) const override;

  // Makes sure the runtime image for `ccid` built from `code_package` exists (building it if
  // absent or stale) and returns its name. Lets callers build at install time, before any
  // startup timeout runs (Fabric 2.x's lesson).
  // `deadline`: when building must have finished (DeadlineExceeded after). A CPP package.
  StatusOr<std::string> EnsureImage(const std::string& ccid, const std::string& code_package,
                                    std::chrono::steady_clock::time_point deadline =
                                        std::chrono::steady_clock::time_point::max());
  // The same for a package of any type the launcher builds (CPP, GOLANG, NODE; package.type,
  // empty: CPP): InvalidArgument for another type or a package its language refuses.
  StatusOr<std::string> EnsureImage(const ChaincodePackage& package,
                                    std::chrono::steady_clock::time_point deadline =
                                        std::chrono::steady_clock::time_point::max());
  void Shutdown() override { shutting_down_.store(true); }

  // Fabric's names: container "<networkid>-<peerid>-<name>-<version>" (sanitized), image the
  // same lower-cased plus "-<hex sha256>".
  std::string ContainerName(const std::string& ccid) const;
  std::string ImageName(const std::string& ccid) const;
  // The docker id of the running container of `ccid`, or "".
  std::string ContainerId(const std::string& ccid) const;
  // Removes every container labelled as this peer's; returns how many.
  StatusOr<int> RemoveStaleContainers();
  DockerClient& client() { return *client_; }

 private:
  class Container;

  DockerLauncher(DockerLauncherOptions options, std::unique_ptr<DockerClient> client);
  // The recipe of the package's type (the one place languages differ): InvalidArgument for a
  // type the launcher does not build (CheckBuildable) or a package the recipe refuses.
  StatusOr<BuildRecipe> RecipeFor(const std::string& ccid, const ChaincodePackage& package) const;
  StatusOr<std::string> EnsureImageOf(const std::string& ccid, const std::string& code_package,
                                      const BuildRecipe& recipe,
                                      std::chrono::steady_clock::time_point deadline);
  // Runs the recipe's throwaway builder container with the package at kBuildInputDir and
  // returns the content of the one file it leaves (recipe.output) once it exited 0.
  // FailedPrecondition with the builder's last output lines (or the recipe's explanation) when
  // it failed; DeadlineExceeded when it ran past `deadline`.
  StatusOr<std::string> RunBuilder(const std::string& ccid, const BuildRecipe& recipe,
                                   const std::string& code_package,
                                   std::chrono::steady_clock::time_point deadline);
  // The content of the one file at `path` in builder container `container_id`.
  StatusOr<std::string> DownloadOutput(const std::string& ccid, const std::string& container_id,
                                       const std::string& path);
  // `hash` and `builder` go into the image's labels (see EnsureImage), the recipe's type too.
  // `output` is moved into the build context.
  Status BuildRuntimeImage(const std::string& ccid, const BuildRecipe& recipe,
                           const std::string& image, const std::string& hash,
                           const std::string& builder, std::string output,
                           std::chrono::steady_clock::time_point deadline);
  StatusOr<std::string> CreateContainer(const StartRequest& request, const BuildRecipe& recipe,
                                        const std::string& image);
  Status StopLocked(const std::string& ccid);
  std::shared_ptr<std::mutex> LockFor(std::map<std::string, std::shared_ptr<std::mutex>>& locks,
                                      const std::string& key);
  std::string PeerLabel() const { return options_.network_id + "-" + options_.peer_id; }

  const DockerLauncherOptions options_;
  const std::unique_ptr<DockerClient> client_;
  // Set by Shutdown: launches in progress give up, builds and waits included.
  std::atomic<bool> shutting_down_{false};
  mutable std::mutex mu_;
  // Guarded by mu_:
  std::map<std::string, std::shared_ptr<std::mutex>> ccid_locks_;
  std::map<std::string, std::shared_ptr<std::mutex>> image_locks_;
  std::map<std::string, std::shared_ptr<Container>> containers_;
  std::map<std::string, std::vector<std::string>> last_lines_;  // of stopped chaincodes
};

}  // namespace fabric::launcher::docker
