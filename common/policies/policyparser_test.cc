// SPDX-License-Identifier: Apache-2.0
#include "common/policies/policyparser.h"

#include <string>

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "common/policies/builder.h"

namespace fabric::policies {
namespace {

using ::google::protobuf::util::MessageDifferencer;
using ::testing::HasSubstr;

common::MSPRole RoleOf(const common::MSPPrincipal& p) {
  common::MSPRole role;
  EXPECT_EQ(p.principal_classification(), common::MSPPrincipal::ROLE);
  EXPECT_TRUE(role.ParseFromString(p.principal()));
  return role;
}

void ExpectRole(const common::MSPPrincipal& p, const std::string& msp,
                common::MSPRole::MSPRoleType role) {
  common::MSPRole r = RoleOf(p);
  EXPECT_EQ(r.msp_identifier(), msp);
  EXPECT_EQ(r.role(), role);
}

std::string Hex(const std::string& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

common::SignaturePolicyEnvelope MustParse(const std::string& text) {
  auto env = FromString(text);
  EXPECT_TRUE(env.ok()) << text << ": " << env.status();
  return env.ok() ? *env : common::SignaturePolicyEnvelope();
}

TEST(PolicyParserTest, AndOfTwoOrgsHasFabricsExactBytes) {
  common::SignaturePolicyEnvelope env = MustParse("AND('Org1MSP.member','Org2MSP.peer')");
  EXPECT_EQ(env.version(), 0);
  ASSERT_EQ(env.rule().Type_case(), common::SignaturePolicy::kNOutOf);
  EXPECT_EQ(env.rule().n_out_of().n(), 2);
  ASSERT_EQ(env.rule().n_out_of().rules_size(), 2);
  EXPECT_EQ(env.rule().n_out_of().rules(0).signed_by(), 0);
  EXPECT_EQ(env.rule().n_out_of().rules(1).signed_by(), 1);
  ASSERT_EQ(env.identities_size(), 2);
  ExpectRole(env.identities(0), "Org1MSP", common::MSPRole::MEMBER);
  ExpectRole(env.identities(1), "Org2MSP", common::MSPRole::PEER);
  // Marshalled by hand from the proto definitions; Go's proto.Marshal gives the same bytes
  // (signed_by 0 is a set oneof member and is encoded).
  EXPECT_EQ(Hex(env.SerializeAsString()),
            "120c120a08021202080012020801"      // rule: NOutOf{2, [SignedBy 0, SignedBy 1]}
            "1a0b12090a074f7267314d5350"        // identities[0]: ROLE Org1MSP.member
            "1a0d120b0a074f7267324d53501003");  // identities[1]: ROLE Org2MSP.peer
}

TEST(PolicyParserTest, OutOfTwoOfThree) {
  common::SignaturePolicyEnvelope env = MustParse("OutOf(2, 'A.member', 'B.member', 'C.member')");
  EXPECT_EQ(env.version(), 0);
  EXPECT_EQ(env.rule().n_out_of().n(), 2);
  ASSERT_EQ(env.rule().n_out_of().rules_size(), 3);
  for (int i = 0; i < 3; ++i) {
    EXPECT_EQ(env.rule().n_out_of().rules(i).Type_case(), common::SignaturePolicy::kSignedBy);
    EXPECT_EQ(env.rule().n_out_of().rules(i).signed_by(), i);
  }
  ASSERT_EQ(env.identities_size(), 3);
  ExpectRole(env.identities(0), "A", common::MSPRole::MEMBER);
  ExpectRole(env.identities(1), "B", common::MSPRole::MEMBER);
  ExpectRole(env.identities(2), "C", common::MSPRole::MEMBER);
  common::SignaturePolicyEnvelope built;
  *built.mutable_rule() = NOutOf(2, {SignedBy(0), SignedBy(1), SignedBy(2)});
  *built.add_identities() = RolePrincipal("A", common::MSPRole::MEMBER);
  *built.add_identities() = RolePrincipal("B", common::MSPRole::MEMBER);
  *built.add_identities() = RolePrincipal("C", common::MSPRole::MEMBER);
  EXPECT_EQ(env.SerializeAsString(), built.SerializeAsString());
}

// Fabric's evaluator numbers a gate's own principals after those of its nested gates.
TEST(PolicyParserTest, NestedPrincipalsAreNumberedLikeFabric) {
  common::SignaturePolicyEnvelope env =
      MustParse("AND('A.member', OR('B.admin', 'C.client'), OutOf(1, 'D.orderer'))");
  ASSERT_EQ(env.identities_size(), 4);
  ExpectRole(env.identities(0), "B", common::MSPRole::ADMIN);
  ExpectRole(env.identities(1), "C", common::MSPRole::CLIENT);
  ExpectRole(env.identities(2), "D", common::MSPRole::ORDERER);
  ExpectRole(env.identities(3), "A", common::MSPRole::MEMBER);
  const auto& top = env.rule().n_out_of();
  EXPECT_EQ(top.n(), 3);
  ASSERT_EQ(top.rules_size(), 3);
  EXPECT_EQ(top.rules(0).signed_by(), 3);
  const auto& orgate = top.rules(1).n_out_of();
  EXPECT_EQ(orgate.n(), 1);
  ASSERT_EQ(orgate.rules_size(), 2);
  EXPECT_EQ(orgate.rules(0).signed_by(), 0);
  EXPECT_EQ(orgate.rules(1).signed_by(), 1);
  const auto& outof = top.rules(2).n_out_of();
  EXPECT_EQ(outof.n(), 1);
  ASSERT_EQ(outof.rules_size(), 1);
  EXPECT_EQ(outof.rules(0).signed_by(), 2);
}

TEST(PolicyParserTest, OrIsOneOutOf) {
  common::SignaturePolicyEnvelope env = MustParse("OR('Org1MSP.admin', 'Org2MSP.admin')");
  EXPECT_EQ(env.rule().n_out_of().n(), 1);
  EXPECT_EQ(env.rule().n_out_of().rules_size(), 2);
}

TEST(PolicyParserTest, AcceptsFabricsGateSpellingsQuotesAndWhitespace) {
  const std::string canonical =
      MustParse("AND('A.member', OR('B.peer', 'C.admin'))").SerializeAsString();
  for (const char* text : {
           "And('A.member',Or('B.peer','C.admin'))",
           "and('A.member', or('B.peer', 'C.admin'))",
           "AND(\"A.member\", OR(\"B.peer\", 'C.admin'))",
           "  AND ( 'A.member' ,\n\tOR ( 'B.peer' , 'C.admin' ) )  ",
           "OutOf(2, 'A.member', outof(1, 'B.peer', 'C.admin'))",
           "OUTOF('2', 'A.member', OutOf(\"1\", 'B.peer', 'C.admin'))",
           "OutOf(2.9, 'A.member', OUTOF(1.0, 'B.peer', 'C.admin'))",
       }) {
    EXPECT_EQ(MustParse(text).SerializeAsString(), canonical) << text;
  }
}

TEST(PolicyParserTest, AllRolesAndMspIdCharacters) {
  common::SignaturePolicyEnvelope env = MustParse(
      "OR('a.member', 'b.admin', 'c.client', 'd.peer', 'e.orderer', 'Org-1.example.com.peer')");
  ASSERT_EQ(env.identities_size(), 6);
  ExpectRole(env.identities(0), "a", common::MSPRole::MEMBER);
  ExpectRole(env.identities(1), "b", common::MSPRole::ADMIN);
  ExpectRole(env.identities(2), "c", common::MSPRole::CLIENT);
  ExpectRole(env.identities(3), "d", common::MSPRole::PEER);
  ExpectRole(env.identities(4), "e", common::MSPRole::ORDERER);
  ExpectRole(env.identities(5), "Org-1.example.com", common::MSPRole::PEER);
}

// Fabric's parser gives every occurrence its own identity (its "TODO: deduplicate principals"),
// and we yield the same envelope.
TEST(PolicyParserTest, RepeatedPrincipalsKeepOneIdentityPerOccurrence) {
  common::SignaturePolicyEnvelope env =
      MustParse("OutOf(2, 'Org1MSP.member', 'Org1MSP.member', 'Org2MSP.member')");
  ASSERT_EQ(env.identities_size(), 3);
  EXPECT_TRUE(MessageDifferencer::Equals(env.identities(0), env.identities(1)));
  EXPECT_EQ(env.rule().n_out_of().rules(0).signed_by(), 0);
  EXPECT_EQ(env.rule().n_out_of().rules(1).signed_by(), 1);
  EXPECT_EQ(env.rule().n_out_of().rules(2).signed_by(), 2);
}

TEST(PolicyParserTest, OutOfBoundsAreFabrics) {
  // 0 <= n <= count + 1 is accepted.
  EXPECT_EQ(MustParse("OutOf(0, 'A.member')").rule().n_out_of().n(), 0);
  EXPECT_EQ(MustParse("OutOf(3, 'A.member', 'B.member')").rule().n_out_of().n(), 3);
  auto too_many = FromString("OutOf(4, 'A.member', 'B.member')");
  EXPECT_TRUE(too_many.status().IsInvalidArgument());
  EXPECT_THAT(too_many.status().message(),
              HasSubstr("offset 0: OutOf count 4 is out of range for 2 argument(s)"));
  auto negative = FromString("OutOf(-1, 'A.member')");
  EXPECT_THAT(negative.status().message(), HasSubstr("OutOf count -1 is out of range"));
}

struct BadCase {
  const char* text;
  const char* message;
};

TEST(PolicyParserTest, MalformedStringsSayWhatAndWhere) {
  const BadCase cases[] = {
      {"", "offset 0: empty policy"},
      {"   ", "offset 3: empty policy"},
      {"AND('A.member'", "offset 14: expected ')' or ',' after an argument but found the end"},
      {"AND('A.member'))", "offset 15: unexpected ')' after the end of the policy"},
      {"AND('A.member') OR('B.member')", "offset 16: unexpected 'O' after the end"},
      {"AND('A.member', 'B.boss')", "offset 16: unknown role 'boss' in principal 'B.boss'"},
      {"AND('Org1MSP')", "offset 4: invalid principal 'Org1MSP': expected '<msp id>.<role>'"},
      {"AND('.member')", "offset 4: invalid principal '.member'"},
      {"AND('Org_1.member')", "offset 4: invalid MSP id 'Org_1'"},
      {"AND('A.Member')", "unknown role 'Member'"},
      {"AND()", "offset 4: a gate needs at least one argument"},
      {"OR()", "offset 3: a gate needs at least one argument"},
      {"OutOf(1)", "offset 7: expected ',' after OutOf's count"},
      {"AND('A.member',)", "offset 15: expected a quoted principal or a nested AND, OR or OutOf"},
      {"AND('A.member' 'B.member')", "offset 15: expected ')' or ','"},
      {"OutOf(x, 'A.member')",
       "offset 6: OutOf expects a number as its first argument but "
       "found 'x'"},
      {"OutOf('two', 'A.member')", "offset 6: OutOf expects a number"},
      {"OutOf('A.member', 'B.member')", "OutOf expects a number"},
      {"AND(2, 'A.member')", "offset 4: expected a quoted principal"},
      {"NAND('A.member')", "offset 0: unrecognized token 'NAND'"},
      {"aNd('A.member')", "offset 0: unrecognized token 'aNd'"},
      {"'A.member'", "offset 0: expected AND, OR or OutOf but found '''"},
      {"AND 'A.member'", "offset 4: expected '(' after the gate name"},
      {"AND('A.member", "offset 4: unterminated string"},
      {"AND(A.member)", "offset 4: unrecognized token 'A'"},
  };
  for (const BadCase& c : cases) {
    auto env = FromString(c.text);
    ASSERT_FALSE(env.ok()) << c.text;
    EXPECT_TRUE(env.status().IsInvalidArgument()) << c.text;
    EXPECT_THAT(env.status().message(), HasSubstr(c.message)) << c.text;
  }
}

TEST(PolicyParserTest, ErrorMessagesClipEchoedInput) {
  auto env = FromString("AND('" + std::string(100000, 'A') + ".boss')");
  EXPECT_TRUE(env.status().IsInvalidArgument());
  EXPECT_LT(env.status().message().size(), 400u);
  EXPECT_THAT(env.status().message(), HasSubstr("unknown role 'boss'"));
}

TEST(PolicyParserTest, RejectsNestingDeeperThanTheLimit) {
  auto nested = [](int depth) {
    std::string s;
    for (int i = 0; i < depth; ++i) {
      s += "OR('A.member', ";
    }
    s += "'A.member'";
    s.append(depth, ')');
    return s;
  };
  EXPECT_TRUE(FromString(nested(kMaxPolicyDepth)).ok());
  auto too_deep = FromString(nested(kMaxPolicyDepth + 1));
  EXPECT_TRUE(too_deep.status().IsInvalidArgument());
  EXPECT_THAT(too_deep.status().message(), HasSubstr("nested deeper than 64"));
  // Hostile input does not overflow the stack.
  EXPECT_FALSE(FromString(std::string(100000, '(')).ok());
  std::string many_ands;
  for (int i = 0; i < 100000; ++i) {
    many_ands += "AND(";
  }
  EXPECT_FALSE(FromString(many_ands).ok());
}

TEST(PolicyParserTest, ToStringPrintsTheLanguage) {
  EXPECT_EQ(ToString(MustParse("AND('Org1MSP.member','Org2MSP.peer')")),
            "AND('Org1MSP.member', 'Org2MSP.peer')");
  EXPECT_EQ(ToString(MustParse("outof(2, 'A.member', 'B.admin', 'C.client')")),
            "OutOf(2, 'A.member', 'B.admin', 'C.client')");
  EXPECT_EQ(ToString(MustParse("OutOf(1, 'A.member', 'B.admin')")), "OR('A.member', 'B.admin')");
  EXPECT_EQ(ToString(MustParse("AND('A.member', OR('B.admin', 'C.client'))")),
            "AND('A.member', OR('B.admin', 'C.client'))");
  EXPECT_EQ(ToString(SignedByMspMember("Org1MSP")), "OR('Org1MSP.member')");
  EXPECT_EQ(ToString(AcceptAllPolicy()), "OutOf(0)");
  EXPECT_EQ(ToString(RejectAllPolicy()), "OutOf(1)");
  common::SignaturePolicyEnvelope bad;
  *bad.mutable_rule() = NOutOf(1, {SignedBy(5)});
  EXPECT_EQ(ToString(bad), "OR(<principal index 5 out of range>)");
}

TEST(PolicyParserTest, RoundTripsThroughToString) {
  for (const char* text : {
           "AND('Org1MSP.member', 'Org2MSP.peer')",
           "OR('A.admin')",
           "AND('A.member')",
           "OutOf(0, 'A.member')",
           "OutOf(3, 'A.member', 'B.member')",
           "OutOf(2, 'A.member', 'A.member', 'B.orderer')",
           "AND('A.member', OR('B.admin', AND('C.client', 'D.peer')), OutOf(2, 'E.member', "
           "OR('F.member', 'G.member'), 'H.admin'))",
           "OR(OR(OR('A.member', 'B.member'), 'C.member'), AND('D.member', 'E.member'))",
       }) {
    common::SignaturePolicyEnvelope env = MustParse(text);
    std::string printed = ToString(env);
    common::SignaturePolicyEnvelope again = MustParse(printed);
    EXPECT_TRUE(MessageDifferencer::Equals(env, again)) << text << " -> " << printed;
    EXPECT_EQ(env.SerializeAsString(), again.SerializeAsString()) << text;
  }
}

TEST(PolicyParserTest, PrincipalToStringDescribesEveryClassification) {
  EXPECT_EQ(PrincipalToString(RolePrincipal("Org1MSP", common::MSPRole::ADMIN)), "Org1MSP.admin");
  common::MSPPrincipal ou;
  ou.set_principal_classification(common::MSPPrincipal::ORGANIZATION_UNIT);
  common::OrganizationUnit unit;
  unit.set_msp_identifier("Org1MSP");
  unit.set_organizational_unit_identifier("finance");
  ou.set_principal(unit.SerializeAsString());
  EXPECT_EQ(PrincipalToString(ou), "<ou finance of Org1MSP>");
  common::MSPPrincipal broken;
  broken.set_principal("\xff\xff");
  EXPECT_EQ(PrincipalToString(broken), "<malformed role principal>");
}

}  // namespace
}  // namespace fabric::policies
