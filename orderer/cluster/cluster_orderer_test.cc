// SPDX-License-Identifier: Apache-2.0
//
// Two orderer nodes in-process, each with its own ledger and gRPC server, ordering a channel of
// consensus type "etcd" from one in-memory log: what Broadcast gives either node, Deliver
// serves identically from both.
#include <atomic>

#include <absl/strings/str_format.h>
#include <gtest/gtest.h>

#include "common/msp/testing/status_testing.h"
#include "fabric/base/testing/wait_until.h"
#include "orderer/block_writer.h"
#include "orderer/cluster/block_puller.h"
#include "orderer/cluster/cluster_chain.h"
#include "orderer/cluster/testing/memory_channel_log.h"
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
  void SetUp() override { Bootstrap("TwoOrgsApplicationGenesis", kChannel); }

  // The genesis block every node starts from: `profile` ordered by etcd.
  void Bootstrap(const std::string& profile_name, const std::string& channel) {
    ASSERT_OK_AND_ASSIGN(configtxgen::Profile profile,
                         orderer::testing::LoadTestProfile(profile_name));
    profile.orderer->orderer_type = "etcd";
    profile.orderer->etcd.endpoints = {"127.0.0.1:2379", "127.0.0.1:22379"};
    profile.orderer->batch_size.max_message_count = 3;
    profile.orderer->batch_timeout = std::chrono::milliseconds(300);
    ASSERT_OK_AND_ASSIGN(genesis_, configtxgen::MakeGenesisBlock(profile, channel));
    genesis_path_ = tmp_.path() + "/" + channel + ".block";
    ASSERT_OK(orderer::testing::WriteBlock(genesis_path_, genesis_));
  }

  // Blocks 0..last of `channel` from `client`, waiting for the channel to appear.
  static std::vector<common::Block> Fetch(Client& client, const std::string& channel, uint64_t last,
                                          const msp::SigningIdentity& reader) {
    Client::DeliverResult result;
    EXPECT_TRUE(WaitUntil([&] {
      result = client.Deliver(MakeSeek(channel, reader, Specified(0), Specified(last)));
      return result.status != common::NOT_FOUND;
    }));
    EXPECT_EQ(result.status, common::SUCCESS);
    return result.blocks;
  }

  // The transactions in a channel's blocks after the genesis block.
  static int Transactions(ledger::blkstorage::BlockStore& store) {
    int count = 0;
    for (uint64_t n = 1; n < store.Height(); ++n) {
      StatusOr<common::Block> block = store.RetrieveBlockByNumber(n);
      count += block.ok() ? block->data().data_size() : 0;
    }
    return count;
  }

  static void ExpectSameBlocks(const std::vector<common::Block>& a,
                               const std::vector<common::Block>& b) {
    ASSERT_EQ(a.size(), b.size());
    for (size_t n = 0; n < a.size(); ++n) {
      EXPECT_EQ(a[n].header().SerializeAsString(), b[n].header().SerializeAsString()) << n;
      EXPECT_EQ(a[n].data().SerializeAsString(), b[n].data().SerializeAsString()) << n;
    }
  }

  // Node `name`; with `by_config`, its log factory is made from the etcd endpoints in the
  // channel config.
  std::unique_ptr<Orderer> StartNode(const std::string& name, bool by_config = false) {
    Orderer::Cluster cluster;
    if (by_config) {
      cluster.make_channel_logs = [this, name](const cluster::EtcdConfigMetadata& etcd) {
        ++made_;
        made_for_ = etcd;
        return StatusOr<std::shared_ptr<cluster::ChannelLogFactory>>(
            std::make_shared<cluster::testing::MemoryChannelLogFactory>(logs_, name));
      };
    } else {
      cluster.channel_logs =
          std::make_shared<cluster::testing::MemoryChannelLogFactory>(logs_, name);
    }
    cluster.chain.read_wait = std::chrono::milliseconds(50);
    cluster.chain.retry_min = std::chrono::milliseconds(20);
    if (!pull_from_.empty()) {
      cluster.chain.make_puller = [this](ChainSupport& support) {
        cluster::DeliverBlockPuller::Options options;
        options.addresses = pull_from_;
        return std::make_unique<cluster::DeliverBlockPuller>(options, support.signer());
      };
    }
    StatusOr<std::unique_ptr<Orderer>> node = Orderer::Start(
        orderer::testing::TestConfig(tmp_.path() + "/" + name, {genesis_path_}), cluster);
    EXPECT_TRUE(node.ok()) << node.status();
    return node.ok() ? *std::move(node) : nullptr;
  }

  // Nodes a and b with a client each.
  void StartTwoNodes() {
    a_ = StartNode("a");
    b_ = StartNode("b", true);
    ASSERT_NE(a_, nullptr);
    ASSERT_NE(b_, nullptr);
    client_a_ = std::make_unique<Client>(a_->port());
    client_b_ = std::make_unique<Client>(b_->port());
  }

  TempDir tmp_;
  std::unique_ptr<Orderer> a_, b_;
  std::unique_ptr<Client> client_a_, client_b_;
  common::Block genesis_;
  std::string genesis_path_;
  const std::shared_ptr<cluster::testing::MemoryLogCluster> logs_ =
      std::make_shared<cluster::testing::MemoryLogCluster>();
  std::vector<std::string> pull_from_;  // the nodes a node catches up from; empty: none given
  std::atomic<int> made_ = 0;
  cluster::EtcdConfigMetadata made_for_;
};

