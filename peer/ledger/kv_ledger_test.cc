// SPDX-License-Identifier: Apache-2.0

#include "peer/ledger/kv_ledger.h"

#include <atomic>
#include <fstream>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/crypto/hash.h"
#include "common/protoutil/blockutils.h"
#include "peer/ledger/commit_hash.h"
#include "peer/ledger/ledger_manager.h"
#include "peer/ledger/testing/ledger_fixture.h"

namespace fabric::ledger {
namespace {

using Codes = std::vector<protos::TxValidationCode>;
using ::testing::HasSubstr;

class KvLedgerTest : public testing::LedgerFixture {
 protected:
  rwset::TxReadWriteSet Put(const std::string& key, const std::string& value) {
    return Simulate([&](TxSimulator& s) { ASSERT_TRUE(s.SetState("cc", key, value).ok()); });
  }

  std::vector<queryresult::KeyModification> History(const std::string& key) {
    auto hqe = ledger_->NewHistoryQueryExecutor().value();
    auto it = hqe->GetHistoryForKey("cc", key).value();
    std::vector<queryresult::KeyModification> out;
    while (true) {
      auto n = it->Next();
      EXPECT_TRUE(n.ok()) << n.status();
      if (!n.ok() || !n->has_value()) {
        return out;
      }
      out.push_back(**n);
    }
  }
};

TEST_F(KvLedgerTest, GenesisBlockIsCommitted) {
  auto info = ledger_->GetBlockchainInfo();
  EXPECT_EQ(info.height(), 1u);
  EXPECT_EQ(ledger_->GetTxValidationCodeByTxID("genesis-tx").value(), protos::VALID);
  EXPECT_EQ(ledger_->state().GetLatestSavePoint().value()->block_num, 0u);
}

TEST_F(KvLedgerTest, HistoryListsValidWritesOldestFirst) {
  std::string t1, t2, t4;
  ASSERT_EQ(Commit({Tx(Put("k", "v1"), &t1)}), Codes{protos::VALID});
  ASSERT_EQ(Commit({Tx(Put("k", "v2"), &t2), Tx(Put("k", "bad"))},
                   {protos::VALID, protos::ENDORSEMENT_POLICY_FAILURE}),
            (Codes{protos::VALID, protos::ENDORSEMENT_POLICY_FAILURE}));
  auto del = Simulate([](TxSimulator& s) { ASSERT_TRUE(s.DeleteState("cc", "k").ok()); });
  ASSERT_EQ(Commit({Tx(del, &t4)}), Codes{protos::VALID});
  ASSERT_EQ(Commit({Tx(Put(std::string("k\0b", 3), "composite"))}), Codes{protos::VALID});
  auto h = History("k");
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0].tx_id(), t1);
  EXPECT_EQ(h[0].value(), "v1");
  EXPECT_FALSE(h[0].is_delete());
  EXPECT_GT(h[0].timestamp().seconds(), 0);
  EXPECT_EQ(h[1].tx_id(), t2);
  EXPECT_EQ(h[1].value(), "v2");
  EXPECT_EQ(h[2].tx_id(), t4);
  EXPECT_TRUE(h[2].is_delete());
  EXPECT_EQ(h[2].value(), "");
  EXPECT_TRUE(History("none").empty());
  EXPECT_EQ(History(std::string("k\0b", 3)).size(), 1u);
}

TEST_F(KvLedgerTest, RefusesBlocksThatDoNotExtendTheChain) {
  common::Block wrong_number = protoutil::NewBlock(5, chain_.prev_hash());
  protoutil::SealBlock(wrong_number);
  Status s = ledger_->CommitBlock(wrong_number);
  EXPECT_TRUE(s.IsFailedPrecondition()) << s;
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("block number 5 but ledger mychannel height is 1"));

  common::Block wrong_hash = protoutil::NewBlock(1, "not-the-hash");
  protoutil::SealBlock(wrong_hash);
  s = ledger_->CommitBlock(wrong_hash);
  EXPECT_TRUE(s.IsFailedPrecondition()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("previous hash mismatch at block 1"));

  const testing::BlockChain saved = chain_;
  common::Block bad_data = chain_.Next({Tx(Put("x", "1"))});
  bad_data.mutable_header()->set_data_hash("tampered");
  EXPECT_TRUE(ledger_->CommitBlock(bad_data).IsInvalidArgument());
  EXPECT_EQ(Get("cc", "x"), "");

  EXPECT_TRUE(ledger_->Commit().status().IsFailedPrecondition());
  // The ledger is still usable.
  chain_ = saved;
  ASSERT_EQ(Commit({Tx(Put("x", "2"))}), Codes{protos::VALID});
  EXPECT_EQ(Get("cc", "x"), "2");
}

