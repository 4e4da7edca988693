// SPDX-License-Identifier: Apache-2.0
//
// Cluster chains of several nodes (each with its own block store) consuming one in-memory log.
#include "orderer/cluster/cluster_chain.h"

#include <functional>
#include <mutex>
#include <set>

#include <gtest/gtest.h>

#include "common/channelconfig/testing/test_channel.h"
#include "common/msp/testing/status_testing.h"
#include "common/msp/testing/test_org.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "fabric/base/testing/wait_until.h"
#include "orderer/cluster/testing/memory_channel_log.h"
#include "orderer/cluster/testing/store_puller.h"
#include "orderer/msgprocessor.h"
#include "orderer/testing/test_network.h"

namespace fabric::orderer::cluster {
namespace {

using msp::testing::TempDir;
using orderer::testing::MakeTx;
using testing::MemoryChannelLog;
using testing::MemoryChannelLogFactory;
using testing::MemoryLogCluster;
using testing::StorePuller;

constexpr char kChannel[] = "mychannel";

StatusOr<common::Block> EtcdGenesis(uint32_t max_count, std::chrono::milliseconds timeout) {
  ASSIGN_OR_RETURN(configtxgen::Profile profile,
                   orderer::testing::LoadTestProfile("TwoOrgsApplicationGenesis"));
  profile.orderer->orderer_type = "etcd";
  profile.orderer->etcd.endpoints = {"127.0.0.1:2379"};
  profile.orderer->batch_size.max_message_count = max_count;
  profile.orderer->batch_size.absolute_max_bytes = 64 * 1024;
  profile.orderer->batch_size.preferred_max_bytes = 32 * 1024;
  profile.orderer->batch_timeout = timeout;
  return configtxgen::MakeGenesisBlock(profile, kChannel);
}

class ClusterChainTest : public ::testing::Test {
 protected:
  struct Node {
    std::string dir;
    std::unique_ptr<ChainSupport> support;
    ClusterChain* chain = nullptr;
  };

  void SetUpCluster(int nodes, uint32_t max_count, std::chrono::milliseconds timeout) {
    ASSERT_OK_AND_ASSIGN(genesis_, EtcdGenesis(max_count, timeout));
    signer_ = orderer::testing::LoadOrdererIdentity();
    for (int i = 0; i < nodes; ++i) {
      nodes_.push_back(Node{tmp_.path() + "/node" + std::to_string(i), nullptr, nullptr});
      ASSERT_NO_FATAL_FAILURE(Open(i));
    }
  }

  void Open(int i) {
    Node& node = nodes_[i];
    ChainSupport::Options options;
    options.channel_id = kChannel;
    options.store.block_dir = node.dir;
    options.store.sync = false;
    options.consenter = [this, i](ChainSupport& support) -> StatusOr<std::unique_ptr<Chain>> {
      ASSIGN_OR_RETURN(std::unique_ptr<ChannelLog> log,
                       MemoryChannelLogFactory(logs_, "node" + std::to_string(i)).Open(kChannel));
      ASSIGN_OR_RETURN(std::unique_ptr<ClusterChain> chain,
                       ClusterChain::Open(support, std::move(log), chain_options_));
      nodes_[i].chain = chain.get();
      return std::unique_ptr<Chain>(std::move(chain));
    };
    ASSERT_OK_AND_ASSIGN(node.support, ChainSupport::Open(options, &genesis_, *signer_));
    node.support->Start();
  }

  void Close(int i) {
    nodes_[i].support.reset();
    nodes_[i].chain = nullptr;
  }

  // The channel's entries, and the revision `node` last marked written (0 before any).
  std::vector<ChannelLog::Entry> Entries() const { return logs_->Entries(kChannel); }
  int64_t WrittenMark(const std::string& node) const { return logs_->Written(kChannel, node); }
  ChainSupport& support(int i) { return *nodes_[i].support; }

  // Waits until every node has `height` blocks.
  void WaitForHeight(uint64_t height) {
    for (Node& node : nodes_) {
      ASSERT_TRUE(WaitUntil([&] { return node.support->store().Height() >= height; }))
          << node.dir << " height " << node.support->store().Height() << ", want " << height;
    }
  }

