// SPDX-License-Identifier: Apache-2.0
#include "common/policies/manager.h"

#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/policies/builder.h"
#include "common/policies/fake_msp_test_util.h"
#include "common/policies/implicit_meta.h"

namespace fabric::policies {
namespace {

using ::testing::ElementsAre;
using testing::FakeDeserializer;
using ::testing::HasSubstr;

common::ConfigPolicy SignaturePolicyConfig(const common::SignaturePolicyEnvelope& env) {
  common::ConfigPolicy config;
  config.mutable_policy()->set_type(common::Policy::SIGNATURE);
  config.mutable_policy()->set_value(env.SerializeAsString());
  return config;
}

common::ConfigPolicy ImplicitMetaConfig(common::ImplicitMetaPolicy::Rule rule,
                                        const std::string& sub_policy) {
  common::ImplicitMetaPolicy imp;
  imp.set_rule(rule);
  imp.set_sub_policy(sub_policy);
  common::ConfigPolicy config;
  config.mutable_policy()->set_type(common::Policy::IMPLICIT_META);
  config.mutable_policy()->set_value(imp.SerializeAsString());
  return config;
}

std::string OrgName(int i) { return "Org" + std::to_string(i) + "MSP"; }

// A channel group whose Application group has `orgs` orgs, each with Readers/Writers (member)
// and Admins (admin) signature policies, and Application policies Readers = ANY Readers,
// Writers = `writers_rule` Writers, Admins = MAJORITY Admins.
common::ConfigGroup ChannelGroup(int orgs, common::ImplicitMetaPolicy::Rule writers_rule) {
  common::ConfigGroup channel;
  common::ConfigGroup& app = (*channel.mutable_groups())["Application"];
  for (int i = 1; i <= orgs; ++i) {
    common::ConfigGroup& org = (*app.mutable_groups())[OrgName(i)];
    (*org.mutable_policies())["Readers"] = SignaturePolicyConfig(SignedByMspMember(OrgName(i)));
    (*org.mutable_policies())["Writers"] = SignaturePolicyConfig(SignedByMspMember(OrgName(i)));
    (*org.mutable_policies())["Admins"] = SignaturePolicyConfig(SignedByMspAdmin(OrgName(i)));
  }
  (*app.mutable_policies())["Readers"] =
      ImplicitMetaConfig(common::ImplicitMetaPolicy::ANY, "Readers");
  (*app.mutable_policies())["Writers"] = ImplicitMetaConfig(writers_rule, "Writers");
  (*app.mutable_policies())["Admins"] =
      ImplicitMetaConfig(common::ImplicitMetaPolicy::MAJORITY, "Admins");
  (*channel.mutable_policies())["Writers"] =
      ImplicitMetaConfig(common::ImplicitMetaPolicy::ANY, "Writers");
  return channel;
}

class PolicyManagerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    for (int i = 1; i <= 3; ++i) {
      msp_.Add(OrgName(i), "user", {});
      msp_.Add(OrgName(i), "admin", {common::MSPRole::ADMIN});
    }
  }

  std::unique_ptr<PolicyManager> Build(const common::ConfigGroup& group) {
    auto manager = PolicyManager::Create("Channel", group, msp_);
    EXPECT_TRUE(manager.ok()) << manager.status();
    return manager.ok() ? std::move(*manager) : nullptr;
  }

  // Signatures by the users (role "user") or admins of the given orgs.
  static std::vector<protoutil::SignedData> Signers(const std::vector<int>& orgs,
                                                    const std::string& who = "user") {
    std::vector<protoutil::SignedData> set;
    for (int i : orgs) {
      set.push_back(FakeDeserializer::Sign(OrgName(i), who));
    }
    return set;
  }

  bool Satisfies(const PolicyManager& m, const std::string& id,
                 const std::vector<protoutil::SignedData>& set) {
    auto policy = m.GetPolicy(id);
    EXPECT_TRUE(policy.ok()) << policy.status();
    return policy.ok() && (*policy)->Evaluate(set).ok();
  }

  FakeDeserializer msp_;
};

