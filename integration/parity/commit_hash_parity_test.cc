// SPDX-License-Identifier: Apache-2.0
//
// A chain of blocks committed by Fabric 1.4.12's ledger (its transactions simulated by Fabric's
// own TxSimulator), replayed through fabric-cpp's ledger: before each block, fabric-cpp's
// simulator must record every range query as Fabric's did; every block must end with Fabric's
// TRANSACTIONS_FILTER (MVCC, phantom reads, the committer's
// codes kept) and Fabric's COMMIT_HASH, and the state after the last block must equal Fabric's
// key by key (value, version, metadata). The chain covers unusual keys, deletes, metadata
// writes, range queries (raw and hashed), config blocks, 300-transaction blocks and a restart.

#include <string>

#include <absl/strings/escaping.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/common.pb.h"
#include "integration/parity/testdata.h"
#include "ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "ledger/rwset/rwset.pb.h"
#include "peer/ledger/commit_hash.h"
#include "peer/ledger/ledger_manager.h"
#include "peer/ledger/testing/temp_dir.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"
#include "peer/transaction.pb.h"

namespace fabric {
namespace {

using parity::LoadTestdata;
using parity::Unbase64;

common::Block DecodeBlock(const nlohmann::json& b) {
  common::Block block;
  EXPECT_TRUE(block.ParseFromString(Unbase64(b["submitted_block_b64"])));
  return block;
}

// The rwset of each endorser transaction of `block`, by namespace.
std::vector<std::vector<std::pair<std::string, kvrwset::KVRWSet>>> RwSets(
    const common::Block& block) {
  std::vector<std::vector<std::pair<std::string, kvrwset::KVRWSet>>> out;
  for (const std::string& data : block.data().data()) {
    out.emplace_back();
    common::Envelope env;
    common::Payload payload;
    protos::Transaction tx;
    protos::ChaincodeActionPayload cap;
    protos::ProposalResponsePayload prp;
    protos::ChaincodeAction action;
    rwset::TxReadWriteSet rw;
    if (!env.ParseFromString(data) || !payload.ParseFromString(env.payload()) ||
        !tx.ParseFromString(payload.data()) || tx.actions_size() != 1 ||
        !cap.ParseFromString(tx.actions(0).payload()) ||
        !prp.ParseFromString(cap.action().proposal_response_payload()) ||
        !action.ParseFromString(prp.extension()) || !rw.ParseFromString(action.results())) {
      continue;
    }
    for (const auto& ns : rw.ns_rwset()) {
      kvrwset::KVRWSet kv;
      EXPECT_TRUE(kv.ParseFromString(ns.rwset()));
      out.back().emplace_back(ns.namespace_(), std::move(kv));
    }
  }
  return out;
}

// Runs, on `ledger`'s current state, the range query Fabric's simulator recorded as `recorded`
// (reading up to its last key when it was not exhausted) and returns what fabric-cpp records.
kvrwset::RangeQueryInfo Resimulate(ledger::KvLedger& ledger, const std::string& ns,
                                   const kvrwset::RangeQueryInfo& recorded) {
  auto sim = ledger.NewTxSimulator("resimulate");
  auto it = sim->GetStateRangeScanIterator(ns, recorded.start_key(),
                                           recorded.itr_exhausted() ? recorded.end_key() : "");
  EXPECT_TRUE(it.ok()) << it.status();
  while (true) {
    auto kv = (*it)->Next();
    EXPECT_TRUE(kv.ok()) << kv.status();
    if (!kv.ok() || !kv->has_value() ||
        (!recorded.itr_exhausted() && (*kv)->key() == recorded.end_key())) {
      break;
    }
  }
  (*it)->Close();
  auto results = sim->GetTxSimulationResults();
  EXPECT_TRUE(results.ok()) << results.status();
  for (const auto& n : results->ns_rwset()) {
    kvrwset::KVRWSet kv;
    if (n.namespace_() == ns && kv.ParseFromString(n.rwset()) &&
        kv.range_queries_info_size() == 1) {
      return kv.range_queries_info(0);
    }
  }
  ADD_FAILURE() << "no range query recorded";
  return {};
}

// Endorsement side: every range query of the chain that Fabric's simulator recorded against the
// state right before its block (raw reads, no reads for an empty range, merkle summaries above
// 50 results, unexhausted iterations) is recorded byte for byte the same by fabric-cpp.
// Returns how many were compared.
int ExpectSameRangeQueryRecords(ledger::KvLedger& ledger, const common::Block& block,
                                const nlohmann::json& descriptions) {
  int compared = 0;
  auto rwsets = RwSets(block);
  for (size_t i = 0; i < rwsets.size(); ++i) {
    const std::string description = descriptions[i];
    if (description.find("simulated before block") != std::string::npos) {
      continue;  // simulated on an older state on purpose
    }
    for (const auto& [ns, kv] : rwsets[i]) {
      for (const auto& rq : kv.range_queries_info()) {
        SCOPED_TRACE("tx " + std::to_string(i) + ": " + description);
        EXPECT_EQ(Resimulate(ledger, ns, rq).SerializeAsString(), rq.SerializeAsString())
            << rq.DebugString();
        ++compared;
      }
    }
  }
  return compared;
}

TEST(CommitHashParityTest, FabricsChainReplaysToTheSameFiltersHashesAndState) {
  const nlohmann::json chain = LoadTestdata("commit_hash_chain.json");
  const std::string channel = chain["channel"];
  ledger::testing::TempDir dir;
  ledger::LedgerManager::Options options;
  options.root_dir = dir.path() + "/ledgersData";
  auto ledgers = ledger::LedgerManager::Open(options);
  ASSERT_TRUE(ledgers.ok()) << ledgers.status();
  auto ledger = (*ledgers)->CreateLedger(DecodeBlock(chain["blocks"][0]));
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  EXPECT_EQ(ledger::CommitHashOf((*ledger)->GetBlockByNumber(0).value()), "");
  int range_queries = 0;

  for (size_t i = 1; i < chain["blocks"].size(); ++i) {
    const nlohmann::json& b = chain["blocks"][i];
    SCOPED_TRACE("block " + std::to_string(i) + ": " + b["description"].get<std::string>());
    if (i == 10) {  // Fabric's ledger was closed and reopened before this block
      ledgers->reset();
      ledgers = ledger::LedgerManager::Open(options);
      ASSERT_TRUE(ledgers.ok()) << ledgers.status();
      ledger = (*ledgers)->GetLedger(channel);
      ASSERT_TRUE(ledger.ok()) << ledger.status();
    }
    range_queries += ExpectSameRangeQueryRecords(**ledger, DecodeBlock(b), b["tx_descriptions"]);
    Status s = (*ledger)->CommitBlock(DecodeBlock(b));
    ASSERT_TRUE(s.ok()) << s;
    common::Block committed = (*ledger)->GetBlockByNumber(i).value();
    EXPECT_EQ(absl::BytesToHexString(committed.metadata().metadata(common::TRANSACTIONS_FILTER)),
              b["tx_filter_after_commit_hex"]);
    ASSERT_GT(committed.metadata().metadata_size(), common::COMMIT_HASH);
    EXPECT_EQ(absl::BytesToHexString(committed.metadata().metadata(common::COMMIT_HASH)),
              b["commit_hash_metadata_hex"])
        << "Fabric's update batch: " << b["update_batch_bytes_hex"];
  }

  EXPECT_GE(range_queries, 14);

  auto latest = (*ledger)->state().Latest();
  for (const nlohmann::json& e : chain["final_state"]) {
    const std::string ns = e["namespace"];
    const std::string key = absl::HexStringToBytes(e["key_hex"].get<std::string>());
    SCOPED_TRACE(ns + "/" + e["key_hex"].get<std::string>());
    auto vv = latest->GetState(ns, key);
    ASSERT_TRUE(vv.ok()) << vv.status();
    ASSERT_TRUE(vv->has_value());
    EXPECT_EQ(absl::BytesToHexString((*vv)->value), e["value_hex"]);
    EXPECT_EQ((*vv)->version.block_num, e["version_block"].get<uint64_t>());
    EXPECT_EQ((*vv)->version.tx_num, e["version_tx"].get<uint64_t>());
    EXPECT_EQ(absl::BytesToHexString((*vv)->metadata), e["metadata_hex"]);
  }
}

}  // namespace
}  // namespace fabric
