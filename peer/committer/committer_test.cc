// SPDX-License-Identifier: Apache-2.0

#include "peer/committer/committer.h"

#include <functional>

#include <gtest/gtest.h>

#include "common/channelconfig/configtx.h"
#include "common/channelconfig/genesis.h"
#include "common/channelconfig/keys.h"
#include "common/channelconfig/testing/test_channel.h"
#include "common/channelconfig/values.h"
#include "common/protoutil/txutils.h"
#include "fabric/base/status_macros.h"
#include "peer/chaincode.pb.h"
#include "peer/committer/testing/fixture.h"
#include "peer/configuration.pb.h"
#include "peer/ledger/block_parser.h"

namespace fabric::committer {
namespace {

using protos::TxValidationCode;
using testing::CommitterFixture;

class RecordingObserver : public CommitObserver {
 public:
  void OnBlockCommitted(const std::string& channel, const common::Block& block) override {
    channels.push_back(channel);
    blocks.push_back(block);
  }
  void OnChaincodeDeployed(const std::string&, const ChaincodeDeployment& d) override {
    deployed.push_back(d.definition.name() + ":" + d.definition.version());
  }
  void OnConfigUpdate(const std::string&,
                      const std::shared_ptr<const channelconfig::Bundle>& config) override {
    configs.push_back(config);
  }
  std::vector<std::string> channels;
  std::vector<common::Block> blocks;
  std::vector<std::string> deployed;
  std::vector<std::shared_ptr<const channelconfig::Bundle>> configs;
};

using CommitterTest = CommitterFixture;

TEST_F(CommitterTest, ConflictingTransactionsInOneBlock) {
  ASSERT_OK(committer().CommitBlock(Block({Tx("mycc", "k", "0")})));
  RecordingObserver observer;
  committer().AddObserver(&observer);
  common::Envelope first = Tx("mycc", "k", "1", {}, nullptr, /*read=*/true);
  common::Envelope second = Tx("mycc", "k", "2", {}, nullptr, /*read=*/true);
  common::Envelope bad = Tx("andcc", "z", "1");
  ASSERT_OK(committer().CommitBlock(Block({first, second, bad})));

  const uint64_t height = ledger().GetBlockchainInfo().height();
  ASSERT_OK_AND_ASSIGN(common::Block stored, ledger().GetBlockByNumber(height - 1));
  EXPECT_EQ(ledger::TxFilterFromBlock(stored),
            (std::vector<TxValidationCode>{protos::VALID, protos::MVCC_READ_CONFLICT,
                                           protos::ENDORSEMENT_POLICY_FAILURE}));
  auto qe = ledger().NewQueryExecutor();
  EXPECT_EQ(qe->GetState("mycc", "k").value(), "1");
  EXPECT_EQ(qe->GetState("andcc", "z").value(), "");
  qe->Done();

  ASSERT_EQ(observer.blocks.size(), 1u);
  EXPECT_EQ(observer.channels[0], "mychannel");
  EXPECT_EQ(ledger::TxFilterFromBlock(observer.blocks[0]), ledger::TxFilterFromBlock(stored));
  committer().RemoveObserver(&observer);
}

TEST_F(CommitterTest, RefusesBlockThatDoesNotExtendTheChain) {
  common::Block block = Block({Tx("mycc", "a", "1")});
  block.mutable_header()->set_number(block.header().number() + 1);
  Status s = committer().CommitBlock(block);
  EXPECT_TRUE(s.IsFailedPrecondition()) << s;
}

TEST_F(CommitterTest, ChaincodeDeployedObserverHearsValidLsccWrites) {
  RecordingObserver observer;
  committer().AddObserver(&observer);
  protos::ChaincodeDeploymentSpec cds;
  cds.mutable_chaincode_spec()->set_type(protos::ChaincodeSpec::GOLANG);
  cds.mutable_chaincode_spec()->mutable_chaincode_id()->set_name("newcc");
  cds.mutable_chaincode_spec()->mutable_chaincode_id()->set_version("1.0");
  testing::TxSpec spec;
  spec.chaincode = "lscc";
  spec.args = {"deploy", "mychannel", cds.SerializeAsString()};
  spec.creator = &net().org1_admin();
  spec.endorsers = {&net().org2_peer()};
  ledger::RWSetBuilder rw;
  rw.AddToWriteSet("lscc", "newcc",
                   testing::ChaincodeDataBytes(
                       "newcc", "1.0", policies::SignedByAnyMember({"Org1MSP"}), AnyAdmin()));
  spec.rwset = rw.GetTxSimulationResults();
  ASSERT_OK(committer().CommitBlock(Block({testing::MakeEndorserTx(spec).value()})));
  EXPECT_EQ(observer.deployed, std::vector<std::string>{"newcc:1.0"});
  // The new chaincode is now invokable.
  ASSERT_OK(committer().CommitBlock(Block({Tx("newcc", "x", "1")})));
  EXPECT_EQ(ledger::TxFilterFromBlock(observer.blocks.back()),
            std::vector<TxValidationCode>{protos::VALID});
  committer().RemoveObserver(&observer);
}

// A CONFIG transaction as an orderer makes it: `edit` applied to the channel's config as an
// update signed by `signers`, validated and turned into a ConfigEnvelope.
StatusOr<common::ConfigEnvelope> ProposeConfig(
    const channelconfig::Bundle& current, const std::function<void(common::Config&)>& edit,
    const std::vector<const msp::SigningIdentity*>& signers) {
  common::Config edited = current.config();
  edit(edited);
  ASSIGN_OR_RETURN(common::ConfigUpdate update,
                   channelconfig::testing::ComputeUpdate("mychannel", current.config(), edited));
  ASSIGN_OR_RETURN(common::Envelope envelope,
                   channelconfig::testing::MakeConfigUpdateEnvelope("mychannel", update, signers));
  return channelconfig::ProposeConfigUpdate(current, envelope);
}

void SetOrg1AnchorPeer(common::Config& c) {
  protos::AnchorPeers anchors;
  anchors.add_anchor_peers()->set_host("peer0.org1.example.com");
  channelconfig::SetValue(channelconfig::testing::GroupAt(c, {"Application", "Org1"}),
                          channelconfig::kAnchorPeersKey, anchors, "Admins");
}

class ConfigCommitTest : public CommitterFixture {
 protected:
  StatusOr<common::ConfigEnvelope> Propose(const std::function<void(common::Config&)>& edit) {
    return ProposeConfig(*committer().config(), edit, {&net().org1_admin(), &net().org2_admin()});
  }

