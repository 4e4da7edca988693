// SPDX-License-Identifier: Apache-2.0
#include "common/msp/msp_manager.h"

#include <optional>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/msp/config_builder.h"
#include "common/msp/testing/status_testing.h"
#include "common/msp/testing/test_org.h"

namespace fabric::msp {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::MakeTestOrg;
using testing::SerializeIdentity;
using testing::TempDir;
using testing::TestOrg;

class MspManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(TestOrg org1,
                         MakeTestOrg(tmp_.path() + "/org1", "Org1MSP", "org1.example.com"));
    ASSERT_OK_AND_ASSIGN(TestOrg org2,
                         MakeTestOrg(tmp_.path() + "/org2", "Org2MSP", "org2.example.com"));
    ASSERT_OK_AND_ASSIGN(auto c1, LoadVerifyingMspConfigFromDir(org1.msp_dir, "Org1MSP"));
    ASSERT_OK_AND_ASSIGN(auto c2, LoadVerifyingMspConfigFromDir(org2.msp_dir, "Org2MSP"));
    configs_ = {c1, c2};
    org1_.emplace(std::move(org1));
    org2_.emplace(std::move(org2));
  }

  TempDir tmp_;
  std::optional<TestOrg> org1_, org2_;
  std::vector<::msp::MSPConfig> configs_;
};

TEST_F(MspManagerTest, RoutesByMspId) {
  ASSERT_OK_AND_ASSIGN(auto mgr, MspManager::Create(configs_));
  EXPECT_THAT(mgr->MspIds(), ElementsAre("Org1MSP", "Org2MSP"));
  ASSERT_NE(mgr->GetMsp("Org2MSP"), nullptr);
  EXPECT_EQ(mgr->GetMsp("Org3MSP"), nullptr);
  ASSERT_OK_AND_ASSIGN(
      auto p1, mgr->DeserializeIdentity(SerializeIdentity("Org1MSP", org1_->peer.cert_pem)));
  ASSERT_OK_AND_ASSIGN(
      auto p2, mgr->DeserializeIdentity(SerializeIdentity("Org2MSP", org2_->peer.cert_pem)));
  EXPECT_EQ(p1->MspId(), "Org1MSP");
  EXPECT_EQ(p2->MspId(), "Org2MSP");
  EXPECT_OK(p1->Validate());
  EXPECT_OK(p2->Validate());
  // Org2's certificate claimed by Org1's id deserializes with Org1's MSP and fails there.
  ASSERT_OK_AND_ASSIGN(
      auto forged, mgr->DeserializeIdentity(SerializeIdentity("Org1MSP", org2_->peer.cert_pem)));
  EXPECT_TRUE(forged->Validate().IsPermissionDenied());
}

TEST_F(MspManagerTest, UnknownMspIdIsNotFound) {
  ASSERT_OK_AND_ASSIGN(auto mgr, MspManager::Create(configs_));
  auto id = mgr->DeserializeIdentity(SerializeIdentity("OrgXMSP", org1_->peer.cert_pem));
  EXPECT_TRUE(id.status().IsNotFound());
  EXPECT_EQ(id.status().message(), "msp id OrgXMSP is not a member of this channel");
}

TEST_F(MspManagerTest, GarbageIsInvalidArgument) {
  ASSERT_OK_AND_ASSIGN(auto mgr, MspManager::Create(configs_));
  EXPECT_TRUE(mgr->DeserializeIdentity("\xff\xff").status().IsInvalidArgument());
  EXPECT_TRUE(mgr->DeserializeIdentity("").status().IsInvalidArgument());
  EXPECT_TRUE(
      mgr->DeserializeIdentity(SerializeIdentity("Org1MSP", "junk")).status().IsInvalidArgument());
}

TEST_F(MspManagerTest, DuplicateMspIdsAndBadConfigsAreRejected) {
  auto dup = MspManager::Create({configs_[0], configs_[0]});
  EXPECT_TRUE(dup.status().IsInvalidArgument());
  EXPECT_THAT(std::string(dup.status().message()), HasSubstr("duplicate msp id Org1MSP"));
  ::msp::MSPConfig bad;
  bad.set_config("\xff\xff");
  auto broken = MspManager::Create({configs_[0], bad});
  EXPECT_TRUE(broken.status().IsInvalidArgument());
  EXPECT_THAT(std::string(broken.status().message()), HasSubstr("msp config 1"));
}

TEST_F(MspManagerTest, EmptyManagerKnowsNoMsp) {
  ASSERT_OK_AND_ASSIGN(auto mgr, MspManager::Create({}));
  EXPECT_TRUE(mgr->DeserializeIdentity(SerializeIdentity("Org1MSP", org1_->peer.cert_pem))
                  .status()
                  .IsNotFound());
}

}  // namespace
}  // namespace fabric::msp
