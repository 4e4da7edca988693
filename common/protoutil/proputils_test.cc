// SPDX-License-Identifier: Apache-2.0
#include "common/protoutil/proputils.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/crypto/hash.h"
#include "common/protoutil/testing/test_signer.h"
#include "common/protoutil/txutils.h"
#include "common/protoutil/unmarshal.h"

namespace fabric::protoutil {
namespace {

using ::testing::HasSubstr;
using testing::TestSigner;

protos::ChaincodeInvocationSpec Invocation() {
  protos::ChaincodeInvocationSpec cis;
  protos::ChaincodeSpec* spec = cis.mutable_chaincode_spec();
  spec->set_type(protos::ChaincodeSpec::GOLANG);
  spec->mutable_chaincode_id()->set_name("mycc");
  spec->mutable_input()->add_args("invoke");
  spec->mutable_input()->add_args("a");
  spec->mutable_input()->add_args("b");
  spec->mutable_input()->add_args("10");
  return cis;
}

class ProposalTest : public ::testing::Test {
 protected:
  ProposalWithTxId Make(const std::map<std::string, std::string>& transient = {}) {
    return CreateChaincodeProposalWithNonce(common::ENDORSER_TRANSACTION, "mychannel", Invocation(),
                                            signer_.Serialize(), "nonce-0123", transient);
  }
  common::Header HeaderOf(const protos::Proposal& p) {
    return Unmarshal<common::Header>(p.header(), "header").value();
  }
  protos::Response Ok(std::string payload) {
    protos::Response r;
    r.set_status(200);
    r.set_payload(std::move(payload));
    return r;
  }
  StatusOr<protos::ProposalResponse> Endorse(const ProposalWithTxId& p, const TestSigner& peer) {
    protos::ChaincodeID ccid;
    ccid.set_name("mycc");
    ccid.set_version("1.0");
    return CreateProposalResponse(HeaderOf(p.proposal), p.proposal.payload(), Ok("90"),
                                  "rwset-bytes", "event-bytes", ccid, peer);
  }
  TestSigner signer_{"Org1MSP", "client"};
};

TEST_F(ProposalTest, ProposalHasFabricsShape) {
  ProposalWithTxId p = Make({{"secret", "s3"}});
  EXPECT_EQ(p.tx_id, ComputeTxId("nonce-0123", signer_.Serialize()));
  common::Header header = HeaderOf(p.proposal);
  auto ch = Unmarshal<common::ChannelHeader>(header.channel_header(), "ch").value();
  EXPECT_EQ(ch.type(), common::ENDORSER_TRANSACTION);
  EXPECT_EQ(ch.channel_id(), "mychannel");
  EXPECT_EQ(ch.tx_id(), p.tx_id);
  EXPECT_EQ(ch.epoch(), 0u);
  auto ext = Unmarshal<protos::ChaincodeHeaderExtension>(ch.extension(), "ext").value();
  EXPECT_EQ(ext.chaincode_id().name(), "mycc");
  auto sh = Unmarshal<common::SignatureHeader>(header.signature_header(), "sh").value();
  EXPECT_EQ(sh.creator(), signer_.Serialize());
  EXPECT_EQ(sh.nonce(), "nonce-0123");
  auto payload =
      Unmarshal<protos::ChaincodeProposalPayload>(p.proposal.payload(), "payload").value();
  EXPECT_EQ(payload.transientmap().at("secret"), "s3");
  auto cis = Unmarshal<protos::ChaincodeInvocationSpec>(payload.input(), "input").value();
  EXPECT_EQ(cis.chaincode_spec().input().args(3), "10");
}

TEST_F(ProposalTest, SignedProposalVerifiesWithCreatorKey) {
  ProposalWithTxId p = Make();
  StatusOr<protos::SignedProposal> sp = SignProposal(p.proposal, signer_);
  ASSERT_TRUE(sp.ok());
  EXPECT_TRUE(signer_.public_key().Verify(sp->proposal_bytes(), sp->signature()).ok());
  EXPECT_EQ(sp->proposal_bytes(), p.proposal.SerializeAsString());
}

TEST_F(ProposalTest, HashCoversHeadersAndPayloadWithoutTransient) {
  ProposalWithTxId with = Make({{"secret", "s3"}});
  common::Header header = HeaderOf(with.proposal);
  StatusOr<std::string> hash = ProposalHash(header, with.proposal.payload());
  ASSERT_TRUE(hash.ok());
  auto payload =
      Unmarshal<protos::ChaincodeProposalPayload>(with.proposal.payload(), "payload").value();
  payload.clear_transientmap();
  EXPECT_EQ(*hash, crypto::Sha256(header.channel_header() + header.signature_header() +
                                  payload.SerializeAsString()));
  // Transient data is private: it must not influence what endorsers sign.
  protos::ChaincodeProposalPayload other = payload;
  (*other.mutable_transientmap())["other"] = "x";
  EXPECT_EQ(ProposalHash(header, other.SerializeAsString()).value(), *hash);
  EXPECT_TRUE(ProposalHash(header, "\xff\x01").status().IsInvalidArgument());
}

TEST_F(ProposalTest, ResponseIsEndorsedOverPayloadAndEndorser) {
  TestSigner peer("Org1MSP", "peer0");
  ProposalWithTxId p = Make();
  StatusOr<protos::ProposalResponse> resp = Endorse(p, peer);
  ASSERT_TRUE(resp.ok()) << resp.status();
  EXPECT_EQ(resp->version(), 1);
  EXPECT_EQ(resp->response().status(), 200);
  EXPECT_EQ(resp->response().payload(), "90");
  EXPECT_EQ(resp->endorsement().endorser(), peer.Serialize());
  EXPECT_TRUE(
      peer.public_key()
          .Verify(resp->payload() + resp->endorsement().endorser(), resp->endorsement().signature())
          .ok());
  auto prp = Unmarshal<protos::ProposalResponsePayload>(resp->payload(), "prp").value();
  EXPECT_EQ(prp.proposal_hash(), ProposalHash(HeaderOf(p.proposal), p.proposal.payload()).value());
  auto action = Unmarshal<protos::ChaincodeAction>(prp.extension(), "action").value();
  EXPECT_EQ(action.results(), "rwset-bytes");
  EXPECT_EQ(action.events(), "event-bytes");
  EXPECT_EQ(action.response().payload(), "90");
  EXPECT_EQ(action.chaincode_id().version(), "1.0");
}

TEST_F(ProposalTest, SignedTxAssemblesEndorsementsIntoOneAction) {
  TestSigner peer1("Org1MSP", "peer0.org1");
  TestSigner peer2("Org2MSP", "peer0.org2");
  ProposalWithTxId p = Make({{"secret", "s3"}});
  std::vector<protos::ProposalResponse> responses = {Endorse(p, peer1).value(),
                                                     Endorse(p, peer2).value()};
  StatusOr<common::Envelope> env = CreateSignedTx(p.proposal, signer_, responses);
  ASSERT_TRUE(env.ok()) << env.status();
  EXPECT_TRUE(signer_.public_key().Verify(env->payload(), env->signature()).ok());

  ParsedEnvelope parsed = ParseEnvelope(*env).value();
  EXPECT_EQ(parsed.channel_header.tx_id(), p.tx_id);
  auto tx = Unmarshal<protos::Transaction>(parsed.payload.data(), "tx").value();
  ASSERT_EQ(tx.actions_size(), 1);
  EXPECT_EQ(tx.actions(0).header(), HeaderOf(p.proposal).signature_header());
  auto cap = Unmarshal<protos::ChaincodeActionPayload>(tx.actions(0).payload(), "cap").value();
  EXPECT_EQ(cap.action().proposal_response_payload(), responses[0].payload());
  ASSERT_EQ(cap.action().endorsements_size(), 2);
  EXPECT_EQ(cap.action().endorsements(1).endorser(), peer2.Serialize());
  auto cpp =
      Unmarshal<protos::ChaincodeProposalPayload>(cap.chaincode_proposal_payload(), "cpp").value();
  EXPECT_TRUE(cpp.transientmap().empty());  // never leaks into the ledger
  EXPECT_FALSE(cpp.input().empty());
}

TEST_F(ProposalTest, SignedTxRefusesBadResponseSets) {
  TestSigner peer("Org1MSP", "peer0");
  ProposalWithTxId p = Make();
  protos::ProposalResponse good = Endorse(p, peer).value();

  EXPECT_THAT(std::string(CreateSignedTx(p.proposal, signer_, {}).status().message()),
              HasSubstr("at least one proposal response"));

  protos::ProposalResponse differs = good;
  differs.set_payload(good.payload() + "x");
  Status s = CreateSignedTx(p.proposal, signer_, {good, differs}).status();
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_THAT(std::string(s.message()), HasSubstr("payloads do not match"));

  protos::ProposalResponse failed = good;
  failed.mutable_response()->set_status(500);
  failed.mutable_response()->set_message("chaincode panic");
  EXPECT_THAT(std::string(CreateSignedTx(p.proposal, signer_, {failed}).status().message()),
              HasSubstr("status 500: chaincode panic"));

  TestSigner stranger("Org1MSP", "stranger");
  EXPECT_THAT(std::string(CreateSignedTx(p.proposal, stranger, {good}).status().message()),
              HasSubstr("signer must be the creator"));

  protos::Proposal garbage = p.proposal;
  garbage.set_header("\xff");
  EXPECT_TRUE(CreateSignedTx(garbage, signer_, {good}).status().IsInvalidArgument());
}

}  // namespace
}  // namespace fabric::protoutil
