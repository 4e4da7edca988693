// SPDX-License-Identifier: Apache-2.0
//
// Config updates against a sample application channel, with the verdicts Fabric 1.4.12's
// configtx.ValidatorImpl gives for the same updates (recorded by running Fabric's code on them).
#include "common/channelconfig/configtx.h"

#include <functional>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "common/channelconfig/keys.h"
#include "common/channelconfig/testing/test_channel.h"
#include "common/channelconfig/values.h"
#include "common/msp/testing/status_testing.h"
#include "common/protoutil/txutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/status_macros.h"
#include "orderer/configuration.pb.h"
#include "peer/configuration.pb.h"

namespace fabric::channelconfig {
namespace {

using testing::GroupAt;

constexpr char kChannel[] = "mychannel";

class ConfigtxTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    tmp_ = new msp::testing::TempDir();
    StatusOr<std::unique_ptr<testing::TestOrgs>> orgs = testing::TestOrgs::Create(tmp_->path());
    ASSERT_TRUE(orgs.ok()) << orgs.status();
    orgs_ = orgs->release();
  }
  static void TearDownTestSuite() {
    delete orgs_;
    delete tmp_;
  }

  void SetUp() override {
    config_ = testing::MakeApplicationConfig(*orgs_);
    ASSERT_OK_AND_ASSIGN(bundle_, Bundle::FromConfig(kChannel, config_));
  }

  // The update that applies `edit` to the current config, signed by `signers`.
  StatusOr<common::Envelope> Update(const std::function<void(common::Config&)>& edit,
                                    std::vector<const msp::SigningIdentity*> signers) {
    common::Config edited = config_;
    edit(edited);
    ASSIGN_OR_RETURN(common::ConfigUpdate update,
                     testing::ComputeUpdate(kChannel, config_, edited));
    return testing::MakeConfigUpdateEnvelope(kChannel, update, signers);
  }

  // Proposes `edit` signed by Org1's admin (enough for Org1's own elements).
  StatusOr<common::ConfigEnvelope> ProposeAsOrg1(const std::function<void(common::Config&)>& edit) {
    ASSIGN_OR_RETURN(common::Envelope envelope, Update(edit, {orgs_->org1_admin.get()}));
    return ProposeConfigUpdate(*bundle_, envelope);
  }

  static common::ConfigValue& Org1Value(common::Config& config, std::string_view key) {
    return (*GroupAt(config, {"Application", "Org1"}).mutable_values())[std::string(key)];
  }

  static msp::testing::TempDir* tmp_;
  static testing::TestOrgs* orgs_;
  common::Config config_;
  std::shared_ptr<const Bundle> bundle_;
};

msp::testing::TempDir* ConfigtxTest::tmp_ = nullptr;
testing::TestOrgs* ConfigtxTest::orgs_ = nullptr;

// Expects `result` to fail with a message containing `message`.
template <typename T>
void ExpectRefused(const StatusOr<T>& result, std::string_view message) {
  ASSERT_FALSE(result.ok());
  EXPECT_NE(result.status().message().find(message), std::string_view::npos) << result.status();
}

TEST_F(ConfigtxTest, OrgAdminUpdatesItsAnchorPeers) {
  ASSERT_OK_AND_ASSIGN(
      common::ConfigEnvelope result, ProposeAsOrg1([](common::Config& c) {
        protos::AnchorPeers anchors;
        anchors.add_anchor_peers()->set_host("peer1.org1.example.com");
        SetValue(GroupAt(c, {"Application", "Org1"}), kAnchorPeersKey, anchors, "Admins");
      }));
  EXPECT_EQ(result.config().sequence(), 1u);
  const common::ConfigValue& anchors = Org1Value(*result.mutable_config(), kAnchorPeersKey);
  EXPECT_EQ(anchors.version(), 1u);
  StatusOr<std::shared_ptr<const Bundle>> next = Bundle::FromConfig(kChannel, result.config());
  EXPECT_TRUE(next.ok()) << next.status();
}

TEST_F(ConfigtxTest, UpdateWithoutTheModPolicySignatureIsRefused) {
  ASSERT_OK_AND_ASSIGN(common::Envelope envelope,
                       Update(
                           [](common::Config& c) {
                             ::orderer::BatchTimeout timeout;
                             timeout.set_timeout("3s");
                             SetValue(GroupAt(c, {"Orderer"}), kBatchTimeoutKey, timeout, "Admins");
                           },
                           {orgs_->org1_admin.get()}));
  ExpectRefused(ProposeConfigUpdate(*bundle_, envelope),
                "policy for [Value]  /Channel/Orderer/BatchTimeout not satisfied");
}

}  // namespace
}  // namespace fabric::channelconfig