TEST_F(PolicyManagerTest, LooksUpAbsoluteAndRelativeNames) {
  auto root = Build(ChannelGroup(2, common::ImplicitMetaPolicy::ANY));
  EXPECT_EQ(root->path(), "Channel");
  EXPECT_TRUE(root->GetPolicy("/Channel/Application/Writers").ok());
  EXPECT_TRUE(root->GetPolicy("Application/Writers").ok());
  EXPECT_TRUE(root->GetPolicy("Writers").ok());
  EXPECT_TRUE(root->GetPolicy("/Channel/Application/Org1MSP/Admins").ok());
  EXPECT_EQ(*root->GetPolicy("Application/Org2MSP/Readers"),
            *root->GetPolicy("/Channel/Application/Org2MSP/Readers"));

  const PolicyManager* app = root->Manager({"Application"});
  ASSERT_NE(app, nullptr);
  EXPECT_EQ(app->path(), "Channel/Application");
  EXPECT_EQ(*app->GetPolicy("Writers"), *root->GetPolicy("Application/Writers"));
  EXPECT_EQ(*app->GetPolicy("/Channel/Application/Org1MSP/Admins"),
            *root->GetPolicy("Application/Org1MSP/Admins"));
  EXPECT_EQ(root->Manager({"Application", "Org1MSP"})->path(), "Channel/Application/Org1MSP");
  EXPECT_EQ(root->Manager({}), root.get());
  EXPECT_EQ(root->Manager({"Orderer"}), nullptr);
  EXPECT_THAT(app->PolicyNames(), ElementsAre("Admins", "Readers", "Writers"));
  EXPECT_THAT(app->ChildNames(), ElementsAre("Org1MSP", "Org2MSP"));
}

TEST_F(PolicyManagerTest, UnknownPolicyIsNotFoundNamingThePath) {
  auto root = Build(ChannelGroup(1, common::ImplicitMetaPolicy::ANY));
  auto missing = root->GetPolicy("/Channel/Application/Endorsement");
  EXPECT_TRUE(missing.status().IsNotFound());
  EXPECT_THAT(missing.status().message(),
              HasSubstr("policy /Channel/Application/Endorsement not found"));
  EXPECT_THAT(root->GetPolicy("Orderer/Writers").status().message(),
              HasSubstr("policy /Channel/Orderer/Writers not found"));
  EXPECT_TRUE(root->GetPolicy("/Channel").status().IsNotFound());
  EXPECT_TRUE(root->GetPolicy("/Channel/").status().IsNotFound());
  EXPECT_TRUE(root->GetPolicy("/ChannelX/Writers").status().IsNotFound());
  const PolicyManager* app = root->Manager({"Application"});
  auto outside = app->GetPolicy("/Channel/Writers");
  EXPECT_TRUE(outside.status().IsNotFound());
  EXPECT_THAT(outside.status().message(), HasSubstr("not under /Channel/Application"));
  EXPECT_TRUE(root->GetPolicy("").status().IsInvalidArgument());
}

TEST_F(PolicyManagerTest, ChannelWritersChainsThroughImplicitMetaPolicies) {
  auto root = Build(ChannelGroup(2, common::ImplicitMetaPolicy::ANY));
  EXPECT_TRUE(Satisfies(*root, "/Channel/Writers", Signers({2})));
  EXPECT_FALSE(Satisfies(*root, "/Channel/Writers", Signers({3})));  // not in the channel
  EXPECT_FALSE(Satisfies(*root, "/Channel/Writers", {}));
}

struct MetaCase {
  common::ImplicitMetaPolicy::Rule rule;
  int orgs;
  int threshold;
};

