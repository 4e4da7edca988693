// SPDX-License-Identifier: Apache-2.0

#include "common/channelconfig/bundle.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "common/channelconfig/genesis.h"
#include "common/channelconfig/keys.h"
#include "common/channelconfig/values.h"
#include "common/configuration.pb.h"
#include "common/msp/config_builder.h"
#include "common/msp/testing/status_testing.h"
#include "common/msp/testing/test_org.h"
#include "common/policies/builder.h"
#include "common/protoutil/blockutils.h"
#include "orderer/configuration.pb.h"
#include "peer/configuration.pb.h"

namespace fabric::channelconfig {
namespace {

using msp::testing::TempDir;
using msp::testing::TestIdentity;
using msp::testing::TestOrg;

constexpr std::string_view kAdmins = "Admins";

void SetStandardImplicitPolicies(common::ConfigGroup& group) {
  SetImplicitMetaPolicy(group, "Readers", common::ImplicitMetaPolicy::ANY, "Readers", kAdmins);
  SetImplicitMetaPolicy(group, "Writers", common::ImplicitMetaPolicy::ANY, "Writers", kAdmins);
  SetImplicitMetaPolicy(group, "Admins", common::ImplicitMetaPolicy::MAJORITY, "Admins", kAdmins);
}

common::ConfigGroup OrgGroup(const TestOrg& org) {
  common::ConfigGroup group;
  StatusOr<::msp::MSPConfig> msp_config =
      msp::LoadVerifyingMspConfigFromDir(org.msp_dir, org.msp_id);
  EXPECT_TRUE(msp_config.ok()) << msp_config.status();
  SetValue(group, kMSPKey, msp_config.value(), kAdmins);
  SetSignaturePolicy(group, "Readers", policies::SignedByAnyMember({org.msp_id}), kAdmins);
  SetSignaturePolicy(group, "Writers", policies::SignedByAnyMember({org.msp_id}), kAdmins);
  SetSignaturePolicy(group, "Admins", policies::SignedByMspAdmin(org.msp_id), kAdmins);
  group.set_mod_policy(std::string(kAdmins));
  return group;
}

class BundleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir();
    orderer_ = MakeOrg("orderer", "OrdererMSP", "example.com");
    org1_ = MakeOrg("org1", "Org1MSP", "org1.example.com");
    org2_ = MakeOrg("org2", "Org2MSP", "org2.example.com");
    impostor_ = MakeOrg("impostor", "Org1MSP", "org1.example.com");
  }
  static void TearDownTestSuite() {
    delete orderer_;
    delete org1_;
    delete org2_;
    delete impostor_;
    delete tmp_;
  }

  static TestOrg* MakeOrg(const std::string& dir, const std::string& msp_id,
                          const std::string& domain) {
    StatusOr<TestOrg> org = msp::testing::MakeTestOrg(tmp_->path() + "/" + dir, msp_id, domain);
    EXPECT_TRUE(org.ok()) << org.status();
    return new TestOrg(std::move(org).value());
  }

