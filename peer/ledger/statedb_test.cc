// SPDX-License-Identifier: Apache-2.0

#include "peer/ledger/statedb.h"

#include <gtest/gtest.h>

#include "peer/ledger/leveldb_util.h"
#include "peer/ledger/testing/temp_dir.h"
#include "peer/ledger/version.h"

namespace fabric::ledger {
namespace {

TEST(VersionTest, EncodesNumbersAsLengthThenSignificantBigEndianBytes) {
  EXPECT_EQ((Height{0, 0}.ToBytes()), std::string("\x00\x00", 2));
  EXPECT_EQ((Height{1, 2}.ToBytes()), std::string("\x01\x01\x01\x02", 4));
  EXPECT_EQ((Height{256, 0}.ToBytes()), std::string("\x02\x01\x00\x00", 4));
  EXPECT_EQ((Height{UINT64_MAX, 0}.ToBytes()).size(), 10u);
}

TEST(VersionTest, EncodingPreservesOrderAndRoundTrips) {
  std::vector<Height> hs = {{0, 0},   {0, 1},   {0, 255},   {1, 0},
                            {255, 7}, {256, 0}, {65536, 3}, {UINT64_MAX, UINT64_MAX}};
  for (size_t i = 0; i < hs.size(); ++i) {
    auto back = Height::FromBytes(hs[i].ToBytes());
    ASSERT_TRUE(back.ok());
    EXPECT_EQ(*back, hs[i]);
    if (i > 0) {
      EXPECT_LT(hs[i - 1].ToBytes(), hs[i].ToBytes()) << i;
    }
  }
  EXPECT_FALSE(Height::FromBytes(std::string("\x09\x01", 2)).ok());
  EXPECT_FALSE(Height::FromBytes(std::string("\x02\x01", 2)).ok());
}

TEST(StateCodecTest, ValueIsFormatByteThenVersionedValueProto) {
  VersionedValue vv{"v", "", Height{1, 2}};
  // 0x00, field 1 (version bytes, 4 bytes), field 2 (value).
  EXPECT_EQ(EncodeVersionedValue(vv), std::string("\x00\x0a\x04\x01\x01\x01\x02\x12\x01v", 10));
  vv.metadata = SerializeMetadata({{"a", "b"}});
  auto back = DecodeVersionedValue(EncodeVersionedValue(vv));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->value, "v");
  EXPECT_EQ(back->version, (Height{1, 2}));
  EXPECT_EQ(*DeserializeMetadata(back->metadata), (Metadata{{"a", "b"}}));
  EXPECT_EQ(DecodeVersionedValue("\x01").status().code(), StatusCode::kDataLoss);
  EXPECT_EQ(DecodeVersionedValue(std::string("\x00\x0a\x09", 3)).status().code(),
            StatusCode::kDataLoss);
}

class StateDBTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto h = OpenLevelDB(dir_.Sub("state"));
    ASSERT_TRUE(h.ok()) << h.status();
    handle_ = std::move(*h);
    db_ = std::make_unique<StateDB>(handle_->db(), "ch1");
  }
  testing::TempDir dir_;
  std::unique_ptr<LevelDBHandle> handle_;
  std::unique_ptr<StateDB> db_;
};

TEST_F(StateDBTest, AppliesUpdatesAndSavepointAtomically) {
  EXPECT_FALSE(db_->GetLatestSavePoint()->has_value());
  UpdateBatch b;
  b.Put("cc", "a", {"1", "", {1, 0}});
  b.Put("cc", "b", {"2", "", {1, 1}});
  ASSERT_TRUE(db_->ApplyUpdates(b, {1, 1}).ok());
  EXPECT_EQ(**db_->GetLatestSavePoint(), (Height{1, 1}));
  auto a = db_->Latest()->GetState("cc", "a");
  ASSERT_TRUE(a.ok());
  ASSERT_TRUE(a->has_value());
  EXPECT_EQ((*a)->value, "1");
  EXPECT_EQ((*a)->version, (Height{1, 0}));
  EXPECT_FALSE(db_->Latest()->GetState("cc", "zz")->has_value());
  EXPECT_FALSE(db_->Latest()->GetState("other", "a")->has_value());

  UpdateBatch d;
  d.Delete("cc", "a", {2, 0});
  ASSERT_TRUE(db_->ApplyUpdates(d, {2, 0}).ok());
  EXPECT_FALSE(db_->Latest()->GetState("cc", "a")->has_value());
  auto multi = db_->Latest()->GetStateMultipleKeys("cc", {"a", "b"});
  ASSERT_TRUE(multi.ok());
  EXPECT_FALSE((*multi)[0].has_value());
  EXPECT_EQ((*multi)[1]->value, "2");
}

