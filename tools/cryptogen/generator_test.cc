// SPDX-License-Identifier: Apache-2.0
// Generates real networks into temporary directories and checks them the way an MSP loader and
// a TLS stack would.
#include "tools/cryptogen/generator.h"

#include <sys/stat.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/crypto/file_util.h"
#include "common/crypto/hash.h"
#include "fabric/base/status_macros.h"
#include "tools/cryptogen/ca.h"
#include "tools/cryptogen/msp_writer.h"

namespace fabric::cryptogen {
namespace {

namespace fs = std::filesystem;

// Fabric 1.4's key file name: the hex SKI (SHA-256 of the point) of the certificate's key, then
// "_sk".
std::string KeyFile(const crypto::Certificate& cert) {
  return crypto::HexEncode(cert.public_key()->SubjectKeyIdentifier()) + "_sk";
}
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kOrg1[] = "peerOrganizations/org1.example.com";
constexpr char kOrderer[] = "ordererOrganizations/example.com";

std::string MakeTempDir() {
  std::string tmpl = (fs::temp_directory_path() / "cryptogen_test_XXXXXX").string();
  FABRIC_CHECK(mkdtemp(tmpl.data()) != nullptr);
  return tmpl;
}

crypto::Certificate LoadCert(const std::string& path) {
  StatusOr<std::string> pem = crypto::ReadFile(path);
  EXPECT_TRUE(pem.ok()) << pem.status();
  StatusOr<crypto::Certificate> cert = crypto::Certificate::FromPem(pem.ok() ? *pem : "");
  FABRIC_CHECK(cert.ok());
  return *cert;
}

mode_t FileMode(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? (st.st_mode & 0777) : 0;
}

// An identity of the default network: its folder (relative to the output), CN, OU and the org.
struct Identity {
  std::string org_dir;
  std::string dir;  // Relative to org_dir.
  std::string name;
  std::string ou;
  std::string domain;
  bool server = false;
};

const std::vector<Identity>& DefaultIdentities() {
  static const auto* kIds = new std::vector<Identity>{
      {kOrg1, "peers/peer0.org1.example.com", "peer0.org1.example.com", "peer", "org1.example.com",
       true},
      {kOrg1, "users/Admin@org1.example.com", "Admin@org1.example.com", "admin",
       "org1.example.com"},
      {kOrg1, "users/User1@org1.example.com", "User1@org1.example.com", "client",
       "org1.example.com"},
      {"peerOrganizations/org2.example.com", "peers/peer0.org2.example.com",
       "peer0.org2.example.com", "peer", "org2.example.com", true},
      {kOrderer, "orderers/orderer.example.com", "orderer.example.com", "orderer", "example.com",
       true},
      {kOrderer, "users/Admin@example.com", "Admin@example.com", "admin", "example.com"},
  };
  return *kIds;
}

class GeneratorTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    out_ = new std::string(MakeTempDir());
    StatusOr<std::vector<std::string>> written = Generate(DefaultConfig(), *out_, {});
    FABRIC_CHECK(written.ok());
  }
  static void TearDownTestSuite() {
    fs::remove_all(*out_);
    delete out_;
  }
  static std::string Path(const std::string& rel) { return *out_ + "/" + rel; }
  static std::string IdPath(const Identity& id, const std::string& rel) {
    return Path(id.org_dir + "/" + id.dir + "/" + rel);
  }
  static crypto::Certificate Ca(const Identity& id, bool tls) {
    std::string ca = (tls ? "tlsca/tlsca." : "ca/ca.") + id.domain + "-cert.pem";
    return LoadCert(Path(id.org_dir + "/" + ca));
  }

  static std::string* out_;
};
std::string* GeneratorTest::out_ = nullptr;