  // Commits `envelope` as the CONFIG transaction of the next block.
  Status Commit(const common::ConfigEnvelope& envelope) {
    ASSIGN_OR_RETURN(
        common::Envelope env,
        protoutil::CreateSignedEnvelope(common::CONFIG, "mychannel", net().orderer(), envelope));
    return committer().CommitBlock(Block({env}));
  }

  // Expects the commit of `envelope` to fail with `message` and the ledger not to grow.
  void ExpectRefused(const common::ConfigEnvelope& envelope, std::string_view message) {
    const uint64_t height = ledger().GetBlockchainInfo().height();
    Status status = Commit(envelope);
    EXPECT_NE(status.message().find(message), std::string_view::npos) << status;
    EXPECT_EQ(ledger().GetBlockchainInfo().height(), height);
    EXPECT_EQ(committer().config()->sequence(), 0u);
  }
};

TEST_F(ConfigCommitTest, ConfigTransactionUpdatesTheChannelConfig) {
  RecordingObserver observer;
  committer().AddObserver(&observer);
  ASSERT_OK_AND_ASSIGN(common::ConfigEnvelope envelope, Propose(SetOrg1AnchorPeer));
  ASSERT_OK(Commit(envelope));
  EXPECT_EQ(committer().config()->sequence(), 1u);
  ASSERT_EQ(committer().config()->application_orgs()[0].anchor_peers.size(), 1u);
  ASSERT_EQ(observer.configs.size(), 1u);
  // Reloading from the ledger finds the same config.
  ASSERT_OK_AND_ASSIGN(auto reloaded, LoadChannelConfig(ledger()));
  EXPECT_EQ(reloaded->sequence(), 1u);
  // A stale sequence is refused (the block is not committed).
  const uint64_t height = ledger().GetBlockchainInfo().height();
  EXPECT_FALSE(Commit(envelope).ok());
  EXPECT_EQ(ledger().GetBlockchainInfo().height(), height);
  committer().RemoveObserver(&observer);
}

// Fabric's peer re-runs the update (case peer_forged_config): a config that its LastUpdate does
// not produce is refused.
TEST_F(ConfigCommitTest, ConfigNotProducedByItsLastUpdateIsRefused) {
  ASSERT_OK_AND_ASSIGN(common::ConfigEnvelope envelope, Propose(SetOrg1AnchorPeer));
  channelconfig::testing::SetBatchTimeout(*envelope.mutable_config(), "9s");
  ExpectRefused(envelope, "ConfigEnvelope LastUpdate did not produce the supplied config result");
}

// ... and checks the mod_policies again (case peer_unauthorized_config).
TEST_F(ConfigCommitTest, ConfigWhoseLastUpdateIsUnsignedIsRefused) {
  ASSERT_OK_AND_ASSIGN(common::ConfigEnvelope envelope, Propose(SetOrg1AnchorPeer));
  ASSERT_OK_AND_ASSIGN(common::ConfigUpdateEnvelope cue,
                       channelconfig::UnwrapConfigUpdate(envelope.last_update(), nullptr));
  cue.clear_signatures();
  ASSERT_OK_AND_ASSIGN(
      *envelope.mutable_last_update(),
      protoutil::CreateSignedEnvelope(common::CONFIG_UPDATE, "mychannel", net().org1_admin(), cue));
  ExpectRefused(envelope,
                "error validating DeltaSet: policy for [Group]  /Channel/Application/Org1 not "
                "satisfied");
}

// ... then Bundle.ValidateNew and the capability check (cases cc_app_mspid_rename,
// cc_app_cap_unsupported: a Fabric peer stops on them).
TEST_F(ConfigCommitTest, ConfigThatFailsValidateNewOrNeedsUnknownCapabilitiesIsRefused) {
  ASSERT_OK_AND_ASSIGN(
      common::ConfigEnvelope renamed, Propose([](common::Config& c) {
        (*channelconfig::testing::GroupAt(c, {"Application", "Org1"}).mutable_values())["MSP"] =
            channelconfig::testing::GroupAt(c, {"Orderer", "OrdererOrg"}).values().at("MSP");
      }));
  ExpectRefused(renamed,
                "application org Org1 attempted to change MSP ID from Org1MSP to OrdererMSP");
  ASSERT_OK_AND_ASSIGN(common::ConfigEnvelope v2, Propose([](common::Config& c) {
                         channelconfig::SetCapabilities(
                             channelconfig::testing::GroupAt(c, {"Application"}),
                             {"V1_4_2", "V2_0"}, "Admins");
                       }));
  ExpectRefused(v2, "Application capability V2_0 is required but not supported");
}

}  // namespace
}  // namespace fabric::committer