TEST_F(StateDBTest, SnapshotDoesNotSeeLaterCommits) {
  UpdateBatch b;
  b.Put("cc", "a", {"1", "", {1, 0}});
  ASSERT_TRUE(db_->ApplyUpdates(b, {1, 0}).ok());
  auto snap = db_->NewSnapshot();
  UpdateBatch c;
  c.Put("cc", "a", {"2", "", {2, 0}});
  c.Put("cc", "b", {"x", "", {2, 0}});
  ASSERT_TRUE(db_->ApplyUpdates(c, {2, 0}).ok());
  EXPECT_EQ((*snap->GetState("cc", "a"))->value, "1");
  EXPECT_FALSE(snap->GetState("cc", "b")->has_value());
  auto it = snap->GetStateRangeScanIterator("cc", "", "");
  auto first = it->Next();
  ASSERT_TRUE(first.ok() && first->has_value());
  EXPECT_EQ((*first)->key, "a");
  EXPECT_FALSE(it->Next()->has_value());
  EXPECT_EQ((*db_->Latest()->GetState("cc", "a"))->value, "2");
}

TEST_F(StateDBTest, RangeScanIsBoundedByNamespaceAndEndKeyExclusive) {
  UpdateBatch b;
  for (const char* k : {"a", "b", "c", "d"}) {
    b.Put("cc", k, {k, "", {1, 0}});
  }
  b.Put("cc", std::string("b\x00x", 3), {"comp", "", {1, 0}});
  b.Put("cc2", "a", {"other-ns", "", {1, 0}});
  b.Put("c", "c", {"prefix-ns", "", {1, 0}});
  ASSERT_TRUE(db_->ApplyUpdates(b, {1, 0}).ok());
  StateDB other(handle_->db(), "ch");
  UpdateBatch o;
  o.Put("cc", "zz", {"other-channel", "", {1, 0}});
  ASSERT_TRUE(other.ApplyUpdates(o, {1, 0}).ok());

  auto keys = [&](std::string_view s, std::string_view e) {
    std::vector<std::string> out;
    auto it = db_->Latest()->GetStateRangeScanIterator("cc", s, e);
    while (true) {
      auto n = it->Next();
      EXPECT_TRUE(n.ok());
      if (!n.ok() || !n->has_value()) {
        break;
      }
      out.push_back((*n)->key);
    }
    return out;
  };
  std::vector<std::string> all = {"a", "b", std::string("b\x00x", 3), "c", "d"};
  EXPECT_EQ(keys("", ""), all);
  EXPECT_EQ(keys("b", "d"), (std::vector<std::string>{"b", std::string("b\x00x", 3), "c"}));
  EXPECT_EQ(keys("c", ""), (std::vector<std::string>{"c", "d"}));
  auto it = db_->Latest()->GetStateRangeScanIterator("cc", "c", "");
  EXPECT_EQ(it->PeekKey(), "c");
  ASSERT_TRUE(it->Next().ok());
  ASSERT_TRUE(it->Next().ok());
  EXPECT_EQ(it->PeekKey(), "");
  EXPECT_EQ(other.Latest()->GetState("cc", "zz")->value().value, "other-channel");
  EXPECT_FALSE(db_->Latest()->GetState("cc", "zz")->has_value());
}

TEST(UpdateBatchTest, LastWriteWinsAndCountsKeys) {
  UpdateBatch b;
  b.Put("ns", "k", {"1", "", {1, 0}});
  b.Delete("ns", "k", {1, 1});
  b.Put("ns", "j", {"2", "", {1, 2}});
  EXPECT_EQ(b.size(), 2u);
  ASSERT_NE(b.Get("ns", "k"), nullptr);
  EXPECT_TRUE(b.Get("ns", "k")->is_delete);
  EXPECT_EQ(b.Get("ns", "k")->value.version, (Height{1, 1}));
  EXPECT_EQ(b.Get("ns", "x"), nullptr);
  EXPECT_EQ(b.GetNamespace("none"), nullptr);
  EXPECT_EQ(b.GetNamespace("ns")->size(), 2u);
}

}  // namespace
}  // namespace fabric::ledger
