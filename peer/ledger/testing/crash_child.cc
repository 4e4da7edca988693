// SPDX-License-Identifier: Apache-2.0
//
// ledger_crash_child <ledgers dir> <seed>: opens (recovering) or creates the ledger of
// channel "crashch" under the directory and commits blocks until killed. Each block holds 20
// transactions simulated against the same state (so some conflict): point reads, range scans,
// writes, deletes and metadata writes over a small key space, and now and then a duplicate
// txid. After each commit returns it prints "committed <block number>" on stdout (unbuffered),
// which crash_test.cc reads to know what must survive a SIGKILL.

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>

#include <absl/strings/str_format.h>

#include "peer/ledger/ledger_manager.h"
#include "peer/ledger/testing/tx_builder.h"

namespace fabric::ledger {
namespace {

constexpr char kChannel[] = "crashch";

void Die(const Status& s) {
  std::fprintf(stderr, "crash child: %s\n", s.ToString().c_str());
  std::exit(2);
}

std::string Key(std::mt19937_64& rng) { return absl::StrFormat("k%02d", rng() % 40); }

rwset::TxReadWriteSet SimulateOne(KvLedger& ledger, std::mt19937_64& rng, uint64_t block, int tx) {
  auto sim = ledger.NewTxSimulator("sim");
  for (int r = 0; r < 2; ++r) {
    (void)sim->GetState("cc", Key(rng)).value();
  }
  if (rng() % 4 == 0) {
    std::string a = Key(rng);
    std::string b = Key(rng);
    auto it = sim->GetStateRangeScanIterator("cc", std::min(a, b), std::max(a, b)).value();
    for (int n = 0; it->Next().value().has_value() && n < 1000; ++n) {
    }
  }
  const int writes = 1 + static_cast<int>(rng() % 3);
  for (int w = 0; w < writes; ++w) {
    const std::string key = Key(rng);
    if (rng() % 8 == 0) {
      (void)sim->DeleteState("cc", key);
    } else {
      (void)sim->SetState("cc", key, absl::StrFormat("b%d-t%d-w%d", block, tx, w));
    }
  }
  if (rng() % 10 == 0) {
    (void)sim->SetStateMetadata("cc", Key(rng), {{"VP", absl::StrFormat("m%d", block)}});
  }
  if (rng() % 5 == 0) {
    (void)sim->SetState("other", Key(rng), absl::StrFormat("o%d", block));
  }
  auto rw = sim->GetTxSimulationResults().value();
  sim->Done();
  return rw;
}

common::Block NextBlock(KvLedger& ledger, std::mt19937_64& rng) {
  const common::BlockchainInfo info = ledger.GetBlockchainInfo();
  const uint64_t number = info.height();
  common::Block block = protoutil::NewBlock(number, info.currentblockhash());
  std::string last_txid;
  for (int i = 0; i < 20; ++i) {
    auto rw = SimulateOne(ledger, rng, number, i);
    std::string txid = absl::StrFormat("tx-%d-%d-%016x", number, i, rng());
    if (i > 0 && rng() % 20 == 0) {
      txid = last_txid;  // duplicate within the block
    }
    last_txid = txid;
    *block.mutable_data()->add_data() =
        testing::FastEndorserTx(kChannel, txid, rw).SerializeAsString();
  }
  protoutil::SealBlock(block);
  return block;
}

int Run(const std::string& dir, uint64_t seed) {
  LedgerManager::Options o;
  o.root_dir = dir;
  auto mgr = LedgerManager::Open(o);
  if (!mgr.ok()) {
    Die(mgr.status());
  }
  auto ledger = (*mgr)->GetLedger(kChannel);
  if (!ledger.ok()) {
    testing::BlockChain chain;
    ledger = (*mgr)->CreateLedger(chain.Next({testing::ConfigTx(kChannel, "genesis")}));
    if (!ledger.ok()) {
      Die(ledger.status());
    }
    std::printf("committed 0\n");
  }
  std::mt19937_64 rng(seed);
  while (true) {
    common::Block block = NextBlock(**ledger, rng);
    const uint64_t n = block.header().number();
    Status s = (*ledger)->CommitBlock(std::move(block));
    if (!s.ok()) {
      Die(s);
    }
    std::printf("committed %llu\n", static_cast<unsigned long long>(n));
  }
}

}  // namespace
}  // namespace fabric::ledger

int main(int argc, char** argv) {
  if (argc != 3) {
    std::fprintf(stderr, "usage: ledger_crash_child <ledgers dir> <seed>\n");
    return 2;
  }
  std::setvbuf(stdout, nullptr, _IONBF, 0);
  return fabric::ledger::Run(argv[1], std::strtoull(argv[2], nullptr, 10));
}
