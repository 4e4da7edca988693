// SPDX-License-Identifier: Apache-2.0
#include "common/policies/signature_policy.h"

#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/policies/builder.h"
#include "common/policies/fake_msp_test_util.h"
#include "common/policies/policyparser.h"

namespace fabric::policies {
namespace {

using testing::FakeDeserializer;
using ::testing::HasSubstr;

class SignaturePolicyTest : public ::testing::Test {
 protected:
  void SetUp() override {
    msp_.Add("Org1MSP", "alice");
    msp_.Add("Org1MSP", "bob");
    msp_.Add("Org1MSP", "admin1", {common::MSPRole::ADMIN});
    msp_.Add("Org2MSP", "peer2", {common::MSPRole::PEER});
    msp_.Add("Org2MSP", "carol");
    msp_.Add("Org1MSP", "revoked", {}, /*valid=*/false);
  }

  std::unique_ptr<SignaturePolicy> Compile(const std::string& text) {
    auto env = FromString(text);
    EXPECT_TRUE(env.ok()) << env.status();
    auto policy = SignaturePolicy::Compile(*env, msp_);
    EXPECT_TRUE(policy.ok()) << policy.status();
    return policy.ok() ? std::move(*policy) : nullptr;
  }

  static protoutil::SignedData Sig(const std::string& msp, const std::string& name) {
    return FakeDeserializer::Sign(msp, name);
  }

