// SPDX-License-Identifier: Apache-2.0

#include "peer/ledger/tx_simulator.h"

#include <gtest/gtest.h>

#include "peer/ledger/leveldb_util.h"
#include "peer/ledger/rwset_builder.h"
#include "peer/ledger/testing/temp_dir.h"

namespace fabric::ledger {
namespace {

class TxSimulatorTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto h = OpenLevelDB(dir_.Sub("state"));
    ASSERT_TRUE(h.ok()) << h.status();
    handle_ = std::move(*h);
    db_ = std::make_unique<StateDB>(handle_->db(), "ch");
    UpdateBatch b;
    b.Put("cc", "a", {"va", "", {1, 0}});
    b.Put("cc", "b", {"vb", SerializeMetadata({{"VALIDATION_PARAMETER", "p"}}), {1, 1}});
    b.Put("cc", "c", {"vc", "", {2, 3}});
    b.Put("cc", "d", {"vd", "", {2, 4}});
    ASSERT_TRUE(db_->ApplyUpdates(b, {2, 4}).ok());
  }

  // The simulation's single namespace rwset, parsed.
  static std::vector<NsRwSet> Results(TxSimulator& sim) {
    auto rw = sim.GetTxSimulationResults();
    EXPECT_TRUE(rw.ok()) << rw.status();
    auto parsed = ParseTxRwSet(rw->SerializeAsString());
    EXPECT_TRUE(parsed.ok());
    return *parsed;
  }

  static std::vector<std::string> Drain(QueryResultsIterator& it) {
    std::vector<std::string> keys;
    while (true) {
      auto n = it.Next();
      EXPECT_TRUE(n.ok()) << n.status();
      if (!n.ok() || !n->has_value()) {
        return keys;
      }
      keys.push_back((*n)->key());
    }
  }

  testing::TempDir dir_;
  std::unique_ptr<LevelDBHandle> handle_;
  std::unique_ptr<StateDB> db_;
};

TEST_F(TxSimulatorTest, RecordsReadsWithVersionsAndAbsentKeysWithoutVersion) {
  auto sim = NewTxSimulator(db_->NewSnapshot(), "tx1");
  EXPECT_EQ(*sim->GetState("cc", "a"), "va");
  EXPECT_EQ(*sim->GetState("cc", "zz"), "");
  auto rw = sim->GetTxSimulationResults();
  ASSERT_TRUE(rw.ok());
  EXPECT_EQ(rw->data_model(), rwset::TxReadWriteSet::KV);
  ASSERT_EQ(rw->ns_rwset_size(), 1);
  EXPECT_EQ(rw->ns_rwset(0).namespace_(), "cc");
  EXPECT_EQ(rw->ns_rwset(0).collection_hashed_rwset_size(), 0);
  kvrwset::KVRWSet kv;
  ASSERT_TRUE(kv.ParseFromString(rw->ns_rwset(0).rwset()));
  ASSERT_EQ(kv.reads_size(), 2);
  EXPECT_EQ(kv.reads(0).key(), "a");
  ASSERT_TRUE(kv.reads(0).has_version());
  EXPECT_EQ(kv.reads(0).version().block_num(), 1u);
  EXPECT_EQ(kv.reads(0).version().tx_num(), 0u);
  EXPECT_EQ(kv.reads(1).key(), "zz");
  EXPECT_FALSE(kv.reads(1).has_version());
  EXPECT_EQ(kv.writes_size(), 0);
  EXPECT_EQ(kv.range_queries_info_size(), 0);
  EXPECT_EQ(kv.metadata_writes_size(), 0);
}

TEST_F(TxSimulatorTest, NoReadYourOwnWrites) {
  auto sim = NewTxSimulator(db_->NewSnapshot(), "tx1");
  ASSERT_TRUE(sim->SetState("cc", "a", "new").ok());
  ASSERT_TRUE(sim->SetState("cc", "n", "created").ok());
  EXPECT_EQ(*sim->GetState("cc", "a"), "va");
  EXPECT_EQ(*sim->GetState("cc", "n"), "");
}

