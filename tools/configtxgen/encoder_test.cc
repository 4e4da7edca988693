// SPDX-License-Identifier: Apache-2.0
//
// End to end: cryptogen's default network -> configtxgen's default profiles -> blocks that
// channelconfig::Bundle parses, whose policies evaluate real signatures.

#include "tools/configtxgen/encoder.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/channelconfig/bundle.h"
#include "common/configuration.pb.h"
#include "common/msp/config_builder.h"
#include "common/msp/testing/status_testing.h"
#include "common/protoutil/blockutils.h"
#include "common/protoutil/txutils.h"
#include "tools/configtxgen/inspect.h"
#include "tools/configtxgen/test_network.h"

namespace fabric::configtxgen {
namespace {

using testing::NetworkDir;
using testing::RunConfigtxgen;

StatusOr<Profile> DefaultProfile(const std::string& name) {
  return LoadProfile(DefaultConfigJson(), name, NetworkDir());
}

// Signs `data` with the local MSP at `msp_dir` (relative to the network dir).
protoutil::SignedData Sign(const std::string& msp_dir, const std::string& msp_id,
                           const std::string& data) {
  StatusOr<::msp::MSPConfig> config =
      msp::LoadMspConfigFromDir(NetworkDir() + "/" + msp_dir, msp_id);
  EXPECT_TRUE(config.ok()) << config.status();
  auto local = msp::Msp::Create(config.value());
  EXPECT_TRUE(local.ok()) << local.status();
  auto signer = local.value()->GetDefaultSigningIdentity();
  EXPECT_TRUE(signer.ok()) << signer.status();
  return protoutil::SignedData{data, signer.value()->Serialize(),
                               signer.value()->Sign(data).value()};
}

common::Block ReadBlock(const std::string& path) {
  StatusOr<std::string> bytes = crypto::ReadFile(path);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  common::Block block;
  EXPECT_TRUE(block.ParseFromString(bytes.value()));
  return block;
}

TEST(ConfigtxgenTest, DefaultApplicationGenesisBlockParsesIntoBundle) {
  const std::string file = NetworkDir() + "/genesis.block";
  testing::CliResult result =
      RunConfigtxgen({"-profile", "TwoOrgsApplicationGenesis", "-channelID", "mychannel",
                      "-outputBlock", file, "-configPath", NetworkDir()});
  ASSERT_EQ(result.code, kExitOk) << result.err;
  common::Block block = ReadBlock(file);
  EXPECT_EQ(block.header().number(), 0u);
  EXPECT_TRUE(block.header().previous_hash().empty());
  EXPECT_EQ(block.header().data_hash(), protoutil::BlockDataHash(block.data()));
  EXPECT_TRUE(protoutil::IsConfigBlock(block));
  EXPECT_EQ(block.metadata().metadata_size(), 5);

  ASSERT_OK_AND_ASSIGN(auto bundle, channelconfig::Bundle::FromConfigBlock(block));
  EXPECT_EQ(bundle->channel_id(), "mychannel");
  EXPECT_EQ(bundle->msp_manager().MspIds(),
            (std::vector<std::string>{"OrdererMSP", "Org1MSP", "Org2MSP"}));
  ASSERT_EQ(bundle->application_orgs().size(), 2u);
  EXPECT_EQ(bundle->application_orgs()[0].msp_id, "Org1MSP");
  EXPECT_EQ(bundle->application_orgs()[1].msp_id, "Org2MSP");
  ASSERT_EQ(bundle->application_orgs()[0].anchor_peers.size(), 1u);
  EXPECT_EQ(bundle->application_orgs()[0].anchor_peers[0].port, 7051);
  EXPECT_EQ(bundle->consensus_type(), "solo");
  EXPECT_EQ(bundle->batch_size().max_message_count, 10u);
  EXPECT_EQ(bundle->batch_size().absolute_max_bytes, 99u * 1024 * 1024);
  EXPECT_EQ(bundle->batch_size().preferred_max_bytes, 512u * 1024);
  EXPECT_EQ(bundle->batch_timeout(), std::chrono::seconds(2));
  EXPECT_EQ(bundle->orderer_addresses(), std::vector<std::string>{"127.0.0.1:7050"});
  EXPECT_EQ(bundle->channel_capabilities(), std::set<std::string>{"V1_4_3"});
  EXPECT_EQ(bundle->orderer_capabilities(), std::set<std::string>{"V1_4_2"});
  EXPECT_EQ(bundle->application_capabilities(), std::set<std::string>{"V1_4_2"});
}

TEST(ConfigtxgenTest, GenesisPoliciesAcceptOrgMembersAndRejectStrangers) {
  ASSERT_OK_AND_ASSIGN(Profile profile, DefaultProfile("TwoOrgsApplicationGenesis"));
  ASSERT_OK_AND_ASSIGN(common::Block block, MakeGenesisBlock(profile, "mychannel"));
  ASSERT_OK_AND_ASSIGN(auto bundle, channelconfig::Bundle::FromConfigBlock(block));
  ASSERT_OK_AND_ASSIGN(const policies::Policy* writers,
                       bundle->policy_manager().GetPolicy("/Channel/Application/Writers"));
  const std::string user1 =
      "crypto-config/peerOrganizations/org1.example.com/users/"
      "User1@org1.example.com/msp";
  EXPECT_OK(writers->Evaluate({Sign(user1, "Org1MSP", "tx")}));
  // Writers is OR(admin, client): a peer is not a writer.
  const std::string peer0 =
      "crypto-config/peerOrganizations/org1.example.com/peers/"
      "peer0.org1.example.com/msp";
  EXPECT_TRUE(writers->Evaluate({Sign(peer0, "Org1MSP", "tx")}).IsPermissionDenied());
  ASSERT_OK_AND_ASSIGN(const policies::Policy* endorsement,
                       bundle->policy_manager().GetPolicy("/Channel/Application/Org1/Endorsement"));
  EXPECT_OK(endorsement->Evaluate({Sign(peer0, "Org1MSP", "tx")}));

  // A key from another CA claiming Org1MSP.
  msp::testing::TempDir tmp;
  ASSERT_OK_AND_ASSIGN(auto stranger,
                       msp::testing::MakeTestOrg(tmp.path() + "/o", "Org1MSP", "org1.example.com"));
  StatusOr<::msp::MSPConfig> config = msp::LoadMspConfigFromDir(stranger.client.msp_dir, "Org1MSP");
  ASSERT_OK(config.status());
  auto local = msp::Msp::Create(config.value());
  ASSERT_OK(local.status());
  auto signer = local.value()->GetDefaultSigningIdentity().value();
  protoutil::SignedData forged{"tx", signer->Serialize(), signer->Sign("tx").value()};
  EXPECT_TRUE(writers->Evaluate({forged}).IsPermissionDenied());
}

TEST(ConfigtxgenTest, GenesisEnvelopeHasFabricsShape) {
  ASSERT_OK_AND_ASSIGN(Profile profile, DefaultProfile("TwoOrgsApplicationGenesis"));
  ASSERT_OK_AND_ASSIGN(common::Block block, MakeGenesisBlock(profile, "mychannel"));
  ASSERT_OK_AND_ASSIGN(common::Envelope envelope, protoutil::ExtractEnvelope(block, 0));
  EXPECT_TRUE(envelope.signature().empty());
  ASSERT_OK_AND_ASSIGN(auto parsed, protoutil::ParseEnvelope(envelope));
  EXPECT_EQ(parsed.channel_header.type(), common::CONFIG);
  EXPECT_EQ(parsed.channel_header.version(), 1);
  EXPECT_EQ(parsed.channel_header.channel_id(), "mychannel");
  EXPECT_TRUE(parsed.signature_header.creator().empty());
  EXPECT_EQ(parsed.channel_header.tx_id(),
            protoutil::ComputeTxId(parsed.signature_header.nonce(), ""));
  common::ConfigEnvelope config_envelope;
  ASSERT_TRUE(config_envelope.ParseFromString(parsed.payload.data()));
  EXPECT_FALSE(config_envelope.has_last_update());
  EXPECT_EQ(config_envelope.config().sequence(), 0u);
  const common::ConfigGroup& channel = config_envelope.config().channel_group();
  EXPECT_EQ(channel.mod_policy(), "Admins");
  EXPECT_EQ(channel.values().at("OrdererAddresses").mod_policy(), "/Channel/Orderer/Admins");
  EXPECT_EQ(channel.values().at("HashingAlgorithm").mod_policy(), "Admins");
  const common::ConfigGroup& orderer = channel.groups().at("Orderer");
  for (const char* key :
       {"BatchSize", "BatchTimeout", "ChannelRestrictions", "ConsensusType", "Capabilities"}) {
    EXPECT_EQ(orderer.values().count(key), 1u) << key;
  }
  EXPECT_EQ(orderer.policies().count("BlockValidation"), 1u);
  EXPECT_EQ(orderer.groups().at("OrdererOrg").values().count("Endpoints"), 1u);
  const common::ConfigGroup& org1 = channel.groups().at("Application").groups().at("Org1");
  EXPECT_EQ(org1.values().count("MSP"), 1u);
  EXPECT_EQ(org1.values().count("AnchorPeers"), 1u);
  EXPECT_EQ(org1.version(), 0u);
}

TEST(ConfigtxgenTest, SystemChannelProfileHasConsortiums) {
  ASSERT_OK_AND_ASSIGN(Profile profile, DefaultProfile("TwoOrgsOrdererGenesis"));
  ASSERT_OK_AND_ASSIGN(common::Block block, MakeGenesisBlock(profile, "system-channel"));
  ASSERT_OK_AND_ASSIGN(auto bundle, channelconfig::Bundle::FromConfigBlock(block));
  EXPECT_FALSE(bundle->has_application());
  EXPECT_EQ(bundle->consortiums(), std::vector<std::string>{"SampleConsortium"});
  EXPECT_EQ(bundle->msp_manager().MspIds().size(), 3u);
  ASSERT_OK_AND_ASSIGN(common::ConfigGroup channel, NewChannelGroup(profile));
  const common::ConfigGroup& consortiums = channel.groups().at("Consortiums");
  EXPECT_EQ(consortiums.mod_policy(), "/Channel/Orderer/Admins");
  const common::ConfigGroup& sample = consortiums.groups().at("SampleConsortium");
  EXPECT_EQ(sample.values().at("ChannelCreationPolicy").mod_policy(), "/Channel/Orderer/Admins");
  EXPECT_EQ(sample.groups().size(), 2u);
}

TEST(ConfigtxgenTest, ChannelCreationTxAddsApplicationGroup) {
  ASSERT_OK_AND_ASSIGN(Profile profile, DefaultProfile("TwoOrgsChannel"));
  ASSERT_OK_AND_ASSIGN(common::Envelope envelope, MakeChannelCreationTx(profile, "mychannel"));
  EXPECT_TRUE(envelope.signature().empty());
  // Unsigned, as Fabric's: the signature header is empty (the peer CLI signs it later).
  common::Payload payload;
  ASSERT_TRUE(payload.ParseFromString(envelope.payload()));
  EXPECT_TRUE(payload.header().signature_header().empty());
  common::ChannelHeader channel_header;
  ASSERT_TRUE(channel_header.ParseFromString(payload.header().channel_header()));
  EXPECT_EQ(channel_header.type(), common::CONFIG_UPDATE);
  EXPECT_EQ(channel_header.channel_id(), "mychannel");
  common::ConfigUpdateEnvelope update_envelope;
  ASSERT_TRUE(update_envelope.ParseFromString(payload.data()));
  EXPECT_EQ(update_envelope.signatures_size(), 0);
  common::ConfigUpdate update;
  ASSERT_TRUE(update.ParseFromString(update_envelope.config_update()));
  EXPECT_EQ(update.channel_id(), "mychannel");
  const auto& read_app = update.read_set().groups().at("Application");
  const auto& write_app = update.write_set().groups().at("Application");
  EXPECT_EQ(read_app.version(), 0u);
  EXPECT_EQ(read_app.groups().size(), 2u);
  EXPECT_TRUE(read_app.policies().empty());
  EXPECT_EQ(write_app.version(), 1u);
  EXPECT_EQ(write_app.mod_policy(), "Admins");
  EXPECT_EQ(write_app.policies().size(), 4u);
  EXPECT_TRUE(write_app.groups().at("Org1").values().empty());
  common::Consortium consortium;
  ASSERT_TRUE(consortium.ParseFromString(update.write_set().values().at("Consortium").value()));
  EXPECT_EQ(consortium.name(), "SampleConsortium");
  EXPECT_EQ(update.read_set().values().count("Consortium"), 1u);
  // No Consortium: no creation tx.
  ASSERT_OK_AND_ASSIGN(Profile genesis, DefaultProfile("TwoOrgsApplicationGenesis"));
  EXPECT_TRUE(MakeChannelCreationTx(genesis, "mychannel").status().IsInvalidArgument());
}

TEST(ConfigtxgenTest, InspectBlockDecodesNestedConfig) {
  ASSERT_OK_AND_ASSIGN(Profile profile, DefaultProfile("TwoOrgsApplicationGenesis"));
  ASSERT_OK_AND_ASSIGN(common::Block block, MakeGenesisBlock(profile, "mychannel"));
  ASSERT_OK_AND_ASSIGN(std::string text, InspectBlock(block.SerializeAsString()));
  nlohmann::json tree = nlohmann::json::parse(text, nullptr, false);
  ASSERT_FALSE(tree.is_discarded());
  const nlohmann::json& payload = tree["data"]["data"][0]["payload"];
  EXPECT_EQ(payload["header"]["channel_header"]["channel_id"], "mychannel");
  const nlohmann::json& channel = payload["data"]["config"]["channel_group"];
  EXPECT_EQ(channel["groups"]["Orderer"]["values"]["BatchSize"]["value"]["max_message_count"], 10);
  EXPECT_EQ(channel["groups"]["Orderer"]["values"]["BatchTimeout"]["value"]["timeout"], "2s");
  EXPECT_EQ(channel["groups"]["Application"]["groups"]["Org1"]["values"]["MSP"]["value"]["config"]
                   ["name"],
            "Org1MSP");
  EXPECT_EQ(channel["policies"]["Admins"]["policy"]["value"]["rule"], "MAJORITY");
  EXPECT_EQ(channel["values"]["BlockDataHashingStructure"]["value"]["width"], 4294967295u);
  // As Fabric 1.4's configtxgen: LAST_CONFIG (index 1) holds LastConfig{0}, SIGNATURES is empty.
  EXPECT_EQ(tree["metadata"]["metadata"][1]["value"]["index"], "0");
  EXPECT_EQ(tree["metadata"]["metadata"][0]["value"]["last_config"], nullptr);
}

}  // namespace
}  // namespace fabric::configtxgen