  common::Block BlockAt(int i, uint64_t number) {
    StatusOr<common::Block> block = support(i).store().RetrieveBlockByNumber(number);
    EXPECT_TRUE(block.ok()) << block.status();
    return block.ok() ? *block : common::Block();
  }

  // Every node holds the same blocks (signatures aside), and they carry cluster metadata.
  void ExpectIdenticalBlocks() {
    const uint64_t height = support(0).store().Height();
    for (size_t i = 1; i < nodes_.size(); ++i) {
      ASSERT_EQ(support(i).store().Height(), height) << "node " << i;
      for (uint64_t n = 0; n < height; ++n) {
        common::Block a = BlockAt(0, n);
        common::Block b = BlockAt(i, n);
        EXPECT_EQ(a.header().SerializeAsString(), b.header().SerializeAsString()) << n;
        EXPECT_EQ(a.data().SerializeAsString(), b.data().SerializeAsString()) << n;
        ASSERT_OK_AND_ASSIGN(std::string ma, ConsenterMetadataFromBlock(a));
        ASSERT_OK_AND_ASSIGN(std::string mb, ConsenterMetadataFromBlock(b));
        EXPECT_EQ(ma, mb) << n;
        EXPECT_EQ(n == 0, ma.empty()) << n;
      }
    }
  }

  ClusterBlockMetadata Metadata(int i, uint64_t number) {
    StatusOr<std::string> value = ConsenterMetadataFromBlock(BlockAt(i, number));
    ClusterBlockMetadata metadata;
    EXPECT_TRUE(value.ok() && metadata.ParseFromString(*value));
    return metadata;
  }
  int64_t LastRevision(int i, uint64_t number) { return Metadata(i, number).last_revision(); }

  // The envelopes of node i's blocks 1.., in order.
  std::vector<std::string> Written(int i) {
    std::vector<std::string> written;
    for (uint64_t n = 1; n < support(i).store().Height(); ++n) {
      const common::Block block = BlockAt(i, n);
      written.insert(written.end(), block.data().data().begin(), block.data().data().end());
    }
    return written;
  }

  std::vector<size_t> BlockSizes(int i) {
    std::vector<size_t> sizes;
    for (uint64_t n = 1; n < support(i).store().Height(); ++n) {
      sizes.push_back(BlockAt(i, n).data().data_size());
    }
    return sizes;
  }

  // Appends as a client of the log that is none of the nodes.
  void AppendEntry(const LogEntry& entry) {
    ASSERT_OK(writer_.Append(entry.SerializeAsString(), std::chrono::seconds(1)));
  }

