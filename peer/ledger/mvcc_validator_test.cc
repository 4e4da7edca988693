// SPDX-License-Identifier: Apache-2.0
//
// MVCC and phantom validation through the ledger's commit path, with transactions simulated
// on the ledger and wrapped in real signed endorser transactions.

#include "peer/ledger/mvcc_validator.h"

#include <gtest/gtest.h>

#include "peer/ledger/testing/ledger_fixture.h"

namespace fabric::ledger {
namespace {

using Codes = std::vector<protos::TxValidationCode>;

class MvccTest : public testing::LedgerFixture {
 protected:
  void SetUp() override {
    LedgerFixture::SetUp();
    auto seed = Simulate([](TxSimulator& s) {
      ASSERT_TRUE(s.SetState("cc", "k1", "1").ok());
      ASSERT_TRUE(s.SetState("cc", "k3", "3").ok());
    });
    ASSERT_EQ(Commit({Tx(seed)}), Codes{protos::VALID});
  }

  rwset::TxReadWriteSet Increment(const std::string& key) {
    return Simulate([&](TxSimulator& s) {
      std::string v = s.GetState("cc", key).value();
      ASSERT_TRUE(s.SetState("cc", key, v + "+").ok());
    });
  }
};

TEST_F(MvccTest, SecondReadModifyWriteOfSameKeyInBlockConflicts) {
  auto a = Increment("k1");
  auto b = Increment("k1");
  EXPECT_EQ(Commit({Tx(a), Tx(b)}), (Codes{protos::VALID, protos::MVCC_READ_CONFLICT}));
  EXPECT_EQ(Get("cc", "k1"), "1+");
}

TEST_F(MvccTest, StaleReadAcrossBlocksConflicts) {
  auto a = Increment("k1");
  auto b = Increment("k1");  // simulated on the same state as a
  EXPECT_EQ(Commit({Tx(a)}), Codes{protos::VALID});
  EXPECT_EQ(Commit({Tx(b)}), Codes{protos::MVCC_READ_CONFLICT});
  EXPECT_EQ(Get("cc", "k1"), "1+");
}

// Fabric checks namespace by namespace (reads, range queries, hash reads): a phantom in the
// first namespace wins over a stale read in a later one. A private-data hash read holds only
// when it read no version (no key hash exists on this peer).
TEST_F(MvccTest, CodesFollowFabricsOrderAndHashReads) {
  auto phantom_then_stale = Simulate([](TxSimulator& s) {
    auto it = s.GetStateRangeScanIterator("aa", "", "").value();
    while (it->Next().value().has_value()) {
    }
    ASSERT_TRUE(s.GetState("cc", "k1").ok());
  });
  auto stale = Increment("k1");
  auto insert = Simulate([](TxSimulator& s) { ASSERT_TRUE(s.SetState("aa", "x", "1").ok()); });
  EXPECT_EQ(Commit({Tx(stale), Tx(insert), Tx(phantom_then_stale)}),
            (Codes{protos::VALID, protos::VALID, protos::PHANTOM_READ_CONFLICT}));

  auto with_hash_read = [](bool versioned) {
    rwset::TxReadWriteSet rw;
    rw.set_data_model(rwset::TxReadWriteSet::KV);
    auto* ns = rw.add_ns_rwset();
    ns->set_namespace_("cc");
    auto* coll = ns->add_collection_hashed_rwset();
    coll->set_collection_name("coll");
    kvrwset::HashedRWSet hashed;
    auto* read = hashed.add_hashed_reads();
    read->set_key_hash(std::string(32, 'h'));
    if (versioned) {
      read->mutable_version()->set_block_num(1);
    }
    coll->set_hashed_rwset(hashed.SerializeAsString());
    return rw;
  };
  EXPECT_EQ(Commit({Tx(with_hash_read(false)), Tx(with_hash_read(true))}),
            (Codes{protos::VALID, protos::MVCC_READ_CONFLICT}));
}

TEST_F(MvccTest, BlindWritesDoNotConflict) {
  auto a = Simulate([](TxSimulator& s) { ASSERT_TRUE(s.SetState("cc", "k1", "a").ok()); });
  auto b = Simulate([](TxSimulator& s) { ASSERT_TRUE(s.SetState("cc", "k1", "b").ok()); });
  EXPECT_EQ(Commit({Tx(a), Tx(b)}), (Codes{protos::VALID, protos::VALID}));
  EXPECT_EQ(Get("cc", "k1"), "b");
  auto qe = ledger_->state().Latest()->GetState("cc", "k1").value();
  EXPECT_EQ(qe->version, (Height{2, 1}));
}

TEST_F(MvccTest, RangeThatGainedAKeyIsPhantom) {
  auto scan = Simulate([](TxSimulator& s) {
    auto it = s.GetStateRangeScanIterator("cc", "k0", "k9").value();
    while (it->Next().value().has_value()) {
    }
    ASSERT_TRUE(s.SetState("cc", "count", "2").ok());
  });
  auto insert = Simulate([](TxSimulator& s) { ASSERT_TRUE(s.SetState("cc", "k2", "2").ok()); });
  // Inserted by an earlier transaction of the same block.
  EXPECT_EQ(Commit({Tx(insert), Tx(scan)}), (Codes{protos::VALID, protos::PHANTOM_READ_CONFLICT}));
  EXPECT_EQ(Get("cc", "count"), "");
}

TEST_F(MvccTest, RangeThatGainedAKeyInAnEarlierBlockIsPhantom) {
  auto scan = Simulate([](TxSimulator& s) {
    auto it = s.GetStateRangeScanIterator("cc", "k0", "k9").value();
    while (it->Next().value().has_value()) {
    }
  });
  auto insert = Simulate([](TxSimulator& s) { ASSERT_TRUE(s.SetState("cc", "k5", "5").ok()); });
  EXPECT_EQ(Commit({Tx(insert)}), Codes{protos::VALID});
  EXPECT_EQ(Commit({Tx(scan)}), Codes{protos::PHANTOM_READ_CONFLICT});
}

TEST_F(MvccTest, RangeWithDeletedOrUpdatedKeyIsPhantom) {
  auto scan = Simulate([](TxSimulator& s) {
    auto it = s.GetStateRangeScanIterator("cc", "", "").value();
    while (it->Next().value().has_value()) {
    }
  });
  auto del = Simulate([](TxSimulator& s) { ASSERT_TRUE(s.DeleteState("cc", "k3").ok()); });
  EXPECT_EQ(Commit({Tx(del), Tx(scan)}), (Codes{protos::VALID, protos::PHANTOM_READ_CONFLICT}));
  auto scan2 = Simulate([](TxSimulator& s) {
    auto it = s.GetStateRangeScanIterator("cc", "", "").value();
    while (it->Next().value().has_value()) {
    }
  });
  auto upd = Simulate([](TxSimulator& s) { ASSERT_TRUE(s.SetState("cc", "k1", "new").ok()); });
  EXPECT_EQ(Commit({Tx(upd), Tx(scan2)}), (Codes{protos::VALID, protos::PHANTOM_READ_CONFLICT}));
}

TEST_F(MvccTest, ChangesOutsideTheRangeOrBeyondAPartialScanAreNotPhantoms) {
  // Reads only the first key of [k0, k9): a later insert at k2 lies beyond what it observed.
  auto partial = Simulate([](TxSimulator& s) {
    auto it = s.GetStateRangeScanIterator("cc", "k0", "k9").value();
    ASSERT_EQ(it->Next().value()->key(), "k1");
  });
  auto full = Simulate([](TxSimulator& s) {
    auto it = s.GetStateRangeScanIterator("cc", "k0", "k3").value();
    while (it->Next().value().has_value()) {
    }
  });
  auto insert = Simulate([](TxSimulator& s) {
    ASSERT_TRUE(s.SetState("cc", "k2", "2").ok());
    ASSERT_TRUE(s.SetState("cc", "z", "z").ok());
  });
  EXPECT_EQ(Commit({Tx(insert), Tx(partial)}), (Codes{protos::VALID, protos::VALID}));
  // k2 is inside [k0, k3) which `full` exhausted: phantom.
  EXPECT_EQ(Commit({Tx(full)}), Codes{protos::PHANTOM_READ_CONFLICT});
}

TEST_F(MvccTest, KeyReadAsAbsentThatAnotherTxCreatedConflicts) {
  auto create1 = Simulate([](TxSimulator& s) {
    ASSERT_EQ(s.GetState("cc", "new").value(), "");
    ASSERT_TRUE(s.SetState("cc", "new", "first").ok());
  });
  auto create2 = Simulate([](TxSimulator& s) {
    ASSERT_EQ(s.GetState("cc", "new").value(), "");
    ASSERT_TRUE(s.SetState("cc", "new", "second").ok());
  });
  auto create3 = Simulate([](TxSimulator& s) {
    ASSERT_EQ(s.GetState("cc", "new").value(), "");
    ASSERT_TRUE(s.SetState("cc", "new", "third").ok());
  });
  EXPECT_EQ(Commit({Tx(create1), Tx(create2)}), (Codes{protos::VALID, protos::MVCC_READ_CONFLICT}));
  EXPECT_EQ(Commit({Tx(create3)}), Codes{protos::MVCC_READ_CONFLICT});
  EXPECT_EQ(Get("cc", "new"), "first");
}

TEST_F(MvccTest, DeleteThenRecreate) {
  auto stale = Increment("k1");  // read k1 at its version before the delete
  auto del = Simulate([](TxSimulator& s) {
    ASSERT_EQ(s.GetState("cc", "k1").value(), "1");
    ASSERT_TRUE(s.DeleteState("cc", "k1").ok());
  });
  EXPECT_EQ(Commit({Tx(del)}), Codes{protos::VALID});
  EXPECT_EQ(Get("cc", "k1"), "");
  auto recreate = Simulate([](TxSimulator& s) {
    ASSERT_EQ(s.GetState("cc", "k1").value(), "");
    ASSERT_TRUE(s.SetState("cc", "k1", "again").ok());
  });
  EXPECT_EQ(Commit({Tx(stale), Tx(recreate)}), (Codes{protos::MVCC_READ_CONFLICT, protos::VALID}));
  EXPECT_EQ(Get("cc", "k1"), "again");
  auto v = ledger_->state().Latest()->GetState("cc", "k1").value();
  EXPECT_EQ(v->version, (Height{3, 1}));
  // Delete and re-create in one block: the re-creating tx read "present", so it conflicts.
  auto del2 = Simulate([](TxSimulator& s) {
    ASSERT_EQ(s.GetState("cc", "k1").value(), "again");
    ASSERT_TRUE(s.DeleteState("cc", "k1").ok());
  });
  auto upd = Increment("k1");
  EXPECT_EQ(Commit({Tx(del2), Tx(upd)}), (Codes{protos::VALID, protos::MVCC_READ_CONFLICT}));
  EXPECT_EQ(Get("cc", "k1"), "");
}

TEST_F(MvccTest, CommitterMarkedTransactionsAreSkippedAndKeepTheirCode) {
  auto a = Simulate([](TxSimulator& s) { ASSERT_TRUE(s.SetState("cc", "x", "from-a").ok()); });
  auto b = Increment("k3");
  EXPECT_EQ(Commit({Tx(a), Tx(b)}, {protos::ENDORSEMENT_POLICY_FAILURE, protos::VALID}),
            (Codes{protos::ENDORSEMENT_POLICY_FAILURE, protos::VALID}));
  EXPECT_EQ(Get("cc", "x"), "");
  EXPECT_EQ(Get("cc", "k3"), "3+");
}

TEST_F(MvccTest, DuplicateTxIdsInBlockAndLedger) {
  std::string txid;
  auto env =
      Tx(Simulate([](TxSimulator& s) { ASSERT_TRUE(s.SetState("cc", "d", "1").ok()); }), &txid);
  EXPECT_EQ(Commit({env, env}), (Codes{protos::VALID, protos::DUPLICATE_TXID}));
  EXPECT_EQ(Commit({env}), Codes{protos::DUPLICATE_TXID});
  EXPECT_EQ(ledger_->GetTxValidationCodeByTxID(txid).value(), protos::VALID);
}

TEST_F(MvccTest, MalformedTransactionsAreMarkedNotFatal) {
  common::Envelope garbage;
  garbage.set_payload("\xff\xff\xff");
  common::Envelope no_action = testing::FastEndorserTx(kChannel, "t-noaction", {});
  {
    auto p = protoutil::Unmarshal<common::Payload>(no_action.payload(), "p").value();
    p.set_data("\x0a\x03\xff\xff\xff");  // Transaction with a malformed action
    no_action.set_payload(p.SerializeAsString());
  }
  common::Envelope bad_rwset;
  {
    rwset::TxReadWriteSet rw;
    auto* ns = rw.add_ns_rwset();
    ns->set_namespace_("cc");
    ns->set_rwset("\xff\xff");
    bad_rwset = testing::FastEndorserTx(kChannel, "t-badrw", rw);
  }
  auto good = Simulate([](TxSimulator& s) { ASSERT_TRUE(s.SetState("cc", "g", "1").ok()); });
  EXPECT_EQ(Commit({garbage, no_action, bad_rwset, Tx(good)}),
            (Codes{protos::BAD_PAYLOAD, protos::INVALID_ENDORSER_TRANSACTION, protos::BAD_RWSET,
                   protos::VALID}));
  EXPECT_EQ(Get("cc", "g"), "1");
}

TEST_F(MvccTest, MetadataWritesMergeWithValues) {
  auto md = Simulate([](TxSimulator& s) {
    ASSERT_TRUE(s.SetStateMetadata("cc", "k1", {{"VALIDATION_PARAMETER", "ep"}}).ok());
    ASSERT_TRUE(s.SetStateMetadata("cc", "absent", {{"X", "y"}}).ok());
  });
  EXPECT_EQ(Commit({Tx(md)}), Codes{protos::VALID});
  auto qe = ledger_->NewQueryExecutor();
  EXPECT_EQ(qe->GetStateMetadata("cc", "k1").value(), (Metadata{{"VALIDATION_PARAMETER", "ep"}}));
  EXPECT_EQ(qe->GetState("cc", "k1").value(), "1");
  EXPECT_EQ(qe->GetState("cc", "absent").value(), "");
  qe->Done();
  // A value write keeps the metadata, also after a restart (the namespace's metadata marker
  // is persisted); a metadata delete clears it.
  Restart();
  auto val = Simulate([](TxSimulator& s) { ASSERT_TRUE(s.SetState("cc", "k1", "2").ok()); });
  EXPECT_EQ(Commit({Tx(val)}), Codes{protos::VALID});
  EXPECT_EQ(ledger_->NewQueryExecutor()->GetStateMetadata("cc", "k1").value().size(), 1u);
  auto clr = Simulate([](TxSimulator& s) { ASSERT_TRUE(s.DeleteStateMetadata("cc", "k1").ok()); });
  EXPECT_EQ(Commit({Tx(clr)}), Codes{protos::VALID});
  EXPECT_TRUE(ledger_->NewQueryExecutor()->GetStateMetadata("cc", "k1").value().empty());
  EXPECT_EQ(Get("cc", "k1"), "2");
}

TEST_F(MvccTest, MetadataWrittenEarlierInTheBlockIsKeptByALaterValueWrite) {
  auto md = Simulate([](TxSimulator& s) {
    ASSERT_TRUE(s.SetStateMetadata("cc", "k3", {{"VP", "x"}}).ok());
  });
  auto val = Simulate([](TxSimulator& s) { ASSERT_TRUE(s.SetState("cc", "k3", "v").ok()); });
  EXPECT_EQ(Commit({Tx(md), Tx(val)}), (Codes{protos::VALID, protos::VALID}));
  auto qe = ledger_->NewQueryExecutor();
  EXPECT_EQ(qe->GetStateMetadata("cc", "k3").value(), (Metadata{{"VP", "x"}}));
  EXPECT_EQ(qe->GetState("cc", "k3").value(), "v");
}

}  // namespace
}  // namespace fabric::ledger