TEST_F(TxSimulatorTest, WritesDeletesAndMetadataAreSortedAndLastWriteWins) {
  auto sim = NewTxSimulator(db_->NewSnapshot(), "tx1");
  ASSERT_TRUE(sim->SetState("zz", "k", "1").ok());
  ASSERT_TRUE(sim->SetState("cc", "y", "first").ok());
  ASSERT_TRUE(sim->SetState("cc", "y", "second").ok());
  ASSERT_TRUE(sim->DeleteState("cc", "b").ok());
  ASSERT_TRUE(sim->SetStateMultipleKeys("cc", {{"m1", "x"}, {"m0", "y"}}).ok());
  ASSERT_TRUE(sim->SetStateMetadata("cc", "a", {{"z", "1"}, {"b", "2"}}).ok());
  ASSERT_TRUE(sim->DeleteStateMetadata("cc", "c").ok());
  auto ns = Results(*sim);
  ASSERT_EQ(ns.size(), 2u);
  EXPECT_EQ(ns[0].ns, "cc");
  EXPECT_EQ(ns[1].ns, "zz");
  const auto& kv = ns[0].kv;
  ASSERT_EQ(kv.writes_size(), 4);
  EXPECT_EQ(kv.writes(0).key(), "b");
  EXPECT_TRUE(kv.writes(0).is_delete());
  EXPECT_EQ(kv.writes(0).value(), "");
  EXPECT_EQ(kv.writes(1).key(), "m0");
  EXPECT_EQ(kv.writes(2).key(), "m1");
  EXPECT_EQ(kv.writes(3).key(), "y");
  EXPECT_EQ(kv.writes(3).value(), "second");
  EXPECT_FALSE(kv.writes(3).is_delete());
  ASSERT_EQ(kv.metadata_writes_size(), 2);
  EXPECT_EQ(kv.metadata_writes(0).key(), "a");
  ASSERT_EQ(kv.metadata_writes(0).entries_size(), 2);
  EXPECT_EQ(kv.metadata_writes(0).entries(0).name(), "b");
  EXPECT_EQ(kv.metadata_writes(0).entries(1).name(), "z");
  EXPECT_EQ(kv.metadata_writes(1).key(), "c");
  EXPECT_EQ(kv.metadata_writes(1).entries_size(), 0);
}

TEST_F(TxSimulatorTest, SameSimulationGivesSameBytesRegardlessOfCallOrder) {
  auto s1 = NewTxSimulator(db_->NewSnapshot(), "t");
  auto s2 = NewTxSimulator(db_->NewSnapshot(), "t");
  ASSERT_TRUE(s1->SetState("b", "2", "x").ok());
  ASSERT_TRUE(s1->SetState("a", "1", "y").ok());
  ASSERT_TRUE(s1->GetState("cc", "d").ok());
  ASSERT_TRUE(s1->GetState("cc", "a").ok());
  ASSERT_TRUE(s2->GetState("cc", "a").ok());
  ASSERT_TRUE(s2->SetState("a", "1", "y").ok());
  ASSERT_TRUE(s2->GetState("cc", "d").ok());
  ASSERT_TRUE(s2->SetState("b", "2", "x").ok());
  EXPECT_EQ(s1->GetTxSimulationResults()->SerializeAsString(),
            s2->GetTxSimulationResults()->SerializeAsString());
}

TEST_F(TxSimulatorTest, ExhaustedRangeQueryRecordsRawReadsAndQueryEndKey) {
  auto sim = NewTxSimulator(db_->NewSnapshot(), "tx1");
  auto it = sim->GetStateRangeScanIterator("cc", "b", "d");
  ASSERT_TRUE(it.ok());
  EXPECT_EQ(Drain(**it), (std::vector<std::string>{"b", "c"}));
  (*it)->Close();
  auto ns = Results(*sim);
  ASSERT_EQ(ns.size(), 1u);
  ASSERT_EQ(ns[0].kv.range_queries_info_size(), 1);
  const auto& rq = ns[0].kv.range_queries_info(0);
  EXPECT_EQ(rq.start_key(), "b");
  EXPECT_EQ(rq.end_key(), "d");
  EXPECT_TRUE(rq.itr_exhausted());
  ASSERT_TRUE(rq.has_raw_reads());
  ASSERT_EQ(rq.raw_reads().kv_reads_size(), 2);
  EXPECT_EQ(rq.raw_reads().kv_reads(0).key(), "b");
  EXPECT_EQ(rq.raw_reads().kv_reads(0).version().tx_num(), 1u);
  EXPECT_EQ(rq.raw_reads().kv_reads(1).key(), "c");
  EXPECT_EQ(rq.raw_reads().kv_reads(1).version().block_num(), 2u);
  EXPECT_EQ(ns[0].kv.reads_size(), 0);  // range reads are not point reads
}

