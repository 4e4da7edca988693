// SPDX-License-Identifier: Apache-2.0
//
// bench_launch: the abstore sample as a Docker chaincode through DockerLauncher and the real
// ChaincodeSupport, against a real ledger on disk.
//   cc_image_build_s      first-time image build from the source package (image removed first)
//   launch_cold_start_ms  image cached, no container: Launch -> REGISTER -> first invoke answered
//   launch_relaunch_ms    container killed and the crash noticed: next invoke answered
//   launch_go_cold_start_ms  the same cold start for the Go getput chaincode
//                         (launcher/docker/testdata/go_getput, built offline in goenv first;
//                         skipped, with a note, without the host's Go tools or the goenv image)
//   launch_node_cold_start_ms  the same cold start for Node.js chaincode (fabric-shim 2.5 getput,
//                         fabric-cpp/node-runtime; its image is built first when missing, which
//                         needs the npm registry)
// Medians of BENCH_LAUNCH_ROUNDS (default 5) rounds. Needs the Docker engine and the images
// (scripts/lib/docker-engine.sh, scripts/build-images.sh).

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <thread>
#include <vector>

#include "bench/common/exclusive_run.h"
#include "common/logging/logging.h"
#include "launcher/docker/docker_launcher.h"
#include "launcher/docker/testing/go_packages.h"
#include "launcher/docker/testing/sample_packages.h"
#include "peer/chaincode/chaincode_server.h"
#include "peer/chaincode/chaincode_support.h"
#include "peer/ledger/ledger_manager.h"
#include "peer/ledger/testing/temp_dir.h"
#include "peer/ledger/testing/tx_builder.h"

