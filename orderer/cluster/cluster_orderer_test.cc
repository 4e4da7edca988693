// SPDX-License-Identifier: Apache-2.0
//
// Two orderer nodes in-process, each with its own ledger and gRPC server, ordering a channel of
// consensus type "etcd" from one in-memory log: what Broadcast gives either node, Deliver
// serves identically from both.
#include <gtest/gtest.h>

#include "common/msp/testing/status_testing.h"
#include "fabric/base/testing/wait_until.h"
#include "orderer/cluster/cluster_chain.h"
#include "orderer/cluster/testing/memory_log.h"
#include "orderer/node.h"
#include "orderer/testing/test_network.h"

namespace fabric::orderer {
namespace {

using msp::testing::TempDir;
using orderer::testing::Client;
using orderer::testing::MakeSeek;
using orderer::testing::MakeTx;
using orderer::testing::Specified;

constexpr char kChannel[] = "mychannel";

class ClusterOrdererTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(configtxgen::Profile profile,
                         orderer::testing::LoadTestProfile("TwoOrgsApplicationGenesis"));
    profile.orderer->orderer_type = "etcd";
    profile.orderer->etcd.endpoints = {"127.0.0.1:2379", "127.0.0.1:22379"};
    profile.orderer->batch_size.max_message_count = 3;
    profile.orderer->batch_timeout = std::chrono::milliseconds(300);
    ASSERT_OK_AND_ASSIGN(genesis_, configtxgen::MakeGenesisBlock(profile, kChannel));
    genesis_path_ = tmp_.path() + "/genesis.block";
    ASSERT_OK(orderer::testing::WriteBlock(genesis_path_, genesis_));
  }

  std::unique_ptr<Orderer> StartNode(const std::string& name) {
    Orderer::Cluster cluster;
    cluster.channel_logs = logs_.FactoryFor(name);
    cluster.chain.read_wait = std::chrono::milliseconds(50);
    StatusOr<std::unique_ptr<Orderer>> node = Orderer::Start(
        orderer::testing::TestConfig(tmp_.path() + "/" + name, {genesis_path_}), cluster);
    EXPECT_TRUE(node.ok()) << node.status();
    return node.ok() ? *std::move(node) : nullptr;
  }

  TempDir tmp_;
  common::Block genesis_;
  std::string genesis_path_;
  cluster::testing::TestCluster logs_;
};

TEST_F(ClusterOrdererTest, BroadcastToEitherNodeDeliversTheSameBlocksFromBoth) {
  std::unique_ptr<Orderer> a = StartNode("a");
  std::unique_ptr<Orderer> b = StartNode("b");
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  Client client_a(a->port());
  Client client_b(b->port());
  auto user = orderer::testing::LoadUser(1, "User1");
  // Three to one node, one to the other: a full block, then one cut on the batch timeout.
  for (const auto& r : client_a.Broadcast({MakeTx(kChannel, *user), MakeTx(kChannel, *user)})) {
    EXPECT_EQ(r.status(), common::SUCCESS) << r.info();
  }
  for (const auto& r : client_b.Broadcast({MakeTx(kChannel, *user), MakeTx(kChannel, *user)})) {
    EXPECT_EQ(r.status(), common::SUCCESS) << r.info();
  }
  auto seek = MakeSeek(kChannel, *user, Specified(0), Specified(2));
  Client::DeliverResult from_a = client_a.Deliver(seek);
  Client::DeliverResult from_b = client_b.Deliver(seek);
  ASSERT_EQ(from_a.status, common::SUCCESS);
  ASSERT_EQ(from_b.status, common::SUCCESS);
  ASSERT_EQ(from_a.blocks.size(), 3u);
  ASSERT_EQ(from_b.blocks.size(), 3u);
  for (size_t n = 0; n < 3; ++n) {
    EXPECT_EQ(from_a.blocks[n].header().SerializeAsString(),
              from_b.blocks[n].header().SerializeAsString());
    EXPECT_EQ(from_a.blocks[n].data().SerializeAsString(),
              from_b.blocks[n].data().SerializeAsString());
  }
  EXPECT_EQ(from_a.blocks[1].data().data_size(), 3);
  EXPECT_EQ(from_a.blocks[2].data().data_size(), 1);
}

TEST_F(ClusterOrdererTest, UnreachableLogIsServiceUnavailable) {
  std::unique_ptr<Orderer> a = StartNode("a");
  ASSERT_NE(a, nullptr);
  logs_.store(kChannel)->set_fail_appends(true);
  Client client(a->port());
  auto user = orderer::testing::LoadUser(1, "User1");
  std::string info;
  EXPECT_EQ(client.BroadcastOne(MakeTx(kChannel, *user), &info), common::SERVICE_UNAVAILABLE);
  EXPECT_NE(info.find("ordering log did not take the message"), std::string::npos) << info;
}

TEST_F(ClusterOrdererTest, EtcdChannelWithoutChannelLogsFailsToOpen) {
  StatusOr<std::unique_ptr<Orderer>> node =
      Orderer::Start(orderer::testing::TestConfig(tmp_.path() + "/solo", {genesis_path_}));
  ASSERT_FALSE(node.ok());
  EXPECT_TRUE(node.status().IsFailedPrecondition()) << node.status();
  EXPECT_NE(node.status().message().find("no etcd cluster configured"), std::string::npos)
      << node.status();
}

TEST(EtcdConfigTest, EndpointsComeFromTheGenesisBlock) {
  ASSERT_OK_AND_ASSIGN(configtxgen::Profile profile,
                       orderer::testing::LoadTestProfile("TwoOrgsApplicationGenesis"));
  profile.orderer->orderer_type = "etcd";
  profile.orderer->etcd.endpoints = {"10.0.0.1:2379", "10.0.0.2:2379"};
  profile.orderer->etcd.tls = true;
  ASSERT_OK_AND_ASSIGN(common::Block genesis, configtxgen::MakeGenesisBlock(profile, kChannel));
  ASSERT_OK_AND_ASSIGN(cluster::EtcdConfigMetadata etcd, cluster::EtcdConfigFromBlock(genesis));
  EXPECT_EQ(etcd.endpoints_size(), 2);
  EXPECT_EQ(etcd.endpoints(1), "10.0.0.2:2379");
  EXPECT_TRUE(etcd.tls());
  profile.orderer->orderer_type = "solo";
  ASSERT_OK_AND_ASSIGN(genesis, configtxgen::MakeGenesisBlock(profile, kChannel));
  EXPECT_TRUE(cluster::EtcdConfigFromBlock(genesis).status().IsInvalidArgument());
}

}  // namespace
}  // namespace fabric::orderer