TEST_F(TxSimulatorTest, PartiallyReadRangeRecordsLastKeyAndNotExhausted) {
  auto sim = NewTxSimulator(db_->NewSnapshot(), "tx1");
  auto it = sim->GetStateRangeScanIterator("cc", "", "");
  ASSERT_TRUE(it.ok());
  auto first = (*it)->Next();
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->namespace_(), "cc");
  EXPECT_EQ((*first)->key(), "a");
  EXPECT_EQ((*first)->value(), "va");
  it->reset();
  auto ns = Results(*sim);
  const auto& rq = ns[0].kv.range_queries_info(0);
  EXPECT_EQ(rq.start_key(), "");
  EXPECT_EQ(rq.end_key(), "a");
  EXPECT_FALSE(rq.itr_exhausted());
  EXPECT_EQ(rq.raw_reads().kv_reads_size(), 1);
}

TEST_F(TxSimulatorTest, PaginationReturnsPagesAndBookmarks) {
  auto qe = NewQueryExecutor(db_->NewSnapshot());
  auto p1 = qe->GetStateRangeScanIteratorWithPagination("cc", "", "", 3);
  ASSERT_TRUE(p1.ok());
  EXPECT_EQ(Drain(**p1), (std::vector<std::string>{"a", "b", "c"}));
  std::string bookmark = (*p1)->GetBookmarkAndClose();
  EXPECT_EQ(bookmark, "d");
  auto p2 = qe->GetStateRangeScanIteratorWithPagination("cc", bookmark, "", 3);
  EXPECT_EQ(Drain(**p2), (std::vector<std::string>{"d"}));
  EXPECT_EQ((*p2)->GetBookmarkAndClose(), "");
  EXPECT_FALSE((*p2)->Next().ok());
  EXPECT_FALSE(qe->GetStateRangeScanIteratorWithPagination("cc", "", "", 0).ok());
}

TEST_F(TxSimulatorTest, PaginatedQueriesOnlyInReadOnlySimulations) {
  auto sim = NewTxSimulator(db_->NewSnapshot(), "tx1");
  ASSERT_TRUE(sim->SetState("cc", "a", "x").ok());
  EXPECT_EQ(sim->GetStateRangeScanIteratorWithPagination("cc", "", "", 2).status().code(),
            StatusCode::kFailedPrecondition);
  auto ro = NewTxSimulator(db_->NewSnapshot(), "tx2");
  ASSERT_TRUE(ro->GetStateRangeScanIteratorWithPagination("cc", "", "", 2).ok());
  EXPECT_EQ(ro->SetState("cc", "a", "x").code(), StatusCode::kFailedPrecondition);
}

TEST_F(TxSimulatorTest, MetadataReadRecordsVersion) {
  auto sim = NewTxSimulator(db_->NewSnapshot(), "tx1");
  auto md = sim->GetStateMetadata("cc", "b");
  ASSERT_TRUE(md.ok());
  EXPECT_EQ(*md, (Metadata{{"VALIDATION_PARAMETER", "p"}}));
  EXPECT_TRUE(sim->GetStateMetadata("cc", "a")->empty());
  EXPECT_TRUE(sim->GetStateMetadata("cc", "none")->empty());
  EXPECT_EQ(Results(*sim)[0].kv.reads_size(), 3);
}