namespace {

using namespace fabric;
using Clock = std::chrono::steady_clock;
using namespace std::chrono_literals;

constexpr char kCcid[] = "abstore:1.0";
constexpr char kGoCcid[] = "gogetput:1.0";
constexpr char kNodeCcid[] = "nodegetput:1.0";

double Ms(Clock::duration d) { return std::chrono::duration<double, std::milli>(d).count(); }

double Median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

int Fail(const char* what, const Status& s) {
  std::fprintf(stderr, "bench_launch: %s: %s\n", what, s.ToString().c_str());
  return 1;
}

// One invoke answered: `fn` "a" on a fresh simulator.
Status Query(chaincode::ChaincodeSupport& support, ledger::KvLedger& ledger,
             const std::string& ccid, const char* fn, int n) {
  std::string txid = "q" + std::to_string(n);
  auto sim = ledger.NewTxSimulator(txid);
  chaincode::TxParams p;
  p.channel_id = "benchchannel";
  p.tx_id = txid;
  p.tx_simulator = sim.get();
  protos::ChaincodeInput in;
  in.add_args(fn);
  in.add_args("a");
  auto r = support.Execute(p, ccid, in, chaincode::ExecuteType::kTransaction);
  sim->Done();
  return r.status();
}

void WaitDeregistered(chaincode::ChaincodeSupport& support, const std::string& ccid) {
  auto deadline = Clock::now() + 20s;
  while (support.GetHandler(ccid) != nullptr && Clock::now() < deadline) {
    std::this_thread::sleep_for(2ms);
  }
}

// A first-time image build from the source package (the image removed first), in seconds.
StatusOr<double> BuildImageSeconds(launcher::docker::DockerLauncher& launcher,
                                   const std::string& package) {
  (void)launcher.client().RemoveImage(launcher.ImageName(kCcid));
  auto t0 = Clock::now();
  auto image = launcher.EnsureImage(kCcid, package);
  if (!image.ok()) {
    return image.status();
  }
  return Ms(Clock::now() - t0) / 1000;
}

// Opens a ledger under `root` with a=100 committed; non-zero (after saying why) when it fails.
int OpenSeededLedger(const std::string& root, std::unique_ptr<ledger::LedgerManager>* mgr,
                     ledger::KvLedger** out) {
  ledger::LedgerManager::Options lo;
  lo.root_dir = root;
  lo.sync_block_files = false;
  auto opened = ledger::LedgerManager::Open(lo);
  if (!opened.ok()) {
    return Fail("ledger", opened.status());
  }
  *mgr = std::move(*opened);
  ledger::testing::BlockChain chain;
  auto ledger = (*mgr)->CreateLedger(chain.Next({ledger::testing::ConfigTx("benchchannel", "g")}));
  if (!ledger.ok()) {
    return Fail("ledger", ledger.status());
  }
  *out = *ledger;
  auto sim = (*ledger)->NewTxSimulator("seed");
  (void)sim->SetState("abstore", "a", "100");
  auto rw = sim->GetTxSimulationResults().value();
  sim->Done();
  Status s = (*ledger)->CommitBlock(
      chain.Next({ledger::testing::FastEndorserTx("benchchannel", "seed", rw)}));
  return s.ok() ? 0 : Fail("seed", s);
}

// The measured rounds share the chaincode support, the ledger and the query count.
struct Rounds {
  chaincode::ChaincodeSupport& support;
  ledger::KvLedger& ledger;
  launcher::docker::DockerLauncher& launcher;
  int queries = 0;
};

// Image cached, no container: Launch -> REGISTER -> first invoke (`fn` "a") answered, `rounds`
// times.
int MeasureColdStarts(Rounds& r, const std::string& ccid, const char* fn, int rounds,
                      std::vector<double>* cold) {
  for (int i = 0; i < rounds; ++i) {
    auto start = Clock::now();
    Status s = Query(r.support, r.ledger, ccid, fn, r.queries++);
    if (!s.ok()) {
      return Fail("cold start", s);
    }
    cold->push_back(Ms(Clock::now() - start));
    (void)r.launcher.Stop(ccid);
    WaitDeregistered(r.support, ccid);
  }
  return 0;
}

// Container killed and the crash noticed: next invoke answered, `rounds` times.
int MeasureRelaunches(Rounds& r, int rounds, std::vector<double>* relaunch) {
  for (int i = 0; i < rounds; ++i) {
    Status s = Query(r.support, r.ledger, kCcid, "query", r.queries++);  // running
    if (!s.ok()) {
      return Fail("warm", s);
    }
    (void)r.launcher.client().KillContainer(r.launcher.ContainerId(kCcid));
    WaitDeregistered(r.support, kCcid);
    auto start = Clock::now();
    s = Query(r.support, r.ledger, kCcid, "query", r.queries++);
    if (!s.ok()) {
      return Fail("relaunch", s);
    }
    relaunch->push_back(Ms(Clock::now() - start));
  }
  return 0;
}

// The Node.js getput package, its image built when missing (npm install from the registry).
StatusOr<launcher::ChaincodePackage> NodePackage(launcher::docker::DockerLauncher& launcher) {
  launcher::ChaincodePackage p;
  p.ccid = kNodeCcid;
  p.type = "NODE";
  auto pkg = launcher::docker::testing::NodeGetputPackage();
  if (!pkg.ok()) {
    return pkg.status();
  }
  p.code_package = std::move(*pkg);
  auto image = launcher.EnsureImage(p, Clock::now() + 600s);
  if (!image.ok()) {
    return image.status();
  }
  return p;
}

// The Go getput package assembled under `dir`, its image built (offline, in goenv).
StatusOr<launcher::ChaincodePackage> GoPackage(launcher::docker::DockerLauncher& launcher,
                                               const std::string& dir) {
  auto sample = launcher::docker::testing::GoGetputPackage(dir, "module");
  if (!sample.ok()) {
    return sample.status();
  }
  launcher::ChaincodePackage p;
  p.ccid = kGoCcid;
  p.type = "GOLANG";
  p.code_package = std::move(sample->code_package);
  p.path = std::move(sample->path);
  auto image = launcher.EnsureImage(p, Clock::now() + 600s);
  if (!image.ok()) {
    return image.status();
  }
  return p;
}

}  // namespace

