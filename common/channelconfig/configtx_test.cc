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
#include "fabric/base/status_macros.h"
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
                       Update([](common::Config& c) { testing::SetBatchTimeout(c, "3s"); },
                              {orgs_->org1_admin.get()}));
  ExpectRefused(ProposeConfigUpdate(*bundle_, envelope),
                "policy for [Value]  /Channel/Orderer/BatchTimeout not satisfied");
}

// Fabric's validateModPolicy (update.go): the new mod_policy of every changed or added element
// must be a path of valid config IDs. Cases ct_modpolicy_* of the recorded comparison.
TEST_F(ConfigtxTest, ChangedElementsNeedAValidModPolicy) {
  const std::string long_element(250, 'a');
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"", "mod_policy not set"},
      {"My_Admins",
       "path element at 0 is invalid: config ID 'My_Admins' contains illegal characters"},
      {"/Channel//Admins", "path element at 1 is invalid: config ID illegal, cannot be empty"},
      {"../Admins", "path element at 0 is invalid: name '..' for config ID is not allowed"},
      {"/", "path element at 0 is invalid: config ID illegal, cannot be empty"},
      {"/Channel/Application/Admins/",
       "path element at 3 is invalid: config ID illegal, cannot be empty"},
      {"Admins ", "path element at 0 is invalid: config ID 'Admins ' contains illegal characters"},
      {long_element, "path element at 0 is invalid: config ID illegal, cannot be longer than 249"},
  };
  for (const auto& [mod_policy, message] : cases) {
    SCOPED_TRACE(mod_policy);
    // Captured by name: C++20 lambdas may capture a structured binding, clang 14's may not.
    ExpectRefused(ProposeAsOrg1([&, &mod_policy = mod_policy](common::Config& c) {
                    Org1Value(c, kAnchorPeersKey).set_mod_policy(mod_policy);
                  }),
                  "error validating DeltaSet: invalid mod_policy for element [Value]  "
                  "/Channel/Application/Org1/AnchorPeers: " +
                      message);
  }
}

TEST_F(ConfigtxTest, GroupsPoliciesAndNewElementsNeedAModPolicyToo) {
  ExpectRefused(ProposeAsOrg1([](common::Config& c) {
                  GroupAt(c, {"Application", "Org1"}).set_mod_policy("");
                }),
                "invalid mod_policy for element [Group]  /Channel/Application/Org1: mod_policy "
                "not set");
  ExpectRefused(
      ProposeAsOrg1([](common::Config& c) {
        (*GroupAt(c, {"Application", "Org1"}).mutable_policies())["Readers"].set_mod_policy("");
      }),
      "invalid mod_policy for element [Policy] /Channel/Application/Org1/Readers: "
      "mod_policy not set");
  ExpectRefused(ProposeAsOrg1([](common::Config& c) {
                  common::ConfigPolicy& added =
                      (*GroupAt(c, {"Application", "Org1"}).mutable_policies())["Extra"];
                  added = GroupAt(c, {"Application", "Org1"}).policies().at("Readers");
                  added.set_mod_policy("");
                }),
                "invalid mod_policy for element [Policy] /Channel/Application/Org1/Extra: "
                "mod_policy not set");
}

// Fabric accepts any syntactically valid path, even one naming no policy (the element is then
// frozen), and absolute paths.
TEST_F(ConfigtxTest, SyntacticallyValidModPoliciesAreAccepted) {
  for (const std::string mod_policy :
       {"NoSuchPolicy", "/Channel/Application/Org1/Admins", "a.b-C9"}) {
    SCOPED_TRACE(mod_policy);
    StatusOr<common::ConfigEnvelope> result = ProposeAsOrg1(
        [&](common::Config& c) { Org1Value(c, kAnchorPeersKey).set_mod_policy(mod_policy); });
    EXPECT_TRUE(result.ok()) << result.status();
  }
}

