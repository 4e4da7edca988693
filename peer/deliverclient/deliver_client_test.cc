// SPDX-License-Identifier: Apache-2.0

#include "peer/deliverclient/deliver_client.h"

#include <thread>

#include <absl/strings/str_format.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "common/deliver/block_verifier.h"
#include "common/protoutil/blockutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/testing/wait_until.h"
#include "orderer/ab.grpc.pb.h"
#include "peer/committer/testing/fixture.h"
#include "peer/deliverclient/testing/fake_orderer.h"

namespace fabric::deliverclient {
namespace {

using committer::testing::CommitterFixture;
using deliver::VerifyBlock;
using testing::FakeOrderer;

class DeliverClientTest : public CommitterFixture {
 protected:
  void SetUp() override {
    CommitterFixture::SetUp();
    // The orderer's chain mirrors the peer's so far (genesis and the chaincode definitions).
    for (uint64_t n = 0; n < ledger().GetBlockchainInfo().height(); ++n) {
      orderer_.Add(ledger().GetBlockByNumber(n).value());
      prev_hash_ = protoutil::BlockHeaderHash(ledger().GetBlockByNumber(n)->header());
    }
    next_ = ledger().GetBlockchainInfo().height();
    ASSERT_NE(orderer_.Start(), 0);
    port_ = orderer_.port();
  }
  void TearDown() override {
    client_.reset();
    orderer_.Stop();
  }

  // The orderer's next block, holding one transaction writing `key`, signed by `signer`.
  common::Block OrdererBlock(const std::string& key, const msp::SigningIdentity* signer = nullptr,
                             bool chain = true) {
    common::Block block = protoutil::NewBlock(next_, chain ? prev_hash_ : "bogus");
    block.mutable_data()->add_data(Tx("mycc", key, "v").SerializeAsString());
    protoutil::SealBlock(block);
    EXPECT_OK(committer::testing::SignBlock(block, signer ? *signer : net().orderer()));
    return block;
  }
  void AddGoodBlock(const std::string& key) {
    common::Block block = OrdererBlock(key);
    prev_hash_ = protoutil::BlockHeaderHash(block.header());
    ++next_;
    orderer_.Add(std::move(block));
  }

  void StartClient() {
    DeliverClient::Options options;
    options.addresses = {absl::StrFormat("127.0.0.1:%d", port_)};
    options.initial_backoff = std::chrono::milliseconds(20);
    options.max_backoff = std::chrono::milliseconds(200);
    client_ = std::make_unique<DeliverClient>(options, committer(), net().org1_peer());
    client_->Start();
  }

  bool WaitForHeight(uint64_t height) {
    return WaitUntil([&] { return ledger().GetBlockchainInfo().height() >= height; });
  }

