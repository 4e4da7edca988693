// SPDX-License-Identifier: Apache-2.0

#include "common/channelconfig/bundle.h"

#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "common/channelconfig/genesis.h"
#include "common/channelconfig/keys.h"
#include "common/channelconfig/testing/test_channel.h"
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
using testing::OrgGroup;

constexpr std::string_view kAdmins = "Admins";

class BundleTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new TempDir();
    StatusOr<std::unique_ptr<testing::TestOrgs>> orgs = testing::TestOrgs::Create(tmp_->path());
    ASSERT_TRUE(orgs.ok()) << orgs.status();
    orgs_ = orgs->release();
    orderer_ = &orgs_->orderer;
    org1_ = &orgs_->org1;
    org2_ = &orgs_->org2;
    StatusOr<TestOrg> impostor =
        msp::testing::MakeTestOrg(tmp_->path() + "/impostor", "Org1MSP", "org1.example.com");
    ASSERT_TRUE(impostor.ok()) << impostor.status();
    impostor_ = new TestOrg(std::move(impostor).value());
  }
  static void TearDownTestSuite() {
    delete impostor_;
    delete orgs_;
    delete tmp_;
  }

  static common::Config MakeConfig() { return testing::MakeApplicationConfig(*orgs_); }

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
  static testing::TestOrgs* orgs_;
  static const TestOrg* orderer_;
  static const TestOrg* org1_;
  static const TestOrg* org2_;
  static TestOrg* impostor_;
};

TempDir* BundleTest::tmp_ = nullptr;
testing::TestOrgs* BundleTest::orgs_ = nullptr;
const TestOrg* BundleTest::orderer_ = nullptr;
const TestOrg* BundleTest::org1_ = nullptr;
const TestOrg* BundleTest::org2_ = nullptr;
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

// Fabric's channelconfig reads a fixed set of groups and values per group and refuses the rest
// (cases cc_unknown_channel_group, cc_unknown_value_*, cc_anchor_peers_on_orderer_org,
// cc_endpoints_on_app_org, cc_app_org_subgroup, cc_orderer_org_subgroup).
TEST_F(BundleTest, RefusesGroupsAndValuesFabricDoesNotRead) {
  common::Config config = MakeConfig();
  Group(config, "Foo").set_mod_policy("Admins");
  ExpectInvalid(config, "Disallowed channel group: Foo");

  common::OrdererAddresses foo;
  for (const std::vector<std::string>& path : std::vector<std::vector<std::string>>{
           {}, {"Orderer"}, {"Application"}, {"Application", "Org1"}}) {
    config = MakeConfig();
    SetValue(testing::GroupAt(config, path), "Foo", foo, kAdmins);
    ExpectInvalid(config, "failed to deserialize values: Unexpected key Foo");
  }
  config = MakeConfig();
  SetValue(testing::GroupAt(config, {"Orderer", "OrdererOrg"}), kAnchorPeersKey,
           ::protos::AnchorPeers(), kAdmins);
  ExpectInvalid(
      config,
      "/Channel/Orderer/OrdererOrg: failed to deserialize values: Unexpected key AnchorPeers");
  config = MakeConfig();
  SetValue(testing::GroupAt(config, {"Application", "Org1"}), kEndpointsKey, foo, kAdmins);
  ExpectInvalid(
      config, "/Channel/Application/Org1: failed to deserialize values: Unexpected key Endpoints");
  for (const std::string org : {"Application/Org1", "Orderer/OrdererOrg"}) {
    config = MakeConfig();
    const std::string parent = org.substr(0, org.find('/'));
    testing::GroupAt(config, {parent, org.substr(org.find('/') + 1), "Sub"})
        .set_mod_policy("Admins");
    ExpectInvalid(config, "organizations do not support sub-groups");
  }
}

// Capability-gated rules of Fabric's channelconfig (cases cc_remove_orderer_caps,
// cc_orderer_addresses_empty_legacy, cc_orderer_endpoints_legacy, cc_remove_channel_caps).
TEST_F(BundleTest, RefusesWhatTheCapabilitiesDoNotAllow) {
  common::Config config = MakeConfig();
  Group(config, "Orderer").mutable_values()->erase(std::string(kCapabilitiesKey));
  ExpectInvalid(config, "cannot enable channel capabilities without orderer support first");
  config.mutable_channel_group()->mutable_values()->erase(std::string(kCapabilitiesKey));
  ExpectInvalid(config, "cannot enable application capabilities without orderer support first");

  config = MakeConfig();
  SetCapabilities(*config.mutable_channel_group(), {"V1_3"}, kAdmins);
  ASSERT_TRUE(Bundle::FromConfig("mychannel", config).ok());
  SetValue(*config.mutable_channel_group(), kOrdererAddressesKey, common::OrdererAddresses(),
           kAdmins);
  ExpectInvalid(config, "Must set some OrdererAddresses");

  config = MakeConfig();
  common::OrdererAddresses endpoints;
  endpoints.add_addresses("127.0.0.1:7050");
  SetValue(testing::GroupAt(config, {"Orderer", "OrdererOrg"}), kEndpointsKey, endpoints, kAdmins);
  ASSERT_TRUE(Bundle::FromConfig("mychannel", config).ok());
  SetCapabilities(*config.mutable_channel_group(), {"V1_3"}, kAdmins);
  ExpectInvalid(config,
                "Orderer Org OrdererOrg cannot contain endpoints value until V1_4_2+ capabilities "
                "have been enabled");
}

// KafkaBrokers entries (cases cc_kafka_brokers_bad, cc_kafka_brokers_bad_port) and ACLs without
// an application capability that has them (cc_acls_without_capability).
TEST_F(BundleTest, RefusesBadKafkaBrokersAndAclsWithoutCapability) {
  for (const std::string& bad : std::vector<std::string>{
           "nohostport", "kafka0:99999", "a:b:1", "kafka0:", "-kafka:9092", "kafka_0:9092"}) {
    common::Config config = MakeConfig();
    ::orderer::KafkaBrokers brokers;
    brokers.add_brokers(bad);
    SetValue(Group(config, "Orderer"), kKafkaBrokersKey, brokers, kAdmins);
    ExpectInvalid(config, "Invalid broker entry: " + bad);
  }
  common::Config config = MakeConfig();
  ::orderer::KafkaBrokers brokers;
  for (const char* good : {"kafka0:9092", "10.0.0.1:0", ":7050", "a:065535"}) {
    brokers.add_brokers(good);
  }
  SetValue(Group(config, "Orderer"), kKafkaBrokersKey, brokers, kAdmins);
  StatusOr<std::shared_ptr<const Bundle>> bundle = Bundle::FromConfig("mychannel", config);
  EXPECT_TRUE(bundle.ok()) << bundle.status();

  config = MakeConfig();
  SetValue(Group(config, "Application"), kACLsKey, ::protos::ACLs(), kAdmins);
  ASSERT_TRUE(Bundle::FromConfig("mychannel", config).ok());
  SetCapabilities(Group(config, "Application"), {"V1_1"}, kAdmins);
  ExpectInvalid(config, "ACLs may not be specified without the required capability");
}

}  // namespace
}  // namespace fabric::channelconfig