TEST_F(GeneratorTest, WritesFabricLayout) {
  const std::string org = std::string(kOrg1) + "/";
  for (const std::string& rel : std::vector<std::string>{
           "ca/ca.org1.example.com-cert.pem", "tlsca/tlsca.org1.example.com-cert.pem",
           "msp/admincerts", "msp/cacerts/ca.org1.example.com-cert.pem",
           "msp/tlscacerts/tlsca.org1.example.com-cert.pem", "msp/config.yaml",
           "users/User1@org1.example.com/tls/client.crt",
           "users/User1@org1.example.com/tls/client.key"}) {
    EXPECT_TRUE(fs::exists(Path(org + rel))) << rel;
  }
  for (const Identity& id : DefaultIdentities()) {
    std::string tls = id.server ? "server" : "client";
    for (const std::string& rel : std::vector<std::string>{
             "msp/admincerts", "msp/cacerts/ca." + id.domain + "-cert.pem",
             "msp/signcerts/" + id.name + "-cert.pem",
             "msp/tlscacerts/tlsca." + id.domain + "-cert.pem", std::string("msp/config.yaml"),
             std::string("tls/ca.crt"), "tls/" + tls + ".crt", "tls/" + tls + ".key"}) {
      EXPECT_TRUE(fs::exists(IdPath(id, rel))) << id.dir << "/" << rel;
    }
    // NodeOUs on: admincerts stays empty (Fabric 2.x).
    EXPECT_TRUE(fs::is_empty(IdPath(id, "msp/admincerts"))) << id.dir;
  }
  EXPECT_TRUE(fs::is_empty(Path(org + "msp/admincerts")));
  EXPECT_FALSE(fs::exists(Path(org + "msp/keystore")));
  EXPECT_FALSE(fs::exists(Path("peerOrganizations/.org1.example.com.staging")));
}

TEST_F(GeneratorTest, CertificatesChainToTheirCasAndKeysMatch) {
  auto now = std::chrono::system_clock::now();
  for (const Identity& id : DefaultIdentities()) {
    crypto::Certificate sign = LoadCert(IdPath(id, "msp/signcerts/" + id.name + "-cert.pem"));
    EXPECT_TRUE(crypto::VerifyChain(sign, {Ca(id, false)}, {}, now).ok()) << id.dir;
    EXPECT_FALSE(crypto::VerifyChain(sign, {Ca(id, true)}, {}, now).ok()) << id.dir;
    crypto::Certificate tls = LoadCert(IdPath(id, id.server ? "tls/server.crt" : "tls/client.crt"));
    EXPECT_TRUE(crypto::VerifyChain(tls, {Ca(id, true)}, {}, now).ok()) << id.dir;
    EXPECT_EQ(LoadCert(IdPath(id, "tls/ca.crt")), Ca(id, true));
    // As Fabric 1.4's cryptogen: CAs carry a subject key identifier, leaves do not.
    EXPECT_EQ(sign.SubjectKeyIdentifier(), "") << id.dir;
    EXPECT_EQ(tls.SubjectKeyIdentifier(), "") << id.dir;
    EXPECT_EQ(Ca(id, true).SubjectKeyIdentifier(),
              Ca(id, true).public_key()->SubjectKeyIdentifier());
    EXPECT_EQ(LoadCert(IdPath(id, "msp/cacerts/ca." + id.domain + "-cert.pem")), Ca(id, false));

    StatusOr<crypto::PrivateKey> key =
        crypto::PrivateKey::FromPem(*crypto::ReadFile(IdPath(id, "msp/keystore/" + KeyFile(sign))));
    ASSERT_TRUE(key.ok()) << key.status();
    EXPECT_EQ(key->public_key(), *sign.public_key()) << id.dir;
    EXPECT_EQ(
        std::distance(fs::directory_iterator(IdPath(id, "msp/keystore")), fs::directory_iterator()),
        1)
        << id.dir;
    StatusOr<crypto::PrivateKey> tls_key = crypto::PrivateKey::FromPem(
        *crypto::ReadFile(IdPath(id, id.server ? "tls/server.key" : "tls/client.key")));
    ASSERT_TRUE(tls_key.ok()) << tls_key.status();
    EXPECT_EQ(tls_key->public_key(), *tls.public_key()) << id.dir;
  }
}