  FakeDeserializer msp_;
};

TEST_F(SignaturePolicyTest, AndIsSatisfiedOnlyWithBothOrgs) {
  auto policy = Compile("AND('Org1MSP.member', 'Org2MSP.peer')");
  EXPECT_TRUE(policy->Evaluate({Sig("Org1MSP", "alice"), Sig("Org2MSP", "peer2")}).ok());
  EXPECT_TRUE(policy->Evaluate({Sig("Org2MSP", "peer2"), Sig("Org1MSP", "alice")}).ok());
  Status one_org = policy->Evaluate({Sig("Org1MSP", "alice"), Sig("Org1MSP", "bob")});
  EXPECT_TRUE(one_org.IsPermissionDenied());
  EXPECT_THAT(one_org.message(), HasSubstr("signature set did not satisfy policy"));
  EXPECT_THAT(one_org.message(), HasSubstr("'Org2MSP.peer'"));
  EXPECT_THAT(one_org.message(), ::testing::Not(HasSubstr("Org1MSP.member")));
  // carol is in Org2MSP but not a peer.
  EXPECT_FALSE(policy->Evaluate({Sig("Org1MSP", "alice"), Sig("Org2MSP", "carol")}).ok());
  EXPECT_TRUE(policy->Evaluate({}).IsPermissionDenied());
}

TEST_F(SignaturePolicyTest, SameIdentitySigningTwiceCountsOnce) {
  auto policy = Compile("OutOf(2, 'Org1MSP.member', 'Org1MSP.member')");
  EXPECT_FALSE(policy->Evaluate({Sig("Org1MSP", "alice"), Sig("Org1MSP", "alice")}).ok());
  EXPECT_FALSE(policy->Evaluate({Sig("Org1MSP", "alice")}).ok());
  EXPECT_TRUE(policy->Evaluate({Sig("Org1MSP", "alice"), Sig("Org1MSP", "bob")}).ok());
}

TEST_F(SignaturePolicyTest, BadSignatureIsIgnored) {
  auto policy = Compile("OR('Org1MSP.member')");
  protoutil::SignedData bad = FakeDeserializer::Sign("Org1MSP", "alice", "payload", false);
  EXPECT_TRUE(policy->Evaluate({bad}).IsPermissionDenied());
  EXPECT_TRUE(policy->Evaluate({bad, Sig("Org1MSP", "bob")}).ok());
  // A signature over other data does not count either.
  protoutil::SignedData other = Sig("Org1MSP", "alice");
  other.data = "tampered";
  EXPECT_FALSE(policy->Evaluate({other}).ok());
}

// As in Fabric 1.4's deduplicate: the first occurrence of an identity is the one kept, so a
// later good signature by the same identity does not rescue an earlier bad one.
TEST_F(SignaturePolicyTest, FirstOccurrenceOfAnIdentityIsTheOneEvaluated) {
  auto policy = Compile("OR('Org1MSP.member')");
  protoutil::SignedData bad = FakeDeserializer::Sign("Org1MSP", "alice", "payload", false);
  EXPECT_FALSE(policy->Evaluate({bad, Sig("Org1MSP", "alice")}).ok());
  EXPECT_TRUE(policy->Evaluate({Sig("Org1MSP", "alice"), bad}).ok());
}

TEST_F(SignaturePolicyTest, InvalidIdentityIsIgnored) {
  auto policy = Compile("OR('Org1MSP.member')");
  EXPECT_FALSE(policy->Evaluate({Sig("Org1MSP", "revoked")}).ok());
  EXPECT_TRUE(policy->Evaluate({Sig("Org1MSP", "revoked"), Sig("Org1MSP", "bob")}).ok());
}

TEST_F(SignaturePolicyTest, UnknownMspAndGarbageIdentitiesAreIgnored) {
  auto policy = Compile("OR('Org1MSP.member', 'Org9MSP.member')");
  EXPECT_FALSE(policy->Evaluate({Sig("Org9MSP", "mallory")}).ok());
  protoutil::SignedData garbage{"payload", "\xff\xff\xff", "sig"};
  EXPECT_TRUE(policy->Evaluate({garbage, Sig("Org9MSP", "x"), Sig("Org1MSP", "alice")}).ok());
}

// Fabric's greedy leaf matching: the member leaf takes the first member it finds, even if that
// is the only admin, and there is no backtracking. Fabric fails this set in this order.
TEST_F(SignaturePolicyTest, GreedyMatchingWithoutBacktrackingLikeFabric) {
  auto policy = Compile("AND('Org1MSP.member', 'Org1MSP.admin')");
  EXPECT_FALSE(policy->Evaluate({Sig("Org1MSP", "admin1"), Sig("Org1MSP", "alice")}).ok());
  EXPECT_TRUE(policy->Evaluate({Sig("Org1MSP", "alice"), Sig("Org1MSP", "admin1")}).ok());
}

// A failed child's used marks are rolled back (Fabric copies `used` per child).
TEST_F(SignaturePolicyTest, UnsatisfiedChildReleasesItsSigners) {
  auto policy =
      Compile("OR(AND('Org1MSP.member', 'Org2MSP.peer'), AND('Org1MSP.member', 'Org2MSP.member'))");
  EXPECT_TRUE(policy->Evaluate({Sig("Org1MSP", "alice"), Sig("Org2MSP", "carol")}).ok());
}

TEST_F(SignaturePolicyTest, EachSignatureIsVerifiedAtMostOnce) {
  auto policy = Compile(
      "OutOf(3, 'Org1MSP.member', 'Org1MSP.member', OR('Org1MSP.member', 'Org2MSP.member'), "
      "'Org2MSP.peer', AND('Org2MSP.member', 'Org1MSP.admin'))");
  std::vector<protoutil::SignedData> set = {Sig("Org1MSP", "alice"), Sig("Org1MSP", "bob"),
                                            Sig("Org2MSP", "peer2"), Sig("Org2MSP", "carol")};
  EXPECT_TRUE(policy->Evaluate(set).ok());
  EXPECT_LE(msp_.counters().verify.load(), 4);
  EXPECT_LE(msp_.counters().validate.load(), 4);
  msp_.counters().verify = 0;
  // Failure path evaluates twice (for the message) and still verifies each signer once.
  auto strict =
      Compile("AND('Org1MSP.member', 'Org1MSP.member', 'Org1MSP.member', 'Org2MSP.peer')");
  EXPECT_FALSE(strict->Evaluate(set).ok());
  EXPECT_LE(msp_.counters().verify.load(), 4);
}

TEST_F(SignaturePolicyTest, AcceptAllAndRejectAll) {
  auto accept = SignaturePolicy::Compile(AcceptAllPolicy(), msp_);
  ASSERT_TRUE(accept.ok());
  EXPECT_TRUE((*accept)->Evaluate({}).ok());
  auto reject = SignaturePolicy::Compile(RejectAllPolicy(), msp_);
  ASSERT_TRUE(reject.ok());
  EXPECT_TRUE((*reject)->Evaluate({Sig("Org1MSP", "alice")}).IsPermissionDenied());
}

TEST_F(SignaturePolicyTest, TopLevelSignedByWithoutGate) {
  common::SignaturePolicyEnvelope env = SignedByMspPeer("Org2MSP");
  *env.mutable_rule() = SignedBy(0);
  auto policy = SignaturePolicy::Compile(env, msp_);
  ASSERT_TRUE(policy.ok());
  EXPECT_TRUE((*policy)->Evaluate({Sig("Org2MSP", "peer2")}).ok());
  EXPECT_FALSE((*policy)->Evaluate({Sig("Org2MSP", "carol")}).ok());
}

TEST_F(SignaturePolicyTest, CompileRejectsHostileEnvelopes) {
  common::SignaturePolicyEnvelope out_of_range = SignedByMspMember("Org1MSP");
  *out_of_range.mutable_rule() = NOutOf(1, {SignedBy(0), SignedBy(1)});
  auto s1 = SignaturePolicy::Compile(out_of_range, msp_);
  EXPECT_TRUE(s1.status().IsInvalidArgument());
  EXPECT_THAT(s1.status().message(), HasSubstr("identity index out of range, requested 1"));

  *out_of_range.mutable_rule() = NOutOf(1, {SignedBy(-1)});
  EXPECT_TRUE(SignaturePolicy::Compile(out_of_range, msp_).status().IsInvalidArgument());

  common::SignaturePolicyEnvelope negative = SignedByMspMember("Org1MSP");
  *negative.mutable_rule() = NOutOf(-1, {SignedBy(0)});
  EXPECT_TRUE(SignaturePolicy::Compile(negative, msp_).status().IsInvalidArgument());

  common::SignaturePolicyEnvelope no_rule = SignedByMspMember("Org1MSP");
  no_rule.clear_rule();
  EXPECT_TRUE(SignaturePolicy::Compile(no_rule, msp_).status().IsInvalidArgument());

  common::SignaturePolicyEnvelope empty_element = SignedByMspMember("Org1MSP");
  *empty_element.mutable_rule() = NOutOf(1, {common::SignaturePolicy()});
  EXPECT_THAT(SignaturePolicy::Compile(empty_element, msp_).status().message(),
              HasSubstr("empty rule element"));

  common::SignaturePolicyEnvelope v1 = SignedByMspMember("Org1MSP");
  v1.set_version(1);
  EXPECT_TRUE(SignaturePolicy::Compile(v1, msp_).status().IsInvalidArgument());

  EXPECT_TRUE(SignaturePolicy::FromBytes("\xff\xff\xff", msp_).status().IsInvalidArgument());
}

TEST_F(SignaturePolicyTest, CompileRejectsDeepNesting) {
  auto nested = [](int depth) {
    common::SignaturePolicy rule = SignedBy(0);
    for (int i = 0; i < depth; ++i) {
      rule = NOutOf(1, {rule});
    }
    common::SignaturePolicyEnvelope env = SignedByMspMember("Org1MSP");
    *env.mutable_rule() = rule;
    return env;
  };
  auto ok = SignaturePolicy::Compile(nested(kMaxPolicyDepth), msp_);
  ASSERT_TRUE(ok.ok()) << ok.status();
  EXPECT_TRUE((*ok)->Evaluate({Sig("Org1MSP", "alice")}).ok());
  auto deep = SignaturePolicy::Compile(nested(kMaxPolicyDepth + 1), msp_);
  EXPECT_TRUE(deep.status().IsInvalidArgument());
  EXPECT_THAT(deep.status().message(), HasSubstr("deeper than 64"));
}

TEST_F(SignaturePolicyTest, ManySignersUseTheHeapPathAndDeduplicate) {
  for (int i = 0; i < 300; ++i) {
    msp_.Add("Org1MSP", "user" + std::to_string(i));
  }
  auto policy = Compile(
      "OutOf(3, 'Org1MSP.member', 'Org1MSP.member', 'Org1MSP.member', "
      "AND('Org1MSP.member', OR('Org1MSP.member')))");
  std::vector<protoutil::SignedData> set;
  for (int i = 0; i < 300; ++i) {
    set.push_back(Sig("Org1MSP", "user7"));  // one identity, many times
  }
  EXPECT_FALSE(policy->Evaluate(set).ok());
  for (int i = 0; i < 300; ++i) {
    set.push_back(Sig("Org1MSP", "user" + std::to_string(i)));
  }
  EXPECT_TRUE(policy->Evaluate(set).ok());
}

}  // namespace
}  // namespace fabric::policies
