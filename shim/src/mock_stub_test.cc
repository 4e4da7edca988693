// SPDX-License-Identifier: Apache-2.0

#include "fabric/shim/mock_stub.h"

#include <gtest/gtest.h>

#include "common/common.pb.h"
#include "src/sha256.h"
#include "src/testing/test_chaincode.h"

namespace fabric::shim {
namespace {

using testing::TestChaincode;

class MockStubTest : public ::testing::Test {
 protected:
  void Put(const std::string& k, const std::string& v) {
    ASSERT_EQ(stub_.MockInvoke("put-" + k, {"put", k, v}).status, 200);
  }
  TestChaincode cc_;
  MockStub stub_{"mycc", cc_};
};

TEST_F(MockStubTest, InitAndInvokeRunInMockTransactions) {
  Response r = stub_.MockInit("tx1", {"init"});
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.payload, "init ok");
  EXPECT_EQ(stub_.State().at("initialized"), "yes");
  EXPECT_EQ(stub_.MockInvoke("tx2", {"get", "initialized"}).payload, "yes");
  EXPECT_EQ(stub_.MockInvoke("tx3", {"nope"}).status, 500);
}

TEST_F(MockStubTest, WritesNeedATransaction) {
  EXPECT_TRUE(stub_.PutState("k", "v").IsFailedPrecondition());
  stub_.MockTransactionStart("manual");
  EXPECT_TRUE(stub_.PutState("k", "v").ok());
  EXPECT_TRUE(stub_.PutState("", "v").IsInvalidArgument());
  stub_.MockTransactionEnd();
  EXPECT_EQ(stub_.State().at("k"), "v");
}

TEST_F(MockStubTest, EmptyValueDeletes) {
  Put("k", "v");
  stub_.MockTransactionStart("t");
  ASSERT_TRUE(stub_.PutState("k", "").ok());
  stub_.MockTransactionEnd();
  EXPECT_EQ(stub_.State().count("k"), 0u);
}

TEST_F(MockStubTest, RangeIsSortedHalfOpenAndSkipsCompositeKeys) {
  for (std::string k : {"b", "a", "d", "c"}) {
    Put(k, "v" + k);
  }
  stub_.MockTransactionStart("t");
  ASSERT_TRUE(stub_.PutState(*CreateCompositeKey("type", {"x"}), "composite").ok());
  stub_.MockTransactionEnd();
  EXPECT_EQ(stub_.MockInvoke("r1", {"range", "b", "d"}).payload, "b=vb;c=vc;");
  EXPECT_EQ(stub_.MockInvoke("r2", {"range", "", ""}).payload, "a=va;b=vb;c=vc;d=vd;");
}

TEST_F(MockStubTest, PaginationReturnsBookmarkOfNextKey) {
  for (std::string k : {"a", "b", "c", "d", "e"}) {
    Put(k, k);
  }
  stub_.MockTransactionStart("t");
  auto page = stub_.GetStateByRangeWithPagination("", "", 2, "");
  ASSERT_TRUE(page.ok());
  EXPECT_EQ(page->metadata.fetched_records_count(), 2);
  EXPECT_EQ(page->metadata.bookmark(), "c");
  auto last = stub_.GetStateByRangeWithPagination("", "", 10, "c");
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->metadata.fetched_records_count(), 3);
  EXPECT_EQ(last->metadata.bookmark(), "");
  EXPECT_EQ((*last->iterator->Next()).key(), "c");
  stub_.MockTransactionEnd();
}

TEST_F(MockStubTest, PartialCompositeKeyQuery) {
  stub_.MockTransactionStart("t");
  for (auto [owner, id] : std::vector<std::pair<std::string, std::string>>{
           {"alice", "1"}, {"bob", "2"}, {"alice", "3"}}) {
    ASSERT_TRUE(stub_.PutState(*stub_.CreateCompositeKey("owner~id", {owner, id}), "x").ok());
  }
  auto it = stub_.GetStateByPartialCompositeKey("owner~id", {"alice"});
  ASSERT_TRUE(it.ok());
  std::vector<std::string> ids;
  while ((*it)->HasNext()) {
    auto parts = stub_.SplitCompositeKey((*(*it)->Next()).key());
    ASSERT_TRUE(parts.ok());
    ids.push_back(parts->attributes.at(1));
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"1", "3"}));
  EXPECT_FALSE((*it)->Next().ok());
  stub_.MockTransactionEnd();
}