  // A complete application channel config: orderer org + Org1 + Org2.
  static common::Config MakeConfig() {
    common::Config config;
    common::ConfigGroup& channel = *config.mutable_channel_group();
    SetStandardImplicitPolicies(channel);
    SetDefaultHashing(channel, kAdmins);
    common::OrdererAddresses addresses;
    addresses.add_addresses("127.0.0.1:7050");
    SetValue(channel, kOrdererAddressesKey, addresses, kOrdererAdminsPolicyPath);
    SetCapabilities(channel, {"V1_4_3"}, kAdmins);

    common::ConfigGroup& orderer = (*channel.mutable_groups())["Orderer"];
    SetStandardImplicitPolicies(orderer);
    SetImplicitMetaPolicy(orderer, "BlockValidation", common::ImplicitMetaPolicy::ANY, "Writers",
                          kAdmins);
    ::orderer::ConsensusType consensus;
    consensus.set_type("solo");
    SetValue(orderer, kConsensusTypeKey, consensus, kAdmins);
    ::orderer::BatchSize size;
    size.set_max_message_count(10);
    size.set_absolute_max_bytes(99 * 1024 * 1024);
    size.set_preferred_max_bytes(512 * 1024);
    SetValue(orderer, kBatchSizeKey, size, kAdmins);
    ::orderer::BatchTimeout timeout;
    timeout.set_timeout("2s");
    SetValue(orderer, kBatchTimeoutKey, timeout, kAdmins);
    SetCapabilities(orderer, {"V1_4_2"}, kAdmins);
    (*orderer.mutable_groups())["OrdererOrg"] = OrgGroup(*orderer_);

    common::ConfigGroup& application = (*channel.mutable_groups())["Application"];
    SetStandardImplicitPolicies(application);
    SetCapabilities(application, {"V1_4_2"}, kAdmins);
    (*application.mutable_groups())["Org1"] = OrgGroup(*org1_);
    (*application.mutable_groups())["Org2"] = OrgGroup(*org2_);
    ::protos::AnchorPeers anchors;
    ::protos::AnchorPeer* anchor = anchors.add_anchor_peers();
    anchor->set_host("peer0.org1.example.com");
    anchor->set_port(7051);
    SetValue((*application.mutable_groups())["Org1"], kAnchorPeersKey, anchors, kAdmins);
    return config;
  }

  static common::ConfigGroup& Group(common::Config& config, const std::string& name) {
    return (*config.mutable_channel_group()->mutable_groups())[name];
  }

  // Signs `data` as the identity whose local MSP is `identity.msp_dir`.
  static protoutil::SignedData Sign(const TestIdentity& identity, const std::string& msp_id,
                                    const std::string& data) {
    StatusOr<::msp::MSPConfig> config = msp::LoadMspConfigFromDir(identity.msp_dir, msp_id);
    EXPECT_TRUE(config.ok()) << config.status();
    StatusOr<std::unique_ptr<msp::Msp>> local = msp::Msp::Create(config.value());
    EXPECT_TRUE(local.ok()) << local.status();
    auto signer = local.value()->GetDefaultSigningIdentity();
    EXPECT_TRUE(signer.ok()) << signer.status();
    StatusOr<std::string> signature = signer.value()->Sign(data);
    EXPECT_TRUE(signature.ok());
    return protoutil::SignedData{data, signer.value()->Serialize(), signature.value()};
  }

  static void ExpectInvalid(const common::Config& config, std::string_view message) {
    StatusOr<std::shared_ptr<const Bundle>> bundle = Bundle::FromConfig("mychannel", config);
    ASSERT_FALSE(bundle.ok());
    EXPECT_TRUE(bundle.status().IsInvalidArgument()) << bundle.status();
    EXPECT_NE(bundle.status().message().find(message), std::string_view::npos) << bundle.status();
  }

  static TempDir* tmp_;
  static TestOrg* orderer_;
  static TestOrg* org1_;
  static TestOrg* org2_;
  static TestOrg* impostor_;
};

TempDir* BundleTest::tmp_ = nullptr;
TestOrg* BundleTest::orderer_ = nullptr;
TestOrg* BundleTest::org1_ = nullptr;
TestOrg* BundleTest::org2_ = nullptr;
TestOrg* BundleTest::impostor_ = nullptr;