TEST_F(ClusterOrdererTest, BroadcastToEitherNodeDeliversTheSameBlocksFromBoth) {
  ASSERT_NO_FATAL_FAILURE(StartTwoNodes());
  auto user = orderer::testing::LoadUser(1, "User1");
  // Two to each node: a full block of three, then one cut on the batch timeout.
  for (const auto& r : client_a_->Broadcast({MakeTx(kChannel, *user), MakeTx(kChannel, *user)})) {
    EXPECT_EQ(r.status(), common::SUCCESS) << r.info();
  }
  for (const auto& r : client_b_->Broadcast({MakeTx(kChannel, *user), MakeTx(kChannel, *user)})) {
    EXPECT_EQ(r.status(), common::SUCCESS) << r.info();
  }
  std::vector<common::Block> from_a = Fetch(*client_a_, kChannel, 2, *user);
  std::vector<common::Block> from_b = Fetch(*client_b_, kChannel, 2, *user);
  ASSERT_EQ(from_a.size(), 3u);
  ExpectSameBlocks(from_a, from_b);
  EXPECT_EQ(from_a[1].data().data_size(), 3);
  EXPECT_EQ(from_a[2].data().data_size(), 1);
}

// A channel created through the system channel of one node appears on both, ordered by the
// cluster too.
TEST_F(ClusterOrdererTest, ChannelCreatedThroughOneNodeIsOrderedByBoth) {
  ASSERT_NO_FATAL_FAILURE(Bootstrap("TwoOrgsOrdererGenesis", "syschannel"));
  ASSERT_NO_FATAL_FAILURE(StartTwoNodes());
  ASSERT_OK_AND_ASSIGN(configtxgen::Profile profile,
                       orderer::testing::LoadTestProfile("TwoOrgsChannel"));
  ASSERT_OK_AND_ASSIGN(common::Envelope creation,
                       configtxgen::MakeChannelCreationTx(profile, "newchan"));
  auto admin = orderer::testing::LoadUser(1, "Admin");
  std::string info;
  ASSERT_EQ(client_a_->BroadcastOne(orderer::testing::SignCreationTx(creation, *admin), &info),
            common::SUCCESS)
      << info;
  ASSERT_TRUE(WaitUntil([&] { return b_->registrar().GetChain("newchan") != nullptr; }));
  auto user = orderer::testing::LoadUser(1, "User1");
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(client_b_->BroadcastOne(MakeTx("newchan", *user)), common::SUCCESS);
  }
  std::vector<common::Block> from_a = Fetch(*client_a_, "newchan", 1, *user);
  std::vector<common::Block> from_b = Fetch(*client_b_, "newchan", 1, *user);
  ASSERT_EQ(from_a.size(), 2u);
  ExpectSameBlocks(from_a, from_b);
  EXPECT_EQ(from_a[1].data().data_size(), 3);
  auto orderer_id = orderer::testing::LoadOrdererIdentity();
  ExpectSameBlocks(Fetch(*client_a_, "syschannel", 1, *orderer_id),
                   Fetch(*client_b_, "syschannel", 1, *orderer_id));
  // Node b made one factory for the etcd cluster both channels name.
  EXPECT_EQ(made_, 1);
  EXPECT_EQ(made_for_.endpoints_size(), 2);
  EXPECT_EQ(made_for_.endpoints(0), "127.0.0.1:2379");
}

