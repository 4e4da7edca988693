// SPDX-License-Identifier: Apache-2.0
//
// The real ChaincodeStub's wire behaviour, driven through Start against FakePeer.

#include "src/peer_stub.h"

#include <gtest/gtest.h>

#include "common/common.pb.h"
#include "peer/chaincode.pb.h"
#include "peer/proposal_response.pb.h"
#include "src/sha256.h"
#include "src/testing/fake_peer.h"
#include "src/testing/test_chaincode.h"

namespace fabric::shim {
namespace {

using protos::ChaincodeMessage;
using testing::FakePeer;
using testing::OptionsFor;
using testing::Reply;
using testing::RunningShim;
using testing::TestChaincode;
using testing::Transaction;

std::string KvBatch(const std::vector<std::pair<std::string, std::string>>& kvs, bool has_more,
                    const std::string& id) {
  protos::QueryResponse r;
  for (const auto& [k, v] : kvs) {
    queryresult::KV kv;
    kv.set_namespace_("mycc");
    kv.set_key(k);
    kv.set_value(v);
    r.add_results()->set_resultbytes(kv.SerializeAsString());
  }
  r.set_has_more(has_more);
  r.set_id(id);
  return r.SerializeAsString();
}

class PeerStubTest : public ::testing::Test {
 protected:
  void SetUp() override {
    shim_ = std::make_unique<RunningShim>(cc_, OptionsFor(peer_.address()));
    ASSERT_TRUE(peer_.Handshake("mycc:1.0"));
  }
  void TearDown() override {
    peer_.EndStream();
    EXPECT_EQ(shim_->WaitExit(), 2);
  }
  ChaincodeMessage Next(ChaincodeMessage::Type want) {
    ChaincodeMessage msg;
    EXPECT_TRUE(peer_.Read(&msg));
    EXPECT_EQ(ChaincodeMessage::Type_Name(msg.type()), ChaincodeMessage::Type_Name(want))
        << msg.payload();
    return msg;
  }
  protos::Response Completed() {
    protos::Response r;
    EXPECT_TRUE(r.ParseFromString(Next(ChaincodeMessage::COMPLETED).payload()));
    return r;
  }

