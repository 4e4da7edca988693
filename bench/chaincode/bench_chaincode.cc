// SPDX-License-Identifier: Apache-2.0
//
// bench_chaincode: invokes per second through the peer's chaincode support for an invoke doing
// one GetState and one PutState (three stream round trips: TRANSACTION, GET_STATE, PUT_STATE,
// then COMPLETED), with 1 and 16 concurrent transactions on one stream. The chaincode is the
// real C++ shim on its own threads in this process, connected over loopback gRPC; every
// transaction runs on a fresh TxSimulator of a real ledger on disk.
//
// Prints "name value unit" lines: cc_invoke_ops_1, cc_invoke_ops_16, cc_invoke_p50_ms_16,
// cc_invoke_p99_ms_16 (and p50/p99 for 1). Runtime about 10 s; BENCH_SECONDS overrides the
// measuring time per concurrency level.

#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "bench/common/exclusive_run.h"
#include "common/logging/logging.h"
#include "fabric/base/mutex_checks.h"
#include "fabric/base/sched_batch.h"
#include "fabric/shim/chaincode.h"
#include "fabric/shim/chaincode_stub.h"
#include "fabric/shim/start.h"
#include "launcher/launcher.h"
#include "peer/chaincode/chaincode_server.h"
#include "peer/chaincode/chaincode_support.h"
#include "peer/ledger/ledger_manager.h"
#include "peer/ledger/testing/temp_dir.h"
#include "peer/ledger/testing/tx_builder.h"

namespace {

using namespace fabric;
using Clock = std::chrono::steady_clock;

class GetPut : public shim::Chaincode {
 public:
  shim::Response Init(shim::ChaincodeStub&) override { return shim::Success(); }
  shim::Response Invoke(shim::ChaincodeStub& stub) override {
    auto v = stub.GetState("seed");
    if (!v.ok())
      return shim::Error(std::string(v.status().message()));
    Status s = stub.PutState(stub.GetTxID(), *v);
    if (!s.ok())
      return shim::Error(std::string(s.message()));
    return shim::Success();
  }
};

struct Result {
  double ops;
  double p50_ms;
  double p99_ms;
  int errors;
};

Result Run(chaincode::ChaincodeSupport& support, ledger::KvLedger& ledger, int concurrency,
           double seconds, std::atomic<uint64_t>& txn) {
  std::vector<std::vector<double>> lat(concurrency);
  std::atomic<int> errors{0};
  const auto end = Clock::now() + std::chrono::duration<double>(seconds);
  protos::ChaincodeInput input;
  input.add_args("invoke");
  auto start = Clock::now();
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < concurrency; ++t) {
      threads.emplace_back([&, t] {
        while (Clock::now() < end) {
          std::string txid = "tx" + std::to_string(txn++);
          auto sim = ledger.NewTxSimulator(txid);
          chaincode::TxParams p;
          p.channel_id = "benchchannel";
          p.tx_id = txid;
          p.tx_simulator = sim.get();
          auto t0 = Clock::now();
          auto r = support.Execute(p, "getput:1.0", input, chaincode::ExecuteType::kTransaction);
          lat[t].push_back(std::chrono::duration<double, std::milli>(Clock::now() - t0).count());
          if (!r.ok()) {
            ++errors;
          }
          sim->Done();
        }
      });
    }
  }
  double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
  std::vector<double> all;
  for (auto& l : lat)
    all.insert(all.end(), l.begin(), l.end());
  std::sort(all.begin(), all.end());
  Result r{};
  r.ops = all.size() / elapsed;
  r.p50_ms = all.empty() ? 0 : all[all.size() / 2];
  r.p99_ms = all.empty() ? 0 : all[std::min(all.size() - 1, all.size() * 99 / 100)];
  r.errors = errors.load();
  return r;
}

}  // namespace