// What the committer already checked (its validator looked up the txid of every endorser
// transaction it left VALID; its deliver client checked the data hash) is not checked again; a
// duplicate within the block is still the ledger's to find. Commit returns the block as stored.
TEST_F(KvLedgerTest, PriorChecksAreNotRepeated) {
  std::string txid;
  const common::Envelope env = Tx(Put("a", "1"), &txid);
  ASSERT_EQ(Commit({env}), Codes{protos::VALID});
  const testing::BlockChain saved = chain_;

  // Without them the ledger looks: a replayed txid is a duplicate, a wrong data hash refused.
  common::Block block = chain_.Next({env});
  auto codes = ledger_->ValidateAndPrepare(block);
  ASSERT_TRUE(codes.ok()) << codes.status();
  EXPECT_EQ(*codes, Codes{protos::DUPLICATE_TXID});
  block.mutable_header()->set_data_hash("tampered");
  ASSERT_TRUE(ledger_->ValidateAndPrepare(block).ok());
  EXPECT_TRUE(ledger_->Commit().status().IsInvalidArgument());

  chain_ = saved;
  block = chain_.Next({env, Tx(Put("b", "1")), env});
  block.mutable_header()->set_data_hash("trusted");
  codes = ledger_->ValidateAndPrepare(block, {.data_hash = true, .txids = true});
  ASSERT_TRUE(codes.ok()) << codes.status();
  EXPECT_EQ(*codes, (Codes{protos::VALID, protos::VALID, protos::DUPLICATE_TXID}));
  StatusOr<std::shared_ptr<const common::Block>> committed = ledger_->Commit();
  ASSERT_TRUE(committed.ok()) << committed.status();
  EXPECT_EQ((*committed)->header().number(), 2u);
  EXPECT_EQ(TxFilterFromBlock(**committed), *codes);
  EXPECT_EQ(ledger_->GetBlockByNumber(2).value().SerializeAsString(),
            (*committed)->SerializeAsString());
}

TEST_F(KvLedgerTest, TransactionQueries) {
  std::string txid;
  ASSERT_EQ(Commit({Tx(Put("a", "1"), &txid)}), Codes{protos::VALID});
  auto pt = ledger_->GetTransactionByID(txid).value();
  EXPECT_EQ(pt.validationcode(), protos::VALID);
  EXPECT_EQ(protoutil::ParseEnvelope(pt.transactionenvelope()).value().channel_header.tx_id(),
            txid);
  EXPECT_TRUE(ledger_->TxIdExists(txid).value());
  EXPECT_FALSE(ledger_->TxIdExists("nope").value());
  auto info = ledger_->GetBlockchainInfo();
  EXPECT_EQ(ledger_->GetBlockByHash(info.currentblockhash()).value().header().number(), 1u);
  EXPECT_EQ(ledger_->GetBlockByTxId(txid).value().header().number(), 1u);
  EXPECT_TRUE(ledger_->GetTransactionByID("nope").status().IsNotFound());
}

