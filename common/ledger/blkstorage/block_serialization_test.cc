// SPDX-License-Identifier: Apache-2.0
#include "common/ledger/blkstorage/block_serialization.h"

#include <random>

#include <gtest/gtest.h>

#include "common/ledger/blkstorage/block_file.h"
#include "common/ledger/blkstorage/block_index.h"
#include "common/ledger/blkstorage/testing/chain_builder.h"

namespace fabric::ledger::blkstorage {
namespace {

using testing::ChainBuilder;

TEST(BlockSerializationTest, RoundTripsAndLocatesEachEnvelope) {
  ChainBuilder chain;
  common::Block block = chain.NextBlock(3);
  SerializedBlock ser = SerializeBlock(block);
  ASSERT_EQ(ser.txs.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    const TxLocation& loc = ser.txs[i];
    EXPECT_EQ(ser.bytes.substr(loc.offset, loc.length), block.data().data(i));
    common::Envelope env;
    ASSERT_TRUE(env.ParseFromString(block.data().data(i)));
    EXPECT_EQ(loc.txid, ChainBuilder::TxId(env));
    EXPECT_EQ(loc.txid.size(), 64u);
  }
  std::vector<TxLocation> txs;
  StatusOr<common::Block> back = DeserializeBlock(ser.bytes, &txs);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->SerializeAsString(), block.SerializeAsString());
  ASSERT_EQ(txs.size(), 3u);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(txs[i].txid, ser.txs[i].txid);
    EXPECT_EQ(txs[i].offset, ser.txs[i].offset);
    EXPECT_EQ(txs[i].length, ser.txs[i].length);
  }
}

TEST(BlockSerializationTest, UsesFabricsLayout) {
  common::Block block;
  block.mutable_header()->set_number(300);
  block.mutable_header()->set_data_hash("DH");
  block.mutable_header()->set_previous_hash("P");
  block.mutable_data()->add_data("tx");
  block.mutable_metadata()->add_metadata("");
  block.mutable_metadata()->add_metadata("m");
  // varint(300) | 2 "DH" | 1 "P" | 1 tx: 2 "tx" | 2 entries: 0 "", 1 "m"
  std::string want(
      "\xac\x02\x02"
      "DH"
      "\x01"
      "P"
      "\x01\x02"
      "tx"
      "\x02\x00\x01"
      "m",
      15);
  EXPECT_EQ(SerializeBlock(block).bytes, want);
}

TEST(BlockSerializationTest, MalformedBytesAreDataLossNeverCrash) {
  ChainBuilder chain;
  std::string good = SerializeBlock(chain.NextBlock(2)).bytes;
  for (size_t cut = 0; cut < good.size(); cut += 7) {
    EXPECT_TRUE(DeserializeBlock(good.substr(0, cut)).status().IsDataLoss()) << cut;
  }
  EXPECT_TRUE(DeserializeBlock(good + "x").status().IsDataLoss());
  std::mt19937 rng(42);
  for (int i = 0; i < 2000; ++i) {
    std::string junk(rng() % 64, '\0');
    for (char& c : junk) {
      c = static_cast<char>(rng());
    }
    (void)DeserializeBlock(junk);
    (void)ParseRecord(junk, 0);
    (void)ExtractTxId(junk);
  }
  // A huge claimed transaction count must not allocate.
  std::string huge("\x01\x00\x00\xff\xff\xff\xff\xff\xff\xff\xff\x7f", 12);
  EXPECT_TRUE(DeserializeBlock(huge).status().IsDataLoss());
}

TEST(BlockSerializationTest, VarintsRoundTripAndRejectOverlong) {
  for (uint64_t v : std::vector<uint64_t>{0, 1, 127, 128, 300, 1ull << 35, UINT64_MAX}) {
    std::string s;
    AppendVarint(s, v);
    EXPECT_EQ(s.size(), VarintSize(v));
    size_t pos = 0;
    uint64_t out = 0;
    ASSERT_TRUE(DecodeVarint(s, &pos, &out));
    EXPECT_EQ(out, v);
    EXPECT_EQ(pos, s.size());
    size_t pos2 = 0;
    EXPECT_FALSE(DecodeVarint(s.substr(0, s.size() - 1), &pos2, &out));
    EXPECT_EQ(pos2, 0u);
  }
  std::string overlong(11, '\x80');
  size_t pos = 0;
  uint64_t out = 0;
  EXPECT_FALSE(DecodeVarint(overlong, &pos, &out));
}

TEST(BlockSerializationTest, OrderPreservingEncodingMatchesFabric) {
  EXPECT_EQ(EncodeOrderPreservingVarUint64(0), std::string("\x00", 1));
  EXPECT_EQ(EncodeOrderPreservingVarUint64(1), std::string("\x01\x01", 2));
  EXPECT_EQ(EncodeOrderPreservingVarUint64(256), std::string("\x02\x01\x00", 3));
  EXPECT_LT(EncodeOrderPreservingVarUint64(255), EncodeOrderPreservingVarUint64(256));
  EXPECT_LT(EncodeOrderPreservingVarUint64(9), EncodeOrderPreservingVarUint64(10));
}

TEST(BlockSerializationTest, RecordSpansClassifyTornRecords) {
  std::string record;
  AppendVarint(record, 5);
  record += "hello";
  EXPECT_EQ(ParseRecord(record, 0).kind, RecordSpan::Kind::kOk);
  EXPECT_EQ(ParseRecord(record, 0).end, record.size());
  EXPECT_EQ(ParseRecord(record, record.size()).kind, RecordSpan::Kind::kEnd);
  EXPECT_EQ(ParseRecord(record.substr(0, 3), 0).kind, RecordSpan::Kind::kPartial);
  EXPECT_EQ(ParseRecord(std::string("\xff", 1), 0).kind, RecordSpan::Kind::kPartial);
}

}  // namespace
}  // namespace fabric::ledger::blkstorage
