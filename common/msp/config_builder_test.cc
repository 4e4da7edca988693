// SPDX-License-Identifier: Apache-2.0
#include "common/msp/config_builder.h"

#include <filesystem>
#include <optional>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/crypto/hash.h"
#include "common/msp/msp.h"
#include "common/msp/testing/status_testing.h"
#include "common/msp/testing/test_org.h"
#include "common/msp/x509_signing_identity.h"
#include "msp/identities.pb.h"

namespace fabric::msp {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using testing::MakeTestOrg;
using testing::TempDir;
using testing::TestOrg;
using testing::WriteTestFile;

class ConfigBuilderTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(TestOrg org,
                         MakeTestOrg(tmp_.path() + "/org1", "Org1MSP", "org1.example.com"));
    org_.emplace(std::move(org));
  }

  static ::msp::FabricMSPConfig Fabric(const ::msp::MSPConfig& conf) {
    ::msp::FabricMSPConfig f;
    EXPECT_TRUE(f.ParseFromString(conf.config()));
    return f;
  }

  static std::string Message(const Status& s) { return std::string(s.message()); }

  TempDir tmp_;
  std::optional<TestOrg> org_;
};

TEST_F(ConfigBuilderTest, LocalMspConfigHasEverythingCryptogenWrote) {
  ASSERT_OK_AND_ASSIGN(auto conf, LoadMspConfigFromDir(org_->peer.msp_dir, "Org1MSP"));
  EXPECT_EQ(conf.type(), kMspTypeFabric);
  const ::msp::FabricMSPConfig f = Fabric(conf);
  EXPECT_EQ(f.name(), "Org1MSP");
  ASSERT_EQ(f.root_certs_size(), 1);
  EXPECT_EQ(f.root_certs(0), org_->root_ca.cert.ToPem());
  EXPECT_EQ(f.tls_root_certs_size(), 1);
  EXPECT_EQ(f.intermediate_certs_size(), 0);
  EXPECT_EQ(f.admins_size(), 0);
  EXPECT_EQ(f.crypto_config().signature_hash_family(), "SHA2");
  EXPECT_EQ(f.crypto_config().identity_identifier_hash_function(), "SHA256");
  ASSERT_TRUE(f.fabric_node_ous().enable());
  EXPECT_EQ(f.fabric_node_ous().peer_ou_identifier().organizational_unit_identifier(), "peer");
  EXPECT_EQ(f.fabric_node_ous().orderer_ou_identifier().organizational_unit_identifier(),
            "orderer");
  EXPECT_EQ(f.fabric_node_ous().client_ou_identifier().certificate(), org_->root_ca.cert.ToPem());
  EXPECT_EQ(f.signing_identity().public_signer(), org_->peer.cert_pem);
  EXPECT_EQ(f.signing_identity().private_signer().key_identifier(),
            crypto::HexEncode(org_->peer.key.public_key().SubjectKeyIdentifier()));
  EXPECT_THAT(f.signing_identity().private_signer().key_material(), HasSubstr("PRIVATE KEY"));
}

TEST_F(ConfigBuilderTest, VerifyingConfigNeedsNoKeystoreAndHasNoSigningIdentity) {
  fs::remove_all(org_->peer.msp_dir + "/keystore");
  fs::remove_all(org_->peer.msp_dir + "/signcerts");
  ASSERT_OK_AND_ASSIGN(auto conf, LoadVerifyingMspConfigFromDir(org_->peer.msp_dir, "Org1MSP"));
  EXPECT_FALSE(Fabric(conf).has_signing_identity());
  EXPECT_OK(Msp::Create(conf));
}