  FakeOrderer orderer_;
  int port_ = 0;
  std::string prev_hash_;
  uint64_t next_ = 0;
  std::unique_ptr<DeliverClient> client_;
};

TEST_F(DeliverClientTest, PullsVerifiesAndCommitsBlocks) {
  const uint64_t start = next_;
  AddGoodBlock("a");
  AddGoodBlock("b");
  StartClient();
  ASSERT_TRUE(WaitForHeight(start + 2));
  AddGoodBlock("c");  // cut while connected
  // The block store's height counts a block before its state is committed (as Fabric's does):
  // wait for the client to have committed it.
  ASSERT_TRUE(WaitUntil([&] { return client_->blocks_committed() >= 3; }));
  EXPECT_EQ(ledger().GetBlockchainInfo().height(), start + 3);
  EXPECT_EQ(orderer_.starts().at(0), start);
  auto qe = ledger().NewQueryExecutor();
  EXPECT_EQ(qe->GetState("mycc", "c").value(), "v");
  qe->Done();
  client_->Stop();
  EXPECT_EQ(client_->blocks_committed(), 3u);
}

TEST_F(DeliverClientTest, RefusesBlockNotSignedByTheOrderer) {
  const uint64_t start = next_;
  orderer_.Add(OrdererBlock("a", &net().org1_peer()));
  StartClient();
  // Refused, reconnected, refused again.
  EXPECT_TRUE(WaitUntil([&] {
    return client_->connection_attempts() > 1 && client_->last_error().IsPermissionDenied();
  })) << client_->last_error();
  EXPECT_EQ(ledger().GetBlockchainInfo().height(), start);
}

TEST_F(DeliverClientTest, RefusesBrokenHashChain) {
  const uint64_t start = next_;
  orderer_.Add(OrdererBlock("a", nullptr, /*chain=*/false));
  StartClient();
  EXPECT_TRUE(WaitUntil([&] { return client_->last_error().IsInvalidArgument(); }))
      << client_->last_error();
  EXPECT_EQ(ledger().GetBlockchainInfo().height(), start);
}

TEST_F(DeliverClientTest, VerifyBlockChecksDataHash) {
  common::Block block = OrdererBlock("a");
  auto config = committer().config();
  EXPECT_OK(VerifyBlock(block, next_, prev_hash_, *config));
  block.mutable_data()->add_data("extra");
  EXPECT_TRUE(VerifyBlock(block, next_, prev_hash_, *config).IsInvalidArgument());
  EXPECT_TRUE(VerifyBlock(OrdererBlock("a"), next_ + 1, prev_hash_, *config).IsInvalidArgument());
}

TEST_F(DeliverClientTest, ReconnectsAfterOrdererRestart) {
  const uint64_t start = next_;
  AddGoodBlock("a");
  StartClient();
  ASSERT_TRUE(WaitForHeight(start + 1));
  orderer_.Stop();
  // The client lost its stream and tries again, while the orderer is down.
  ASSERT_TRUE(WaitUntil([&] { return client_->connection_attempts() >= 2; }));
  AddGoodBlock("b");
  ASSERT_EQ(orderer_.Start(port_), port_);
  ASSERT_TRUE(WaitForHeight(start + 2));
  EXPECT_GE(client_->connection_attempts(), 2u);
  std::vector<uint64_t> starts = orderer_.starts();
  EXPECT_EQ(starts.back(), start + 1);  // resumed from the ledger height
}

// An orderer restarted again and again while the channel is idle: every stream was healthy, so
// the peer comes back after the initial backoff each time, not after a doubling one.
TEST_F(DeliverClientTest, HealthyIdleStreamResetsTheBackoff) {
  DeliverClient::Options options;
  options.addresses = {absl::StrFormat("127.0.0.1:%d", port_)};
  options.initial_backoff = std::chrono::milliseconds(100);
  options.max_backoff = std::chrono::seconds(60);
  options.healthy_stream = std::chrono::milliseconds(200);
  client_ = std::make_unique<DeliverClient>(options, committer(), net().org1_peer());
  client_->Start();
  const auto reconnected = [&](uint64_t attempts, std::chrono::milliseconds within) {
    return WaitUntil([&] { return client_->connection_attempts() > attempts; }, within);
  };
  ASSERT_TRUE(reconnected(0, std::chrono::seconds(5)));
  // Without the reset the waits would double: 0.1, 0.2, 0.4, 0.8, 1.6, 3.2 s.
  for (int restart = 0; restart < 6; ++restart) {
    // The scenario: the stream stays open and idle for longer than healthy_stream.
    std::this_thread::sleep_for(std::chrono::milliseconds(300));
    const uint64_t attempts = client_->connection_attempts();
    orderer_.Stop();
    ASSERT_EQ(orderer_.Start(port_), port_);
    ASSERT_TRUE(reconnected(attempts, std::chrono::milliseconds(1500))) << "restart " << restart;
  }
}

TEST_F(DeliverClientTest, RoundRobinSkipsDeadOrderer) {
  const uint64_t start = next_;
  AddGoodBlock("a");
  DeliverClient::Options options;
  options.addresses = {"127.0.0.1:1", absl::StrFormat("127.0.0.1:%d", port_)};
  options.initial_backoff = std::chrono::milliseconds(20);
  client_ = std::make_unique<DeliverClient>(options, committer(), net().org1_peer());
  client_->Start();
  ASSERT_TRUE(WaitForHeight(start + 1));
}

TEST_F(DeliverClientTest, StopsPromptly) {
  StartClient();
  ASSERT_TRUE(WaitUntil([&] { return client_->connection_attempts() >= 1; }));
  const auto t0 = std::chrono::steady_clock::now();
  client_->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(2));
}

}  // namespace
}  // namespace fabric::deliverclient
