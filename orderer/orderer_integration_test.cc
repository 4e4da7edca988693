// SPDX-License-Identifier: Apache-2.0
//
// The real `orderer` binary as a child process: configured by an orderer.json file plus
// ORDERER_* environment, stopped with SIGTERM (graceful) and SIGKILL, restarted over the same
// ledger. Every child is killed by its guard, even when a test fails.
#include <signal.h>
#include <sys/wait.h>

#include <fstream>
#include <set>

#include <gtest/gtest.h>

#include "common/msp/testing/status_testing.h"
#include "common/protoutil/blockutils.h"
#include "fabric/base/testing/wait_until.h"
#include "orderer/block_writer.h"
#include "orderer/testing/broadcast_load.h"
#include "orderer/testing/orderer_process.h"
#include "orderer/testing/test_network.h"

namespace fabric::orderer {
namespace {

using msp::testing::TempDir;
using testing::Client;
using testing::MakeSeek;
using testing::MakeTx;
using testing::Oldest;
using testing::Specified;

constexpr char kChannel[] = "mychannel";

using testing::OrdererProcess;

class OrdererBinaryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(common::Block genesis,
                         testing::MakeGenesis("TwoOrgsApplicationGenesis", kChannel));
    ASSERT_OK(testing::WriteBlock(tmp_.path() + "/genesis.block", genesis));
    std::ofstream(tmp_.path() + "/orderer.json")
        << R"({"General": {"ListenAddress": "127.0.0.1", "ListenPort": 7050,
                "BootstrapFile": "genesis.block", "LocalMSPID": "OrdererMSP"},
               "FileLedger": {"Location": "ledger"}})";
    env_ = {"ORDERER_GENERAL_LISTENPORT=0",
            "ORDERER_GENERAL_LOCALMSPDIR=" + testing::OrdererMspDir(), "FABRIC_LOGGING_SPEC=info"};
    user_ = testing::LoadUser(1, "User1");
    orderer_id_ = testing::LoadOrdererIdentity();
  }

  std::unique_ptr<OrdererProcess> Launch(const std::string& name) {
    return std::make_unique<OrdererProcess>(
        ORDERER_BIN, std::vector<std::string>{"start", "--config", tmp_.path() + "/orderer.json"},
        env_, tmp_.path() + "/" + name + ".log");
  }

  TempDir tmp_;
  std::vector<std::string> env_;
  std::unique_ptr<msp::X509SigningIdentity> user_, orderer_id_;
};

TEST_F(OrdererBinaryTest, OrdersSurvivesSigtermAndSigkillAndContinuesTheChain) {
  std::string first_block;
  {
    auto process = Launch("run1");
    int port = process->WaitForPort();
    ASSERT_NE(port, 0) << process->log();
    Client client(port);
    for (int i = 0; i < 3; ++i) {
      ASSERT_EQ(client.BroadcastOne(MakeTx(kChannel, *user_)), common::SUCCESS);
    }
    Client::DeliverResult r = client.Deliver(MakeSeek(kChannel, *user_, Oldest(), Specified(1)));
    ASSERT_EQ(r.status, common::SUCCESS);
    ASSERT_EQ(r.blocks.size(), 2u);
    ASSERT_OK_AND_ASSIGN(auto md, protoutil::Unmarshal<common::Metadata>(
                                      r.blocks[1].metadata().metadata(0), "metadata"));
    ASSERT_EQ(md.signatures_size(), 1);
    EXPECT_OK(orderer_id_->public_key().Verify(
        MetadataSignedBytes(md.value(), md.signatures(0).signature_header(), r.blocks[1].header()),
        md.signatures(0).signature()));
    first_block = r.blocks[1].SerializeAsString();
    int status = process->Stop(SIGTERM);
    ASSERT_TRUE(WIFEXITED(status)) << process->log();
    EXPECT_EQ(WEXITSTATUS(status), 0) << process->log();
  }
  {
    auto process = Launch("run2");
    int port = process->WaitForPort();
    ASSERT_NE(port, 0) << process->log();
    Client client(port);
    for (int i = 0; i < 3; ++i) {
      ASSERT_EQ(client.BroadcastOne(MakeTx(kChannel, *user_)), common::SUCCESS);
    }
    Client::DeliverResult r = client.Deliver(MakeSeek(kChannel, *user_, Oldest(), Specified(2)));
    ASSERT_EQ(r.status, common::SUCCESS);
    ASSERT_EQ(r.blocks.size(), 3u);
    EXPECT_EQ(r.blocks[1].SerializeAsString(), first_block);
    EXPECT_EQ(r.blocks[2].header().previous_hash(),
              protoutil::BlockHeaderHash(r.blocks[1].header()));
    process->Stop(SIGKILL);
  }
  {
    auto process = Launch("run3");
    int port = process->WaitForPort();
    ASSERT_NE(port, 0) << process->log();
    Client client(port);
    Client::DeliverResult r = client.Deliver(MakeSeek(kChannel, *user_, Oldest(), Specified(2)));
    ASSERT_EQ(r.status, common::SUCCESS);
    EXPECT_EQ(r.blocks.size(), 3u);
  }
}

// The cluster tests' load client and chain check, against one node: every acknowledged
// transaction is in the chain once, and the check notices a missing or a differing block.
TEST_F(OrdererBinaryTest, LoadClientAccountsForEveryAcknowledgedTransaction) {
  auto process = Launch("load");
  int port = process->WaitForPort();
  ASSERT_NE(port, 0) << process->log();
  std::string address = "127.0.0.1:" + std::to_string(port);
  testing::BroadcastLoad load({.addresses = {address}, .channel = kChannel, .signer = user_.get()});
  load.Start();
  ASSERT_TRUE(WaitUntil([&] { return load.accepted_count() >= 200; }, std::chrono::seconds(20)));
  load.Stop();
  EXPECT_TRUE(load.refusals().empty());
  EXPECT_TRUE(load.in_doubt().empty());

  std::vector<common::Block> chain;
  ASSERT_TRUE(WaitUntil(
      [&] {
        chain = testing::ReadChain(address, grpc::InsecureChannelCredentials(), kChannel, *user_);
        return testing::CheckChains({chain}, load.accepted()).empty();
      },
      std::chrono::seconds(10)))
      << testing::CheckChains({chain}, load.accepted());
  EXPECT_EQ(testing::CheckChains({chain, chain}, load.accepted()), "");

  std::set<std::string> with_ghost = load.accepted();
  with_ghost.insert("c9-0");
  EXPECT_NE(testing::CheckChains({chain}, with_ghost).find("c9-0 is not in the chain"),
            std::string::npos);
  std::vector<common::Block> altered = chain;
  altered.back().mutable_data()->add_data("x");
  EXPECT_NE(testing::CheckChains({chain, altered}, load.accepted()).find("differs"),
            std::string::npos);
  altered.pop_back();
  EXPECT_NE(testing::CheckChains({chain, altered}, load.accepted()).find("blocks"),
            std::string::npos);
}

TEST_F(OrdererBinaryTest, BadConfigurationExitsWithOneLine) {
  env_.push_back("ORDERER_GENERAL_LOCALMSPDIR=" + tmp_.path() + "/no-msp");
  auto process = Launch("bad");
  EXPECT_EQ(process->WaitForPort(), 0);
  int status = process->Wait();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1);
  std::string log = process->log();
  EXPECT_NE(log.find("orderer: error: load local msp"), std::string::npos) << log;
}

}  // namespace
}  // namespace fabric::orderer
