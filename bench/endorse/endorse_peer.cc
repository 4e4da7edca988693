// SPDX-License-Identifier: Apache-2.0

#include "bench/endorse/endorse_peer.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>

#include <grpcpp/grpcpp.h>

#include "common/comm/tls.h"
#include "common/logging/logging.h"
#include "fabric/base/sched_batch.h"
#include "fabric/base/status_macros.h"
#include "launcher/docker/docker_launcher.h"
#include "launcher/docker/testing/sample_packages.h"
#include "launcher/process_launcher.h"
#include "peer/chaincode/authenticator.h"
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

// The package of a Docker mode: getput (C++), abstore, or getput on fabric-shim (NODE).
Status DockerPackage(const std::string& mode, launcher::ChaincodePackage* p, std::string* ccname,
                     std::vector<std::string>* init_args) {
  if (mode == "docker") {
    ASSIGN_OR_RETURN(p->code_package, launcher::docker::testing::GetputPackage());
    *ccname = "getput";
    *init_args = {"init"};
  } else if (mode == "docker-node") {
    ASSIGN_OR_RETURN(p->code_package, launcher::docker::testing::NodeGetputPackage());
    *ccname = "nodegetput";
    *init_args = {"init"};
    p->type = "NODE";
  } else {
    ASSIGN_OR_RETURN(p->code_package, launcher::docker::testing::AbstorePackage());
    *ccname = "abstore";
    *init_args = {"init", "a", "1000000000", "b", "0"};
  }
  p->ccid = *ccname + ":1.0";
  return Status::OK();
}

