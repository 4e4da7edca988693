// SPDX-License-Identifier: Apache-2.0
#include "common/msp/msp.h"

#include <atomic>
#include <optional>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/crypto/x509.h"
#include "common/msp/config_builder.h"
#include "common/msp/testing/status_testing.h"
#include "common/msp/testing/test_org.h"
#include "common/msp/x509_signing_identity.h"

namespace fabric::msp {
namespace {

using ::testing::HasSubstr;
using testing::MakeTestOrg;
using testing::SerializeIdentity;
using testing::TempDir;
using testing::TestOrg;
using testing::TestOrgOptions;
using Clock = std::chrono::system_clock;

class MspTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_FALSE(tmp_.path().empty());
    ASSERT_OK_AND_ASSIGN(TestOrg org,
                         MakeTestOrg(tmp_.path() + "/org1", "Org1MSP", "org1.example.com"));
    org1_.emplace(std::move(org));
  }

  static StatusOr<std::unique_ptr<Msp>> MspFor(const TestOrg& org, Msp::Options options = {}) {
    StatusOr<::msp::MSPConfig> conf = LoadVerifyingMspConfigFromDir(org.msp_dir, org.msp_id);
    if (!conf.ok()) {
      return conf.status();
    }
    return Msp::Create(*conf, std::move(options));
  }

  const TestOrg& org1() const { return *org1_; }

  TempDir tmp_;
  std::optional<TestOrg> org1_;
};

TEST_F(MspTest, DeserializesAndValidatesPeerIdentity) {
  ASSERT_OK_AND_ASSIGN(auto msp, MspFor(org1()));
  EXPECT_EQ(msp->MspId(), "Org1MSP");
  EXPECT_TRUE(msp->NodeOUsEnabled());
  ASSERT_OK_AND_ASSIGN(
      auto id, msp->DeserializeIdentity(SerializeIdentity("Org1MSP", org1().peer.cert_pem)));
  EXPECT_EQ(id->MspId(), "Org1MSP");
  EXPECT_THAT(id->OrganizationalUnits(), ::testing::ElementsAre("peer"));
  EXPECT_EQ(id->ExpiresAt(), org1().peer.cert.NotAfter());
  EXPECT_OK(id->Validate());
  EXPECT_OK(msp->Validate(*id));
}

TEST_F(MspTest, SignatureOfSigningIdentityVerifiesWithDeserializedIdentity) {
  ASSERT_OK_AND_ASSIGN(auto signer, LoadSigningIdentity(org1().peer.msp_dir, "Org1MSP"));
  ASSERT_OK_AND_ASSIGN(auto msp, MspFor(org1()));
  ASSERT_OK_AND_ASSIGN(auto id, msp->DeserializeIdentity(signer->Serialize()));
  ASSERT_OK_AND_ASSIGN(std::string sig, signer->Sign("proposal bytes"));
  EXPECT_OK(id->Verify("proposal bytes", sig));
  EXPECT_OK(id->Validate());
}

TEST_F(MspTest, TamperedSignatureOrMessageIsRejected) {
  ASSERT_OK_AND_ASSIGN(auto signer, LoadSigningIdentity(org1().peer.msp_dir, "Org1MSP"));
  ASSERT_OK_AND_ASSIGN(auto msp, MspFor(org1()));
  ASSERT_OK_AND_ASSIGN(auto id, msp->DeserializeIdentity(signer->Serialize()));
  ASSERT_OK_AND_ASSIGN(std::string sig, signer->Sign("proposal bytes"));
  Status s = id->Verify("proposal bytez", sig);
  EXPECT_TRUE(s.IsPermissionDenied()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("signature verification failed"));
  std::string bad = sig;
  bad[bad.size() - 3] ^= 0x01;
  EXPECT_TRUE(id->Verify("proposal bytes", bad).IsPermissionDenied());
  EXPECT_TRUE(id->Verify("proposal bytes", "garbage").IsPermissionDenied());
}