TEST_F(ConfigBuilderTest, MissingFoldersAreClearErrors) {
  auto missing = LoadVerifyingMspConfigFromDir(tmp_.path() + "/nope", "Org1MSP");
  EXPECT_TRUE(missing.status().IsNotFound());
  EXPECT_THAT(Message(missing.status()), HasSubstr("/nope"));

  fs::remove_all(org_->msp_dir + "/cacerts");
  auto no_ca = LoadVerifyingMspConfigFromDir(org_->msp_dir, "Org1MSP");
  EXPECT_TRUE(no_ca.status().IsNotFound()) << no_ca.status();
  EXPECT_THAT(Message(no_ca.status()), HasSubstr("cacerts"));

  fs::create_directories(org_->msp_dir + "/cacerts");
  auto empty_ca = LoadVerifyingMspConfigFromDir(org_->msp_dir, "Org1MSP");
  EXPECT_TRUE(empty_ca.status().IsInvalidArgument()) << empty_ca.status();
  EXPECT_THAT(Message(empty_ca.status()), HasSubstr("could not load a valid ca certificate"));

  fs::remove_all(org_->peer.msp_dir + "/signcerts");
  auto no_signcerts = LoadMspConfigFromDir(org_->peer.msp_dir, "Org1MSP");
  EXPECT_TRUE(no_signcerts.status().IsNotFound()) << no_signcerts.status();
  EXPECT_THAT(Message(no_signcerts.status()), HasSubstr("signcerts"));
}

TEST_F(ConfigBuilderTest, GarbagePemNamesTheFile) {
  ASSERT_OK(WriteTestFile(org_->msp_dir + "/cacerts/junk.pem",
                          "-----BEGIN CERTIFICATE-----\n"
                          "bm9wZQ==\n"
                          "-----END CERTIFICATE-----\n"));
  auto conf = LoadVerifyingMspConfigFromDir(org_->msp_dir, "Org1MSP");
  EXPECT_TRUE(conf.status().IsInvalidArgument()) << conf.status();
  EXPECT_THAT(Message(conf.status()), HasSubstr("cacerts/junk.pem"));

  ASSERT_OK(WriteTestFile(org_->msp_dir + "/cacerts/junk.pem", "hello"));
  conf = LoadVerifyingMspConfigFromDir(org_->msp_dir, "Org1MSP");
  EXPECT_THAT(Message(conf.status()), HasSubstr("cacerts/junk.pem"));

  fs::remove(org_->msp_dir + "/cacerts/junk.pem");
  ASSERT_OK(WriteTestFile(org_->msp_dir + "/crls/bad.crl", "not a crl"));
  conf = LoadVerifyingMspConfigFromDir(org_->msp_dir, "Org1MSP");
  EXPECT_TRUE(conf.status().IsInvalidArgument()) << conf.status();
  EXPECT_THAT(Message(conf.status()), HasSubstr("crls/bad.crl"));
}

TEST_F(ConfigBuilderTest, KeystoreWithoutMatchingKeyIsNotFound) {
  ASSERT_OK_AND_ASSIGN(auto other, crypto::PrivateKey::Generate());
  ASSERT_OK(WriteTestFile(org_->peer.msp_dir + "/keystore/priv_sk", other.ToPem()));
  auto conf = LoadMspConfigFromDir(org_->peer.msp_dir, "Org1MSP");
  EXPECT_TRUE(conf.status().IsNotFound()) << conf.status();
  EXPECT_THAT(Message(conf.status()), HasSubstr("no private key"));
  EXPECT_THAT(Message(conf.status()), HasSubstr("signcerts/peer0.org1.example.com-cert.pem"));

  fs::remove_all(org_->peer.msp_dir + "/keystore");
  auto no_keystore = LoadSigningIdentity(org_->peer.msp_dir, "Org1MSP");
  EXPECT_TRUE(no_keystore.status().IsNotFound()) << no_keystore.status();
  EXPECT_THAT(Message(no_keystore.status()), HasSubstr("keystore"));
}

TEST_F(ConfigBuilderTest, KeyFileIsFoundByPublicKeyWhateverItsName) {
  const std::string keystore = org_->peer.msp_dir + "/keystore";
  const std::string ski = crypto::HexEncode(org_->peer.key.public_key().SubjectKeyIdentifier());
  fs::rename(keystore + "/priv_sk", keystore + "/" + ski + "_sk");
  ASSERT_OK_AND_ASSIGN(auto unrelated, crypto::PrivateKey::Generate());
  ASSERT_OK(WriteTestFile(keystore + "/aaa_sk", unrelated.ToPem()));
  ASSERT_OK(WriteTestFile(keystore + "/README", "not a key"));
  ASSERT_OK_AND_ASSIGN(auto signer, LoadSigningIdentity(org_->peer.msp_dir, "Org1MSP"));
  EXPECT_TRUE(signer->public_key() == org_->peer.key.public_key());
  ::msp::SerializedIdentity sid;
  ASSERT_TRUE(sid.ParseFromString(signer->Serialize()));
  EXPECT_EQ(sid.mspid(), "Org1MSP");
  EXPECT_EQ(sid.id_bytes(), org_->peer.cert_pem);
  ASSERT_OK_AND_ASSIGN(std::string sig, signer->Sign("x"));
  EXPECT_OK(org_->peer.key.public_key().Verify("x", sig));
}