  TempDir tmp_;
  // Revisions 3 apart, so that nothing assumes they are contiguous.
  const std::shared_ptr<MemoryLogCluster> logs_ = [] {
    auto logs = std::make_shared<MemoryLogCluster>();
    logs->set_revision_gap(2);
    return logs;
  }();
  MemoryChannelLog writer_{logs_, kChannel, "writer"};
  ClusterChain::Options chain_options_ = [] {
    ClusterChain::Options options;
    options.read_wait = std::chrono::milliseconds(50);
    options.retry_min = std::chrono::milliseconds(5);
    return options;
  }();
  common::Block genesis_;
  std::unique_ptr<msp::X509SigningIdentity> signer_;
  std::vector<Node> nodes_;
};

TEST_F(ClusterChainTest, NodesCutIdenticalBlocksFromTheSharedLog) {
  ASSERT_NO_FATAL_FAILURE(SetUpCluster(3, 3, std::chrono::milliseconds(200)));
  auto user = orderer::testing::LoadUser(1, "User1");
  for (int i = 0; i < 7; ++i) {
    ASSERT_OK(support(i % 3).Order(MakeTx(kChannel, *user), 0));
  }
  // Two full blocks, then the seventh message cut on the batch timeout.
  ASSERT_NO_FATAL_FAILURE(WaitForHeight(4));
  ExpectIdenticalBlocks();
  EXPECT_EQ(BlockSizes(0), (std::vector<size_t>{3, 3, 1}));
  // Each block names the revision of its last entry; the nodes marked it written.
  EXPECT_EQ(LastRevision(0, 1), Entries()[2].revision);
  // The revision before: a restart reads the last one again.
  EXPECT_TRUE(WaitUntil([&] { return WrittenMark("node2") == LastRevision(0, 3) - 1; }));
}

TEST_F(ClusterChainTest, BatchSizeCutsWithoutTheTimer) {
  ASSERT_NO_FATAL_FAILURE(SetUpCluster(2, 2, std::chrono::seconds(60)));
  auto user = orderer::testing::LoadUser(1, "User1");
  for (int i = 0; i < 4; ++i) {
    ASSERT_OK(support(0).Order(MakeTx(kChannel, *user), 0));
  }
  ASSERT_NO_FATAL_FAILURE(WaitForHeight(3));
  ExpectIdenticalBlocks();
  EXPECT_EQ(BlockSizes(1), (std::vector<size_t>{2, 2}));
}

TEST_F(ClusterChainTest, TimeoutCutsThroughTheLogAndStaleTimeToCutsAreIgnored) {
  ASSERT_NO_FATAL_FAILURE(SetUpCluster(3, 10, std::chrono::milliseconds(100)));
  auto user = orderer::testing::LoadUser(1, "User1");
  ASSERT_OK(support(1).Order(MakeTx(kChannel, *user), 0));
  ASSERT_NO_FATAL_FAILURE(WaitForHeight(2));
  // The cut came from a time-to-cut entry for block 1 (one per node whose timer fired).
  int ttcs = 0;
  for (const ChannelLog::Entry& entry : Entries()) {
    LogEntry parsed;
    ASSERT_TRUE(parsed.ParseFromString(entry.data));
    if (parsed.has_time_to_cut()) {
      EXPECT_EQ(parsed.time_to_cut().block_number(), 1u);
      ++ttcs;
    }
  }
  EXPECT_GE(ttcs, 1);
  // Another time-to-cut for block 1, and one for block 2 with nothing pending: no block.
  LogEntry ttc;
  ttc.mutable_time_to_cut()->set_block_number(1);
  AppendEntry(ttc);
  ttc.mutable_time_to_cut()->set_block_number(2);
  AppendEntry(ttc);
  ASSERT_OK(support(0).Order(MakeTx(kChannel, *user), 0));
  ASSERT_NO_FATAL_FAILURE(WaitForHeight(3));
  ExpectIdenticalBlocks();
  EXPECT_EQ(BlockSizes(2), (std::vector<size_t>{1, 1}));
}

struct ConfigMessage {
  common::Envelope config;
  common::Envelope update;
};

// The config message `edit` makes of `bundle`'s config, the update signed by `signers`.
ConfigMessage MakeConfigMessage(const channelconfig::Bundle& bundle,
                                const std::function<void(common::Config&)>& edit,
                                const std::vector<const msp::SigningIdentity*>& signers,
                                const msp::SigningIdentity& orderer) {
  common::Config edited = bundle.config();
  edit(edited);
  ConfigMessage message;
  StatusOr<common::ConfigUpdate> update =
      channelconfig::testing::ComputeUpdate(kChannel, bundle.config(), edited);
  EXPECT_TRUE(update.ok()) << update.status();
  StatusOr<common::Envelope> env =
      channelconfig::testing::MakeConfigUpdateEnvelope(kChannel, *update, signers);
  EXPECT_TRUE(env.ok()) << env.status();
  message.update = *env;
  StatusOr<common::Envelope> config = ProcessConfigUpdate(bundle, message.update, orderer);
  EXPECT_TRUE(config.ok()) << config.status();
  message.config = *config;
  return message;
}

// Adds Org3 to the application through node `via`.
void AddOrg3(ChainSupport& via, const msp::testing::TestOrg& org3) {
  auto admin1 = orderer::testing::LoadUser(1, "Admin");
  auto admin2 = orderer::testing::LoadUser(2, "Admin");
  std::shared_ptr<const channelconfig::Bundle> bundle = via.bundle();
  ConfigMessage message = MakeConfigMessage(
      *bundle,
      [&](common::Config& config) {
        channelconfig::testing::GroupAt(config, {"Application", org3.msp_id}) =
            channelconfig::testing::OrgGroup(org3);
      },
      {admin1.get(), admin2.get()}, via.signer());
  ASSERT_OK(via.Configure(message.config, bundle->sequence(), message.update));
}

TEST_F(ClusterChainTest, ConfigUpdateTakesEffectAtTheSameBlockOnAllNodes) {
  ASSERT_NO_FATAL_FAILURE(SetUpCluster(2, 10, std::chrono::seconds(60)));
  auto user = orderer::testing::LoadUser(1, "User1");
  ASSERT_OK(support(0).Order(MakeTx(kChannel, *user), 0));
  ASSERT_OK(support(1).Order(MakeTx(kChannel, *user), 0));
  TempDir org3_dir;
  ASSERT_OK_AND_ASSIGN(msp::testing::TestOrg org3,
                       msp::testing::MakeTestOrg(org3_dir.path(), "Org3MSP", "org3.example.com"));
  ASSERT_NO_FATAL_FAILURE(AddOrg3(support(1), org3));
  // The pending batch is cut first, then the config goes into a block of its own.
  ASSERT_NO_FATAL_FAILURE(WaitForHeight(3));
  ExpectIdenticalBlocks();
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(BlockSizes(i), (std::vector<size_t>{2, 1}));
    // The config applies right after its block is written.
    EXPECT_TRUE(WaitUntil([&] { return support(i).bundle()->sequence() == 1; }));
    ASSERT_OK_AND_ASSIGN(uint64_t last_config, LastConfigIndexFromBlock(BlockAt(i, 2)));
    EXPECT_EQ(last_config, 2u);
  }
}

TEST_F(ClusterChainTest, MessageOfAnOlderConfigIsRevalidatedWhenRead) {
  ASSERT_NO_FATAL_FAILURE(SetUpCluster(2, 3, std::chrono::seconds(60)));
  TempDir org3_dir;
  ASSERT_OK_AND_ASSIGN(msp::testing::TestOrg org3,
                       msp::testing::MakeTestOrg(org3_dir.path(), "Org3MSP", "org3.example.com"));
  ASSERT_NO_FATAL_FAILURE(AddOrg3(support(0), org3));
  ASSERT_NO_FATAL_FAILURE(WaitForHeight(2));
  auto user = orderer::testing::LoadUser(1, "User1");
  TempDir org4_dir;
  ASSERT_OK_AND_ASSIGN(msp::testing::TestOrg org4,
                       msp::testing::MakeTestOrg(org4_dir.path(), "Org4MSP", "org4.example.com"));
  ASSERT_OK_AND_ASSIGN(auto outsider, msp::LoadSigningIdentity(org4.client.msp_dir, "Org4MSP"));
  auto entry = [](const common::Envelope& env, uint64_t seq) {
    LogEntry e;
    e.mutable_regular()->set_envelope(env.SerializeAsString());
    e.mutable_regular()->set_config_seq(seq);
    return e;
  };
  const common::Envelope bad = MakeTx(kChannel, *outsider);
  const common::Envelope good = MakeTx(kChannel, *user);
  // Validated at sequence 0, read at sequence 1: re-validated, the outsider's is dropped.
  AppendEntry(entry(bad, 0));
  AppendEntry(entry(good, 0));
  // Claimed valid at the current sequence: taken as it is.
  AppendEntry(entry(bad, 1));
  AppendEntry(entry(good, 1));
  ASSERT_NO_FATAL_FAILURE(WaitForHeight(3));
  ExpectIdenticalBlocks();
  common::Block block = BlockAt(0, 2);
  ASSERT_EQ(block.data().data_size(), 3);
  EXPECT_EQ(block.data().data(0), good.SerializeAsString());
  EXPECT_EQ(block.data().data(1), bad.SerializeAsString());
  EXPECT_EQ(block.data().data(2), good.SerializeAsString());
}

// A config message validated before another config applied is re-processed by every node and
// appended again; the first copy applies, the other is dropped.
TEST_F(ClusterChainTest, StaleConfigMessageIsReprocessedThroughTheLogAndAppliedOnce) {
  ASSERT_NO_FATAL_FAILURE(SetUpCluster(2, 10, std::chrono::seconds(60)));
  std::shared_ptr<const channelconfig::Bundle> genesis_config = support(0).bundle();
  TempDir org3_dir;
  ASSERT_OK_AND_ASSIGN(msp::testing::TestOrg org3,
                       msp::testing::MakeTestOrg(org3_dir.path(), "Org3MSP", "org3.example.com"));
  ASSERT_NO_FATAL_FAILURE(AddOrg3(support(0), org3));
  ASSERT_NO_FATAL_FAILURE(WaitForHeight(2));
  // Built and validated against the genesis config (sequence 0), ordered after sequence 1.
  ASSERT_OK_AND_ASSIGN(auto orderer_admin,
                       msp::LoadSigningIdentity(orderer::testing::NetworkDir() +
                                                    "/crypto-config/ordererOrganizations/"
                                                    "example.com/users/Admin@example.com/msp",
                                                "OrdererMSP"));
  ConfigMessage timeout = MakeConfigMessage(
      *genesis_config,
      [](common::Config& config) { channelconfig::testing::SetBatchTimeout(config, "59s"); },
      {orderer_admin.get()}, *signer_);
  ASSERT_OK(support(1).Configure(timeout.config, 0, timeout.update));
  ASSERT_NO_FATAL_FAILURE(WaitForHeight(3));
  // Both nodes' copies are read before the check: no further block.
  ASSERT_TRUE(WaitUntil([&] {
    int copies = 0;
    for (const ChannelLog::Entry& entry : Entries()) {
      LogEntry parsed;
      copies += parsed.ParseFromString(entry.data) && parsed.config().original_revision() != 0;
    }
    return copies == 2;
  }));
  auto user = orderer::testing::LoadUser(1, "User1");
  ASSERT_OK(support(0).Order(MakeTx(kChannel, *user), 2));
  LogEntry ttc;
  ttc.mutable_time_to_cut()->set_block_number(3);
  AppendEntry(ttc);
  ASSERT_NO_FATAL_FAILURE(WaitForHeight(4));
  ExpectIdenticalBlocks();
  for (int i = 0; i < 2; ++i) {
    EXPECT_EQ(support(i).store().Height(), 4u);
    EXPECT_TRUE(WaitUntil([&] { return support(i).bundle()->sequence() == 2; }));
    EXPECT_EQ(support(i).bundle()->batch_timeout(), std::chrono::seconds(59));
    EXPECT_EQ(BlockSizes(i), (std::vector<size_t>{1, 1, 1}));
  }
}

TEST_F(ClusterChainTest, RestartedNodeResumesAfterItsLastBlockWithoutLossOrDuplicates) {
  ASSERT_NO_FATAL_FAILURE(SetUpCluster(2, 3, std::chrono::seconds(60)));
  auto user = orderer::testing::LoadUser(1, "User1");
  std::vector<common::Envelope> sent;
  auto order = [&](int node) {
    sent.push_back(MakeTx(kChannel, *user));
    ASSERT_OK(support(node).Order(sent.back(), 0));
  };
  for (int i = 0; i < 4; ++i) {
    ASSERT_NO_FATAL_FAILURE(order(0));
  }
  ASSERT_NO_FATAL_FAILURE(WaitForHeight(2));
  // Node 0 stops with one message pending; the cluster goes on without it.
  Close(0);
  for (int i = 0; i < 5; ++i) {
    ASSERT_NO_FATAL_FAILURE(order(1));
  }
  ASSERT_TRUE(WaitUntil([&] { return support(1).store().Height() == 4; }));
  ASSERT_NO_FATAL_FAILURE(Open(0));
  ASSERT_NO_FATAL_FAILURE(WaitForHeight(4));
  ExpectIdenticalBlocks();
  std::multiset<std::string> written;
  for (uint64_t n = 1; n < 4; ++n) {
    const common::Block block = BlockAt(0, n);
    for (const std::string& data : block.data().data()) {
      written.insert(data);
    }
  }
  std::multiset<std::string> expected;
  for (const common::Envelope& env : sent) {
    expected.insert(env.SerializeAsString());
  }
  EXPECT_EQ(written, expected);
}

// Appends committed together share a revision; a block may end inside one, and a node
// restarted there reads the rest of that revision once.
TEST_F(ClusterChainTest, BlockEndingInsideARevisionResumesThereWithoutLossOrDuplicates) {
  ASSERT_NO_FATAL_FAILURE(SetUpCluster(2, 3, std::chrono::seconds(60)));
  auto user = orderer::testing::LoadUser(1, "User1");
  std::vector<std::string> sent;
  auto order = [&](int node, int count) {
    logs_->GroupNext(kChannel, count);
    for (int i = 0; i < count; ++i) {
      common::Envelope env = MakeTx(kChannel, *user);
      sent.push_back(env.SerializeAsString());
      ASSERT_OK(support(node).Order(env, 0));
    }
  };
  ASSERT_NO_FATAL_FAILURE(order(0, 5));
  ASSERT_NO_FATAL_FAILURE(WaitForHeight(2));
  const int64_t first = Entries()[0].revision;
  ASSERT_EQ(Entries()[4].revision, first);
  EXPECT_EQ(Metadata(0, 1).last_revision(), first);
  EXPECT_EQ(Metadata(0, 1).entries_in_last_revision(), 3u);
  // Entries of the revision the block ends in stay in the log for a restart.
  EXPECT_TRUE(WaitUntil([&] { return WrittenMark("node0") == first - 1; }));
  // Node 0 stops with two entries of that revision pending.
  Close(0);
  ASSERT_NO_FATAL_FAILURE(order(1, 4));
  ASSERT_TRUE(WaitUntil([&] { return support(1).store().Height() == 4; }));
  const int64_t second = Entries()[5].revision;
  EXPECT_EQ(Metadata(1, 2).last_revision(), second);
  EXPECT_EQ(Metadata(1, 2).entries_in_last_revision(), 1u);
  EXPECT_EQ(Metadata(1, 3).entries_in_last_revision(), 4u);
  ASSERT_NO_FATAL_FAILURE(Open(0));
  ASSERT_NO_FATAL_FAILURE(WaitForHeight(4));
  ExpectIdenticalBlocks();
  EXPECT_EQ(Written(0), sent);
  // Once more, restarted after a block that ends with its whole revision.
  Close(0);
  ASSERT_NO_FATAL_FAILURE(Open(0));
  ASSERT_NO_FATAL_FAILURE(order(1, 3));
  ASSERT_NO_FATAL_FAILURE(WaitForHeight(5));
  ExpectIdenticalBlocks();
  EXPECT_EQ(Written(0), sent);
}

// A time-to-cut and a config message in one revision with messages: they cut where they stand
// among that revision's entries, on every node and after a restart.
TEST_F(ClusterChainTest, TimeToCutAndConfigShareARevisionWithMessages) {
  ASSERT_NO_FATAL_FAILURE(SetUpCluster(2, 10, std::chrono::seconds(60)));
  auto user = orderer::testing::LoadUser(1, "User1");
  auto admin1 = orderer::testing::LoadUser(1, "Admin");
  auto admin2 = orderer::testing::LoadUser(2, "Admin");
  TempDir org3_dir;
  ASSERT_OK_AND_ASSIGN(msp::testing::TestOrg org3,
                       msp::testing::MakeTestOrg(org3_dir.path(), "Org3MSP", "org3.example.com"));
  ConfigMessage config = MakeConfigMessage(
      *support(0).bundle(),
      [&](common::Config& c) {
        channelconfig::testing::GroupAt(c, {"Application", org3.msp_id}) =
            channelconfig::testing::OrgGroup(org3);
      },
      {admin1.get(), admin2.get()}, support(0).signer());
  const common::Envelope a = MakeTx(kChannel, *user);
  const common::Envelope b = MakeTx(kChannel, *user);
  LogEntry regular_a, ttc, regular_b, config_entry;
  regular_a.mutable_regular()->set_envelope(a.SerializeAsString());
  ttc.mutable_time_to_cut()->set_block_number(1);
  regular_b.mutable_regular()->set_envelope(b.SerializeAsString());
  config_entry.mutable_config()->set_envelope(config.config.SerializeAsString());
  config_entry.mutable_config()->set_update(config.update.SerializeAsString());
  logs_->GroupNext(kChannel, 4);
  for (const LogEntry* entry : {&regular_a, &ttc, &regular_b, &config_entry}) {
    AppendEntry(*entry);
  }
  // [a] cut by the time-to-cut, [b] cut by the config, then the config block.
  ASSERT_NO_FATAL_FAILURE(WaitForHeight(4));
  ExpectIdenticalBlocks();
  EXPECT_EQ(BlockSizes(0), (std::vector<size_t>{1, 1, 1}));
  for (uint32_t n = 1; n <= 3; ++n) {
    EXPECT_EQ(Metadata(0, n).last_revision(), Entries()[0].revision);
    EXPECT_EQ(Metadata(0, n).entries_in_last_revision(), n + 1) << n;
  }
  EXPECT_EQ(BlockAt(0, 1).data().data(0), a.SerializeAsString());
  EXPECT_EQ(BlockAt(0, 2).data().data(0), b.SerializeAsString());
  // A restarted node takes nothing of that revision again.
  Close(1);
  ASSERT_NO_FATAL_FAILURE(Open(1));
  EXPECT_TRUE(WaitUntil([&] { return support(1).bundle()->sequence() == 1; }));
  ASSERT_OK(support(0).Order(MakeTx(kChannel, *user), 1));
  ttc.mutable_time_to_cut()->set_block_number(4);
  AppendEntry(ttc);
  ASSERT_NO_FATAL_FAILURE(WaitForHeight(5));
  ExpectIdenticalBlocks();
  EXPECT_EQ(BlockSizes(1), (std::vector<size_t>{1, 1, 1, 1}));
}

TEST_F(ClusterChainTest, OrderIsUnavailableWhenTheLogRefusesTheEntry) {
  ASSERT_NO_FATAL_FAILURE(SetUpCluster(1, 3, std::chrono::seconds(60)));
  logs_->FailAppends(true);
  auto user = orderer::testing::LoadUser(1, "User1");
  Status status = support(0).Order(MakeTx(kChannel, *user), 0);
  EXPECT_TRUE(status.IsUnavailable()) << status;
  EXPECT_NE(status.message().find("ordering log did not take the message"), std::string::npos)
      << status;
}

TEST_F(ClusterChainTest, UnreachableLogIsRetried) {
  ASSERT_NO_FATAL_FAILURE(SetUpCluster(1, 1, std::chrono::seconds(60)));
  logs_->FailReads(3);
  auto user = orderer::testing::LoadUser(1, "User1");
  ASSERT_OK(support(0).Order(MakeTx(kChannel, *user), 0));
  ASSERT_NO_FATAL_FAILURE(WaitForHeight(2));
  EXPECT_FALSE(nodes_[0].chain->halted());
}

TEST_F(ClusterChainTest, LogCompactedPastTheNodeHaltsTheChain) {
  // Set on the consumer thread, after the chain halted.
  std::mutex mu;
  std::string compacted_channel;
  int64_t compacted_after = -1;
  chain_options_.on_compacted = [&](const std::string& channel, int64_t after) {
    std::lock_guard<std::mutex> lock(mu);
    compacted_channel = channel;
    compacted_after = after;
  };
  logs_->Compact(kChannel, 1000);
  ASSERT_NO_FATAL_FAILURE(SetUpCluster(1, 3, std::chrono::seconds(60)));
  ASSERT_TRUE(WaitUntil([&] {
    std::lock_guard<std::mutex> lock(mu);
    return compacted_after != -1;
  }));
  EXPECT_TRUE(nodes_[0].chain->halted());
  {
    std::lock_guard<std::mutex> lock(mu);
    EXPECT_EQ(compacted_channel, kChannel);
    EXPECT_EQ(compacted_after, 0);
  }
  auto user = orderer::testing::LoadUser(1, "User1");
  EXPECT_TRUE(support(0).Order(MakeTx(kChannel, *user), 0).IsUnavailable());
}

// Node 1 is down while node 0 orders blocks, including a config block, and the log is
// compacted past node 1's position: node 1 pulls the blocks it misses from node 0 (refusing
// the copies of a source that serves a wrong hash), then orders from the log again.
TEST_F(ClusterChainTest, NodeBehindTheCompactedLogCatchesUpFromAnotherNodesBlocks) {
  StorePuller* puller = nullptr;
  chain_options_.make_puller = [&](ChainSupport&) {
    auto made = std::make_unique<StorePuller>(
        std::vector<std::string>{"node0-tampered", "node0"},
        [this](const std::string& source) { return source == "node0" ? &support(0) : nullptr; });
    puller = made.get();
    return made;
  };
  ASSERT_NO_FATAL_FAILURE(SetUpCluster(2, 3, std::chrono::seconds(60)));
  auto user = orderer::testing::LoadUser(1, "User1");
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(support(1).Order(MakeTx(kChannel, *user), 0));
  }
  ASSERT_NO_FATAL_FAILURE(WaitForHeight(2));
  Close(1);
  for (int i = 0; i < 6; ++i) {
    ASSERT_OK(support(0).Order(MakeTx(kChannel, *user), 0));
  }
  TempDir org3_dir;
  ASSERT_OK_AND_ASSIGN(msp::testing::TestOrg org3,
                       msp::testing::MakeTestOrg(org3_dir.path(), "Org3MSP", "org3.example.com"));
  ASSERT_NO_FATAL_FAILURE(AddOrg3(support(0), org3));
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(support(0).Order(MakeTx(kChannel, *user), 0));
  }
  ASSERT_TRUE(WaitUntil([&] { return support(0).store().Height() == 6; }));
  logs_->Compact(kChannel, LastRevision(0, 5));
  ASSERT_NO_FATAL_FAILURE(Open(1));
  ASSERT_NO_FATAL_FAILURE(WaitForHeight(6));
  EXPECT_FALSE(nodes_[1].chain->halted());
  ASSERT_NE(puller, nullptr);
  // The outcome of the last block is recorded just after the block is written.
  std::vector<std::string> results;
  ASSERT_TRUE(WaitUntil([&] {
    results = puller->results();
    return !results.empty() && results.back() == "node0: OK";
  }));
  EXPECT_NE(results.front().find("node0-tampered: INVALID_ARGUMENT"), std::string::npos)
      << results.front();
  EXPECT_NE(results.front().find("previous hash"), std::string::npos);
  // The pulled config block applies on node 1.
  EXPECT_TRUE(WaitUntil([&] { return support(1).bundle()->sequence() == 1; }));
  // Node 1 orders from the log again, after the pulled blocks.
  for (int i = 0; i < 3; ++i) {
    ASSERT_OK(support(1).Order(MakeTx(kChannel, *user), 0));
  }
  ASSERT_NO_FATAL_FAILURE(WaitForHeight(7));
  ExpectIdenticalBlocks();
  EXPECT_EQ(BlockSizes(1), (std::vector<size_t>{3, 3, 3, 1, 3, 3}));
}

// Without any node to pull from, the node keeps trying (backing off) until it is halted.
TEST_F(ClusterChainTest, CatchingUpWithoutSourcesRetriesUntilHalted) {
  chain_options_.make_puller = [](ChainSupport&) {
    return std::make_unique<StorePuller>(std::vector<std::string>{"node9"},
                                         [](const std::string&) { return nullptr; });
  };
  logs_->Compact(kChannel, 1000);
  ASSERT_NO_FATAL_FAILURE(SetUpCluster(1, 3, std::chrono::seconds(60)));
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(nodes_[0].chain->halted());
  EXPECT_EQ(support(0).store().Height(), 1u);
  Close(0);  // Halt ends the retries.
}

}  // namespace
}  // namespace fabric::orderer::cluster