TEST_F(MspTest, IdentityFromAnotherCaIsRejectedAsUnknownAuthority) {
  ASSERT_OK_AND_ASSIGN(TestOrg org2,
                       MakeTestOrg(tmp_.path() + "/org2", "Org2MSP", "org2.example.com"));
  ASSERT_OK_AND_ASSIGN(auto msp, MspFor(org1()));
  // Org2's peer certificate presented under Org1's MSP id.
  ASSERT_OK_AND_ASSIGN(auto id,
                       msp->DeserializeIdentity(SerializeIdentity("Org1MSP", org2.peer.cert_pem)));
  Status s = id->Validate();
  EXPECT_TRUE(s.IsPermissionDenied()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("unknown authority"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("peer0.org2.example.com"));
}

TEST_F(MspTest, ExpiredIdentityIsRejectedWithItsNotAfter) {
  const Clock::time_point now = Clock::now();
  ASSERT_OK_AND_ASSIGN(
      auto short_lived,
      testing::IssueIdentity(org1().root_ca, "short.org1.example.com", {"client"},
                             now - std::chrono::hours(1), now + std::chrono::hours(1)));
  Clock::time_point fake_now = now;
  Msp::Options options;
  options.clock = [&fake_now] { return fake_now; };
  ASSERT_OK_AND_ASSIGN(auto msp, MspFor(org1(), options));
  ASSERT_OK_AND_ASSIGN(
      auto id, msp->DeserializeIdentity(SerializeIdentity("Org1MSP", short_lived.cert_pem)));
  EXPECT_OK(id->Validate());
  fake_now = now + std::chrono::hours(2);  // The memo of the first validation must not hide it.
  Status s = id->Validate();
  EXPECT_TRUE(s.IsPermissionDenied()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("expired"));
  EXPECT_THAT(std::string(s.message()), HasSubstr(crypto::FormatTime(short_lived.cert.NotAfter())));
}

TEST_F(MspTest, WithoutExpiryChecksExpiredIdentityStaysValidAsInFabricMsp) {
  const Clock::time_point now = Clock::now();
  ASSERT_OK_AND_ASSIGN(
      auto short_lived,
      testing::IssueIdentity(org1().root_ca, "short.org1.example.com", {"client"},
                             now - std::chrono::minutes(30), now - std::chrono::minutes(10)));
  Msp::Options options;
  options.check_expiry = false;
  ASSERT_OK_AND_ASSIGN(auto msp, MspFor(org1(), options));
  ASSERT_OK_AND_ASSIGN(
      auto id, msp->DeserializeIdentity(SerializeIdentity("Org1MSP", short_lived.cert_pem)));
  EXPECT_OK(id->Validate());
}

TEST_F(MspTest, OtherMspIdIsNotFound) {
  ASSERT_OK_AND_ASSIGN(auto msp, MspFor(org1()));
  auto id = msp->DeserializeIdentity(SerializeIdentity("Org9MSP", org1().peer.cert_pem));
  EXPECT_TRUE(id.status().IsNotFound()) << id.status();
  EXPECT_THAT(std::string(id.status().message()), HasSubstr("Org9MSP"));
}

TEST_F(MspTest, GarbageBytesAreInvalidArgument) {
  ASSERT_OK_AND_ASSIGN(auto msp, MspFor(org1()));
  for (const std::string& bytes :
       {std::string(), std::string("\xff\xff\xff\xff", 4), std::string("\x0a\x50", 2)}) {
    auto id = msp->DeserializeIdentity(bytes);
    EXPECT_TRUE(id.status().IsInvalidArgument()) << id.status();
  }
  for (const std::string& id_bytes :
       {std::string("not pem"),
        std::string("-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n"),
        org1().peer.key.ToPem(), std::string()}) {
    auto id = msp->DeserializeIdentity(SerializeIdentity("Org1MSP", id_bytes));
    EXPECT_TRUE(id.status().IsInvalidArgument()) << id.status();
  }
}

TEST_F(MspTest, NodeOusIdentityWithoutRoleOuIsInvalid) {
  ASSERT_OK_AND_ASSIGN(auto msp, MspFor(org1()));
  const auto nb = Clock::now() - std::chrono::hours(1);
  const auto na = Clock::now() + std::chrono::hours(1);
  ASSERT_OK_AND_ASSIGN(auto no_role,
                       testing::IssueIdentity(org1().root_ca, "x.org1", {"finance"}, nb, na));
  ASSERT_OK_AND_ASSIGN(auto id,
                       msp->DeserializeIdentity(SerializeIdentity("Org1MSP", no_role.cert_pem)));
  Status s = id->Validate();
  EXPECT_TRUE(s.IsPermissionDenied()) << s;
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("does not have a client, peer, admin or orderer OU"));

  ASSERT_OK_AND_ASSIGN(
      auto two_roles, testing::IssueIdentity(org1().root_ca, "y.org1", {"peer", "client"}, nb, na));
  ASSERT_OK_AND_ASSIGN(id,
                       msp->DeserializeIdentity(SerializeIdentity("Org1MSP", two_roles.cert_pem)));
  s = id->Validate();
  EXPECT_TRUE(s.IsPermissionDenied()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("not a combination of them"));
}

