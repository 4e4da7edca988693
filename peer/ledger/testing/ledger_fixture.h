// SPDX-License-Identifier: Apache-2.0
//
// A gtest fixture with one channel ledger ("mychannel") on real LevelDB and block files in a
// temporary directory, its genesis (config) block committed, and helpers to simulate
// transactions and commit blocks of signed endorser transactions.

#pragma once

#include <functional>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "peer/ledger/block_parser.h"
#include "peer/ledger/kv_ledger.h"
#include "peer/ledger/leveldb_util.h"
#include "peer/ledger/testing/temp_dir.h"
#include "peer/ledger/testing/tx_builder.h"

namespace fabric::ledger::testing {

class LedgerFixture : public ::testing::Test {
 protected:
  static constexpr const char* kChannel = "mychannel";

  void SetUp() override {
    state_db_ = OpenLevelDB(dir_.Sub("stateLeveldb")).value();
    history_db_ = OpenLevelDB(dir_.Sub("historyLeveldb")).value();
    OpenLedger();
    Status s = ledger_->CommitBlock(chain_.Next({ConfigTx(kChannel, "genesis-tx")}));
    ASSERT_TRUE(s.ok()) << s;
  }

  void OpenLedger() {
    KvLedger::Options o;
    o.ledger_id = kChannel;
    o.state_db = state_db_->db();
    o.history_db = history_db_->db();
    o.block_store.block_dir = dir_.Sub("chains/chains/mychannel");
    auto l = KvLedger::Open(o);
    ASSERT_TRUE(l.ok()) << l.status();
    ledger_ = std::move(*l);
  }

  // Closes everything (databases too) and opens again, as a peer restart does.
  void Restart() {
    ledger_.reset();
    state_db_.reset();
    history_db_.reset();
    state_db_ = OpenLevelDB(dir_.Sub("stateLeveldb")).value();
    history_db_ = OpenLevelDB(dir_.Sub("historyLeveldb")).value();
    OpenLedger();
  }

  // Runs `body` in a fresh simulator and returns the resulting rwset.
  rwset::TxReadWriteSet Simulate(const std::function<void(TxSimulator&)>& body) {
    auto sim = ledger_->NewTxSimulator("sim");
    body(*sim);
    auto rw = sim->GetTxSimulationResults();
    EXPECT_TRUE(rw.ok()) << rw.status();
    sim->Done();
    return rw.ok() ? *rw : rwset::TxReadWriteSet();
  }

  common::Envelope Tx(const rwset::TxReadWriteSet& rw, std::string* tx_id = nullptr) {
    return SignedEndorserTx(kChannel, rw, client_, peer_, tx_id);
  }

  // Commits the next block holding `envs` (with `filter` as the committer's codes when given)
  // and returns the final codes stored in the block.
  std::vector<protos::TxValidationCode> Commit(
      const std::vector<common::Envelope>& envs,
      const std::vector<protos::TxValidationCode>& filter = {}) {
    common::Block block = chain_.Next(envs);
    if (!filter.empty()) {
      SetTxFilter(block, filter);
    }
    Status s = ledger_->CommitBlock(block);
    EXPECT_TRUE(s.ok()) << s;
    auto stored = ledger_->GetBlockByNumber(block.header().number());
    EXPECT_TRUE(stored.ok()) << stored.status();
    return stored.ok() ? TxFilterFromBlock(*stored) : std::vector<protos::TxValidationCode>();
  }

  std::string Get(const std::string& ns, const std::string& key) {
    auto qe = ledger_->NewQueryExecutor();
    return qe->GetState(ns, key).value();
  }

  TempDir dir_;
  std::unique_ptr<LevelDBHandle> state_db_;
  std::unique_ptr<LevelDBHandle> history_db_;
  std::unique_ptr<KvLedger> ledger_;
  BlockChain chain_;
  protoutil::testing::TestSigner client_{"Org1MSP", "client"};
  protoutil::testing::TestSigner peer_{"Org1MSP", "peer0"};
};

}  // namespace fabric::ledger::testing