// Fabric's config IDs are [a-zA-Z0-9.-]+ (no '_'), 1 to 249 characters, not "." or "..".
TEST_F(ConfigtxTest, KeysFollowFabricsConfigIdRules) {
  auto add_policy = [&](const std::string& name) {
    return ProposeAsOrg1([&](common::Config& c) {
      common::ConfigGroup& org1 = GroupAt(c, {"Application", "Org1"});
      (*org1.mutable_policies())[name] = org1.policies().at("Readers");
    });
  };
  for (const std::string& bad :
       std::vector<std::string>{"My_Policy", ".", "..", std::string(250, 'a')}) {
    SCOPED_TRACE(bad);
    ExpectRefused(add_policy(bad), "error mapping WriteSet: Illegal characters in key: [Policy] ");
  }
  for (const std::string& good : std::vector<std::string>{"a.b-C9", std::string(249, 'a')}) {
    SCOPED_TRACE(good);
    StatusOr<common::ConfigEnvelope> result = add_policy(good);
    EXPECT_TRUE(result.ok()) << result.status();
  }
  ExpectRefused(ProposeAsOrg1([&](common::Config& c) {
                  GroupAt(c, {"Application", "Org_1"}) = GroupAt(c, {"Application", "Org1"});
                }),
                "error mapping WriteSet: Illegal characters in key: [Group]  ");
}

// Fabric's ConfigUpdateEnvelope.AsSignedData fails on the first signature header that does not
// unmarshal, which refuses the whole update (case ct_garbage_signature_header).
TEST_F(ConfigtxTest, UndecodableSignatureHeaderRefusesTheUpdate) {
  common::Config edited = config_;
  testing::SetBatchTimeout(edited, "3s");
  ASSERT_OK_AND_ASSIGN(common::ConfigUpdate update,
                       testing::ComputeUpdate(kChannel, config_, edited));
  common::ConfigUpdateEnvelope envelope;
  envelope.set_config_update(protoutil::Marshal(update));
  ASSERT_OK(AddConfigSignature(*orgs_->orderer_admin, &envelope));
  common::ConfigSignature* garbage = envelope.add_signatures();
  garbage->set_signature_header("\xff\xff\xff");
  garbage->set_signature("sig");
  ASSERT_OK_AND_ASSIGN(common::Envelope signed_envelope,
                       protoutil::CreateSignedEnvelope(common::CONFIG_UPDATE, kChannel,
                                                       *orgs_->orderer_admin, envelope));
  ExpectRefused(ProposeConfigUpdate(*bundle_, signed_envelope),
                "error authorizing update: config signature 1: ");
  envelope.mutable_signatures()->RemoveLast();
  ASSERT_OK_AND_ASSIGN(signed_envelope,
                       protoutil::CreateSignedEnvelope(common::CONFIG_UPDATE, kChannel,
                                                       *orgs_->orderer_admin, envelope));
  StatusOr<common::ConfigEnvelope> result = ProposeConfigUpdate(*bundle_, signed_envelope);
  EXPECT_TRUE(result.ok()) << result.status();
}

// Fabric rewrites empty mod_policies to Admins in every config it produces once the orderer has
// capabilities (case ct_emptymod_hackyfix): the carried config must be byte-equal to Fabric's,
// and the element becomes modifiable.
TEST_F(ConfigtxTest, EmptyModPoliciesBecomeAdminsInTheProducedConfig) {
  Org1Value(config_, kAnchorPeersKey).set_mod_policy("");
  ASSERT_OK_AND_ASSIGN(bundle_, Bundle::FromConfig(kChannel, config_));
  ExpectRefused(ProposeAsOrg1([](common::Config& c) {
                  Org1Value(c, kAnchorPeersKey).set_value("");
                  Org1Value(c, kAnchorPeersKey).set_mod_policy("Admins");
                }),
                "unexpected missing policy  for item [Value]  "
                "/Channel/Application/Org1/AnchorPeers");
  ASSERT_OK_AND_ASSIGN(common::Envelope envelope,
                       Update([](common::Config& c) { testing::SetBatchTimeout(c, "3s"); },
                              {orgs_->orderer_admin.get()}));
  ASSERT_OK_AND_ASSIGN(common::ConfigEnvelope result, ProposeConfigUpdate(*bundle_, envelope));
  EXPECT_EQ(Org1Value(*result.mutable_config(), kAnchorPeersKey).mod_policy(), "Admins");
  config_ = result.config();
  ASSERT_OK_AND_ASSIGN(bundle_, Bundle::FromConfig(kChannel, config_));
  StatusOr<common::ConfigEnvelope> modified =
      ProposeAsOrg1([](common::Config& c) { Org1Value(c, kAnchorPeersKey).set_value(""); });
  EXPECT_TRUE(modified.ok()) << modified.status();
}

}  // namespace
}  // namespace fabric::channelconfig
