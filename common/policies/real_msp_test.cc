// SPDX-License-Identifier: Apache-2.0
//
// Policies evaluated with real X.509 identities from the MSP (fabric_msp), end to end: MSP
// folders from the msp test helper, a channel MSP manager as deserializer, ECDSA signatures.

#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/msp/config_builder.h"
#include "common/msp/msp_manager.h"
#include "common/msp/testing/test_org.h"
#include "common/msp/x509_signing_identity.h"
#include "common/policies/builder.h"
#include "common/policies/manager.h"
#include "common/policies/policyparser.h"
#include "common/policies/signature_policy.h"

namespace fabric::policies {
namespace {

using ::testing::HasSubstr;

class RealMspPolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::vector<::msp::MSPConfig> configs;
    for (int i = 1; i <= 2; ++i) {
      std::string msp_id = "Org" + std::to_string(i) + "MSP";
      std::string domain = "org" + std::to_string(i) + ".example.com";
      auto org = msp::testing::MakeTestOrg(tmp_.path() + "/" + domain, msp_id, domain);
      ASSERT_TRUE(org.ok()) << org.status();
      auto config = msp::LoadVerifyingMspConfigFromDir(org->msp_dir, msp_id);
      ASSERT_TRUE(config.ok()) << config.status();
      configs.push_back(*config);
      orgs_.push_back(std::move(*org));
    }
    auto manager = msp::MspManager::Create(configs);
    ASSERT_TRUE(manager.ok()) << manager.status();
    msps_ = std::move(*manager);
  }

  // A signature over `data` by the identity whose local MSP folder is `msp_dir`.
  protoutil::SignedData Sign(const std::string& msp_dir, const std::string& msp_id,
                             const std::string& data = "proposal bytes") {
    auto signer = msp::LoadSigningIdentity(msp_dir, msp_id);
    EXPECT_TRUE(signer.ok()) << signer.status();
    if (!signer.ok()) {
      return {};
    }
    auto signature = (*signer)->Sign(data);
    EXPECT_TRUE(signature.ok()) << signature.status();
    return protoutil::SignedData{data, (*signer)->Serialize(), signature.ok() ? *signature : ""};
  }

  // The signature policy `rule` (policyparser syntax) over the two orgs' MSPs; null on error.
  std::unique_ptr<SignaturePolicy> CompileRule(const std::string& rule) {
    auto env = FromString(rule);
    EXPECT_TRUE(env.ok()) << env.status();
    if (!env.ok()) {
      return nullptr;
    }
    auto policy = SignaturePolicy::Compile(*env, *msps_);
    EXPECT_TRUE(policy.ok()) << policy.status();
    return policy.ok() ? std::move(policy).value() : nullptr;
  }

  msp::testing::TempDir tmp_;
  std::vector<msp::testing::TestOrg> orgs_;
  std::unique_ptr<msp::MspManager> msps_;
};

TEST_F(RealMspPolicyTest, EvaluatesRolesAndSignaturesOfRealIdentities) {
  ASSERT_EQ(orgs_.size(), 2u);
  std::unique_ptr<SignaturePolicy> policy = CompileRule("AND('Org1MSP.peer', 'Org2MSP.admin')");
  ASSERT_NE(policy, nullptr);

  protoutil::SignedData peer1 = Sign(orgs_[0].peer.msp_dir, "Org1MSP");
  protoutil::SignedData admin2 = Sign(orgs_[1].admin.msp_dir, "Org2MSP");
  protoutil::SignedData client2 = Sign(orgs_[1].client.msp_dir, "Org2MSP");
  EXPECT_TRUE(policy->Evaluate({peer1, admin2}).ok());
  EXPECT_TRUE(policy->Evaluate({admin2, client2, peer1}).ok());

  Status no_admin = policy->Evaluate({peer1, client2});
  EXPECT_TRUE(no_admin.IsPermissionDenied());
  EXPECT_THAT(no_admin.message(), HasSubstr("'Org2MSP.admin'"));

  protoutil::SignedData tampered = admin2;
  tampered.data = "other bytes";
  EXPECT_FALSE(policy->Evaluate({peer1, tampered}).ok());
}