TEST_F(KvLedgerTest, RecoveryReplaysBlocksThatStateAndHistoryLack) {
  ASSERT_EQ(Commit({Tx(Put("a", "1"))}), Codes{protos::VALID});
  // A crash after the block store write: the block is durable, state and history are not.
  auto read_a = Simulate([](TxSimulator& s) {
    ASSERT_EQ(s.GetState("cc", "a").value(), "1");
    ASSERT_TRUE(s.SetState("cc", "a", "2").ok());
  });
  common::Block block = chain_.Next({Tx(read_a), Tx(Put("b", "x"))});
  SetTxFilter(block, {protos::VALID, protos::MVCC_READ_CONFLICT});
  ASSERT_TRUE(ledger_->block_store().AddBlock(block).ok());
  EXPECT_EQ(Get("cc", "a"), "1");
  Restart();
  EXPECT_EQ(Get("cc", "a"), "2");
  EXPECT_EQ(Get("cc", "b"), "");  // its stored code says invalid
  EXPECT_EQ(ledger_->state().GetLatestSavePoint().value()->block_num, 2u);
  auto h = History("a");
  ASSERT_EQ(h.size(), 2u);
  EXPECT_EQ(h[1].value(), "2");
  ASSERT_EQ(Commit({Tx(Put("c", "3"))}), Codes{protos::VALID});
}

// Fabric 1.4's COMMIT_HASH (commit_hash.h), computed by hand for one write.
TEST_F(KvLedgerTest, CommitHashChainsFromBlockOne) {
  EXPECT_EQ(CommitHashOf(ledger_->GetBlockByNumber(0).value()), "");
  ASSERT_EQ(Commit({Tx(Put("a", "1"))}), Codes{protos::VALID});
  // KVWritesBatchProto{kvwrites: [{namespace "cc", key "a", value "1", version (1,0)}]}.
  const std::string write(
      "\x0a\x02"
      "cc"
      "\x1a\x01"
      "a"
      "\x2a\x01"
      "1"
      "\x32\x03\x01\x01\x00",
      15);
  const std::string batch = "\x0a\x0f" + write;
  const std::string block1_hash = crypto::Sha256(std::string("\x01\x00", 2) + batch);
  EXPECT_EQ(CommitHashOf(ledger_->GetBlockByNumber(1).value()), block1_hash);

  // The next block chains on it, across a restart; its invalid transaction writes nothing.
  Restart();
  ASSERT_EQ(Commit({Tx(Put("b", "2")), Tx(Put("c", "3"))},
                   {protos::ENDORSEMENT_POLICY_FAILURE, protos::VALID}),
            (Codes{protos::ENDORSEMENT_POLICY_FAILURE, protos::VALID}));
  const std::string write_c(
      "\x0a\x02"
      "cc"
      "\x1a\x01"
      "c"
      "\x2a\x01"
      "3"
      "\x32\x04\x01\x02\x01\x01",
      16);
  const std::string block2_hash =
      crypto::Sha256(std::string("\x02\x0a\x00", 3) + "\x0a\x10" + write_c + block1_hash);
  EXPECT_EQ(CommitHashOf(ledger_->GetBlockByNumber(2).value()), block2_hash);
}

TEST_F(KvLedgerTest, StateAheadOfBlockStoreIsDataLoss) {
  UpdateBatch none;
  ASSERT_TRUE(ledger_->state().ApplyUpdates(none, Height{7, 0}).ok());
  ledger_.reset();
  KvLedger::Options o;
  o.ledger_id = kChannel;
  o.state_db = state_db_->db();
  o.history_db = history_db_->db();
  o.block_store.block_dir = dir_.Sub("chains/chains/mychannel");
  auto l = KvLedger::Open(o);
  EXPECT_EQ(l.status().code(), StatusCode::kDataLoss);
  EXPECT_THAT(std::string(l.status().message()), HasSubstr("ahead of the block store"));
}

TEST_F(KvLedgerTest, TornBlockFileTailIsDroppedAndLedgerContinues) {
  ASSERT_EQ(Commit({Tx(Put("a", "1"))}), Codes{protos::VALID});
  ledger_.reset();
  {
    std::ofstream f(dir_.Sub("chains/chains/mychannel/blockfile_000000"),
                    std::ios::binary | std::ios::app);
    f << std::string("\xc8\x01partial-record-of-a-block-that-never-finished", 48);
  }
  Restart();
  EXPECT_EQ(ledger_->GetBlockchainInfo().height(), 2u);
  EXPECT_EQ(Get("cc", "a"), "1");
  ASSERT_EQ(Commit({Tx(Put("b", "2"))}), Codes{protos::VALID});
  Restart();
  EXPECT_EQ(Get("cc", "b"), "2");
  EXPECT_EQ(ledger_->GetBlockchainInfo().height(), 3u);
}