TEST_F(BundleTest, ParsesApplicationChannelConfig) {
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const Bundle> bundle,
                       Bundle::FromConfig("mychannel", MakeConfig()));
  EXPECT_EQ(bundle->channel_id(), "mychannel");
  EXPECT_EQ(bundle->sequence(), 0u);
  EXPECT_EQ(bundle->hashing_algorithm(), "SHA256");
  EXPECT_EQ(bundle->consensus_type(), "solo");
  EXPECT_EQ(bundle->batch_size().max_message_count, 10u);
  EXPECT_EQ(bundle->batch_size().absolute_max_bytes, 99u * 1024 * 1024);
  EXPECT_EQ(bundle->batch_size().preferred_max_bytes, 512u * 1024);
  EXPECT_EQ(bundle->batch_timeout(), std::chrono::seconds(2));
  EXPECT_EQ(bundle->orderer_addresses(), std::vector<std::string>{"127.0.0.1:7050"});
  EXPECT_EQ(bundle->channel_capabilities(), std::set<std::string>{"V1_4_3"});
  EXPECT_EQ(bundle->application_capabilities(), std::set<std::string>{"V1_4_2"});
  ASSERT_TRUE(bundle->has_application());
  ASSERT_EQ(bundle->application_orgs().size(), 2u);
  EXPECT_EQ(bundle->application_orgs()[0].name, "Org1");
  EXPECT_EQ(bundle->application_orgs()[0].msp_id, "Org1MSP");
  ASSERT_EQ(bundle->application_orgs()[0].anchor_peers.size(), 1u);
  EXPECT_EQ(bundle->application_orgs()[0].anchor_peers[0].host, "peer0.org1.example.com");
  EXPECT_EQ(bundle->application_orgs()[0].anchor_peers[0].port, 7051);
  EXPECT_EQ(bundle->application_orgs()[1].msp_id, "Org2MSP");
  ASSERT_EQ(bundle->orderer_orgs().size(), 1u);
  EXPECT_EQ(bundle->orderer_orgs()[0].msp_id, "OrdererMSP");
  EXPECT_EQ(bundle->msp_manager().MspIds(),
            (std::vector<std::string>{"OrdererMSP", "Org1MSP", "Org2MSP"}));
}

TEST_F(BundleTest, PoliciesEvaluateRealSignatures) {
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const Bundle> bundle,
                       Bundle::FromConfig("mychannel", MakeConfig()));
  ASSERT_OK_AND_ASSIGN(const policies::Policy* writers,
                       bundle->policy_manager().GetPolicy(policies::kChannelApplicationWriters));
  EXPECT_OK(writers->Evaluate({Sign(org1_->client, "Org1MSP", "tx bytes")}));
  // Same MSP id, different CA: not a member of the channel's Org1MSP.
  EXPECT_TRUE(
      writers->Evaluate({Sign(impostor_->client, "Org1MSP", "tx bytes")}).IsPermissionDenied());
  ASSERT_OK_AND_ASSIGN(const policies::Policy* admins,
                       bundle->policy_manager().GetPolicy("/Channel/Application/Admins"));
  // MAJORITY of 2 orgs' admins needs both.
  EXPECT_FALSE(admins->Evaluate({Sign(org1_->admin, "Org1MSP", "x")}).ok());
  EXPECT_OK(
      admins->Evaluate({Sign(org1_->admin, "Org1MSP", "x"), Sign(org2_->admin, "Org2MSP", "x")}));
  EXPECT_TRUE(bundle->policy_manager().GetPolicy(policies::kBlockValidation).ok());
}

TEST_F(BundleTest, ParsesGenesisBlock) {
  common::Config config = MakeConfig();
  ASSERT_OK_AND_ASSIGN(common::Block block, MakeGenesisBlock("mychannel", config.channel_group()));
  EXPECT_TRUE(protoutil::IsConfigBlock(block));
  EXPECT_EQ(block.header().number(), 0u);
  EXPECT_EQ(block.header().data_hash(), protoutil::BlockDataHash(block.data()));
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const Bundle> bundle, Bundle::FromConfigBlock(block));
  EXPECT_EQ(bundle->channel_id(), "mychannel");
  EXPECT_EQ(bundle->application_orgs().size(), 2u);
}

