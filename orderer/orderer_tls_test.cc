// SPDX-License-Identifier: Apache-2.0
//
// The orderer in process with TLS (cryptogen's TLS key pairs) over real gRPC on 127.0.0.1:
// without client authentication any TLS client is served; with it, clients of the channel's
// organisations are, others are refused at the handshake with one log line, and an organisation
// added by a config update is trusted from the next handshake on.

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/comm/testing/connects.h"
#include "common/logging/testing/log_capture.h"
#include "common/msp/testing/status_testing.h"
#include "common/msp/testing/test_org.h"
#include "fabric/base/testing/wait_until.h"
#include "orderer/node.h"
#include "orderer/testing/test_network.h"

namespace fabric::orderer {
namespace {

using comm::testing::Connects;
using logging::testing::LogCapture;
using msp::testing::TempDir;
using std::chrono::hours;

constexpr char kChannel[] = "tlschannel";

class OrdererTlsTest : public ::testing::Test {
 protected:
  void Start(bool client_auth) {
    ASSERT_OK_AND_ASSIGN(common::Block genesis,
                         testing::MakeGenesis("TwoOrgsApplicationGenesis", kChannel));
    const std::string path = tmp_.path() + "/genesis.block";
    ASSERT_OK(testing::WriteBlock(path, genesis));
    OrdererConfig config = testing::TestConfig(tmp_.path(), {path});
    config.tls = testing::OrdererTls(client_auth);
    ASSERT_OK_AND_ASSIGN(orderer_, Orderer::Start(config));
    target_ = absl::StrFormat("127.0.0.1:%d", orderer_->port());
  }

  // Org3, in no channel yet, and the TLS credentials of one of its clients.
  void MakeOrg3() {
    ASSERT_OK_AND_ASSIGN(
        org3_, msp::testing::MakeTestOrg(tmp_.path() + "/org3", "Org3MSP", "org3.example.com"));
    org3_creds_ = testing::TlsClientOf(*org3_, "User1@org3.example.com");
  }

  // Adds Org3 to the channel's application orgs and waits for the config block.
  void AddOrg3ToChannel() {
    testing::Client client(orderer_->port(),
                           testing::OrdererClientCredentials(testing::UserTlsDir(1, "User1")));
    std::string info;
    ASSERT_EQ(testing::AddApplicationOrg(
                  client, kChannel, orderer_->registrar().GetChain(kChannel)->bundle()->config(),
                  *org3_, &info),
              common::SUCCESS)
        << info;
    ASSERT_TRUE(WaitUntil(
        [&] { return orderer_->registrar().GetChain(kChannel)->bundle()->sequence() > 0; }));
  }

  TempDir tmp_;
  std::unique_ptr<Orderer> orderer_;
  std::string target_;
  std::optional<msp::testing::TestOrg> org3_;
  std::shared_ptr<grpc::ChannelCredentials> org3_creds_;
};

TEST_F(OrdererTlsTest, WithoutClientAuthAnyTlsClientIsServed) {
  ASSERT_NO_FATAL_FAILURE(Start(/*client_auth=*/false));
  ASSERT_NO_FATAL_FAILURE(MakeOrg3());
  EXPECT_TRUE(Connects(target_, testing::OrdererClientCredentials("")));
  EXPECT_TRUE(Connects(target_, org3_creds_));
  // Plaintext is not spoken.
  EXPECT_FALSE(Connects(target_, grpc::InsecureChannelCredentials(), std::chrono::seconds(2)));
  auto user1 = testing::LoadUser(1, "User1");
  testing::Client client(orderer_->port(), testing::OrdererClientCredentials(""));
  EXPECT_EQ(client.BroadcastOne(testing::MakeTx(kChannel, *user1)), common::SUCCESS);
}

TEST_F(OrdererTlsTest, ClientAuthTrustsTheChannelsOrgsAndOrgsAddedByConfigUpdates) {
  ASSERT_NO_FATAL_FAILURE(Start(/*client_auth=*/true));
  ASSERT_NO_FATAL_FAILURE(MakeOrg3());
  LogCapture logs;
  // Org1's and Org2's users (application orgs) and the orderer org's admin are trusted.
  EXPECT_TRUE(
      Connects(target_, testing::OrdererClientCredentials(testing::UserTlsDir(1, "User1"))));
  EXPECT_TRUE(
      Connects(target_, testing::OrdererClientCredentials(testing::UserTlsDir(2, "User1"))));
  EXPECT_FALSE(Connects(target_, testing::OrdererClientCredentials("")));

  EXPECT_FALSE(Connects(target_, org3_creds_));
  ASSERT_TRUE(WaitUntil([&] { return !logs.Lines("TLS client certificate refused").empty(); }));
  EXPECT_THAT(logs.Lines("TLS client certificate refused")[0],
              ::testing::HasSubstr("certificate signed by unknown authority"));
  EXPECT_THAT(logs.Lines("TLS client certificate refused")[0],
              ::testing::HasSubstr("client CN=User1@org3.example.com"));

  ASSERT_NO_FATAL_FAILURE(AddOrg3ToChannel());
  EXPECT_TRUE(Connects(target_, org3_creds_));
}

// Fabric's binding inspector: with mutual TLS a Deliver request must name the hash of the
// connection's client certificate.
TEST_F(OrdererTlsTest, MutualTlsDeliverRequestsMustCarryTheClientCertificateHash) {
  ASSERT_NO_FATAL_FAILURE(Start(/*client_auth=*/true));
  const std::string tls_dir = testing::UserTlsDir(1, "User1");
  testing::Client client(orderer_->port(), testing::OrdererClientCredentials(tls_dir));
  auto user1 = testing::LoadUser(1, "User1");
  auto seek = [&](const std::string& hash) {
    ::orderer::SeekInfo info;
    *info.mutable_start() = testing::Specified(0);
    *info.mutable_stop() = testing::Specified(0);
    info.set_behavior(::orderer::SeekInfo::BLOCK_UNTIL_READY);
    StatusOr<common::Envelope> env = protoutil::CreateSignedEnvelopeWithTlsBinding(
        common::DELIVER_SEEK_INFO, kChannel, *user1, info, hash);
    EXPECT_TRUE(env.ok()) << env.status();
    return *env;
  };
  EXPECT_EQ(client.Deliver(seek("")).status, common::BAD_REQUEST);
  EXPECT_EQ(client.Deliver(seek(std::string(32, 'x'))).status, common::BAD_REQUEST);
  testing::Client::DeliverResult bound = client.Deliver(seek(testing::ClientCertHash(tls_dir)));
  EXPECT_EQ(bound.status, common::SUCCESS);
  EXPECT_EQ(bound.blocks.size(), 1u);
}

}  // namespace
}  // namespace fabric::orderer