TEST_F(GeneratorTest, SubjectsCarryFabricAttributesAndNodeOus) {
  for (const Identity& id : DefaultIdentities()) {
    crypto::DistinguishedName dn =
        LoadCert(IdPath(id, "msp/signcerts/" + id.name + "-cert.pem")).SubjectName();
    EXPECT_EQ(dn.common_name, id.name);
    EXPECT_THAT(dn.organizational_units, ElementsAre(id.ou)) << id.dir;
    EXPECT_EQ(dn.country, "US");
    EXPECT_EQ(dn.province, "California");
    EXPECT_EQ(dn.locality, "San Francisco");
    EXPECT_EQ(dn.organization, "");
    crypto::DistinguishedName tls_dn =
        LoadCert(IdPath(id, id.server ? "tls/server.crt" : "tls/client.crt")).SubjectName();
    EXPECT_THAT(tls_dn.organizational_units, IsEmpty());
  }
  crypto::Certificate ca = LoadCert(Path(std::string(kOrg1) + "/ca/ca.org1.example.com-cert.pem"));
  EXPECT_TRUE(ca.IsCa());
  EXPECT_EQ(ca.SubjectName().common_name, "ca.org1.example.com");
  EXPECT_EQ(ca.SubjectName().organization, "org1.example.com");
  EXPECT_EQ(ca.Subject(), ca.Issuer());
  EXPECT_EQ(ca.KeyUsageBits(), crypto::kKeyUsageDigitalSignature |
                                   crypto::kKeyUsageKeyEncipherment | crypto::kKeyUsageCertSign |
                                   crypto::kKeyUsageCrlSign);
  crypto::Certificate tlsca =
      LoadCert(Path(std::string(kOrg1) + "/tlsca/tlsca.org1.example.com-cert.pem"));
  EXPECT_EQ(tlsca.SubjectName().common_name, "tlsca.org1.example.com");
}

TEST_F(GeneratorTest, TlsCertificatesCarrySansAndUsages) {
  for (const Identity& id : DefaultIdentities()) {
    crypto::Certificate tls = LoadCert(IdPath(id, id.server ? "tls/server.crt" : "tls/client.crt"));
    EXPECT_EQ(tls.ExtKeyUsageBits(),
              crypto::kExtKeyUsageServerAuth | crypto::kExtKeyUsageClientAuth);
    EXPECT_EQ(tls.KeyUsageBits(),
              crypto::kKeyUsageDigitalSignature | crypto::kKeyUsageKeyEncipherment);
    crypto::Certificate sign = LoadCert(IdPath(id, "msp/signcerts/" + id.name + "-cert.pem"));
    EXPECT_EQ(sign.KeyUsageBits(), crypto::kKeyUsageDigitalSignature);
    EXPECT_EQ(sign.ExtKeyUsageBits(), 0u);
    if (!id.server) {
      EXPECT_THAT(tls.DnsNames(), IsEmpty()) << id.dir;  // Fabric gives users no SANs.
      continue;
    }
    std::string hostname = id.name.substr(0, id.name.find('.'));
    EXPECT_THAT(tls.DnsNames(), ElementsAre(id.name, hostname, "localhost")) << id.dir;
    EXPECT_THAT(tls.IpAddresses(), ElementsAre("127.0.0.1")) << id.dir;
  }
}

