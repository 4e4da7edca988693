// SPDX-License-Identifier: Apache-2.0
//
// ExternalLauncher: chaincode outside the peer's own launchers (Fabric 2.x external builders and
// chaincode as an external service), in front of another Launcher (Docker or process).
//
// Start(request), in Fabric's order:
//  1. The configured builders (core.yaml chaincode.externalBuilders), in order: the package's
//     code is unpacked into a source folder and metadata.json ({"type": "<lower-case chaincode
//     type>", "label": "<name>_<version>", "path": ""}) written into a metadata folder; the
//     first builder whose bin/detect exits 0 builds (bin/build) and releases (bin/release) it.
//     The output and release folders are kept under Options::durable_path/<ccid> with
//     build-info.json naming the builder, and reused by later launches (also after a restart)
//     while that builder is configured. Then, if the release holds
//     chaincode/server/connection.json, the chaincode is a server: request.connect is called
//     with it. Otherwise bin/run <output> <run dir> is started as a child process, with
//     <run dir>/chaincode.json = {chaincode_id, peer_address, client_cert, client_key,
//     root_cert, mspid} (PEM texts, from the request's TLS material) and the request's env.
//  2. A package of type EXTERNAL (`peer chaincode package -l external`; "ccaas" is the same
//     type) that no builder took: its connection.json is read and request.connect called.
//  3. Otherwise the fallback launcher starts it.
// Every step of a builder must end by the request's deadline (the startup timeout); a failure
// names the builder, the step and its last output lines.
//
// Ownership: owns the fallback launcher. Thread-safety: all methods are safe to call
// concurrently.

#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "launcher/external/builder.h"
#include "launcher/launcher.h"
#include "launcher/process_launcher.h"

namespace fabric::launcher::external {

// True for the chaincode types whose package is just a connection.json: EXTERNAL, CCAAS (any
// case).
bool IsExternalServiceType(const std::string& type);

struct ExternalLauncherOptions {
  std::vector<BuilderConfig> builders;
  // Where builds are kept (Fabric: <peer.fileSystemPath>/externalbuilder/builds). Required when
  // there are builders.
  std::string durable_path;
  // The peer's MSP ID, for chaincode.json.
  std::string mspid;
  // How long a stopped builder step or bin/run process gets between SIGTERM and SIGKILL.
  std::chrono::milliseconds grace_period{5000};
};

class ExternalLauncher : public Launcher {
 public:
  // `fallback` may be null: then a package no builder takes (and that is not EXTERNAL) fails to
  // start with FailedPrecondition. InvalidArgument for a bad builder configuration (see
  // ValidateBuilders) or builders without a durable path.
  static StatusOr<std::unique_ptr<ExternalLauncher>> Create(ExternalLauncherOptions options,
                                                            std::unique_ptr<Launcher> fallback);
  ~ExternalLauncher() override;

  // Errors: the builders' (see Builder), InvalidArgument for a bad connection.json or an
  // EXTERNAL package without one, FailedPrecondition when request.connect is empty, and what
  // request.connect or the fallback return.
  Status Start(const StartRequest& request) override;
  Status Stop(const std::string& ccid) override;
  StatusOr<int> Wait(const std::string& ccid, std::chrono::milliseconds timeout) override;
  bool IsRunning(const std::string& ccid) const override;
  std::vector<std::string> LastLogLines(const std::string& ccid) const override;
  void Shutdown() override;
  bool SharesPeerFileSystem() const override;

 private:
  enum class Route { kFallback, kRun, kServer };
  struct Instance {
    Builder* builder = nullptr;
    std::string output_dir;
    std::string release_dir;
  };

  ExternalLauncher(ExternalLauncherOptions options, std::unique_ptr<Launcher> fallback);

  // The build of `request` by a builder: a kept one, or a fresh detect/build/release; nullopt
  // when no builder detects the package.
  StatusOr<std::optional<Instance>> BuildWithBuilders(const StartRequest& request);
  StatusOr<std::optional<Instance>> CachedBuild(const std::string& ccid);
  StatusOr<std::optional<Instance>> DetectAndBuild(const StartRequest& request);
  StatusOr<Instance> Persist(const std::string& ccid, Builder& builder, const BuildDirs& dirs);
  Status StartInstance(const Instance& instance, const StartRequest& request);
  Status StartRun(const Instance& instance, const StartRequest& request);
  Status ConnectExternalPackage(const StartRequest& request);
  void SetRoute(const std::string& ccid, Route route);
  std::optional<Route> GetRoute(const std::string& ccid) const;

  const ExternalLauncherOptions options_;
  const std::unique_ptr<Launcher> fallback_;
  // Builder steps and bin/run processes.
  ProcessLauncher processes_;
  std::vector<std::unique_ptr<Builder>> builders_;

  mutable std::mutex mu_;
  // Guarded by mu_:
  std::map<std::string, Route> routes_;
  bool shut_down_ = false;
};

}  // namespace fabric::launcher::external
