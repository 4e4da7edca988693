// SPDX-License-Identifier: Apache-2.0
//
// bench_ledger: ledger throughput on real LevelDB and block files in a temporary directory.
// Prints one line per figure ("name value unit"):
//   ledger_commit_tps      committed tx/s: blocks of 500 endorser transactions with 10 writes
//                          each, through ValidateAndPrepare + Commit (block store synced, state,
//                          history, index)
//   ledger_small_blocks    committed blocks/s of one transaction each (what a peer catching up
//                          on a quiet channel commits): bound by the disk syncs per block
//   ledger_getstate_ops    GetState/s from simulators on several threads
//   ledger_rangescan_keys  keys/s from a range scan over the whole namespace
//   ledger_rss_mib         peak resident memory
// Runtime is bounded (about 20 s). Env: BENCH_LEDGER_BLOCKS (default 100),
// BENCH_LEDGER_THREADS (default 4), BENCH_LEDGER_SECONDS per read phase (default 3).

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include <absl/strings/str_format.h>

#include "bench/common/exclusive_run.h"
#include "bench/common/proc_stats.h"
#include "peer/ledger/kv_ledger.h"
#include "peer/ledger/leveldb_util.h"
#include "peer/ledger/rwset_builder.h"
#include "peer/ledger/testing/temp_dir.h"
#include "peer/ledger/testing/tx_builder.h"

namespace fabric::ledger {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kTxPerBlock = 500;
constexpr int kWritesPerTx = 10;
constexpr int kKeySpace = 500000;
constexpr char kChannel[] = "benchch";

int EnvInt(const char* name, int def) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::atoi(v) : def;
}

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

std::string KeyName(uint64_t k) { return absl::StrFormat("key%08d", k); }

// Blocks of blind writes; the keys written are appended to `written`.
std::vector<common::Block> MakeBlocks(testing::BlockChain& chain, int n, std::mt19937_64& rng,
                                      std::vector<std::string>* written) {
  std::vector<common::Block> blocks;
  const std::string value(100, 'v');
  for (int b = 0; b < n; ++b) {
    std::vector<common::Envelope> envs;
    envs.reserve(kTxPerBlock);
    for (int t = 0; t < kTxPerBlock; ++t) {
      RWSetBuilder rw;
      for (int w = 0; w < kWritesPerTx; ++w) {
        written->push_back(KeyName(rng() % kKeySpace));
        rw.AddToWriteSet("bench", written->back(), value);
      }
      envs.push_back(testing::FastEndorserTx(
          kChannel, absl::StrFormat("tx-%d-%d-%x", chain.next_number(), t, rng()),
          rw.GetTxSimulationResults()));
    }
    blocks.push_back(chain.Next(envs));
  }
  return blocks;
}

// Commits `n` blocks, built 10 at a time outside the timed part (so that prebuilt blocks do
// not dominate the RSS figure). Returns committed tx/s.
double BenchCommit(KvLedger& ledger, testing::BlockChain& chain, int n, std::mt19937_64& rng,
                   std::vector<std::string>* written) {
  Clock::duration total{};
  Clock::duration validate{};
  for (int done = 0; done < n; done += 10) {
    auto blocks = MakeBlocks(chain, std::min(10, n - done), rng, written);
    for (auto& block : blocks) {
      const auto t0 = Clock::now();
      auto codes = ledger.ValidateAndPrepare(std::move(block));
      validate += Clock::now() - t0;
      Status s = codes.ok() ? ledger.Commit().status() : codes.status();
      total += Clock::now() - t0;
      if (!s.ok()) {
        std::fprintf(stderr, "commit failed: %s\n", s.ToString().c_str());
        std::exit(1);
      }
    }
  }
  std::fprintf(stderr, "# commit: %.1f ms/block, of which validate+prepare %.1f ms\n",
               Seconds(total) * 1000 / n, Seconds(validate) * 1000 / n);
  return static_cast<double>(n) * kTxPerBlock / Seconds(total);
}