TEST_F(MockStubTest, HistoryRecordsEveryWriteOldestFirst) {
  Put("k", "1");
  Put("k", "2");
  ASSERT_EQ(stub_.MockInvoke("del", {"del", "k"}).status, 200);
  EXPECT_EQ(stub_.MockInvoke("h", {"history", "k"}).payload, "put-k=1;put-k=2;del=<del>;");
}

TEST_F(MockStubTest, EventsCreatorTransientAndTimestamp) {
  ASSERT_EQ(stub_.MockInvoke("e1", {"event", "evt", "data"}).status, 200);
  ASSERT_EQ(stub_.Events().size(), 1u);
  EXPECT_EQ(stub_.Events()[0].event_name(), "evt");
  EXPECT_EQ(stub_.Events()[0].tx_id(), "e1");
  stub_.SetCreator("me");
  stub_.SetTransient({{"secret", "s"}});
  stub_.SetClock([] {
    google::protobuf::Timestamp ts;
    ts.set_seconds(42);
    return ts;
  });
  EXPECT_EQ(stub_.MockInvoke("c", {"ctx"}).payload, "me||s|42");
}

TEST_F(MockStubTest, SignedProposalGivesBinding) {
  common::ChannelHeader chdr;
  chdr.set_type(common::ENDORSER_TRANSACTION);
  chdr.mutable_timestamp()->set_seconds(5);
  common::SignatureHeader shdr;
  shdr.set_creator("c");
  shdr.set_nonce("n");
  common::Header hdr;
  hdr.set_channel_header(chdr.SerializeAsString());
  hdr.set_signature_header(shdr.SerializeAsString());
  protos::Proposal prop;
  prop.set_header(hdr.SerializeAsString());
  protos::SignedProposal sp;
  sp.set_proposal_bytes(prop.SerializeAsString());
  std::string binding = internal::Sha256("nc" + std::string(8, '\0'));
  EXPECT_EQ(stub_.MockInvokeWithSignedProposal("p", {"ctx"}, sp).payload,
            "c|" + testing::Hex(binding) + "||5");
  sp.set_proposal_bytes("\xff");
  EXPECT_EQ(stub_.MockInvokeWithSignedProposal("p2", {"ctx"}, sp).status, 500);
}

TEST_F(MockStubTest, InvokeChaincodeCallsRegisteredMockStub) {
  TestChaincode other_cc;
  MockStub other("other", other_cc);
  other.MockTransactionStart("seed");
  ASSERT_TRUE(other.PutState("a", "42").ok());
  other.MockTransactionEnd();
  stub_.MockPeerChaincode("other", other, "ch2");
  EXPECT_EQ(stub_.MockInvoke("x", {"invoke", "other", "ch2", "get", "a"}).payload, "42");
  Response missing = stub_.MockInvoke("y", {"invoke", "other", "", "get", "a"});
  EXPECT_EQ(missing.status, 500);
  stub_.MockPeerChaincode("self", stub_);
  EXPECT_EQ(stub_.MockInvoke("z", {"invoke", "self", "", "get", "a"}).status, 500);  // Re-entry.
}

TEST_F(MockStubTest, ValidationParametersPrivateDataAndRichQuery) {
  EXPECT_EQ(stub_.MockInvoke("m", {"metadata", "k", "ep"}).payload, "ep");
  stub_.MockTransactionStart("p");
  ASSERT_TRUE(stub_.PutPrivateData("coll", "k", "secret").ok());
  EXPECT_EQ(*stub_.GetPrivateData("coll", "k"), "secret");
  EXPECT_EQ(*stub_.GetPrivateDataHash("coll", "k"), internal::Sha256("secret"));
  EXPECT_TRUE(stub_.GetPrivateData("", "k").status().IsInvalidArgument());
  EXPECT_EQ(*stub_.GetState("k"), "");
  EXPECT_EQ(stub_.GetQueryResult("{}").status().code(), StatusCode::kUnimplemented);
  stub_.MockTransactionEnd();
}

TEST_F(MockStubTest, ThrowingChaincodeBecomes500) {
  Response r = stub_.MockInvoke("t", {"throw"});
  EXPECT_EQ(r.status, 500);
  EXPECT_NE(r.message.find("boom"), std::string::npos);
}

TEST_F(MockStubTest, ArgsHelpers) {
  stub_.MockTransactionStart("t");
  EXPECT_EQ(stub_.GetFunctionAndParameters().first, "");
  stub_.MockTransactionEnd();
}

}  // namespace
}  // namespace fabric::shim
