// SPDX-License-Identifier: Apache-2.0

#include "peer/committer/committer.h"

#include <gtest/gtest.h>

#include "common/channelconfig/genesis.h"
#include "common/protoutil/txutils.h"
#include "peer/chaincode.pb.h"
#include "peer/committer/testing/fixture.h"
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

TEST_F(CommitterTest, ConfigTransactionUpdatesTheChannelConfig) {
  RecordingObserver observer;
  committer().AddObserver(&observer);
  common::Config config = net().MakeConfig({"127.0.0.1:7050", "127.0.0.1:8050"});
  config.set_sequence(1);
  common::ConfigEnvelope ce;
  *ce.mutable_config() = config;
  ASSERT_OK_AND_ASSIGN(common::Envelope env, protoutil::CreateSignedEnvelope(
                                                 common::CONFIG, "mychannel", net().orderer(), ce));
  ASSERT_OK(committer().CommitBlock(Block({env})));
  EXPECT_EQ(committer().config()->sequence(), 1u);
  EXPECT_EQ(committer().config()->orderer_addresses().size(), 2u);
  ASSERT_EQ(observer.configs.size(), 1u);
  // Reloading from the ledger finds the same config.
  ASSERT_OK_AND_ASSIGN(auto reloaded, LoadChannelConfig(ledger()));
  EXPECT_EQ(reloaded->sequence(), 1u);
  // A stale sequence is refused (the block is not committed).
  const uint64_t height = ledger().GetBlockchainInfo().height();
  EXPECT_FALSE(committer().CommitBlock(Block({env})).ok());
  EXPECT_EQ(ledger().GetBlockchainInfo().height(), height);
  committer().RemoveObserver(&observer);
}

}  // namespace
}  // namespace fabric::committer