// Node b is down while a orders, and the log is compacted past b's position: b pulls the
// blocks it misses through a's Deliver (after an address that does not answer), then orders
// from the log again.
TEST_F(ClusterOrdererTest, NodeBehindTheCompactedLogCatchesUpThroughDeliver) {
  ASSERT_NO_FATAL_FAILURE(StartTwoNodes());
  b_.reset();
  auto user = orderer::testing::LoadUser(1, "User1");
  for (int i = 0; i < 9; ++i) {
    ASSERT_EQ(client_a_->BroadcastOne(MakeTx(kChannel, *user)), common::SUCCESS);
  }
  ChainSupport* chain_a = a_->registrar().GetChain(kChannel);
  ASSERT_TRUE(WaitUntil([&] { return Transactions(chain_a->store()) == 9; }));
  const uint64_t last = chain_a->store().Height() - 1;
  ASSERT_OK_AND_ASSIGN(common::Block newest, chain_a->store().RetrieveBlockByNumber(last));
  ASSERT_OK_AND_ASSIGN(std::string value, ConsenterMetadataFromBlock(newest));
  cluster::ClusterBlockMetadata metadata;
  ASSERT_TRUE(metadata.ParseFromString(value));
  logs_->Compact(kChannel, metadata.last_revision());

  pull_from_ = {"127.0.0.1:1", absl::StrFormat("127.0.0.1:%d", a_->port())};
  b_ = StartNode("b", true);
  ASSERT_NE(b_, nullptr);
  client_b_ = std::make_unique<Client>(b_->port());
  ExpectSameBlocks(Fetch(*client_a_, kChannel, last, *user),
                   Fetch(*client_b_, kChannel, last, *user));
  for (int i = 0; i < 3; ++i) {
    ASSERT_EQ(client_b_->BroadcastOne(MakeTx(kChannel, *user)), common::SUCCESS);
  }
  ChainSupport* chain_b = b_->registrar().GetChain(kChannel);
  ASSERT_TRUE(WaitUntil([&] { return Transactions(chain_b->store()) == 12; }));
  const uint64_t height = chain_b->store().Height();
  ExpectSameBlocks(Fetch(*client_a_, kChannel, height - 1, *user),
                   Fetch(*client_b_, kChannel, height - 1, *user));
}

// A source that is not ahead answers Deliver's BAD_REQUEST (start past its newest block, as
// Fabric's Deliver does); the puller names that, and pulls nothing.
TEST_F(ClusterOrdererTest, PullingFromANodeNotAheadSaysItHasNoNewerBlock) {
  a_ = StartNode("a");
  ASSERT_NE(a_, nullptr);
  ChainSupport* chain = a_->registrar().GetChain(kChannel);
  ASSERT_NE(chain, nullptr);
  const std::string source = absl::StrFormat("127.0.0.1:%d", a_->port());
  cluster::DeliverBlockPuller::Options options;
  options.addresses = {source};
  cluster::DeliverBlockPuller puller(options, chain->signer());
  int blocks = 0;
  Status s = puller.Pull(source, *chain->bundle(), chain->store().Height(), [&](common::Block) {
    ++blocks;
    return Status::OK();
  });
  EXPECT_TRUE(s.IsNotFound()) << s;
  EXPECT_NE(s.message().find("has no block 1 yet (it answered BAD_REQUEST)"), std::string::npos)
      << s;
  EXPECT_EQ(blocks, 0);
  // From its genesis block on, it gives what it has.
  EXPECT_OK(puller.Pull(source, *chain->bundle(), 0, [&](common::Block) {
    ++blocks;
    return Status::OK();
  }));
  EXPECT_EQ(blocks, 1);
}

TEST_F(ClusterOrdererTest, UnreachableLogIsServiceUnavailable) {
  std::unique_ptr<Orderer> a = StartNode("a");
  ASSERT_NE(a, nullptr);
  logs_->FailAppends(true);
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

// A node pulls from the orderer orgs' Endpoints, else the OrdererAddresses, never from itself.
TEST(DeliverBlockPullerTest, SourcesAreTheOtherOrdererAddressesOfTheChannel) {
  ASSERT_OK_AND_ASSIGN(configtxgen::Profile profile,
                       orderer::testing::LoadTestProfile("TwoOrgsApplicationGenesis"));
  profile.orderer->addresses = {"127.0.0.1:7050", "127.0.0.1:7150", "127.0.0.1:7250"};
  for (configtxgen::OrganizationSpec& org : profile.orderer->organizations) {
    org.orderer_endpoints.clear();
  }
  ASSERT_OK_AND_ASSIGN(common::Block genesis, configtxgen::MakeGenesisBlock(profile, kChannel));
  ASSERT_OK_AND_ASSIGN(auto by_addresses, channelconfig::Bundle::FromConfigBlock(genesis));
  profile.orderer->organizations.front().orderer_endpoints = {"10.0.0.1:7050", "10.0.0.2:7050"};
  ASSERT_OK_AND_ASSIGN(genesis, configtxgen::MakeGenesisBlock(profile, kChannel));
  ASSERT_OK_AND_ASSIGN(auto by_endpoints, channelconfig::Bundle::FromConfigBlock(genesis));

  auto signer = orderer::testing::LoadOrdererIdentity();
  cluster::DeliverBlockPuller::Options options;
  options.self_addresses = {"127.0.0.1:7150", "10.0.0.2:7050"};
  cluster::DeliverBlockPuller puller(options, *signer);
  EXPECT_EQ(puller.Sources(*by_addresses),
            (std::vector<std::string>{"127.0.0.1:7050", "127.0.0.1:7250"}));
  EXPECT_EQ(puller.Sources(*by_endpoints), std::vector<std::string>{"10.0.0.1:7050"});
  options.addresses = {"127.0.0.1:9999"};
  cluster::DeliverBlockPuller fixed(options, *signer);
  EXPECT_EQ(fixed.Sources(*by_endpoints), std::vector<std::string>{"127.0.0.1:9999"});
}

}  // namespace
}  // namespace fabric::orderer
