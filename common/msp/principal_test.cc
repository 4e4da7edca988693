// SPDX-License-Identifier: Apache-2.0
#include <optional>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/crypto/hash.h"
#include "common/msp/config_builder.h"
#include "common/msp/msp.h"
#include "common/msp/testing/status_testing.h"
#include "common/msp/testing/test_org.h"
#include "msp/identities.pb.h"

namespace fabric::msp {
namespace {

using ::testing::HasSubstr;
using testing::MakeTestOrg;
using testing::SerializeIdentity;
using testing::TempDir;
using testing::TestIdentity;
using testing::TestOrg;
using testing::TestOrgOptions;
using Role = common::MSPRole::MSPRoleType;

common::MSPPrincipal RolePrincipal(const std::string& msp_id, Role role) {
  common::MSPRole r;
  r.set_msp_identifier(msp_id);
  r.set_role(role);
  common::MSPPrincipal p;
  p.set_principal_classification(common::MSPPrincipal::ROLE);
  p.set_principal(r.SerializeAsString());
  return p;
}

common::MSPPrincipal OuPrincipal(const std::string& msp_id, const std::string& ou,
                                 const std::string& certifiers) {
  common::OrganizationUnit u;
  u.set_msp_identifier(msp_id);
  u.set_organizational_unit_identifier(ou);
  u.set_certifiers_identifier(certifiers);
  common::MSPPrincipal p;
  p.set_principal_classification(common::MSPPrincipal::ORGANIZATION_UNIT);
  p.set_principal(u.SerializeAsString());
  return p;
}

common::MSPPrincipal IdentityPrincipal(const std::string& serialized) {
  common::MSPPrincipal p;
  p.set_principal_classification(common::MSPPrincipal::IDENTITY);
  p.set_principal(serialized);
  return p;
}

class PrincipalTest : public ::testing::Test {
 protected:
  void MakeOrg(const TestOrgOptions& options) {
    ASSERT_OK_AND_ASSIGN(
        TestOrg org, MakeTestOrg(tmp_.path() + "/org1", "Org1MSP", "org1.example.com", options));
    ASSERT_OK_AND_ASSIGN(auto conf, LoadVerifyingMspConfigFromDir(org.msp_dir, "Org1MSP"));
    ASSERT_OK_AND_ASSIGN(msp_, Msp::Create(conf));
    org_.emplace(std::move(org));
  }
  void SetUp() override { MakeOrg(TestOrgOptions()); }

  std::shared_ptr<const Identity> Id(const TestIdentity& who) {
    auto id = msp_->DeserializeIdentity(SerializeIdentity("Org1MSP", who.cert_pem));
    EXPECT_TRUE(id.ok()) << id.status();
    return id.ok() ? *id : nullptr;
  }

  // Role satisfaction of the peer, admin, client and orderer identities, in that order.
  std::vector<bool> Satisfying(Role role) {
    std::vector<bool> out;
    for (const TestIdentity* who : {&org_->peer, &org_->admin, &org_->client, &org_->orderer}) {
      out.push_back(Id(*who)->SatisfiesPrincipal(RolePrincipal("Org1MSP", role)).ok());
    }
    return out;
  }

