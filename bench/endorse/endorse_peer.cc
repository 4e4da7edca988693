// SPDX-License-Identifier: Apache-2.0

#include "bench/endorse/endorse_peer.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <grpcpp/grpcpp.h>

#include "common/logging/logging.h"
#include "fabric/base/sched_batch.h"
#include "fabric/base/status_macros.h"
#include "launcher/docker/docker_launcher.h"
#include "launcher/docker/testing/sample_packages.h"
#include "launcher/process_launcher.h"
#include "peer/chaincode/chaincode_server.h"
#include "peer/chaincode/chaincode_support.h"
#include "peer/endorser/chaincode_support_executor.h"
#include "peer/endorser/endorser_service.h"
#include "peer/endorser/testing/test_peer.h"

namespace fabric::bench {
namespace {

using namespace std::chrono_literals;

int Fail(const char* what, const Status& s) {
  std::fprintf(stderr, "bench_endorse peer: %s: %s\n", what, s.ToString().c_str());
  return 1;
}

// The launcher and package for `mode`; sets *ccname and *init_args.
StatusOr<std::unique_ptr<launcher::Launcher>> MakeLauncher(const std::string& mode,
                                                           launcher::MapPackageProvider& packages,
                                                           std::string* ccname,
                                                           std::vector<std::string>* init_args) {
  launcher::ChaincodePackage p;
  if (mode == "docker" || mode == "docker-abstore") {
    auto options = launcher::docker::DockerLauncherOptions::FromEnv();
    options.peer_id = "benchendorse";
    options.stop_grace = 1s;
    ASSIGN_OR_RETURN(auto docker, launcher::docker::DockerLauncher::Open(options));
    if (mode == "docker") {
      ASSIGN_OR_RETURN(p.code_package, launcher::docker::testing::GetputPackage());
      *ccname = "getput";
      *init_args = {"init"};
    } else {
      ASSIGN_OR_RETURN(p.code_package, launcher::docker::testing::AbstorePackage());
      *ccname = "abstore";
      *init_args = {"init", "a", "1000000000", "b", "0"};
    }
    p.type = "CPP";
    p.ccid = *ccname + ":1.0";
    RETURN_IF_ERROR(docker->EnsureImage(p.ccid, p.code_package).status());
    packages.Add(p);
    return std::unique_ptr<launcher::Launcher>(std::move(docker));
  }
  if (mode == "process-abstore") {  // abstore as a process: separates container costs
    *ccname = "abstore";
    *init_args = {"init", "a", "1000000000", "b", "0"};
    p = launcher::ChaincodePackage::ForExecutable("abstore:1.0", ABSTORE_PATH);
    packages.Add(p);
    return std::unique_ptr<launcher::Launcher>(std::make_unique<launcher::ProcessLauncher>());
  }
  *ccname = "getput";
  *init_args = {"init"};
  p = launcher::ChaincodePackage::ForExecutable("getput:1.0", GETPUT_PATH);
  packages.Add(p);
  return std::unique_ptr<launcher::Launcher>(std::make_unique<launcher::ProcessLauncher>());
}

}  // namespace

int RunEndorsePeer(const std::string& mode) {
  (void)logging::SetSpec("warning");
  // As `peer node start` does (peer.batchScheduling, default on); BENCH_ENDORSE_BATCH=0 measures
  // the peer without it.
  const char* batch = std::getenv("BENCH_ENDORSE_BATCH");
  if (batch == nullptr || std::string(batch) != "0") {
    (void)UseBatchScheduling();
  }
  launcher::MapPackageProvider packages;
  std::string ccname;
  std::vector<std::string> init_args;
  auto launcher = MakeLauncher(mode, packages, &ccname, &init_args);
  if (!launcher.ok()) {
    return Fail("launcher", launcher.status());
  }
  chaincode::ChaincodeSupportOptions options;
  options.startup_timeout = 60s;
  options.execute_timeout = 10s;
  chaincode::ChaincodeSupport support(options, **launcher, packages);
  chaincode::ChaincodeServer::Options so;
  so.listen_address = "127.0.0.1:0";
  auto ccserver = chaincode::ChaincodeServer::Start(so, support);
  if (!ccserver.ok()) {
    return Fail("chaincode server", ccserver.status());
  }
  support.SetPeerAddress((*ccserver)->address());
  endorser::ChaincodeSupportExecutor executor(support);
  auto peer = endorser::testing::TestPeer::Create(&executor);
  if (!peer.ok()) {
    return Fail("test peer", peer.status());
  }
  Status s = (*peer)->InstallAndDeploy(ccname, "1.0", init_args);
  if (!s.ok()) {
    return Fail("deploy", s);
  }
  // BENCH_ENDORSE_WORKERS=n sets the service's worker threads (proposals simulated at once);
  // unset, the default that `peer node start` ships with.
  endorser::EndorserService::Options sopts;
  const char* workers = std::getenv("BENCH_ENDORSE_WORKERS");
  if (workers != nullptr && std::atoi(workers) > 0) {
    sopts.workers = std::atoi(workers);
  }
  endorser::EndorserService service((*peer)->endorser(), sopts, nullptr);
  grpc::ServerBuilder builder;
  int port = 0;
  builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
  builder.RegisterService(&service);
  std::unique_ptr<grpc::Server> server = builder.BuildAndStart();
  if (server == nullptr) {
    return Fail("endorser server", InternalError("BuildAndStart failed"));
  }
  std::printf("READY %d %s %s\n", port, (*peer)->network_dir().c_str(), ccname.c_str());
  std::fflush(stdout);
  char buf[64];
  while (read(STDIN_FILENO, buf, sizeof(buf)) > 0) {
  }
  server->Shutdown(std::chrono::system_clock::now() + 2s);
  (*ccserver)->Shutdown();
  (void)(*launcher)->Stop(ccname + ":1.0");
  return 0;
}

}  // namespace fabric::bench
