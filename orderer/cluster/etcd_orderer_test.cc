// SPDX-License-Identifier: Apache-2.0
//
// Two orderer nodes in-process ordering a channel of consensus type "etcd" from real etcd
// members (common/etcd/testing), their logs made as the orderer daemon makes them: from the
// channel config's endpoints, with EtcdChannelLogFactory.
#include <gtest/gtest.h>

#include "common/etcd/testing/etcd_cluster.h"
#include "common/msp/testing/status_testing.h"
#include "fabric/base/testing/wait_until.h"
#include "orderer/cluster/cluster_chain.h"
#include "orderer/cluster/etcd_channel_log.h"
#include "orderer/node.h"
#include "orderer/testing/test_network.h"

namespace fabric::orderer {
namespace {

using etcd::testing::EtcdCluster;
using msp::testing::TempDir;
using orderer::testing::Client;
using orderer::testing::MakeSeek;
using orderer::testing::MakeTx;
using orderer::testing::Specified;

constexpr char kChannel[] = "mychannel";

class EtcdOrdererTest : public ::testing::Test {
 protected:
  // Three etcd members, the genesis block naming them, nodes a and b.
  void Start() {
    FABRIC_SKIP_WITHOUT_ETCD();
    ASSERT_OK_AND_ASSIGN(etcd_, EtcdCluster::Start({.members = 3}));
    ASSERT_OK_AND_ASSIGN(configtxgen::Profile profile,
                         orderer::testing::LoadTestProfile("TwoOrgsApplicationGenesis"));
    profile.orderer->orderer_type = "etcd";
    profile.orderer->etcd.endpoints = etcd_->endpoints();
    profile.orderer->batch_size.max_message_count = 3;
    profile.orderer->batch_timeout = std::chrono::milliseconds(300);
    ASSERT_OK_AND_ASSIGN(common::Block genesis, configtxgen::MakeGenesisBlock(profile, kChannel));
    genesis_path_ = tmp_.path() + "/genesis.block";
    ASSERT_OK(orderer::testing::WriteBlock(genesis_path_, genesis));
    a_ = StartNode("a");
    b_ = StartNode("b");
    ASSERT_NE(a_, nullptr);
    ASSERT_NE(b_, nullptr);
    client_a_ = std::make_unique<Client>(a_->port());
    client_b_ = std::make_unique<Client>(b_->port());
  }

  std::unique_ptr<Orderer> StartNode(const std::string& name) {
    Orderer::Cluster c;
    c.make_channel_logs = [name](const cluster::EtcdConfigMetadata& etcd) {
      cluster::EtcdChannelLogOptions local;
      local.node_id = name;
      local.cleanup_interval = std::chrono::milliseconds(0);
      return cluster::MakeEtcdChannelLogFactory({etcd.endpoints().begin(), etcd.endpoints().end()},
                                                etcd.tls(), local);
    };
    c.chain.read_wait = std::chrono::milliseconds(50);
    StatusOr<std::unique_ptr<Orderer>> node =
        Orderer::Start(orderer::testing::TestConfig(tmp_.path() + "/" + name, {genesis_path_}), c);
    EXPECT_TRUE(node.ok()) << node.status();
    return node.ok() ? *std::move(node) : nullptr;
  }

  // Blocks 0..last from `client`.
  static std::vector<common::Block> Fetch(Client& client, uint64_t last,
                                          const msp::SigningIdentity& reader) {
    Client::DeliverResult result =
        client.Deliver(MakeSeek(kChannel, reader, Specified(0), Specified(last)));
    EXPECT_EQ(result.status, common::SUCCESS);
    return result.blocks;
  }

  void BroadcastTo(Client& client, int count, const msp::SigningIdentity& user) {
    for (int i = 0; i < count; ++i) {
      std::string info;
      EXPECT_EQ(client.BroadcastOne(MakeTx(kChannel, user), &info), common::SUCCESS) << info;
    }
  }

  TempDir tmp_;
  std::unique_ptr<EtcdCluster> etcd_;
  std::string genesis_path_;
  std::unique_ptr<Orderer> a_, b_;
  std::unique_ptr<Client> client_a_, client_b_;
};

TEST_F(EtcdOrdererTest, NodesCutTheSameBlocksAndKeepOrderingWhenAnEtcdMemberDies) {
  ASSERT_NO_FATAL_FAILURE(Start());
  if (IsSkipped()) {
    return;
  }
  auto user = orderer::testing::LoadUser(1, "User1");
  BroadcastTo(*client_a_, 2, *user);
  BroadcastTo(*client_b_, 2, *user);
  std::vector<common::Block> from_a = Fetch(*client_a_, 2, *user);
  std::vector<common::Block> from_b = Fetch(*client_b_, 2, *user);
  ASSERT_EQ(from_a.size(), 3u);
  ASSERT_EQ(from_b.size(), 3u);
  for (size_t n = 0; n < 3; ++n) {
    EXPECT_EQ(from_a[n].header().SerializeAsString(), from_b[n].header().SerializeAsString());
  }

  ASSERT_OK(etcd_->Kill(0));  // The member both nodes' clients used first.
  BroadcastTo(*client_b_, 3, *user);
  from_a = Fetch(*client_a_, 3, *user);
  from_b = Fetch(*client_b_, 3, *user);
  ASSERT_EQ(from_a.size(), 4u);
  ASSERT_EQ(from_b.size(), 4u);
  EXPECT_EQ(from_a[3].header().SerializeAsString(), from_b[3].header().SerializeAsString());
  EXPECT_EQ(from_a[3].data().data_size(), 3);

  // Both nodes reported their progress to the log.
  ASSERT_OK_AND_ASSIGN(auto client, etcd::Client::Open(etcd_->ClientOptions()));
  EXPECT_TRUE(WaitUntil([&] {
    StatusOr<etcd::RangeResult> written = client->Range(
        etcd::RangeOptions::Prefix(std::string("/fabric-cpp/orderer/") + kChannel + "/written/"));
    if (!written.ok() || written->kvs.size() != 2) {
      return false;
    }
    for (const etcd::KeyValue& kv : written->kvs) {
      if (kv.value == "0") {
        return false;
      }
    }
    return true;
  }));
}

}  // namespace
}  // namespace fabric::orderer