  TempDir tmp_;
  std::optional<TestOrg> org_;
  std::unique_ptr<Msp> msp_;
};

TEST_F(PrincipalTest, RolesFollowNodeOus) {
  using ::testing::ElementsAre;
  EXPECT_THAT(Satisfying(common::MSPRole::MEMBER), ElementsAre(true, true, true, true));
  EXPECT_THAT(Satisfying(common::MSPRole::ADMIN), ElementsAre(false, true, false, false));
  EXPECT_THAT(Satisfying(common::MSPRole::PEER), ElementsAre(true, false, false, false));
  EXPECT_THAT(Satisfying(common::MSPRole::CLIENT), ElementsAre(false, false, true, false));
  EXPECT_THAT(Satisfying(common::MSPRole::ORDERER), ElementsAre(false, false, false, true));
}

TEST_F(PrincipalTest, RoleOfAnotherMspIsNotSatisfied) {
  Status s = Id(org_->peer)->SatisfiesPrincipal(RolePrincipal("Org2MSP", common::MSPRole::MEMBER));
  EXPECT_TRUE(s.IsPermissionDenied());
  EXPECT_THAT(std::string(s.message()), HasSubstr("different msp"));
}

TEST_F(PrincipalTest, MspSatisfiesPrincipalMatchesIdentityMethod) {
  auto peer = Id(org_->peer);
  EXPECT_OK(msp_->SatisfiesPrincipal(*peer, RolePrincipal("Org1MSP", common::MSPRole::PEER)));
  EXPECT_FALSE(
      msp_->SatisfiesPrincipal(*peer, RolePrincipal("Org1MSP", common::MSPRole::ADMIN)).ok());
}

TEST_F(PrincipalTest, OrganizationUnitNeedsOuAndCertifiersIdentifier) {
  const std::string certifiers = crypto::Sha256(org_->root_ca.cert.ToDer());
  auto peer = Id(org_->peer);
  EXPECT_OK(peer->SatisfiesPrincipal(OuPrincipal("Org1MSP", "peer", certifiers)));
  EXPECT_FALSE(peer->SatisfiesPrincipal(OuPrincipal("Org1MSP", "client", certifiers)).ok());
  EXPECT_FALSE(peer->SatisfiesPrincipal(OuPrincipal("Org1MSP", "peer", "")).ok());
  EXPECT_FALSE(peer->SatisfiesPrincipal(OuPrincipal("Org1MSP", "peer", std::string(32, 'x'))).ok());
  EXPECT_FALSE(peer->SatisfiesPrincipal(OuPrincipal("Org2MSP", "peer", certifiers)).ok());
}

TEST_F(PrincipalTest, IdentityPrincipalMatchesOnlyThatCertificate) {
  auto peer = Id(org_->peer);
  EXPECT_OK(peer->SatisfiesPrincipal(IdentityPrincipal(peer->Serialize())));
  // Same certificate, different PEM text (no trailing newline): still the same identity.
  std::string pem = org_->peer.cert_pem;
  pem.pop_back();
  EXPECT_OK(peer->SatisfiesPrincipal(IdentityPrincipal(SerializeIdentity("Org1MSP", pem))));
  Status s = peer->SatisfiesPrincipal(
      IdentityPrincipal(SerializeIdentity("Org1MSP", org_->client.cert_pem)));
  EXPECT_TRUE(s.IsPermissionDenied());
  EXPECT_THAT(std::string(s.message()), HasSubstr("do not match"));
  EXPECT_FALSE(peer->SatisfiesPrincipal(IdentityPrincipal("garbage")).ok());
}

TEST_F(PrincipalTest, CombinedAndAnonymityPrincipals) {
  common::CombinedPrincipal combined;
  *combined.add_principals() = RolePrincipal("Org1MSP", common::MSPRole::MEMBER);
  *combined.add_principals() = RolePrincipal("Org1MSP", common::MSPRole::PEER);
  common::MSPPrincipal p;
  p.set_principal_classification(common::MSPPrincipal::COMBINED);
  p.set_principal(combined.SerializeAsString());
  EXPECT_OK(Id(org_->peer)->SatisfiesPrincipal(p));
  EXPECT_FALSE(Id(org_->client)->SatisfiesPrincipal(p).ok());

  common::MSPIdentityAnonymity anon;
  anon.set_anonymity_type(common::MSPIdentityAnonymity::NOMINAL);
  common::MSPPrincipal a;
  a.set_principal_classification(common::MSPPrincipal::ANONYMITY);
  a.set_principal(anon.SerializeAsString());
  EXPECT_OK(Id(org_->peer)->SatisfiesPrincipal(a));
  anon.set_anonymity_type(common::MSPIdentityAnonymity::ANONYMOUS);
  a.set_principal(anon.SerializeAsString());
  EXPECT_FALSE(Id(org_->peer)->SatisfiesPrincipal(a).ok());
}

TEST_F(PrincipalTest, MalformedPrincipalIsRefusedWithoutCrash) {
  common::MSPPrincipal p;
  p.set_principal_classification(common::MSPPrincipal::ROLE);
  p.set_principal(std::string("\xff\xff\xff", 3));
  EXPECT_TRUE(Id(org_->peer)->SatisfiesPrincipal(p).IsPermissionDenied());
  p.set_principal_classification(static_cast<common::MSPPrincipal::Classification>(42));
  EXPECT_TRUE(Id(org_->peer)->SatisfiesPrincipal(p).IsPermissionDenied());
}

class PrincipalWithoutNodeOusTest : public PrincipalTest {
 protected:
  void SetUp() override {
    TestOrgOptions options;
    options.node_ous = false;
    options.admin_in_admincerts = true;
    MakeOrg(options);
  }
};

TEST_F(PrincipalWithoutNodeOusTest, AdminsComeFromAdmincertsAndRolesCannotBeToldApart) {
  using ::testing::ElementsAre;
  EXPECT_FALSE(msp_->NodeOUsEnabled());
  EXPECT_THAT(Satisfying(common::MSPRole::MEMBER), ElementsAre(true, true, true, true));
  EXPECT_THAT(Satisfying(common::MSPRole::ADMIN), ElementsAre(false, true, false, false));
  // Fabric 1.4/2.x: without NodeOUs, CLIENT/PEER/ORDERER principals are never satisfied.
  EXPECT_THAT(Satisfying(common::MSPRole::PEER), ElementsAre(false, false, false, false));
  EXPECT_THAT(Satisfying(common::MSPRole::CLIENT), ElementsAre(false, false, false, false));
  Status s = Id(org_->peer)->SatisfiesPrincipal(RolePrincipal("Org1MSP", common::MSPRole::PEER));
  EXPECT_THAT(std::string(s.message()), HasSubstr("node OUs not activated"));
}

}  // namespace
}  // namespace fabric::msp