TEST_F(ConfigBuilderTest, MalformedConfigYamlIsInvalidArgument) {
  const std::string file = org_->msp_dir + "/config.yaml";
  ASSERT_OK(WriteTestFile(file, "NodeOUs:\n  Enable: [unterminated\n"));
  auto conf = LoadVerifyingMspConfigFromDir(org_->msp_dir, "Org1MSP");
  EXPECT_TRUE(conf.status().IsInvalidArgument()) << conf.status();
  EXPECT_THAT(Message(conf.status()), HasSubstr("config.yaml"));

  ASSERT_OK(WriteTestFile(file, "NodeOUs:\n  Enable: maybe\n"));
  conf = LoadVerifyingMspConfigFromDir(org_->msp_dir, "Org1MSP");
  EXPECT_TRUE(conf.status().IsInvalidArgument()) << conf.status();

  ASSERT_OK(WriteTestFile(file, testing::NodeOusConfigYaml("cacerts/missing.pem")));
  conf = LoadVerifyingMspConfigFromDir(org_->msp_dir, "Org1MSP");
  EXPECT_TRUE(conf.status().IsInvalidArgument()) << conf.status();
  EXPECT_THAT(Message(conf.status()), HasSubstr("cacerts/missing.pem"));
}

TEST_F(ConfigBuilderTest, ConfigYamlWithNodeOusDisabledOrAbsent) {
  const std::string file = org_->msp_dir + "/config.yaml";
  ASSERT_OK(WriteTestFile(file, "NodeOUs:\n  Enable: false\n"));
  ASSERT_OK_AND_ASSIGN(auto conf, LoadVerifyingMspConfigFromDir(org_->msp_dir, "Org1MSP"));
  EXPECT_FALSE(Fabric(conf).has_fabric_node_ous());
  fs::remove(file);
  ASSERT_OK_AND_ASSIGN(conf, LoadVerifyingMspConfigFromDir(org_->msp_dir, "Org1MSP"));
  EXPECT_FALSE(Fabric(conf).has_fabric_node_ous());
  ASSERT_OK(WriteTestFile(file, ""));
  EXPECT_OK(LoadVerifyingMspConfigFromDir(org_->msp_dir, "Org1MSP"));
}

TEST_F(ConfigBuilderTest, IntermediateCertsAndCrlsAreLoaded) {
  testing::TestOrgOptions options;
  options.intermediate_ca = true;
  ASSERT_OK_AND_ASSIGN(TestOrg org3,
                       MakeTestOrg(tmp_.path() + "/org3", "Org3MSP", "org3.example.com", options));
  ASSERT_OK_AND_ASSIGN(std::string crl, testing::MakeCrlPem(*org3.intermediate_ca, {},
                                                            std::chrono::system_clock::now()));
  ASSERT_OK(WriteTestFile(org3.msp_dir + "/crls/ica.crl", crl));
  ASSERT_OK_AND_ASSIGN(auto conf, LoadVerifyingMspConfigFromDir(org3.msp_dir, "Org3MSP"));
  const ::msp::FabricMSPConfig f = Fabric(conf);
  EXPECT_EQ(f.intermediate_certs_size(), 1);
  EXPECT_EQ(f.revocation_list_size(), 1);
  EXPECT_EQ(f.fabric_node_ous().peer_ou_identifier().certificate(),
            org3.intermediate_ca->cert.ToPem());
  EXPECT_OK(Msp::Create(conf));
}

}  // namespace
}  // namespace fabric::msp
