// SPDX-License-Identifier: Apache-2.0
//
// bench_commit: validate + commit throughput of the peer's committer on pre-made blocks of 500
// endorser transactions with real signatures (creator and endorsers from real MSPs), on a real
// ledger on disk (LevelDB state and history, synced block files). Prints:
//   commit_tps_1e   tx/s with one endorsement per transaction (policy: any member of Org1/Org2)
//   commit_tps_2e   tx/s with two endorsements (policy: AND(Org1.peer, Org2.peer))
//   p256_verify_us        CPU time of one PublicKey::Verify, key without a table (one thread)
//   p256_verify_table_us  the same with the key's table (common/crypto/internal/key_tables.h)
//   e2e_tps         endorse -> order -> validate -> commit on real processes: 2 peers endorsing
//                   under AND(Org1.peer, Org2.peer), solo orderer (bench_e2e.h)
//   e2e_tls_tps     the same with TLS on every connection
// Env: BENCH_COMMIT_BLOCKS (blocks per run, default 10); BENCH_E2E=0 skips e2e_tps and
// e2e_tls_tps, BENCH_E2E_TLS=0 e2e_tls_tps alone; BENCH_E2E_TX (default 10000);
// BENCH_E2E_IN_FLIGHT (default 384). Runtime about 30 s plus about 30 s for each e2e figure.

#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include <absl/strings/str_format.h>

#include "bench/commit/bench_e2e.h"
#include "bench/common/exclusive_run.h"
#include "common/crypto/ecdsa.h"
#include "common/crypto/internal/key_tables.h"
#include "common/logging/logging.h"
#include "common/msp/testing/test_org.h"
#include "common/policies/builder.h"
#include "common/protoutil/blockutils.h"
#include "fabric/base/malloc_tuning.h"
#include "fabric/base/mutex_checks.h"
#include "fabric/base/sched_batch.h"
#include "peer/committer/testing/test_network.h"
#include "peer/ledger/block_parser.h"
#include "peer/ledger/rwset_builder.h"