  TestChaincode cc_;
  FakePeer peer_;
  std::unique_ptr<RunningShim> shim_;
};

TEST_F(PeerStubTest, RangeIteratesBatchesLazilyAndCloses) {
  ASSERT_TRUE(peer_.Write(Transaction("tx1", {"range", "", "z"})));
  ChaincodeMessage range = Next(ChaincodeMessage::GET_STATE_BY_RANGE);
  protos::GetStateByRange req;
  ASSERT_TRUE(req.ParseFromString(range.payload()));
  EXPECT_EQ(req.startkey(), "\x01");  // "" is sent as 0x01, skipping composite keys.
  EXPECT_EQ(req.endkey(), "z");
  EXPECT_TRUE(req.metadata().empty());
  ASSERT_TRUE(peer_.Write(Reply(range, KvBatch({{"a", "1"}, {"b", "2"}}, true, "it1"))));
  ChaincodeMessage next = Next(ChaincodeMessage::QUERY_STATE_NEXT);
  protos::QueryStateNext qn;
  ASSERT_TRUE(qn.ParseFromString(next.payload()));
  EXPECT_EQ(qn.id(), "it1");
  EXPECT_EQ(next.txid(), "tx1");
  ASSERT_TRUE(peer_.Write(Reply(next, KvBatch({{"c", "3"}}, false, "it1"))));
  ChaincodeMessage close = Next(ChaincodeMessage::QUERY_STATE_CLOSE);
  protos::QueryStateClose qc;
  ASSERT_TRUE(qc.ParseFromString(close.payload()));
  EXPECT_EQ(qc.id(), "it1");
  ASSERT_TRUE(peer_.Write(Reply(close, KvBatch({}, false, "it1"))));
  EXPECT_EQ(Completed().payload(), "a=1;b=2;c=3;");
}

TEST_F(PeerStubTest, RangeRejectsCompositeNamespaceKeysLocally) {
  ASSERT_TRUE(peer_.Write(Transaction("tx1", {"range", std::string("\0a", 2), "z"})));
  protos::Response r = Completed();
  EXPECT_EQ(r.status(), 500);
  EXPECT_NE(r.message().find("null character"), std::string::npos);
}

TEST_F(PeerStubTest, HistoryIteratesKeyModifications) {
  ASSERT_TRUE(peer_.Write(Transaction("tx1", {"history", "a"})));
  ChaincodeMessage req = Next(ChaincodeMessage::GET_HISTORY_FOR_KEY);
  protos::GetHistoryForKey h;
  ASSERT_TRUE(h.ParseFromString(req.payload()));
  EXPECT_EQ(h.key(), "a");
  protos::QueryResponse resp;
  for (int i = 0; i < 2; ++i) {
    queryresult::KeyModification mod;
    mod.set_tx_id("t" + std::to_string(i));
    mod.set_value("v" + std::to_string(i));
    mod.set_is_delete(i == 1);
    resp.add_results()->set_resultbytes(mod.SerializeAsString());
  }
  resp.set_id("h1");
  ASSERT_TRUE(peer_.Write(Reply(req, resp.SerializeAsString())));
  // Not closed by the chaincode: the iterator's destructor closes it.
  ChaincodeMessage close = Next(ChaincodeMessage::QUERY_STATE_CLOSE);
  protos::QueryStateClose qc;
  ASSERT_TRUE(qc.ParseFromString(close.payload()));
  EXPECT_EQ(qc.id(), "h1");
  ASSERT_TRUE(peer_.Write(Reply(close, "")));
  EXPECT_EQ(Completed().payload(), "t0=v0;t1=<del>;");
}

TEST_F(PeerStubTest, RichQueryErrorFromLevelDbPassesThrough) {
  ASSERT_TRUE(peer_.Write(Transaction("tx1", {"rich", "{\"selector\":{}}"})));
  ChaincodeMessage req = Next(ChaincodeMessage::GET_QUERY_RESULT);
  protos::GetQueryResult q;
  ASSERT_TRUE(q.ParseFromString(req.payload()));
  EXPECT_EQ(q.query(), "{\"selector\":{}}");
  ASSERT_TRUE(peer_.Write(Reply(req, "ExecuteQuery not supported for leveldb", true)));
  protos::Response r = Completed();
  EXPECT_EQ(r.status(), 500);
  EXPECT_EQ(r.message(), "ExecuteQuery not supported for leveldb");
}

TEST_F(PeerStubTest, InvokeChaincodeSendsSpecAndUnwrapsCompleted) {
  ASSERT_TRUE(peer_.Write(Transaction("tx1", {"invoke", "other", "ch2", "query", "a"})));
  ChaincodeMessage req = Next(ChaincodeMessage::INVOKE_CHAINCODE);
  protos::ChaincodeSpec spec;
  ASSERT_TRUE(spec.ParseFromString(req.payload()));
  EXPECT_EQ(spec.chaincode_id().name(), "other/ch2");
  ASSERT_EQ(spec.input().args_size(), 2);
  EXPECT_EQ(spec.input().args(0), "query");
  protos::Response callee;
  callee.set_status(200);
  callee.set_payload("42");
  ChaincodeMessage inner;
  inner.set_type(ChaincodeMessage::COMPLETED);
  inner.set_payload(callee.SerializeAsString());
  ASSERT_TRUE(peer_.Write(Reply(req, inner.SerializeAsString())));
  EXPECT_EQ(Completed().payload(), "42");

  ASSERT_TRUE(peer_.Write(Transaction("tx2", {"invoke", "other", "", "x"})));
  req = Next(ChaincodeMessage::INVOKE_CHAINCODE);
  ASSERT_TRUE(spec.ParseFromString(req.payload()));
  EXPECT_EQ(spec.chaincode_id().name(), "other");
  inner.set_type(ChaincodeMessage::ERROR);
  inner.set_payload("callee failed");
  ASSERT_TRUE(peer_.Write(Reply(req, inner.SerializeAsString())));
  // As from Fabric's Go shim: no message, the wrapped ERROR message as the payload.
  protos::Response r = Completed();
  EXPECT_EQ(r.status(), 500);
  EXPECT_EQ(r.message(), "");
  EXPECT_EQ(r.payload(), inner.SerializeAsString());
}

TEST_F(PeerStubTest, EventIsAttachedToCompleted) {
  ASSERT_TRUE(peer_.Write(Transaction("tx1", {"event", "transfer", "payload"})));
  ChaincodeMessage done = Next(ChaincodeMessage::COMPLETED);
  ASSERT_TRUE(done.has_chaincode_event());
  EXPECT_EQ(done.chaincode_event().event_name(), "transfer");
  EXPECT_EQ(done.chaincode_event().payload(), "payload");
}

TEST_F(PeerStubTest, ValidationParameterUsesStateMetadataMessages) {
  ASSERT_TRUE(peer_.Write(Transaction("tx1", {"metadata", "k", "policy"})));
  ChaincodeMessage put = Next(ChaincodeMessage::PUT_STATE_METADATA);
  protos::PutStateMetadata pm;
  ASSERT_TRUE(pm.ParseFromString(put.payload()));
  EXPECT_EQ(pm.key(), "k");
  EXPECT_EQ(pm.metadata().metakey(), "VALIDATION_PARAMETER");
  EXPECT_EQ(pm.metadata().value(), "policy");
  ASSERT_TRUE(peer_.Write(Reply(put, "")));
  ChaincodeMessage get = Next(ChaincodeMessage::GET_STATE_METADATA);
  protos::StateMetadataResult result;
  auto* e = result.add_entries();
  e->set_metakey("VALIDATION_PARAMETER");
  e->set_value("policy-from-peer");
  ASSERT_TRUE(peer_.Write(Reply(get, result.SerializeAsString())));
  EXPECT_EQ(Completed().payload(), "policy-from-peer");
}

TEST_F(PeerStubTest, ProposalGivesCreatorTransientBindingAndTimestamp) {
  common::ChannelHeader chdr;
  chdr.set_type(common::ENDORSER_TRANSACTION);
  chdr.set_epoch(7);
  chdr.mutable_timestamp()->set_seconds(1700000000);
  common::SignatureHeader shdr;
  shdr.set_creator("creator-bytes");
  shdr.set_nonce("nonce-bytes");
  common::Header hdr;
  hdr.set_channel_header(chdr.SerializeAsString());
  hdr.set_signature_header(shdr.SerializeAsString());
  protos::ChaincodeProposalPayload cpp;
  (*cpp.mutable_transientmap())["secret"] = "s3";
  protos::Proposal prop;
  prop.set_header(hdr.SerializeAsString());
  prop.set_payload(cpp.SerializeAsString());
  ChaincodeMessage tx = Transaction("tx1", {"ctx"});
  tx.mutable_proposal()->set_proposal_bytes(prop.SerializeAsString());
  ASSERT_TRUE(peer_.Write(tx));
  std::string epoch_le("\x07\0\0\0\0\0\0\0", 8);
  std::string binding = internal::Sha256("nonce-bytes" + std::string("creator-bytes") + epoch_le);
  EXPECT_EQ(Completed().payload(), "creator-bytes|" + testing::Hex(binding) + "|s3|1700000000");
}

TEST_F(PeerStubTest, SignedProposalIsTheOneThePeerSent) {
  common::ChannelHeader chdr;
  chdr.set_type(common::ENDORSER_TRANSACTION);
  common::Header hdr;
  hdr.set_channel_header(chdr.SerializeAsString());
  protos::Proposal prop;
  prop.set_header(hdr.SerializeAsString());
  ChaincodeMessage tx = Transaction("tx1", {"signedproposal"});
  tx.mutable_proposal()->set_proposal_bytes(prop.SerializeAsString());
  tx.mutable_proposal()->set_signature("signature-bytes");
  ASSERT_TRUE(peer_.Write(tx));
  EXPECT_EQ(Completed().payload(), prop.SerializeAsString() + "|signature-bytes");
}

TEST_F(PeerStubTest, NoProposalMeansNoTimestamp) {
  ASSERT_TRUE(peer_.Write(Transaction("tx1", {"ctx"})));
  protos::Response r = Completed();
  EXPECT_EQ(r.status(), 500);
  EXPECT_NE(r.message().find("no signed proposal"), std::string::npos);
}

}  // namespace
}  // namespace fabric::shim