TEST_F(PolicyManagerTest, ImplicitMetaThresholdsOverOneTwoThreeOrgs) {
  const MetaCase cases[] = {
      {common::ImplicitMetaPolicy::ANY, 1, 1},      {common::ImplicitMetaPolicy::ANY, 2, 1},
      {common::ImplicitMetaPolicy::ANY, 3, 1},      {common::ImplicitMetaPolicy::ALL, 1, 1},
      {common::ImplicitMetaPolicy::ALL, 2, 2},      {common::ImplicitMetaPolicy::ALL, 3, 3},
      {common::ImplicitMetaPolicy::MAJORITY, 1, 1}, {common::ImplicitMetaPolicy::MAJORITY, 2, 2},
      {common::ImplicitMetaPolicy::MAJORITY, 3, 2},
  };
  for (const MetaCase& c : cases) {
    SCOPED_TRACE(ImplicitMetaToString([&] {
                   common::ImplicitMetaPolicy p;
                   p.set_rule(c.rule);
                   p.set_sub_policy("Writers");
                   return p;
                 }()) +
                 " over " + std::to_string(c.orgs) + " orgs");
    auto root = Build(ChannelGroup(c.orgs, c.rule));
    auto policy = root->GetPolicy("/Channel/Application/Writers");
    ASSERT_TRUE(policy.ok());
    EXPECT_EQ(dynamic_cast<const ImplicitMetaPolicy*>(*policy)->threshold(), c.threshold);
    std::vector<int> orgs;
    for (int k = 1; k <= c.orgs; ++k) {
      orgs.push_back(k);
      Status s = (*policy)->Evaluate(Signers(orgs));
      EXPECT_EQ(s.ok(), k >= c.threshold) << k << " orgs signed: " << s;
      if (!s.ok()) {
        EXPECT_TRUE(s.IsPermissionDenied());
        EXPECT_THAT(s.message(), HasSubstr("sub-policies were satisfied, but this policy "
                                           "requires"));
      }
    }
    EXPECT_FALSE((*policy)->Evaluate({}).ok());
  }
}

TEST_F(PolicyManagerTest, MajorityOfAdminsBoundary) {
  auto root = Build(ChannelGroup(3, common::ImplicitMetaPolicy::ANY));
  const std::string admins = "/Channel/Application/Admins";
  EXPECT_FALSE(Satisfies(*root, admins, Signers({1}, "admin")));
  EXPECT_TRUE(Satisfies(*root, admins, Signers({1, 3}, "admin")));
  EXPECT_FALSE(Satisfies(*root, admins, Signers({1, 3}, "user")));  // members, not admins
  auto mixed = Signers({1}, "admin");
  mixed.push_back(FakeDeserializer::Sign(OrgName(2), "user"));
  EXPECT_FALSE(Satisfies(*root, admins, mixed));
}

// Fabric: with no child groups the threshold is 0 for every rule, so the policy holds.
TEST_F(PolicyManagerTest, ImplicitMetaWithoutChildrenIsSatisfiedLikeFabric) {
  for (auto rule : {common::ImplicitMetaPolicy::ANY, common::ImplicitMetaPolicy::ALL,
                    common::ImplicitMetaPolicy::MAJORITY}) {
    auto root = Build(ChannelGroup(0, rule));
    EXPECT_TRUE(Satisfies(*root, "/Channel/Application/Writers", {}));
    EXPECT_TRUE(Satisfies(*root, "/Channel/Application/Readers", {}));
  }
}

// A child without the named sub-policy counts as unsatisfied (Fabric's reject policy).
TEST_F(PolicyManagerTest, ChildWithoutSubPolicyCountsAsUnsatisfied) {
  common::ConfigGroup channel = ChannelGroup(2, common::ImplicitMetaPolicy::ALL);
  auto* org2 = &(*(*channel.mutable_groups())["Application"].mutable_groups())["Org2MSP"];
  org2->mutable_policies()->erase("Writers");
  auto root = Build(channel);
  EXPECT_FALSE(Satisfies(*root, "/Channel/Application/Writers", Signers({1, 2})));
  EXPECT_TRUE(Satisfies(*root, "/Channel/Application/Readers", Signers({2})));
}

// Every org's Writers accepts any member of any org, so all three sub-policies consume the
// same signer; its signature is still verified once.
TEST_F(PolicyManagerTest, ImplicitMetaVerifiesEachSignatureOnce) {
  common::ConfigGroup channel = ChannelGroup(3, common::ImplicitMetaPolicy::ALL);
  auto& orgs = *(*channel.mutable_groups())["Application"].mutable_groups();
  for (auto& [name, org] : orgs) {
    (*org.mutable_policies())["Writers"] =
        SignaturePolicyConfig(SignedByAnyMember({OrgName(1), OrgName(2), OrgName(3)}));
  }
  auto root = Build(channel);
  msp_.counters().verify = 0;
  EXPECT_TRUE(Satisfies(*root, "/Channel/Writers", Signers({2})));
  EXPECT_EQ(msp_.counters().verify.load(), 1);
}