TEST_F(GeneratorTest, ConfigYamlNamesTheCaCertificate) {
  for (const std::string& msp : std::vector<std::string>{
           std::string(kOrg1) + "/msp", std::string(kOrg1) + "/peers/peer0.org1.example.com/msp",
           std::string(kOrderer) + "/orderers/orderer.example.com/msp"}) {
    std::string yaml = *crypto::ReadFile(Path(msp + "/config.yaml"));
    std::string domain = msp.starts_with(kOrderer) ? "example.com" : "org1.example.com";
    EXPECT_EQ(yaml, NodeOusConfigYaml("cacerts/ca." + domain + "-cert.pem"));
    EXPECT_TRUE(fs::exists(Path(msp + "/cacerts/ca." + domain + "-cert.pem")));
  }
  EXPECT_EQ(NodeOusConfigYaml("cacerts/ca.x-cert.pem"),
            "NodeOUs:\n  Enable: true\n"
            "  ClientOUIdentifier:\n    Certificate: cacerts/ca.x-cert.pem\n"
            "    OrganizationalUnitIdentifier: client\n"
            "  PeerOUIdentifier:\n    Certificate: cacerts/ca.x-cert.pem\n"
            "    OrganizationalUnitIdentifier: peer\n"
            "  AdminOUIdentifier:\n    Certificate: cacerts/ca.x-cert.pem\n"
            "    OrganizationalUnitIdentifier: admin\n"
            "  OrdererOUIdentifier:\n    Certificate: cacerts/ca.x-cert.pem\n"
            "    OrganizationalUnitIdentifier: orderer\n");
}

TEST_F(GeneratorTest, PrivateKeysAreOwnerOnly) {
  int keys = 0;
  for (const auto& entry : fs::recursive_directory_iterator(*out_)) {
    if (!entry.is_regular_file()) {
      continue;
    }
    std::string name = entry.path().filename().string();
    bool key = name.ends_with("_sk") || name.ends_with(".key");
    keys += key ? 1 : 0;
    EXPECT_EQ(FileMode(entry.path().string()), key ? 0600u : 0644u) << entry.path();
    EXPECT_EQ(name.find(".tmp."), std::string::npos) << entry.path();
  }
  // org1, org2: 2 CAs + 3 identities x 2 keys; orderer org: 2 CAs + 2 identities x 2 keys.
  EXPECT_EQ(keys, 8 + 8 + 6);
}

TEST_F(GeneratorTest, OpensslVerifiesASignCertWhenAvailable) {
  if (std::system("command -v openssl >/dev/null 2>&1") != 0) {
    GTEST_SKIP() << "openssl CLI not installed";
  }
  std::string cmd = "openssl verify -CAfile '" +
                    Path(std::string(kOrg1) + "/msp/cacerts/ca.org1.example.com-cert.pem") + "' '" +
                    Path(std::string(kOrg1) +
                         "/peers/peer0.org1.example.com/msp/signcerts/"
                         "peer0.org1.example.com-cert.pem") +
                    "' >/dev/null 2>&1";
  EXPECT_EQ(std::system(cmd.c_str()), 0);
}

// A small org without NodeOUs, generated at a fixed time.
constexpr char kNoNodeOusConfig[] = R"({"PeerOrgs":[{"Name":"Org3","Domain":"org3.example.com",
    "CA":{"Country":"DE","OrganizationalUnit":"Hyperledger Fabric"},
    "Template":{"Count":1},"Users":{"Count":1}}]})";