TEST_F(MspTest, CaCertificateCannotBeAnIdentity) {
  ASSERT_OK_AND_ASSIGN(auto msp, MspFor(org1()));
  ASSERT_OK_AND_ASSIGN(
      auto id, msp->DeserializeIdentity(SerializeIdentity("Org1MSP", org1().root_ca.cert.ToPem())));
  Status s = id->Validate();
  EXPECT_TRUE(s.IsPermissionDenied()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("CA=true"));
}

TEST_F(MspTest, RevokedIdentityIsRejected) {
  ASSERT_OK_AND_ASSIGN(
      std::string crl,
      testing::MakeCrlPem(org1().root_ca, {org1().client.cert.SerialNumber()}, Clock::now()));
  ASSERT_OK(testing::WriteTestFile(org1().msp_dir + "/crls/crl.pem", crl));
  ASSERT_OK_AND_ASSIGN(auto msp, MspFor(org1()));
  ASSERT_OK_AND_ASSIGN(
      auto client, msp->DeserializeIdentity(SerializeIdentity("Org1MSP", org1().client.cert_pem)));
  Status s = client->Validate();
  EXPECT_TRUE(s.IsPermissionDenied()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("revoked"));
  ASSERT_OK_AND_ASSIGN(
      auto peer, msp->DeserializeIdentity(SerializeIdentity("Org1MSP", org1().peer.cert_pem)));
  EXPECT_OK(peer->Validate());
}

TEST_F(MspTest, CrlFromAnotherCaDoesNotRevoke) {
  ASSERT_OK_AND_ASSIGN(auto other,
                       testing::MakeCa("evil", "evil", Clock::now() - std::chrono::hours(1),
                                       Clock::now() + std::chrono::hours(1)));
  ASSERT_OK_AND_ASSIGN(
      std::string crl,
      testing::MakeCrlPem(other, {org1().client.cert.SerialNumber()}, Clock::now()));
  ASSERT_OK(testing::WriteTestFile(org1().msp_dir + "/crls/crl.pem", crl));
  ASSERT_OK_AND_ASSIGN(auto msp, MspFor(org1()));
  ASSERT_OK_AND_ASSIGN(
      auto client, msp->DeserializeIdentity(SerializeIdentity("Org1MSP", org1().client.cert_pem)));
  EXPECT_OK(client->Validate());
}

TEST_F(MspTest, SecondDeserializeAndValidateOfSameBytesSkipsChainVerification) {
  ASSERT_OK_AND_ASSIGN(auto msp, MspFor(org1()));
  const std::string bytes = SerializeIdentity("Org1MSP", org1().peer.cert_pem);
  EXPECT_EQ(msp->ChainVerificationsForTesting(), 0u);
  ASSERT_OK_AND_ASSIGN(auto first, msp->DeserializeIdentity(bytes));
  EXPECT_OK(first->Validate());
  EXPECT_EQ(msp->ChainVerificationsForTesting(), 1u);
  ASSERT_OK_AND_ASSIGN(auto second, msp->DeserializeIdentity(bytes));
  EXPECT_OK(second->Validate());
  EXPECT_OK(msp->Validate(*second));
  EXPECT_EQ(first.get(), second.get());
  EXPECT_EQ(msp->ChainVerificationsForTesting(), 1u);
}