int main() {
  fabric::bench::ExclusiveRun exclusive;
  (void)logging::SetSpec("warning");
  int rounds = getenv("BENCH_LAUNCH_ROUNDS") != nullptr ? atoi(getenv("BENCH_LAUNCH_ROUNDS")) : 5;
  launcher::docker::DockerLauncherOptions options;
  options.client = launcher::docker::DockerClientOptions::FromEnv();
  options.peer_id = "bench";
  options.stop_grace = 1s;
  options.node.WithHostDefaults(std::getenv);
  auto launcher = launcher::docker::DockerLauncher::Open(options);
  if (!launcher.ok()) {
    return Fail("open docker launcher (run scripts/lib/docker-engine.sh)", launcher.status());
  }
  auto pkg = launcher::docker::testing::AbstorePackage();
  if (!pkg.ok()) {
    return Fail("package", pkg.status());
  }
  StatusOr<double> build_s = BuildImageSeconds(**launcher, *pkg);
  if (!build_s.ok()) {
    return Fail("image build", build_s.status());
  }
  ledger::testing::TempDir dir;
  std::unique_ptr<ledger::LedgerManager> mgr;
  ledger::KvLedger* ledger = nullptr;
  if (int rc = OpenSeededLedger(dir.Sub("ledgersData"), &mgr, &ledger); rc != 0) {
    return rc;
  }

  launcher::MapPackageProvider packages;
  launcher::ChaincodePackage p;
  p.ccid = kCcid;
  p.code_package = *pkg;
  p.type = "CPP";
  packages.Add(p);
  auto node_package = NodePackage(**launcher);
  if (!node_package.ok()) {
    return Fail("node image (scripts/build-images.sh nodeenv node-runtime)", node_package.status());
  }
  packages.Add(*node_package);
  auto go_package = GoPackage(**launcher, dir.Sub("go"));
  if (go_package.ok()) {
    packages.Add(*go_package);
  } else {
    std::fprintf(stderr, "bench_launch: no Go figure: %s\n",
                 go_package.status().ToString().c_str());
  }
  chaincode::ChaincodeSupportOptions so;
  so.startup_timeout = 30s;
  chaincode::ChaincodeSupport support(so, **launcher, packages);
  chaincode::ChaincodeServer::Options server_options;
  server_options.listen_address = "127.0.0.1:0";
  auto server = chaincode::ChaincodeServer::Start(server_options, support);
  if (!server.ok()) {
    return Fail("server", server.status());
  }
  support.SetPeerAddress((*server)->address());

  std::vector<double> cold, relaunch, go_cold, node_cold;
  Rounds r{support, *ledger, **launcher};
  if (int rc = MeasureColdStarts(r, kCcid, "query", rounds, &cold); rc != 0) {
    return rc;
  }
  if (go_package.ok()) {
    if (int rc = MeasureColdStarts(r, kGoCcid, "get", rounds, &go_cold); rc != 0) {
      return rc;
    }
  }
  if (int rc = MeasureColdStarts(r, kNodeCcid, "get", rounds, &node_cold); rc != 0) {
    return rc;
  }
  if (int rc = MeasureRelaunches(r, rounds, &relaunch); rc != 0) {
    return rc;
  }
  (*server)->Shutdown();
  (void)(*launcher)->Stop(kCcid);
  (void)(*launcher)->Stop(kGoCcid);
  (void)(*launcher)->Stop(kNodeCcid);
  std::printf("cc_image_build_s %.1f s\n", *build_s);
  std::printf("launch_cold_start_ms %.0f ms\n", Median(cold));
  std::printf("launch_relaunch_ms %.0f ms\n", Median(relaunch));
  if (!go_cold.empty()) {
    std::printf("launch_go_cold_start_ms %.0f ms\n", Median(go_cold));
  }
  std::printf("launch_node_cold_start_ms %.0f ms\n", Median(node_cold));
  return 0;
}