// The launcher and package for `mode`; sets *ccname and *init_args.
StatusOr<std::unique_ptr<launcher::Launcher>> MakeLauncher(const std::string& mode,
                                                           launcher::MapPackageProvider& packages,
                                                           std::string* ccname,
                                                           std::vector<std::string>* init_args) {
  launcher::ChaincodePackage p;
  if (mode.starts_with("docker")) {
    launcher::docker::DockerLauncherOptions options;
    options.client = launcher::docker::DockerClientOptions::FromEnv();
    options.peer_id = "benchendorse";
    options.stop_grace = 1s;
    options.node.WithHostDefaults(std::getenv);  // the node image's npm install
    ASSIGN_OR_RETURN(auto docker, launcher::docker::DockerLauncher::Open(options));
    p.type = "CPP";
    RETURN_IF_ERROR(DockerPackage(mode, &p, ccname, init_args));
    RETURN_IF_ERROR(docker->EnsureImage(p, std::chrono::steady_clock::now() + 600s).status());
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

// The chaincode side of the peer: the launcher and package of `mode`, ChaincodeSupport and its
// listener. With TLS the chaincode connection is TLS too, as with peer.tls.enabled: the
// listener's certificate and each launch's client certificate come from the peer's ephemeral CA.
struct ChaincodeSide {
  launcher::MapPackageProvider packages;
  std::string ccname;
  std::vector<std::string> init_args;
  std::unique_ptr<launcher::Launcher> launcher;
  std::unique_ptr<chaincode::Authenticator> ca;  // with TLS only
  std::unique_ptr<chaincode::ChaincodeSupport> support;
  std::unique_ptr<chaincode::ChaincodeServer> server;
};

StatusOr<std::unique_ptr<ChaincodeSide>> StartChaincodeSide(const std::string& mode, bool tls) {
  auto cc = std::make_unique<ChaincodeSide>();
  ASSIGN_OR_RETURN(cc->launcher, MakeLauncher(mode, cc->packages, &cc->ccname, &cc->init_args));
  if (tls) {
    ASSIGN_OR_RETURN(cc->ca, chaincode::Authenticator::Create());
  }
  chaincode::ChaincodeSupportOptions options;
  options.startup_timeout = 60s;
  options.execute_timeout = 10s;
  options.tls_enabled = tls;
  options.authenticator = cc->ca.get();
  cc->support = std::make_unique<chaincode::ChaincodeSupport>(options, *cc->launcher, cc->packages);
  chaincode::ChaincodeServer::Options so;
  so.listen_address = "127.0.0.1:0";
  so.authenticator = cc->ca.get();
  ASSIGN_OR_RETURN(cc->server, chaincode::ChaincodeServer::Start(so, *cc->support));
  cc->support->SetPeerAddress(cc->server->address());
  return cc;
}

// The Endorser's server credentials: plaintext, or in mode "process-tls" what `peer node start`
// builds with peer.tls.enabled and peer.tls.clientAuthRequired: peer0.org1's cryptogen TLS key
// pair (its certificate names 127.0.0.1), client certificates checked against Org1's TLS CA.
StatusOr<std::shared_ptr<grpc::ServerCredentials>> EndorserCredentials(
    bool tls, const std::string& network_dir) {
  if (!tls) {
    return grpc::InsecureServerCredentials();
  }
  const std::string dir =
      network_dir +
      "/crypto-config/peerOrganizations/org1.example.com/peers/peer0.org1.example.com/tls/";
  ASSIGN_OR_RETURN(comm::KeyPair identity,
                   comm::LoadKeyPair(dir + "server.crt", dir + "server.key", "peer0 TLS key pair"));
  ASSIGN_OR_RETURN(std::vector<crypto::Certificate> cas,
                   comm::LoadCertificateFiles({dir + "ca.crt"}, "Org1 TLS CA"));
  auto pool = std::make_shared<comm::TrustPool>();
  pool->Set(comm::TrustPool::kStaticSource, std::move(cas));
  return comm::ServerCredentials(identity, std::move(pool));
}

// Serves the EndorserService on 127.0.0.1:0 with `creds`; sets *port. Null when it cannot.
std::unique_ptr<grpc::Server> ServeEndorser(endorser::EndorserService& service,
                                            std::shared_ptr<grpc::ServerCredentials> creds,
                                            int* port) {
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", std::move(creds), port);
  builder.RegisterService(&service);
  return builder.BuildAndStart();
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
  const bool tls = mode == "process-tls";
  auto cc = StartChaincodeSide(mode, tls);
  if (!cc.ok()) {
    return Fail("chaincode", cc.status());
  }
  const std::string& ccname = (*cc)->ccname;
  endorser::ChaincodeSupportExecutor executor(*(*cc)->support);
  auto peer = endorser::testing::TestPeer::Create(&executor);
  if (!peer.ok()) {
    return Fail("test peer", peer.status());
  }
  Status s = (*peer)->InstallAndDeploy(ccname, "1.0", (*cc)->init_args);
  if (!s.ok()) {
    return Fail("deploy", s);
  }
  auto creds = EndorserCredentials(tls, (*peer)->network_dir());
  if (!creds.ok()) {
    return Fail("endorser TLS", creds.status());
  }
  // BENCH_ENDORSE_WORKERS=n sets the service's worker threads (proposals simulated at once);
  // unset, the default that `peer node start` ships with.
  endorser::EndorserService::Options sopts;
  const char* workers = std::getenv("BENCH_ENDORSE_WORKERS");
  if (workers != nullptr && std::atoi(workers) > 0) {
    sopts.workers = std::atoi(workers);
  }
  endorser::EndorserService service((*peer)->endorser(), sopts, nullptr);
  int port = 0;
  std::unique_ptr<grpc::Server> server = ServeEndorser(service, *creds, &port);
  if (server == nullptr) {
    return Fail("endorser server", InternalError("BuildAndStart failed"));
  }
  std::printf("READY %d %s %s\n", port, (*peer)->network_dir().c_str(), ccname.c_str());
  std::fflush(stdout);
  char buf[64];
  while (read(STDIN_FILENO, buf, sizeof(buf)) > 0) {
  }
  server->Shutdown(std::chrono::system_clock::now() + 2s);
  (*cc)->server->Shutdown();
  (void)(*cc)->launcher->Stop(ccname + ":1.0");
  return 0;
}

}  // namespace fabric::bench