TEST_F(BundleTest, OrgEndpointsOverrideChannelOrdererAddresses) {
  common::Config config = MakeConfig();
  common::OrdererAddresses endpoints;
  endpoints.add_addresses("orderer.example.com:7050");
  SetValue((*Group(config, "Orderer").mutable_groups())["OrdererOrg"], kEndpointsKey, endpoints,
           kAdmins);
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<const Bundle> bundle,
                       Bundle::FromConfig("mychannel", config));
  EXPECT_EQ(bundle->orderer_addresses(), std::vector<std::string>{"orderer.example.com:7050"});
}

TEST_F(BundleTest, RejectsMalformedValuesNamingThePath) {
  common::Config config = MakeConfig();
  (*Group(config, "Orderer").mutable_values())["BatchSize"].set_value("\xff\xff garbage");
  ExpectInvalid(config, "/Channel/Orderer/BatchSize: malformed orderer.BatchSize protobuf");

  config = MakeConfig();
  Group(config, "Orderer").mutable_values()->erase("BatchTimeout");
  ExpectInvalid(config, "/Channel/Orderer/BatchTimeout: missing orderer.BatchTimeout value");

  config = MakeConfig();
  config.mutable_channel_group()->mutable_groups()->erase("Orderer");
  ExpectInvalid(config, "/Channel/Orderer: missing group");

  config = MakeConfig();
  (*Group(config, "Application").mutable_groups())["Org1"].mutable_values()->erase("MSP");
  ExpectInvalid(config, "/Channel/Application/Org1/MSP: missing msp.MSPConfig value");
}

TEST_F(BundleTest, RejectsSettingsFabricRejects) {
  common::Config config = MakeConfig();
  common::HashingAlgorithm sha3;
  sha3.set_name("SHA3_256");
  SetValue(*config.mutable_channel_group(), kHashingAlgorithmKey, sha3, kAdmins);
  ExpectInvalid(config, "/Channel/HashingAlgorithm: unsupported hashing algorithm \"SHA3_256\"");

  config = MakeConfig();
  ::orderer::BatchTimeout timeout;
  timeout.set_timeout("2 seconds");
  SetValue(Group(config, "Orderer"), kBatchTimeoutKey, timeout, kAdmins);
  ExpectInvalid(config, "/Channel/Orderer/BatchTimeout: invalid duration");

  config = MakeConfig();
  ::orderer::BatchSize size;
  size.set_max_message_count(10);
  size.set_absolute_max_bytes(100);
  size.set_preferred_max_bytes(200);
  SetValue(Group(config, "Orderer"), kBatchSizeKey, size, kAdmins);
  ExpectInvalid(config, "preferred max bytes (200) greater than absolute max bytes (100)");
}

TEST_F(BundleTest, RejectsUnsupportedOrConflictingMsps) {
  common::Config config = MakeConfig();
  common::ConfigGroup& org1 = (*Group(config, "Application").mutable_groups())["Org1"];
  ::msp::MSPConfig idemix;
  idemix.set_type(msp::kMspTypeIdemix);
  SetValue(org1, kMSPKey, idemix, kAdmins);
  ExpectInvalid(config, "/Channel/Application/Org1/MSP: unsupported MSP type 1");

  config = MakeConfig();
  // Org2's group carrying a different Org1MSP definition.
  (*Group(config, "Application").mutable_groups())["Org2"] = OrgGroup(*impostor_);
  ExpectInvalid(config, "MSP Org1MSP is defined twice with different configurations");
}

TEST_F(BundleTest, RejectsBlocksThatAreNotConfigBlocks) {
  common::Block block = protoutil::NewBlock(0, "");
  EXPECT_TRUE(Bundle::FromConfigBlock(block).status().IsInvalidArgument());
  block.mutable_data()->add_data("not an envelope \xff\xff");
  EXPECT_TRUE(Bundle::FromConfigBlock(block).status().IsInvalidArgument());
}

}  // namespace
}  // namespace fabric::channelconfig