TEST_F(PolicyManagerTest, RejectsUnsupportedAndMalformedPolicies) {
  auto with_policy = [](common::ConfigPolicy config) {
    common::ConfigGroup channel = ChannelGroup(1, common::ImplicitMetaPolicy::ANY);
    (*(*channel.mutable_groups())["Application"].mutable_policies())["Bad"] = std::move(config);
    return channel;
  };
  common::ConfigPolicy msp_type;
  msp_type.mutable_policy()->set_type(common::Policy::MSP);
  auto s = PolicyManager::Create("Channel", with_policy(msp_type), msp_).status();
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_THAT(s.message(),
              HasSubstr("policy Bad at path Channel/Application has unknown policy type: 2"));

  common::ConfigPolicy unknown;
  unknown.mutable_policy()->set_type(0);
  EXPECT_TRUE(
      PolicyManager::Create("Channel", with_policy(unknown), msp_).status().IsInvalidArgument());

  EXPECT_THAT(PolicyManager::Create("Channel", with_policy(common::ConfigPolicy()), msp_)
                  .status()
                  .message(),
              HasSubstr("policy Bad at path Channel/Application was nil"));
}

TEST_F(PolicyManagerTest, RejectsPoliciesThatDoNotCompile) {
  auto with_policy = [](common::ConfigPolicy config) {
    common::ConfigGroup channel = ChannelGroup(1, common::ImplicitMetaPolicy::ANY);
    (*(*channel.mutable_groups())["Application"].mutable_policies())["Bad"] = std::move(config);
    return channel;
  };

  common::ConfigPolicy garbage;
  garbage.mutable_policy()->set_type(common::Policy::SIGNATURE);
  garbage.mutable_policy()->set_value("\xff\xff");
  EXPECT_THAT(PolicyManager::Create("Channel", with_policy(garbage), msp_).status().message(),
              HasSubstr("policy Bad at path Channel/Application did not compile"));

  common::SignaturePolicyEnvelope out_of_range = SignedByMspMember("Org1MSP");
  *out_of_range.mutable_rule() = NOutOf(1, {SignedBy(3)});
  EXPECT_THAT(
      PolicyManager::Create("Channel", with_policy(SignaturePolicyConfig(out_of_range)), msp_)
          .status()
          .message(),
      HasSubstr("identity index out of range"));

  common::ConfigPolicy bad_rule = ImplicitMetaConfig(common::ImplicitMetaPolicy::ANY, "Readers");
  common::ImplicitMetaPolicy imp;
  imp.set_rule(static_cast<common::ImplicitMetaPolicy::Rule>(7));
  imp.set_sub_policy("Readers");
  bad_rule.mutable_policy()->set_value(imp.SerializeAsString());
  EXPECT_THAT(PolicyManager::Create("Channel", with_policy(bad_rule), msp_).status().message(),
              HasSubstr("unknown rule 7"));
}

TEST(ImplicitMetaParserTest, ParsesFabricsTextualForm) {
  auto any = ImplicitMetaFromString("ANY Readers");
  ASSERT_TRUE(any.ok());
  EXPECT_EQ(any->rule(), common::ImplicitMetaPolicy::ANY);
  EXPECT_EQ(any->sub_policy(), "Readers");
  EXPECT_EQ(ImplicitMetaFromString("MAJORITY Admins")->rule(),
            common::ImplicitMetaPolicy::MAJORITY);
  EXPECT_EQ(ImplicitMetaToString(*ImplicitMetaFromString("ALL Writers")), "ALL Writers");
  EXPECT_THAT(ImplicitMetaFromString("ANY").status().message(),
              HasSubstr("expected two space separated tokens, but got 1"));
  EXPECT_THAT(ImplicitMetaFromString("ANY  Readers").status().message(), HasSubstr("but got 3"));
  EXPECT_THAT(ImplicitMetaFromString("any Readers").status().message(),
              HasSubstr("unknown rule type 'any'"));
}

}  // namespace
}  // namespace fabric::policies