namespace fabric::committer {
namespace {

using Clock = std::chrono::steady_clock;
constexpr int kTxPerBlock = 500;

int EnvInt(const char* name, int def) {
  const char* v = std::getenv(name);
  return v != nullptr ? std::atoi(v) : def;
}

void Die(const Status& s, const char* what) {
  if (!s.ok()) {
    std::fprintf(stderr, "bench_commit: %s: %s\n", what, s.ToString().c_str());
    std::exit(1);
  }
}

// `n` hash-chained blocks following the ledger's last block; transaction i writes 2 fresh keys.
std::vector<common::Block> MakeBlocks(const testing::TestNetwork& net, ledger::KvLedger& ledger,
                                      const std::string& cc,
                                      const std::vector<const msp::SigningIdentity*>& endorsers,
                                      int n) {
  common::BlockchainInfo info = ledger.GetBlockchainInfo();
  uint64_t number = info.height();
  std::string prev = info.currentblockhash();
  std::vector<common::Block> blocks;
  const std::string value(100, 'v');
  for (int b = 0; b < n; ++b) {
    common::Block block = protoutil::NewBlock(number++, prev);
    for (int t = 0; t < kTxPerBlock; ++t) {
      ledger::RWSetBuilder rw;
      rw.AddToWriteSet(cc, absl::StrFormat("k%d-%d-a", b, t), value);
      rw.AddToWriteSet(cc, absl::StrFormat("k%d-%d-b", b, t), value);
      testing::TxSpec spec;
      spec.channel = ledger.ledger_id();
      spec.chaincode = cc;
      spec.rwset = rw.GetTxSimulationResults();
      spec.creator = &net.org1_client();
      spec.endorsers = endorsers;
      auto env = testing::MakeEndorserTx(spec);
      Die(env.status(), "make tx");
      block.mutable_data()->add_data(env->SerializeAsString());
    }
    protoutil::SealBlock(block);
    prev = protoutil::BlockHeaderHash(block.header());
    blocks.push_back(std::move(block));
  }
  return blocks;
}

double CpuSeconds() {
  struct rusage ru;
  getrusage(RUSAGE_SELF, &ru);
  return ru.ru_utime.tv_sec + ru.ru_stime.tv_sec +
         (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1e6;
}

double Run(Committer& committer, std::vector<common::Block> blocks) {
  if (std::getenv("BENCH_COMMIT_DETAIL") != nullptr) {
    // Validation alone (nothing committed), to split the figure.
    TxValidator validator(TxValidator::Options{committer.channel_id(), 0, {}, nullptr},
                          committer.ledger());
    const auto t0 = Clock::now();
    const double cpu0 = CpuSeconds();
    for (const auto& block : blocks) {
      Die(validator.Validate(block, *committer.config()).status(), "validate");
    }
    const double s = std::chrono::duration<double>(Clock::now() - t0).count();
    std::fprintf(stderr, "validate_only %.0f tx/s, %.1f us cpu/tx\n",
                 blocks.size() * kTxPerBlock / s,
                 (CpuSeconds() - cpu0) * 1e6 / (blocks.size() * kTxPerBlock));
  }
  const auto start = Clock::now();
  const double cpu0 = CpuSeconds();
  size_t txs = 0;
  for (auto& block : blocks) {
    txs += block.data().data_size();
    Die(committer.CommitBlock(std::move(block)), "commit");
  }
  const double secs = std::chrono::duration<double>(Clock::now() - start).count();
  if (std::getenv("BENCH_COMMIT_DETAIL") != nullptr) {
    std::fprintf(stderr, "commit %.1f us cpu/tx\n", (CpuSeconds() - cpu0) * 1e6 / txs);
  }
  // Every transaction must have been valid, or the figure means nothing.
  auto last = committer.ledger().GetBlockByNumber(committer.Height() - 1);
  Die(last.status(), "read back");
  for (auto code : ledger::TxFilterFromBlock(*last)) {
    if (code != protos::VALID) {
      std::fprintf(stderr, "bench_commit: invalid transaction code %d\n", code);
      std::exit(1);
    }
  }
  return static_cast<double>(txs) / secs;
}

// CPU microseconds per PublicKey::Verify of a valid signature, tables on or off; 4,000 calls
// with one key (the first kUsesBeforeTable of them, and the table's construction on the builder
// thread, not timed).
double VerifyMicros(bool tables) {
  auto key = crypto::PrivateKey::Generate();
  Die(key.status(), "key");
  auto sig = key->Sign("bench");
  Die(sig.status(), "sign");
  const bool was = crypto::internal::KeyTables::enabled();  // FABRIC_P256_KEY_TABLES
  crypto::UseKeyTables(tables);
  for (int i = 0; i < 300; ++i) {
    Die(key->public_key().Verify("bench", *sig), "verify");
  }
  crypto::internal::KeyTables::Instance().WaitForBuilds();
  constexpr int kCalls = 4000;
  const double cpu0 = CpuSeconds();
  for (int i = 0; i < kCalls; ++i) {
    Die(key->public_key().Verify("bench", *sig), "verify");
  }
  const double us = (CpuSeconds() - cpu0) * 1e6 / kCalls;
  crypto::UseKeyTables(was);
  return us;
}

int Main() {
  Die(logging::SetSpec("warning"), "log spec");
  std::printf("p256_verify_us %.1f us\n", VerifyMicros(false));
  std::printf("p256_verify_table_us %.1f us\n", VerifyMicros(true));
  std::fflush(stdout);
  const int blocks = EnvInt("BENCH_COMMIT_BLOCKS", 10);
  msp::testing::TempDir tmp;
  auto net = testing::TestNetwork::Create(tmp.path() + "/crypto");
  Die(net.status(), "network");
  auto channel = testing::TestChannel::Create(**net, tmp.path() + "/ledgersData", "benchch");
  Die(channel.status(), "channel");
  ledger::KvLedger& ledger = (*channel)->ledger();
  const auto any_admin = policies::SignedByAnyAdmin({"Org1MSP", "Org2MSP"});
  Die(testing::DefineChaincode(
          ledger, "cc1e",
          testing::ChaincodeDataBytes(
              "cc1e", "1.0", policies::SignedByAnyMember({"Org1MSP", "Org2MSP"}), any_admin)),
      "define cc1e");
  common::SignaturePolicyEnvelope and_policy;
  *and_policy.mutable_rule() = policies::NOutOf(2, {policies::SignedBy(0), policies::SignedBy(1)});
  *and_policy.add_identities() = policies::RolePrincipal("Org1MSP", common::MSPRole::PEER);
  *and_policy.add_identities() = policies::RolePrincipal("Org2MSP", common::MSPRole::PEER);
  Die(testing::DefineChaincode(ledger, "cc2e",
                               testing::ChaincodeDataBytes("cc2e", "1.0", and_policy, any_admin)),
      "define cc2e");

  Committer& committer = (*channel)->committer();
  const auto& n = **net;
  double tps1 = Run(committer, MakeBlocks(n, ledger, "cc1e", {&n.org1_peer()}, blocks));
  std::printf("commit_tps_1e %.0f tx/s\n", tps1);
  std::fflush(stdout);
  double tps2 =
      Run(committer, MakeBlocks(n, ledger, "cc2e", {&n.org1_peer(), &n.org2_peer()}, blocks));
  std::printf("commit_tps_2e %.0f tx/s\n", tps2);
  std::fflush(stdout);
  const char* e2e = std::getenv("BENCH_E2E");
  if (e2e != nullptr && std::string(e2e) == "0") {
    return 0;
  }
  return bench::RunE2e();
}

}  // namespace
}  // namespace fabric::committer

int main() {
  fabric::SkipMutexDeadlockChecks();  // as `peer` and `orderer` do
  fabric::TuneMallocForServers();
  (void)fabric::UseBatchScheduling();  // the client, as the peer and the orderer run
  fabric::bench::ExclusiveRun exclusive;
  return fabric::committer::Main();
}