int main() {
  fabric::SkipMutexDeadlockChecks();  // as `peer` and `orderer` do
  fabric::bench::ExclusiveRun exclusive;
  // Peer and shim both run their threads under SCHED_BATCH by default (fabric/base/sched_batch.h);
  // so does this process, which is both.
  (void)fabric::UseBatchScheduling();
  (void)logging::SetSpec("warning");
  double seconds = getenv("BENCH_SECONDS") != nullptr ? atof(getenv("BENCH_SECONDS")) : 4.0;
  ledger::testing::TempDir dir;
  ledger::LedgerManager::Options lo;
  lo.root_dir = dir.Sub("ledgersData");
  lo.sync_block_files = false;
  auto mgr = ledger::LedgerManager::Open(lo);
  if (!mgr.ok()) {
    std::fprintf(stderr, "ledger: %s\n", mgr.status().ToString().c_str());
    return 1;
  }
  ledger::testing::BlockChain chain;
  auto ledger = (*mgr)->CreateLedger(chain.Next({ledger::testing::ConfigTx("benchchannel", "g")}));
  if (!ledger.ok()) {
    std::fprintf(stderr, "ledger: %s\n", ledger.status().ToString().c_str());
    return 1;
  }
  {
    auto sim = (*ledger)->NewTxSimulator("seed");
    (void)sim->SetState("getput", "seed", "value-0123456789");
    auto rw = sim->GetTxSimulationResults().value();
    sim->Done();
    Status s = (*ledger)->CommitBlock(
        chain.Next({ledger::testing::FastEndorserTx("benchchannel", "seed", rw)}));
    if (!s.ok()) {
      std::fprintf(stderr, "seed: %s\n", s.ToString().c_str());
      return 1;
    }
  }

  launcher::DevModeLauncher dev;
  launcher::MapPackageProvider packages;
  chaincode::ChaincodeSupportOptions options;
  options.startup_timeout = std::chrono::seconds(10);
  chaincode::ChaincodeSupport support(options, dev, packages);
  chaincode::ChaincodeServer::Options so;
  so.listen_address = "127.0.0.1:0";
  auto server = chaincode::ChaincodeServer::Start(so, support);
  if (!server.ok()) {
    std::fprintf(stderr, "server: %s\n", server.status().ToString().c_str());
    return 1;
  }
  GetPut cc;
  shim::StartOptions shim_options;
  shim_options.chaincode_id_name = "getput:1.0";
  shim_options.peer_address = (*server)->address();
  shim_options.tuning.server_malloc = true;  // the process is the peer and the chaincode
  std::jthread shim_thread([&] { (void)shim::Start(cc, shim_options); });
  Status launched = support.Launch("getput:1.0");
  if (!launched.ok()) {
    std::fprintf(stderr, "launch: %s\n", launched.ToString().c_str());
    return 1;
  }
  std::atomic<uint64_t> txn{0};
  (void)Run(support, **ledger, 16, 0.5, txn);  // warm-up
  Result one = Run(support, **ledger, 1, seconds, txn);
  Result sixteen = Run(support, **ledger, 16, seconds, txn);
  std::printf("cc_invoke_ops_1 %.0f ops/s\n", one.ops);
  std::printf("cc_invoke_p50_ms_1 %.3f ms\n", one.p50_ms);
  std::printf("cc_invoke_p99_ms_1 %.3f ms\n", one.p99_ms);
  std::printf("cc_invoke_ops_16 %.0f ops/s\n", sixteen.ops);
  std::printf("cc_invoke_p50_ms_16 %.3f ms\n", sixteen.p50_ms);
  std::printf("cc_invoke_p99_ms_16 %.3f ms\n", sixteen.p99_ms);
  if (one.errors + sixteen.errors > 0) {
    std::fprintf(stderr, "errors: %d\n", one.errors + sixteen.errors);
  }
  (*server)->Shutdown();
  shim_thread.join();
  return one.errors + sixteen.errors > 0 ? 1 : 0;
}