TEST_F(KvLedgerTest, SimulationsSeeConsistentSnapshotsWhileBlocksCommit) {
  // Every block writes x and y to the same value in one transaction; readers must never see
  // them differ.
  std::atomic<bool> stop{false};
  std::atomic<int> reads{0};
  std::atomic<int> torn{0};
  std::vector<std::thread> readers;
  for (int t = 0; t < 2; ++t) {
    readers.emplace_back([&] {
      while (!stop.load()) {
        auto sim = ledger_->NewTxSimulator("r");
        std::string x = sim->GetState("cc", "x").value();
        std::this_thread::yield();
        std::string y = sim->GetState("cc", "y").value();
        torn += x != y ? 1 : 0;
        ++reads;
      }
    });
  }
  for (int i = 0; i < 30; ++i) {
    auto rw = Simulate([&](TxSimulator& s) {
      ASSERT_TRUE(s.SetState("cc", "x", std::to_string(i)).ok());
      ASSERT_TRUE(s.SetState("cc", "y", std::to_string(i)).ok());
    });
    ASSERT_EQ(Commit({testing::FastEndorserTx(kChannel, "t" + std::to_string(i), rw)}),
              Codes{protos::VALID});
  }
  stop = true;
  for (auto& t : readers) {
    t.join();
  }
  EXPECT_EQ(torn.load(), 0);
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(Get("cc", "x"), "29");
}

TEST(KvLedgerOptionsTest, HistoryCanBeDisabledAndOptionsAreChecked) {
  testing::TempDir dir;
  auto state = OpenLevelDB(dir.Sub("state")).value();
  KvLedger::Options o;
  o.ledger_id = "ch";
  o.block_store.block_dir = dir.Sub("blocks");
  EXPECT_TRUE(KvLedger::Open(o).status().IsInvalidArgument());
  o.state_db = state->db();
  auto ledger = KvLedger::Open(o).value();
  EXPECT_TRUE(ledger->NewHistoryQueryExecutor().status().IsFailedPrecondition());
  testing::BlockChain chain;
  ASSERT_TRUE(ledger->CommitBlock(chain.Next({testing::ConfigTx("ch", "g")})).ok());
  EXPECT_EQ(ledger->GetBlockchainInfo().height(), 1u);
}

// A full disk: the commit fails, the ledger reports it (the peer's /healthz and endorser read
// CommitHealth) and refuses further commits instead of writing after a torn record. A real
// filesystem fills up: a 2 MiB tmpfs (skipped where mounting is not allowed).
TEST(KvLedgerDiskFullTest, FailedCommitIsReportedAndSticky) {
  testing::TempDir dir;
  const std::string mnt = dir.Sub("small");
  std::filesystem::create_directories(mnt);
  if (std::system(("mount -t tmpfs -o size=2m tmpfs " + mnt + " 2>/dev/null").c_str()) != 0) {
    GTEST_SKIP() << "cannot mount a tmpfs here";
  }
  struct Unmount {
    std::string path;
    ~Unmount() { EXPECT_EQ(std::system(("umount " + path).c_str()), 0); }
  } unmount{mnt};
  {
    LedgerManager::Options o;
    o.root_dir = mnt + "/ledgersData";
    auto mgr = LedgerManager::Open(o).value();
    testing::BlockChain chain;
    KvLedger* l = mgr->CreateLedger(chain.Next({testing::ConfigTx("full", "g")})).value();
    EXPECT_TRUE(l->CommitHealth().ok());
    auto put = [&](const std::string& value) {
      auto sim = l->NewTxSimulator("t");
      EXPECT_TRUE(sim->SetState("cc", "k", value).ok());
      auto rw = sim->GetTxSimulationResults().value();
      sim->Done();
      return l->CommitBlock(
          chain.Next({testing::FastEndorserTx("full", "t" + value.substr(0, 1), rw)}));
    };
    ASSERT_TRUE(put("small").ok());
    Status full = put(std::string(3 << 20, 'x'));
    EXPECT_FALSE(full.ok());
    Status health = l->CommitHealth();
    EXPECT_TRUE(health.IsUnavailable()) << health;
    EXPECT_NE(health.message().find("cannot commit blocks"), std::string::npos) << health;
    EXPECT_FALSE(put("again").ok());  // sticky until reopened
    EXPECT_FALSE(l->CommitHealth().ok());
  }
}