TEST_F(MspTest, ConcurrentDeserializeValidateAndVerifyAgree) {
  Msp::Options options;
  options.identity_cache_size = 2;  // Smaller than the working set: evictions race with hits.
  ASSERT_OK_AND_ASSIGN(auto msp, MspFor(org1(), options));
  std::vector<std::string> serialized;
  std::vector<std::string> signatures;
  for (const auto* who : {&org1().peer, &org1().admin, &org1().client, &org1().orderer}) {
    serialized.push_back(SerializeIdentity("Org1MSP", who->cert_pem));
    ASSERT_OK_AND_ASSIGN(std::string sig, who->key.Sign("m"));
    signatures.push_back(sig);
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        const size_t k = static_cast<size_t>(t + i) % serialized.size();
        auto id = msp->DeserializeIdentity(serialized[k]);
        if (!id.ok() || !(*id)->Validate().ok() || !(*id)->Verify("m", signatures[k]).ok()) {
          failures.fetch_add(1);
        }
      }
    });
  }
  for (std::thread& th : threads) {
    th.join();
  }
  EXPECT_EQ(failures.load(), 0);
}

TEST_F(MspTest, CacheIsBoundedAndEvictsLeastRecentlyUsed) {
  Msp::Options options;
  options.identity_cache_size = 1;
  ASSERT_OK_AND_ASSIGN(auto msp, MspFor(org1(), options));
  const std::string peer = SerializeIdentity("Org1MSP", org1().peer.cert_pem);
  const std::string client = SerializeIdentity("Org1MSP", org1().client.cert_pem);
  ASSERT_OK_AND_ASSIGN(auto a, msp->DeserializeIdentity(peer));
  EXPECT_OK(a->Validate());
  ASSERT_OK_AND_ASSIGN(auto b, msp->DeserializeIdentity(client));  // Evicts peer.
  EXPECT_OK(b->Validate());
  ASSERT_OK_AND_ASSIGN(auto c, msp->DeserializeIdentity(peer));
  EXPECT_NE(a.get(), c.get());
  EXPECT_OK(c->Validate());
  EXPECT_EQ(msp->ChainVerificationsForTesting(), 3u);
}

TEST_F(MspTest, IdentitiesOutliveTheirMsp) {
  std::shared_ptr<const Identity> id;
  {
    ASSERT_OK_AND_ASSIGN(auto msp, MspFor(org1()));
    ASSERT_OK_AND_ASSIGN(
        id, msp->DeserializeIdentity(SerializeIdentity("Org1MSP", org1().peer.cert_pem)));
  }
  EXPECT_OK(id->Validate());
}

TEST_F(MspTest, IntermediateCaIssuedIdentitiesValidate) {
  TestOrgOptions options;
  options.intermediate_ca = true;
  ASSERT_OK_AND_ASSIGN(TestOrg org3,
                       MakeTestOrg(tmp_.path() + "/org3", "Org3MSP", "org3.example.com", options));
  ASSERT_OK_AND_ASSIGN(auto msp, MspFor(org3));
  ASSERT_OK_AND_ASSIGN(auto peer,
                       msp->DeserializeIdentity(SerializeIdentity("Org3MSP", org3.peer.cert_pem)));
  EXPECT_OK(peer->Validate());
  // The root issued an intermediate, so it may not issue identities itself.
  ASSERT_OK_AND_ASSIGN(auto direct, testing::IssueIdentity(org3.root_ca, "direct.org3", {"peer"},
                                                           Clock::now() - std::chrono::hours(1),
                                                           Clock::now() + std::chrono::hours(1)));
  ASSERT_OK_AND_ASSIGN(auto id,
                       msp->DeserializeIdentity(SerializeIdentity("Org3MSP", direct.cert_pem)));
  Status s = id->Validate();
  EXPECT_TRUE(s.IsPermissionDenied()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("not a leaf of the certification tree"));
}

