// SPDX-License-Identifier: Apache-2.0
#include "common/protoutil/txutils.h"

#include <set>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/configtx.pb.h"
#include "common/protoutil/testing/test_signer.h"
#include "common/protoutil/unmarshal.h"
#include "peer/proposal.pb.h"

namespace fabric::protoutil {
namespace {

using ::testing::HasSubstr;
using testing::TestSigner;

TEST(TxIdTest, IsHexSha256OfNonceThenCreator) {
  // sha256("abc"), split between nonce and creator.
  EXPECT_EQ(ComputeTxId("a", "bc"),
            "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
  EXPECT_NE(ComputeTxId("ab", "c"), ComputeTxId("a", "bd"));
}

TEST(NonceTest, Is24FreshRandomBytes) {
  std::set<std::string> seen;
  for (int i = 0; i < 100; ++i) {
    StatusOr<std::string> nonce = CreateNonce();
    ASSERT_TRUE(nonce.ok());
    EXPECT_EQ(nonce->size(), 24u);
    seen.insert(*nonce);
  }
  EXPECT_EQ(seen.size(), 100u);
}

TEST(MarshalTest, MapOrderDoesNotChangeBytes) {
  protos::ChaincodeProposalPayload a;
  protos::ChaincodeProposalPayload b;
  for (int i = 0; i < 20; ++i) {
    (*a.mutable_transientmap())["k" + std::to_string(i)] = "v";
    (*b.mutable_transientmap())["k" + std::to_string(19 - i)] = "v";
  }
  EXPECT_EQ(Marshal(a), Marshal(b));
}

TEST(EnvelopeTest, SignedEnvelopeCarriesHeadersTxIdAndValidSignature) {
  TestSigner signer;
  common::ConfigUpdateEnvelope data;
  data.set_config_update("update-bytes");
  StatusOr<common::Envelope> env =
      CreateSignedEnvelope(common::CONFIG_UPDATE, "mychannel", signer, data, 0, 0);
  ASSERT_TRUE(env.ok()) << env.status();

  StatusOr<ParsedEnvelope> parsed = ParseEnvelope(*env);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->channel_header.type(), common::CONFIG_UPDATE);
  EXPECT_EQ(parsed->channel_header.channel_id(), "mychannel");
  EXPECT_GT(parsed->channel_header.timestamp().seconds(), 1600000000);
  EXPECT_EQ(parsed->signature_header.creator(), signer.Serialize());
  EXPECT_EQ(parsed->signature_header.nonce().size(), kNonceSize);
  EXPECT_EQ(parsed->channel_header.tx_id(),
            ComputeTxId(parsed->signature_header.nonce(), signer.Serialize()));
  EXPECT_EQ(parsed->payload.data(), data.SerializeAsString());
  EXPECT_TRUE(signer.public_key().Verify(env->payload(), env->signature()).ok());
}

TEST(EnvelopeTest, SignedDataIsPayloadCreatorAndSignature) {
  TestSigner signer;
  StatusOr<common::Envelope> env =
      CreateSignedEnvelope(common::MESSAGE, "ch", signer, common::Payload());
  ASSERT_TRUE(env.ok());
  StatusOr<std::vector<SignedData>> sd = EnvelopeAsSignedData(*env);
  ASSERT_TRUE(sd.ok());
  ASSERT_EQ(sd->size(), 1u);
  EXPECT_EQ((*sd)[0].data, env->payload());
  EXPECT_EQ((*sd)[0].identity, signer.Serialize());
  EXPECT_EQ((*sd)[0].signature, env->signature());
}

TEST(EnvelopeTest, MalformedLayersAreRejectedWithTheLayerNamed) {
  common::Envelope env;
  env.set_payload("\xff\xff\xff garbage");
  Status s = ParseEnvelope(env).status();
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_THAT(std::string(s.message()), HasSubstr("unmarshal payload"));

  common::Payload payload;
  env.set_payload(payload.SerializeAsString());
  EXPECT_THAT(std::string(ParseEnvelope(env).status().message()), HasSubstr("no header"));

  payload.mutable_header()->set_signature_header("x");
  env.set_payload(payload.SerializeAsString());
  EXPECT_THAT(std::string(ParseEnvelope(env).status().message()), HasSubstr("no channel header"));

  payload.mutable_header()->set_channel_header("\x0a\xff");  // truncated length-delimited field
  env.set_payload(payload.SerializeAsString());
  s = ParseEnvelope(env).status();
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_THAT(std::string(s.message()), HasSubstr("unmarshal channel header"));
  EXPECT_FALSE(EnvelopeAsSignedData(env).ok());
}

TEST(UnmarshalTest, TruncatedBytesFailWithTypeName) {
  common::Envelope env;
  env.set_payload(std::string(100, 'p'));
  std::string bytes = env.SerializeAsString();
  StatusOr<common::Envelope> parsed = Unmarshal<common::Envelope>(bytes.substr(0, 50), "envelope");
  ASSERT_FALSE(parsed.ok());
  EXPECT_THAT(std::string(parsed.status().message()),
              HasSubstr("unmarshal envelope: malformed common.Envelope protobuf (50 bytes)"));
  EXPECT_TRUE(Unmarshal<common::Envelope>(bytes, "envelope").ok());
}

}  // namespace
}  // namespace fabric::protoutil
