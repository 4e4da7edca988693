// SPDX-License-Identifier: Apache-2.0
#include "common/policies/builder.h"

#include <gtest/gtest.h>

#include "common/policies/policyparser.h"

namespace fabric::policies {
namespace {

TEST(BuilderTest, SignedByMspMemberIsOneOutOfOnePrincipal) {
  common::SignaturePolicyEnvelope env = SignedByMspMember("Org1MSP");
  EXPECT_EQ(env.version(), 0);
  EXPECT_EQ(env.rule().n_out_of().n(), 1);
  ASSERT_EQ(env.rule().n_out_of().rules_size(), 1);
  EXPECT_EQ(env.rule().n_out_of().rules(0).signed_by(), 0);
  ASSERT_EQ(env.identities_size(), 1);
  EXPECT_EQ(PrincipalToString(env.identities(0)), "Org1MSP.member");
  EXPECT_EQ(PrincipalToString(SignedByMspAdmin("X").identities(0)), "X.admin");
  EXPECT_EQ(PrincipalToString(SignedByMspClient("X").identities(0)), "X.client");
  EXPECT_EQ(PrincipalToString(SignedByMspPeer("X").identities(0)), "X.peer");
  // Same bytes as the parser gives for the equivalent string.
  EXPECT_EQ(env.SerializeAsString(), FromString("OR('Org1MSP.member')")->SerializeAsString());
}

TEST(BuilderTest, SignedByAnySortsMspIdsLikeFabric) {
  common::SignaturePolicyEnvelope env = SignedByAnyMember({"Org3MSP", "Org1MSP", "Org2MSP"});
  EXPECT_EQ(ToString(env), "OR('Org1MSP.member', 'Org2MSP.member', 'Org3MSP.member')");
  EXPECT_EQ(ToString(SignedByAnyAdmin({"B", "A"})), "OR('A.admin', 'B.admin')");
  EXPECT_EQ(ToString(SignedByAnyPeer({"B", "A"})), "OR('A.peer', 'B.peer')");
  EXPECT_EQ(ToString(SignedByAnyClient({"A"})), "OR('A.client')");
  EXPECT_EQ(ToString(SignedByNOutOfGivenRole(2, common::MSPRole::ADMIN, {"C", "B", "A"})),
            "OutOf(2, 'A.admin', 'B.admin', 'C.admin')");
}

TEST(BuilderTest, AcceptAndRejectAllMatchFabricsBytes) {
  // Go: Envelope(NOutOf(0, []), [][]byte{}) marshals to rule{n_out_of{}}.
  EXPECT_EQ(AcceptAllPolicy().SerializeAsString(), std::string("\x12\x02\x12\x00", 4));
  EXPECT_EQ(RejectAllPolicy().SerializeAsString(), std::string("\x12\x04\x12\x02\x08\x01", 6));
}

}  // namespace
}  // namespace fabric::policies