TEST_F(MspTest, LocalMspHasDefaultSigningIdentityAndVerifyingMspHasNone) {
  ASSERT_OK_AND_ASSIGN(auto local_conf, LoadMspConfigFromDir(org1().peer.msp_dir, "Org1MSP"));
  ASSERT_OK_AND_ASSIGN(auto local, Msp::Create(local_conf));
  ASSERT_OK_AND_ASSIGN(auto signer, local->GetDefaultSigningIdentity());
  ASSERT_OK_AND_ASSIGN(std::string sig, signer->Sign("m"));
  ASSERT_OK_AND_ASSIGN(auto id, local->DeserializeIdentity(signer->Serialize()));
  EXPECT_OK(id->Verify("m", sig));
  ASSERT_OK_AND_ASSIGN(auto verifying, MspFor(org1()));
  EXPECT_TRUE(verifying->GetDefaultSigningIdentity().status().IsNotFound());
  EXPECT_EQ(verifying->TlsRootCerts().size(), 1u);
}

// The rules follow the channel's MSP version (Fabric 1.4.12's msp package: setupV1, setupV11,
// setupV143 and their validate and principal functions).
TEST_F(MspTest, RulesFollowTheMspVersion) {
  const auto role = [](common::MSPRole::MSPRoleType type) {
    common::MSPRole r;
    r.set_role(type);
    r.set_msp_identifier("Org1MSP");
    common::MSPPrincipal p;
    p.set_principal_classification(common::MSPPrincipal::ROLE);
    p.set_principal(r.SerializeAsString());
    return p;
  };
  common::MSPPrincipal combined;
  combined.set_principal_classification(common::MSPPrincipal::COMBINED);
  common::CombinedPrincipal parts;
  *parts.add_principals() = role(common::MSPRole::MEMBER);
  combined.set_principal(parts.SerializeAsString());
  const auto identity = [&](const Msp& msp, const testing::TestIdentity& who) {
    return msp.DeserializeIdentity(SerializeIdentity("Org1MSP", who.cert_pem)).value();
  };

  // 1.4.3: the admin OU makes an admin; the orderer OU is a valid identity.
  ASSERT_OK_AND_ASSIGN(auto v143, MspFor(org1()));
  EXPECT_OK(identity(*v143, org1().admin)->Validate());
  EXPECT_OK(identity(*v143, org1().admin)->SatisfiesPrincipal(role(common::MSPRole::ADMIN)));
  EXPECT_OK(identity(*v143, org1().orderer)->Validate());

  // 1.3: only client and peer OUs exist; an admin-OU or orderer-OU certificate is invalid and
  // ADMIN needs an admin certificate.
  Msp::Options options;
  options.version = MspVersion::kV1_3;
  ASSERT_OK_AND_ASSIGN(auto v13, MspFor(org1(), options));
  Status s = identity(*v13, org1().admin)->Validate();
  EXPECT_TRUE(s.IsPermissionDenied()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("must be a client or a peer identity"));
  EXPECT_FALSE(identity(*v13, org1().orderer)->Validate().ok());
  EXPECT_FALSE(
      identity(*v13, org1().client)->SatisfiesPrincipal(role(common::MSPRole::ADMIN)).ok());
  EXPECT_OK(identity(*v13, org1().client)->SatisfiesPrincipal(role(common::MSPRole::CLIENT)));
  EXPECT_OK(identity(*v13, org1().peer)->SatisfiesPrincipal(combined));

  // 1.1: COMBINED principals are not understood yet.
  options.version = MspVersion::kV1_1;
  ASSERT_OK_AND_ASSIGN(auto v11, MspFor(org1(), options));
  s = identity(*v11, org1().peer)->SatisfiesPrincipal(combined);
  EXPECT_THAT(std::string(s.message()), HasSubstr("invalid principal type"));

  // 1.0: no NodeOUs, so roles cannot be told apart, and the admin OU is just an OU.
  options.version = MspVersion::kV1_0;
  ASSERT_OK_AND_ASSIGN(auto v10, MspFor(org1(), options));
  EXPECT_FALSE(v10->NodeOUsEnabled());
  EXPECT_OK(identity(*v10, org1().admin)->Validate());
  s = identity(*v10, org1().peer)->SatisfiesPrincipal(role(common::MSPRole::PEER));
  EXPECT_THAT(std::string(s.message()), HasSubstr("node OUs not activated"));
}