TEST_F(TxSimulatorTest, RichQueriesAreUnimplemented) {
  auto sim = NewTxSimulator(db_->NewSnapshot(), "tx1");
  auto r = sim->ExecuteQuery("cc", "{\"selector\":{}}");
  EXPECT_EQ(r.status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(r.status().message(), "ExecuteQuery not supported for leveldb");  // Fabric's text
  EXPECT_EQ(sim->ExecuteUpdate("x").code(), StatusCode::kUnimplemented);
  EXPECT_EQ(sim->GetPrivateData("cc", "coll", "k").status().code(), StatusCode::kUnimplemented);
  EXPECT_EQ(sim->SetPrivateData("cc", "coll", "k", "v").code(), StatusCode::kUnimplemented);
  EXPECT_EQ(sim->DeletePrivateData("cc", "coll", "k").code(), StatusCode::kUnimplemented);
}

TEST_F(TxSimulatorTest, QueryExecutorDoneClosesItsIterators) {
  auto qe = NewQueryExecutor(db_->NewSnapshot());
  auto it = qe->GetStateRangeScanIterator("cc", "", "");
  ASSERT_TRUE(it.ok());
  EXPECT_EQ((*it)->Next().value()->key(), "a");
  qe->Done();
  EXPECT_EQ((*it)->Next().status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(TxSimulatorTest, DoneReleasesSnapshotAndClosesIterators) {
  auto sim = NewTxSimulator(db_->NewSnapshot(), "tx1");
  auto it = sim->GetStateRangeScanIterator("cc", "", "");
  ASSERT_TRUE(it.ok());
  ASSERT_TRUE(sim->SetState("cc", "q", "1").ok());
  sim->Done();
  EXPECT_EQ(sim->GetState("cc", "a").status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ((*it)->Next().status().code(), StatusCode::kFailedPrecondition);
  EXPECT_EQ(sim->SetState("cc", "a", "x").code(), StatusCode::kFailedPrecondition);
  // The results recorded before Done() are still available, once.
  auto rw = sim->GetTxSimulationResults();
  ASSERT_TRUE(rw.ok());
  EXPECT_EQ(sim->GetTxSimulationResults().status().code(), StatusCode::kFailedPrecondition);
}

TEST_F(TxSimulatorTest, SimulationReadsOneSnapshotWhileCommitsProceed) {
  auto sim = NewTxSimulator(db_->NewSnapshot(), "tx1");
  UpdateBatch b;
  b.Put("cc", "a", {"changed", "", {3, 0}});
  b.Put("cc", "aa", {"inserted", "", {3, 0}});
  ASSERT_TRUE(db_->ApplyUpdates(b, {3, 0}).ok());
  EXPECT_EQ(*sim->GetState("cc", "a"), "va");
  auto it = sim->GetStateRangeScanIterator("cc", "a", "b");
  EXPECT_EQ(Drain(**it), (std::vector<std::string>{"a"}));
}

TEST_F(TxSimulatorTest, RejectsInvalidUtf8Keys) {
  auto sim = NewTxSimulator(db_->NewSnapshot(), "tx1");
  EXPECT_EQ(sim->SetState("cc", "\xff\xfe", "x").code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(sim->SetState("cc", "\xc0\x80", "x").code(), StatusCode::kInvalidArgument);
  EXPECT_TRUE(sim->SetState("cc", "caf\xc3\xa9", "x").ok());
  EXPECT_TRUE(sim->SetState("cc", std::string("\x00obj\x00k\x00", 7), "x").ok());
}

TEST(RWSetBuilderTest, DeduplicatesIdenticalRangeQueries) {
  RWSetBuilder b;
  kvrwset::RangeQueryInfo rq;
  rq.set_start_key("a");
  rq.set_end_key("b");
  b.AddToRangeQuerySet("ns", rq);
  b.AddToRangeQuerySet("ns", rq);
  rq.set_itr_exhausted(true);
  b.AddToRangeQuerySet("ns", rq);
  auto parsed = ParseTxRwSet(b.GetTxSimulationResults().SerializeAsString());
  ASSERT_TRUE(parsed.ok());
  EXPECT_EQ((*parsed)[0].kv.range_queries_info_size(), 2);
  EXPECT_FALSE(ParseTxRwSet("\xff\xff").ok());
}

}  // namespace
}  // namespace fabric::ledger