// Commits `n` blocks of one transaction with one write. Returns blocks/s.
double BenchSmallBlocks(KvLedger& ledger, testing::BlockChain& chain, int n, std::mt19937_64& rng) {
  std::vector<common::Block> blocks;
  for (int i = 0; i < n; ++i) {
    RWSetBuilder rw;
    rw.AddToWriteSet("small", KeyName(rng() % kKeySpace), "v");
    blocks.push_back(chain.Next({testing::FastEndorserTx(
        kChannel, absl::StrFormat("small-%d-%x", i, rng()), rw.GetTxSimulationResults())}));
  }
  const auto start = Clock::now();
  for (auto& block : blocks) {
    if (Status s = ledger.CommitBlock(std::move(block)); !s.ok()) {
      std::fprintf(stderr, "commit failed: %s\n", s.ToString().c_str());
      std::exit(1);
    }
  }
  return n / Seconds(Clock::now() - start);
}

// Reads of existing keys, 100 per simulator.
double BenchGetState(KvLedger& ledger, const std::vector<std::string>& keys, int threads,
                     double seconds) {
  std::vector<uint64_t> counts(threads, 0);
  std::vector<std::thread> workers;
  const auto deadline = Clock::now() + std::chrono::duration<double>(seconds);
  const auto start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back([&, t] {
      std::mt19937_64 rng(t + 1);
      uint64_t n = 0;
      while (Clock::now() < deadline) {
        auto sim = ledger.NewTxSimulator("read");
        for (int i = 0; i < 100; ++i) {
          if (sim->GetState("bench", keys[rng() % keys.size()]).value().empty()) {
            std::abort();
          }
        }
        (void)sim->GetTxSimulationResults();
        sim->Done();
        n += 100;
      }
      counts[t] = n;
    });
  }
  for (auto& w : workers) {
    w.join();
  }
  uint64_t total = 0;
  for (uint64_t c : counts) {
    total += c;
  }
  return total / Seconds(Clock::now() - start);
}

double BenchRangeScan(KvLedger& ledger, double seconds) {
  uint64_t keys = 0;
  const auto start = Clock::now();
  const auto deadline = start + std::chrono::duration<double>(seconds);
  while (Clock::now() < deadline) {
    auto qe = ledger.NewQueryExecutor();
    auto it = qe->GetStateRangeScanIterator("bench", "", "").value();
    while (it->Next().value().has_value()) {
      ++keys;
    }
    qe->Done();
  }
  return keys / Seconds(Clock::now() - start);
}

double PeakRssMib() { return static_cast<double>(bench::PeakRssKib("self")) / 1024.0; }

int Run() {
  const int blocks = EnvInt("BENCH_LEDGER_BLOCKS", 100);
  const int threads = EnvInt("BENCH_LEDGER_THREADS", 4);
  const double seconds = EnvInt("BENCH_LEDGER_SECONDS", 3);
  testing::TempDir dir;
  auto state = OpenLevelDB(dir.Sub("stateLeveldb")).value();
  auto history = OpenLevelDB(dir.Sub("historyLeveldb")).value();
  KvLedger::Options o;
  o.ledger_id = kChannel;
  o.state_db = state->db();
  o.history_db = history->db();
  o.block_store.block_dir = dir.Sub("chains/chains/benchch");
  auto ledger = KvLedger::Open(o).value();
  testing::BlockChain chain;
  if (!ledger->CommitBlock(chain.Next({testing::ConfigTx(kChannel, "genesis")})).ok()) {
    return 1;
  }
  std::mt19937_64 rng(42);
  std::vector<std::string> written;
  std::printf("ledger_commit_tps %.0f tx/s\n", BenchCommit(*ledger, chain, blocks, rng, &written));
  std::printf("ledger_small_blocks %.0f blocks/s\n", BenchSmallBlocks(*ledger, chain, 300, rng));
  std::printf("ledger_getstate_ops %.0f ops/s\n",
              BenchGetState(*ledger, written, threads, seconds));
  std::printf("ledger_rangescan_keys %.0f keys/s\n", BenchRangeScan(*ledger, seconds / 2));
  std::printf("ledger_rss_mib %.1f MiB\n", PeakRssMib());
  return 0;
}

}  // namespace
}  // namespace fabric::ledger

int main() {
  fabric::bench::ExclusiveRun exclusive;
  return fabric::ledger::Run();
}