TEST(GeneratorStandaloneTest, WithoutNodeOusCopiesTheAdminCertIntoAdmincerts) {
  std::string out = MakeTempDir();
  StatusOr<Config> config = ParseConfig(kNoNodeOusConfig);
  ASSERT_TRUE(config.ok()) << config.status();
  GenerateOptions options;
  options.now = std::chrono::sys_days(std::chrono::year{2024} / 5 / 17) + std::chrono::hours(10) +
                std::chrono::seconds(45);
  ASSERT_TRUE(Generate(*config, out, options).ok());
  std::string org = out + "/peerOrganizations/org3.example.com/";
  crypto::Certificate admin =
      LoadCert(org + "users/Admin@org3.example.com/msp/signcerts/Admin@org3.example.com-cert.pem");
  for (const std::string& dir :
       std::vector<std::string>{org + "msp", org + "peers/peer0.org3.example.com/msp",
                                org + "users/Admin@org3.example.com/msp"}) {
    EXPECT_EQ(LoadCert(dir + "/admincerts/Admin@org3.example.com-cert.pem"), admin) << dir;
    EXPECT_FALSE(fs::exists(dir + "/config.yaml")) << dir;
  }
  // Fabric leaves each user's own certificate in its admincerts.
  EXPECT_TRUE(fs::exists(org + "users/User1@org3.example.com/msp/admincerts/"
                               "User1@org3.example.com-cert.pem"));
  crypto::Certificate peer = LoadCert(org +
                                      "peers/peer0.org3.example.com/msp/signcerts/"
                                      "peer0.org3.example.com-cert.pem");
  EXPECT_EQ(peer.SubjectName().country, "DE");
  EXPECT_THAT(peer.SubjectName().organizational_units, ElementsAre("Hyperledger Fabric"));
  // Validity: 10:00:45 rounds to 10:01, backdated 5 minutes; 3650 days.
  auto not_before = std::chrono::sys_days(std::chrono::year{2024} / 5 / 17) +
                    std::chrono::hours(9) + std::chrono::minutes(56);
  EXPECT_EQ(peer.NotBefore(), not_before);
  EXPECT_EQ(peer.NotAfter(), not_before + std::chrono::hours(24 * 3650));
  fs::remove_all(out);
}

TEST(GeneratorStandaloneTest, GeneratingTwiceReplacesTheOrgConsistently) {
  std::string out = MakeTempDir();
  ASSERT_TRUE(Generate(DefaultConfig(), out, {}).ok());
  std::string org = out + "/" + kOrg1 + "/";
  crypto::Certificate first_ca = LoadCert(org + "ca/ca.org1.example.com-cert.pem");
  fs::create_directories(org + "peers/stale.org1.example.com");  // Gone after the rerun.
  StatusOr<std::vector<std::string>> again = Generate(DefaultConfig(), out, {});
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_THAT(*again, ElementsAre(kOrg1, "peerOrganizations/org2.example.com", kOrderer));
  crypto::Certificate ca = LoadCert(org + "ca/ca.org1.example.com-cert.pem");
  EXPECT_FALSE(ca == first_ca);
  crypto::Certificate peer = LoadCert(org +
                                      "peers/peer0.org1.example.com/msp/signcerts/"
                                      "peer0.org1.example.com-cert.pem");
  EXPECT_TRUE(crypto::VerifyChain(peer, {ca}, {}, std::chrono::system_clock::now()).ok());
  EXPECT_FALSE(fs::exists(org + "peers/stale.org1.example.com"));
  std::vector<std::string> entries;
  for (const auto& e : fs::directory_iterator(out + "/peerOrganizations")) {
    entries.push_back(e.path().filename().string());
  }
  std::sort(entries.begin(), entries.end());
  EXPECT_THAT(entries, ElementsAre("org1.example.com", "org2.example.com"));
  fs::remove_all(out);
}

TEST(GeneratorStandaloneTest, BadConfigWritesNothing) {
  std::string parent = MakeTempDir();
  std::string out = parent + "/crypto";
  // Parses, but a later org fails to resolve: nothing at all may be written.
  StatusOr<Config> config = ParseConfig(R"({"PeerOrgs":[{"Name":"A","Domain":"a.example.com"},
      {"Name":"B","Domain":"b.example.com","Specs":[{"Hostname":"../../evil"}]}]})");
  ASSERT_TRUE(config.ok()) << config.status();
  StatusOr<std::vector<std::string>> written = Generate(*config, out, {});
  ASSERT_FALSE(written.ok());
  EXPECT_TRUE(written.status().IsInvalidArgument());
  EXPECT_THAT(std::string(written.status().message()),
              ::testing::HasSubstr("PeerOrgs[1].Specs[0].Hostname"));
  EXPECT_FALSE(fs::exists(out));
  fs::remove_all(parent);
}

}  // namespace
}  // namespace fabric::cryptogen