// One certificate serialized three ways (extra text around the PEM block, which the MSP
// ignores) is still one signer: Fabric keys signers by MSP id and certificate hash.
TEST_F(RealMspPolicyTest, ReencodedCertificateIsTheSameSigner) {
  ASSERT_EQ(orgs_.size(), 2u);
  std::unique_ptr<SignaturePolicy> policy =
      CompileRule("OutOf(2, 'Org1MSP.member', 'Org1MSP.member')");
  ASSERT_NE(policy, nullptr);

  protoutil::SignedData peer = Sign(orgs_[0].peer.msp_dir, "Org1MSP");
  const std::string& pem = orgs_[0].peer.cert_pem;
  protoutil::SignedData trailing = peer;
  trailing.identity = msp::testing::SerializeIdentity("Org1MSP", pem + "\n\n");
  protoutil::SignedData leading = peer;
  leading.identity = msp::testing::SerializeIdentity("Org1MSP", "comment\n" + pem);
  ASSERT_TRUE(msps_->DeserializeIdentity(trailing.identity).ok());
  ASSERT_TRUE(msps_->DeserializeIdentity(leading.identity).ok());
  ASSERT_NE(trailing.identity, peer.identity);

  EXPECT_FALSE(policy->Evaluate({peer, trailing, leading}).ok());
  EXPECT_TRUE(policy->Evaluate({peer, Sign(orgs_[0].admin.msp_dir, "Org1MSP")}).ok());
}

TEST_F(RealMspPolicyTest, ChannelWritersOverRealMsps) {
  ASSERT_EQ(orgs_.size(), 2u);
  common::ConfigGroup channel;
  common::ConfigGroup& app = (*channel.mutable_groups())["Application"];
  for (const char* id : {"Org1MSP", "Org2MSP"}) {
    common::ConfigPolicy writers;
    writers.mutable_policy()->set_type(common::Policy::SIGNATURE);
    writers.mutable_policy()->set_value(SignedByMspMember(id).SerializeAsString());
    (*(*app.mutable_groups())[id].mutable_policies())["Writers"] = writers;
  }
  common::ImplicitMetaPolicy all_writers;
  all_writers.set_rule(common::ImplicitMetaPolicy::ALL);
  all_writers.set_sub_policy("Writers");
  common::ConfigPolicy meta;
  meta.mutable_policy()->set_type(common::Policy::IMPLICIT_META);
  meta.mutable_policy()->set_value(all_writers.SerializeAsString());
  (*app.mutable_policies())["Writers"] = meta;

  auto manager = PolicyManager::Create("Channel", channel, *msps_);
  ASSERT_TRUE(manager.ok()) << manager.status();
  auto writers = (*manager)->GetPolicy(kChannelApplicationWriters);
  ASSERT_TRUE(writers.ok()) << writers.status();
  protoutil::SignedData client1 = Sign(orgs_[0].client.msp_dir, "Org1MSP");
  protoutil::SignedData peer2 = Sign(orgs_[1].peer.msp_dir, "Org2MSP");
  EXPECT_TRUE((*writers)->Evaluate({client1, peer2}).ok());
  EXPECT_FALSE((*writers)->Evaluate({client1}).ok());
}

// An entry marked signature_verified (its builder verified the signature itself) skips the
// signature check only: the identity must still be valid and match the principal.
TEST_F(RealMspPolicyTest, VerifiedEntrySkipsOnlyTheSignatureCheck) {
  ASSERT_EQ(orgs_.size(), 2u);
  std::unique_ptr<SignaturePolicy> policy = CompileRule("OR('Org1MSP.member')");
  ASSERT_NE(policy, nullptr);

  protoutil::SignedData tampered = Sign(orgs_[0].client.msp_dir, "Org1MSP");
  tampered.data = "other bytes";
  EXPECT_TRUE(policy->Evaluate({tampered}).IsPermissionDenied());
  tampered.signature_verified = true;
  EXPECT_TRUE(policy->Evaluate({tampered}).ok());

  protoutil::SignedData other_org = Sign(orgs_[1].client.msp_dir, "Org2MSP");
  other_org.signature_verified = true;
  EXPECT_TRUE(policy->Evaluate({other_org}).IsPermissionDenied());

  protoutil::SignedData unknown = Sign(orgs_[0].client.msp_dir, "Org1MSP");
  unknown.identity = msp::testing::SerializeIdentity("Org1MSP", "not a certificate");
  unknown.signature_verified = true;
  EXPECT_TRUE(policy->Evaluate({unknown}).IsPermissionDenied());
}

}  // namespace
}  // namespace fabric::policies