// A channel name Fabric refuses, or a genesis block that cannot be committed, leaves no
// ledger directory behind.
TEST(LedgerManagerTest, RefusedGenesisBlocksLeaveNothingBehind) {
  testing::TempDir dir;
  LedgerManager::Options o;
  o.root_dir = dir.Sub("ledgersData");
  auto mgr = LedgerManager::Open(o).value();
  for (const char* id : {"Bad Channel", "a/b", "..", "9abc", "x\n"}) {
    testing::BlockChain chain;
    Status s = mgr->CreateLedger(chain.Next({testing::ConfigTx(id, "g")})).status();
    EXPECT_TRUE(s.IsInvalidArgument()) << id << ": " << s;
    EXPECT_FALSE(std::filesystem::exists(mgr->BlockDir(id))) << id;
  }
  testing::BlockChain chain;
  common::Block tampered = chain.Next({testing::ConfigTx("good", "g")});
  tampered.mutable_header()->set_data_hash("not the data hash");
  EXPECT_FALSE(mgr->CreateLedger(tampered).ok());
  EXPECT_FALSE(std::filesystem::exists(mgr->BlockDir("good")));
  EXPECT_TRUE(mgr->ListLedgers().empty());
}

TEST(LedgerManagerTest, CreatesListsAndReopensLedgers) {
  testing::TempDir dir;
  LedgerManager::Options o;
  o.root_dir = dir.Sub("ledgersData");
  testing::BlockChain a;
  testing::BlockChain b;
  {
    auto mgr = LedgerManager::Open(o).value();
    EXPECT_TRUE(mgr->ListLedgers().empty());
    ASSERT_TRUE(mgr->CreateLedger(a.Next({testing::ConfigTx("cha", "g1")})).ok());
    ASSERT_TRUE(mgr->CreateLedger(b.Next({testing::ConfigTx("chb", "g2")})).ok());
    EXPECT_EQ(mgr->ListLedgers(), (std::vector<std::string>{"cha", "chb"}));
    testing::BlockChain again;
    EXPECT_TRUE(
        mgr->CreateLedger(again.Next({testing::ConfigTx("cha", "g3")})).status().IsAlreadyExists());
    EXPECT_TRUE(mgr->GetLedger("nope").status().IsNotFound());
    KvLedger* cha = mgr->GetLedger("cha").value();
    auto sim = cha->NewTxSimulator("t");
    ASSERT_TRUE(sim->SetState("cc", "k", "in-a").ok());
    auto rw = sim->GetTxSimulationResults().value();
    sim->Done();
    ASSERT_TRUE(cha->CommitBlock(a.Next({testing::FastEndorserTx("cha", "t1", rw)})).ok());
    // An interrupted creation leaves an empty block directory behind.
    std::filesystem::create_directories(mgr->BlockDir("chc"));
  }
  auto mgr = LedgerManager::Open(o).value();
  EXPECT_EQ(mgr->ListLedgers(), (std::vector<std::string>{"cha", "chb"}));
  EXPECT_EQ(mgr->GetLedger("cha").value()->NewQueryExecutor()->GetState("cc", "k").value(), "in-a");
  EXPECT_EQ(mgr->GetLedger("chb").value()->NewQueryExecutor()->GetState("cc", "k").value(), "");
  testing::BlockChain c;
  EXPECT_TRUE(mgr->CreateLedger(c.Next({testing::ConfigTx("chc", "g4")})).ok());
  common::Block not_genesis = protoutil::NewBlock(3, "");
  EXPECT_TRUE(mgr->CreateLedger(not_genesis).status().IsInvalidArgument());
}

}  // namespace
}  // namespace fabric::ledger
