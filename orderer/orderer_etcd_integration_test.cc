// SPDX-License-Identifier: Apache-2.0
//
// Two real `orderer` binaries ordering a channel of consensus type etcd from three real etcd
// members (common/etcd/testing): the daemon makes its channel logs from the genesis block's
// etcd endpoints and its Etcd section. Skipped without /usr/bin/etcd.

#include <fstream>

#include <gtest/gtest.h>

#include "common/etcd/testing/etcd_cluster.h"
#include "common/msp/testing/status_testing.h"
#include "fabric/base/testing/wait_until.h"
#include "orderer/testing/broadcast_load.h"
#include "orderer/testing/orderer_process.h"
#include "orderer/testing/test_network.h"

namespace fabric::orderer {
namespace {

using etcd::testing::EtcdCluster;
using msp::testing::TempDir;
using testing::OrdererProcess;

constexpr char kChannel[] = "mychannel";

class OrdererEtcdBinaryTest : public ::testing::Test {
 protected:
  void Start() {
    FABRIC_SKIP_WITHOUT_ETCD();
    ASSERT_OK_AND_ASSIGN(etcd_, EtcdCluster::Start({.members = 3}));
    ASSERT_OK_AND_ASSIGN(configtxgen::Profile profile,
                         testing::LoadTestProfile("TwoOrgsApplicationGenesis"));
    profile.orderer->orderer_type = "etcd";
    profile.orderer->etcd.endpoints = etcd_->endpoints();
    profile.orderer->batch_timeout = std::chrono::milliseconds(200);
    ASSERT_OK_AND_ASSIGN(common::Block genesis, configtxgen::MakeGenesisBlock(profile, kChannel));
    ASSERT_OK(testing::WriteBlock(tmp_.path() + "/genesis.block", genesis));
    std::ofstream(tmp_.path() + "/orderer.json")
        << R"({"General": {"ListenAddress": "127.0.0.1", "ListenPort": 7050,
                "BootstrapFile": "genesis.block", "LocalMSPID": "OrdererMSP"},
               "Etcd": {"RequestTimeout": "3s"}})";
    user_ = testing::LoadUser(1, "User1");
    for (const std::string name : {"o1", "o2"}) {
      nodes_.push_back(std::make_unique<OrdererProcess>(
          ORDERER_BIN, std::vector<std::string>{"start", "--config", tmp_.path() + "/orderer.json"},
          std::vector<std::string>{"ORDERER_GENERAL_LISTENPORT=0",
                                   "ORDERER_GENERAL_LOCALMSPDIR=" + testing::OrdererMspDir(),
                                   "ORDERER_FILELEDGER_LOCATION=" + tmp_.path() + "/" + name,
                                   "ORDERER_ETCD_NODEID=" + name, "FABRIC_LOGGING_SPEC=info"},
          tmp_.path() + "/" + name + ".log"));
      int port = nodes_.back()->WaitForPort();
      ASSERT_NE(port, 0) << nodes_.back()->log();
      addresses_.push_back("127.0.0.1:" + std::to_string(port));
    }
  }

  std::vector<std::vector<common::Block>> Chains() {
    std::vector<std::vector<common::Block>> chains;
    for (const std::string& address : addresses_) {
      chains.push_back(
          testing::ReadChain(address, grpc::InsecureChannelCredentials(), kChannel, *user_));
    }
    return chains;
  }

  TempDir tmp_;
  std::unique_ptr<EtcdCluster> etcd_;
  std::unique_ptr<msp::X509SigningIdentity> user_;
  std::vector<std::unique_ptr<OrdererProcess>> nodes_;
  std::vector<std::string> addresses_;
};

TEST_F(OrdererEtcdBinaryTest, BothNodesHaveEveryAcceptedTransactionAcrossAnEtcdMemberLoss) {
  ASSERT_NO_FATAL_FAILURE(Start());
  if (IsSkipped()) {
    return;
  }
  testing::BroadcastLoad load(
      {.addresses = addresses_, .channel = kChannel, .signer = user_.get(), .clients = 2});
  load.Start();
  ASSERT_TRUE(WaitUntil([&] { return load.accepted_count() >= 50; }, std::chrono::seconds(20)));
  ASSERT_OK(etcd_->Kill(0));
  const size_t before = load.accepted_count();
  ASSERT_TRUE(WaitUntil([&] { return load.accepted_count() >= before + 50; },
                        std::chrono::seconds(20)))
      << nodes_[0]->log();
  load.Stop();
  EXPECT_TRUE(load.in_doubt().size() <= 2u) << load.in_doubt().size();

  std::vector<std::vector<common::Block>> chains;
  EXPECT_TRUE(WaitUntil(
      [&] {
        chains = Chains();
        return testing::CheckChains(chains, load.accepted()).empty();
      },
      std::chrono::seconds(10)))
      << testing::CheckChains(chains, load.accepted());
}

}  // namespace
}  // namespace fabric::orderer