// 1.4.3 refuses an MSP that can never name an admin; earlier versions accept it.
TEST_F(MspTest, MspWithoutAdminsNeedsAnAdminOuFrom143) {
  ASSERT_OK_AND_ASSIGN(::msp::MSPConfig conf,
                       LoadVerifyingMspConfigFromDir(org1().msp_dir, org1().msp_id));
  ::msp::FabricMSPConfig fabric;
  ASSERT_TRUE(fabric.ParseFromString(conf.config()));
  ASSERT_EQ(fabric.admins_size(), 0);
  fabric.mutable_fabric_node_ous()->clear_admin_ou_identifier();
  conf.set_config(fabric.SerializeAsString());
  auto refused = Msp::Create(conf);
  Status s = refused.status();
  EXPECT_TRUE(s.IsInvalidArgument()) << s;
  EXPECT_THAT(std::string(s.message()),
              HasSubstr("administrators must be declared when no admin ou classification is set"));
  Msp::Options options;
  options.version = MspVersion::kV1_3;
  auto accepted = Msp::Create(conf, options);
  EXPECT_OK(accepted.status());
  // 1.1 and 1.3 want both the client and the peer OU once NodeOUs are configured.
  fabric.mutable_fabric_node_ous()->clear_peer_ou_identifier();
  fabric.mutable_fabric_node_ous()->set_enable(false);
  conf.set_config(fabric.SerializeAsString());
  auto no_peer_ou = Msp::Create(conf, options);
  EXPECT_THAT(std::string(no_peer_ou.status().message()),
              HasSubstr("PeerOU must be different from nil"));
}

TEST_F(MspTest, CreateRejectsBadConfigs) {
  ::msp::MSPConfig idemix;
  idemix.set_type(kMspTypeIdemix);
  EXPECT_EQ(Msp::Create(idemix).status().code(), StatusCode::kUnimplemented);
  ::msp::MSPConfig garbage;
  garbage.set_config(std::string("\xff\xff\xff", 3));
  EXPECT_TRUE(Msp::Create(garbage).status().IsInvalidArgument());

  ::msp::FabricMSPConfig conf;
  conf.set_name("Org1MSP");
  ::msp::MSPConfig wrapped;
  wrapped.set_config(conf.SerializeAsString());
  auto no_roots = Msp::Create(wrapped);
  EXPECT_TRUE(no_roots.status().IsInvalidArgument());
  EXPECT_THAT(std::string(no_roots.status().message()), HasSubstr("at least one root"));

  conf.add_root_certs(org1().peer.cert_pem);  // Not a CA.
  wrapped.set_config(conf.SerializeAsString());
  auto not_ca = Msp::Create(wrapped);
  EXPECT_TRUE(not_ca.status().IsInvalidArgument());
  EXPECT_THAT(std::string(not_ca.status().message()), HasSubstr("is not a ca"));
}

TEST_F(MspTest, AdminCertificateFromAnotherCaIsRejectedAtCreate) {
  ASSERT_OK_AND_ASSIGN(TestOrg org2,
                       MakeTestOrg(tmp_.path() + "/org2", "Org2MSP", "org2.example.com"));
  ASSERT_OK(
      testing::WriteTestFile(org1().msp_dir + "/admincerts/foreign.pem", org2.admin.cert_pem));
  auto msp = MspFor(org1());
  EXPECT_TRUE(msp.status().IsInvalidArgument()) << msp.status();
  EXPECT_THAT(std::string(msp.status().message()), HasSubstr("admin 0"));
}

}  // namespace
}  // namespace fabric::msp
