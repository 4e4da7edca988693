// SPDX-License-Identifier: Apache-2.0
#include "common/protoutil/blockutils.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/configtx.pb.h"
#include "common/crypto/hash.h"
#include "common/protoutil/testing/test_signer.h"
#include "common/protoutil/txutils.h"

namespace fabric::protoutil {
namespace {

using ::testing::HasSubstr;

std::string Bytes(std::initializer_list<int> b) {
  std::string s;
  for (int c : b) {
    s.push_back(static_cast<char>(c));
  }
  return s;
}

TEST(BlockHeaderTest, DerOfGenesisHeader) {
  common::BlockHeader h;
  // SEQUENCE { INTEGER 0, OCTET STRING "", OCTET STRING "" }
  EXPECT_EQ(BlockHeaderBytes(h), Bytes({0x30, 0x07, 0x02, 0x01, 0x00, 0x04, 0x00, 0x04, 0x00}));
}

TEST(BlockHeaderTest, DerIntegersStayPositiveAndMinimal) {
  common::BlockHeader h;
  h.set_number(128);  // high bit set: needs a leading zero byte
  EXPECT_EQ(BlockHeaderBytes(h),
            Bytes({0x30, 0x08, 0x02, 0x02, 0x00, 0x80, 0x04, 0x00, 0x04, 0x00}));
  h.set_number(0x0102);
  EXPECT_EQ(BlockHeaderBytes(h).substr(2, 4), Bytes({0x02, 0x02, 0x01, 0x02}));
  h.set_number(UINT64_MAX);
  EXPECT_EQ(BlockHeaderBytes(h).substr(2, 11),
            Bytes({0x02, 0x09, 0x00, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff}));
}

TEST(BlockHeaderTest, DerLongFormLengths) {
  common::BlockHeader h;
  h.set_number(1);
  h.set_previous_hash(std::string(32, 'p'));
  h.set_data_hash(std::string(200, 'd'));
  std::string der = BlockHeaderBytes(h);
  // body = 3 (int) + 34 (prev) + 203 (data, length 0x81 0xc8) = 240 -> 0x30 0x81 0xf0
  EXPECT_EQ(der.substr(0, 3), Bytes({0x30, 0x81, 0xf0}));
  EXPECT_EQ(der.size(), 243u);
  EXPECT_EQ(der.substr(3 + 3 + 34, 3), Bytes({0x04, 0x81, 0xc8}));
  EXPECT_EQ(BlockHeaderHash(h), crypto::Sha256(der));
}

TEST(BlockTest, NewBlockHasOneMetadataEntryPerIndex) {
  common::Block b = NewBlock(7, "prev");
  EXPECT_EQ(b.header().number(), 7u);
  EXPECT_EQ(b.header().previous_hash(), "prev");
  EXPECT_EQ(b.metadata().metadata_size(), 5);  // SIGNATURES .. COMMIT_HASH
  EXPECT_EQ(b.data().data_size(), 0);
}

TEST(BlockTest, DataHashIsShaOfConcatenatedEntries) {
  common::Block b = NewBlock(1, "");
  b.mutable_data()->add_data("ab");
  b.mutable_data()->add_data("c");
  SealBlock(b);
  EXPECT_EQ(crypto::HexEncode(b.header().data_hash()),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

TEST(BlockTest, ChainsThroughHeaderHash) {
  common::Block genesis = NewBlock(0, "");
  SealBlock(genesis);
  common::Block next = NewBlock(1, BlockHeaderHash(genesis.header()));
  EXPECT_EQ(next.header().previous_hash().size(), 32u);
}

TEST(BlockTest, ExtractsEnvelopesAndChannel) {
  testing::TestSigner signer;
  common::Block b = NewBlock(0, "");
  common::ConfigEnvelope config;
  common::Envelope env = CreateSignedEnvelope(common::CONFIG, "mychannel", signer, config).value();
  b.mutable_data()->add_data(env.SerializeAsString());
  EXPECT_EQ(ChannelIdFromBlock(b).value(), "mychannel");
  EXPECT_TRUE(IsConfigBlock(b));
  EXPECT_EQ(ExtractEnvelope(b, 0)->signature(), env.signature());

  Status s = ExtractEnvelope(b, 1).status();
  EXPECT_EQ(s.code(), StatusCode::kOutOfRange);
  EXPECT_THAT(std::string(s.message()), HasSubstr("no index 1"));

  b.mutable_data()->set_data(0, "\x0a\xff\x01");
  EXPECT_TRUE(ExtractEnvelope(b, 0).status().IsInvalidArgument());
  EXPECT_FALSE(IsConfigBlock(b));
  EXPECT_TRUE(ChannelIdFromBlock(NewBlock(3, "")).status().IsInvalidArgument());
}

}  // namespace
}  // namespace fabric::protoutil
