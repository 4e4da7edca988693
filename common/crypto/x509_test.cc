// SPDX-License-Identifier: Apache-2.0
#include "common/crypto/x509.h"

#include <sys/wait.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "common/crypto/hash.h"

namespace fabric::crypto {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

TimePoint Now() { return std::chrono::time_point_cast<seconds>(std::chrono::system_clock::now()); }

// Issued material: a key and its certificate.
struct Issued {
  PrivateKey key;
  Certificate cert;
};

CertificateTemplate CaTemplate(const std::string& cn) {
  CertificateTemplate t;
  t.subject.common_name = cn;
  t.subject.organization = "org1.example.com";
  t.subject.country = "US";
  t.subject.province = "California";
  t.subject.locality = "San Francisco";
  t.not_before = Now() - hours(1);
  t.not_after = Now() + hours(24 * 365 * 10);
  t.is_ca = true;
  t.ext_key_usage = kExtKeyUsageClientAuth | kExtKeyUsageServerAuth;
  return t;
}

Issued Issue(const CertificateTemplate& t, const Issued* issuer) {
  PrivateKey key = *PrivateKey::Generate();
  StatusOr<Certificate> cert = CreateCertificate(
      t, key.public_key(), issuer ? &issuer->cert : nullptr, issuer ? issuer->key : key);
  EXPECT_TRUE(cert.ok()) << cert.status();
  return Issued{key, *std::move(cert)};
}

CertificateTemplate LeafTemplate() {
  CertificateTemplate t;
  t.subject.common_name = "peer0.org1.example.com";
  t.subject.organization = "org1.example.com";
  t.subject.organizational_units = {"peer", "department1"};
  t.subject.country = "US";
  t.serial_number = std::string("\x01\x02\x03\x04", 4);
  t.not_before = Now() - hours(1);
  t.not_after = Now() + hours(24);
  t.dns_names = {"peer0.org1.example.com", "peer0"};
  t.ip_addresses = {"127.0.0.1", "::1"};
  return t;
}

class X509Test : public ::testing::Test {
 protected:
  X509Test()
      : root_(Issue(CaTemplate("ca.org1.example.com"), nullptr)),
        intermediate_(Issue(CaTemplate("ica.org1.example.com"), &root_)),
        leaf_template_(LeafTemplate()),
        leaf_(Issue(leaf_template_, &intermediate_)) {}

  Issued root_;
  Issued intermediate_;
  // What leaf_ was issued from: its validity is relative to the second it was made.
  const CertificateTemplate leaf_template_;
  Issued leaf_;
};

TEST_F(X509Test, CreatedLeafParsesBackWithAllFields) {
  StatusOr<Certificate> cert = Certificate::FromPem(leaf_.cert.ToPem());
  ASSERT_TRUE(cert.ok()) << cert.status();
  DistinguishedName dn = cert->SubjectName();
  EXPECT_EQ(dn.common_name, "peer0.org1.example.com");
  EXPECT_EQ(dn.organization, "org1.example.com");
  EXPECT_THAT(dn.organizational_units, ElementsAre("peer", "department1"));
  EXPECT_EQ(dn.country, "US");
  EXPECT_EQ(cert->Subject(),
            "CN=peer0.org1.example.com,OU=department1,OU=peer,O=org1.example.com,C=US");
  EXPECT_EQ(cert->IssuerName().common_name, "ica.org1.example.com");
  EXPECT_EQ(cert->IssuerName().locality, "San Francisco");
  EXPECT_FALSE(cert->IsCa());
  EXPECT_EQ(cert->NotBefore(), leaf_template_.not_before);
  EXPECT_EQ(cert->NotAfter(), leaf_template_.not_after);
  EXPECT_EQ(cert->SerialNumber(), std::string("\x01\x02\x03\x04", 4));
  EXPECT_THAT(cert->DnsNames(), ElementsAre("peer0.org1.example.com", "peer0"));
  EXPECT_THAT(cert->IpAddresses(), ElementsAre("127.0.0.1", "::1"));
  EXPECT_EQ(cert->KeyUsageBits(), kKeyUsageDigitalSignature);
  EXPECT_EQ(cert->ExtKeyUsageBits(), 0u);
  // As Fabric's cryptogen: a leaf has no SKI; its AKI is the issuer's SKI, SHA-256 of its point.
  EXPECT_EQ(cert->SubjectKeyIdentifier(), "");
  EXPECT_EQ(cert->AuthorityKeyIdentifier(), intermediate_.cert.SubjectKeyIdentifier());
  EXPECT_EQ(intermediate_.cert.SubjectKeyIdentifier(),
            Sha256(intermediate_.key.public_key().UncompressedPoint()));
  StatusOr<PublicKey> pub = cert->public_key();
  ASSERT_TRUE(pub.ok()) << pub.status();
  EXPECT_EQ(*pub, leaf_.key.public_key());
  EXPECT_TRUE(cert->IsSignedBy(intermediate_.cert));
  EXPECT_FALSE(cert->IsSignedBy(root_.cert));
}

TEST_F(X509Test, CreatedCaHasCryptogenExtensions) {
  const Certificate& ca = root_.cert;
  EXPECT_TRUE(ca.IsCa());
  EXPECT_EQ(ca.KeyUsageBits(), kKeyUsageDigitalSignature | kKeyUsageKeyEncipherment |
                                   kKeyUsageCertSign | kKeyUsageCrlSign);
  EXPECT_EQ(ca.ExtKeyUsageBits(), kExtKeyUsageClientAuth | kExtKeyUsageServerAuth);
  EXPECT_EQ(ca.Subject(), ca.Issuer());
  EXPECT_EQ(ca.SubjectKeyIdentifier().size(), 32u);
  EXPECT_TRUE(ca.AuthorityKeyIdentifier().empty());
  EXPECT_EQ(ca.SerialNumber().size() <= 16, true);
  EXPECT_FALSE(ca.SerialNumber().empty());
  EXPECT_TRUE(intermediate_.cert.IsCa());
  EXPECT_EQ(intermediate_.cert.AuthorityKeyIdentifier(), ca.SubjectKeyIdentifier());
  EXPECT_EQ(X509_get_version(ca.x509()), X509_VERSION_3);
  EXPECT_EQ(X509_get_signature_nid(ca.x509()), NID_ecdsa_with_SHA256);
}

TEST_F(X509Test, DerAndPemRoundTripAndChainFiles) {
  StatusOr<Certificate> from_der = Certificate::FromDer(leaf_.cert.ToDer());
  ASSERT_TRUE(from_der.ok());
  EXPECT_EQ(*from_der, leaf_.cert);
  EXPECT_FALSE(*from_der == root_.cert);

  StatusOr<std::vector<Certificate>> chain =
      ParseCertificateChainPem(leaf_.cert.ToPem() + intermediate_.cert.ToPem());
  ASSERT_TRUE(chain.ok()) << chain.status();
  ASSERT_EQ(chain->size(), 2u);
  EXPECT_EQ((*chain)[0], leaf_.cert);
  EXPECT_EQ((*chain)[1], intermediate_.cert);

  StatusOr<std::vector<Certificate>> mixed =
      ParseCertificateChainPem(root_.cert.ToPem() + root_.key.ToPem());
  ASSERT_FALSE(mixed.ok());
  EXPECT_EQ(mixed.status().message(),
            "parse certificates: pem block 2 is PRIVATE KEY, want CERTIFICATE");
}

TEST_F(X509Test, MalformedInputIsRejectedWithoutCrashing) {
  std::string der = leaf_.cert.ToDer();
  for (size_t len = 0; len < der.size(); len += 3) {
    StatusOr<Certificate> cert = Certificate::FromDer(der.substr(0, len));
    ASSERT_FALSE(cert.ok()) << len;
    EXPECT_TRUE(cert.status().IsInvalidArgument());
  }
  EXPECT_THAT(std::string(Certificate::FromDer(der + "x").status().message()),
              HasSubstr("trailing data"));
  EXPECT_FALSE(Certificate::FromDer("garbage").ok());
  EXPECT_EQ(Certificate::FromPem("").status().message(), "parse certificate: no pem block found");
  EXPECT_EQ(Certificate::FromPem(leaf_.key.ToPem()).status().message(),
            "parse certificate: pem block is PRIVATE KEY, want CERTIFICATE");
  std::string pem = leaf_.cert.ToPem();
  EXPECT_FALSE(Certificate::FromPem(pem.substr(0, pem.size() - 40)).ok());
  EXPECT_FALSE(ParseCertificateChainPem("").ok());
}

TEST_F(X509Test, RandomlyCorruptedDerNeverCrashesParserOrAccessors) {
  std::string der = leaf_.cert.ToDer();
  std::mt19937 rng(42);
  int parsed = 0;
  for (int i = 0; i < 3000; ++i) {
    std::string bad = der;
    for (int j = 0; j < 1 + i % 4; ++j) {
      bad[rng() % bad.size()] = static_cast<char>(rng());
    }
    StatusOr<Certificate> cert = Certificate::FromDer(bad);
    if (!cert.ok()) {
      continue;
    }
    ++parsed;
    // Every accessor must cope with whatever survived parsing.
    (void)cert->Subject();
    (void)cert->SubjectName();
    (void)cert->IssuerName();
    (void)cert->NotAfter();
    (void)cert->SerialNumber();
    (void)cert->IsCa();
    (void)cert->public_key();
    (void)cert->DnsNames();
    (void)cert->IpAddresses();
    (void)cert->KeyUsageBits();
    (void)VerifyChain(*cert, {root_.cert}, {intermediate_.cert}, Now());
  }
  EXPECT_GT(parsed, 0);  // Some corruptions hit bytes the parser does not check.
}

TEST_F(X509Test, VerifyChainAcceptsLeafThroughIntermediateToRoot) {
  StatusOr<std::vector<Certificate>> chain =
      VerifyChainAndGet(leaf_.cert, {root_.cert}, {intermediate_.cert}, Now());
  ASSERT_TRUE(chain.ok()) << chain.status();
  ASSERT_EQ(chain->size(), 3u);
  EXPECT_EQ((*chain)[0], leaf_.cert);
  EXPECT_EQ((*chain)[1], intermediate_.cert);
  EXPECT_EQ((*chain)[2], root_.cert);
  EXPECT_TRUE(VerifyChain(intermediate_.cert, {root_.cert}, {}, Now()).ok());
}

TEST_F(X509Test, VerifyChainEndsAtAnIntermediateRootOnlyWhenAnyRootIsAnAnchor) {
  // The intermediate alone in the roots: a path to it is not enough by default (OpenSSL wants a
  // self-signed anchor), and is with any_root_is_anchor (Go's cert pools).
  EXPECT_THAT(std::string(VerifyChain(leaf_.cert, {intermediate_.cert}, {}, Now()).message()),
              HasSubstr("unknown authority"));
  StatusOr<std::vector<Certificate>> chain =
      VerifyChainAndGet(leaf_.cert, {intermediate_.cert}, {}, Now(), {.any_root_is_anchor = true});
  ASSERT_TRUE(chain.ok()) << chain.status();
  ASSERT_EQ(chain->size(), 2u);
  EXPECT_EQ((*chain)[1], intermediate_.cert);
  Issued other_ca = Issue(CaTemplate("ca.org2.example.com"), nullptr);
  EXPECT_FALSE(
      VerifyChainAndGet(leaf_.cert, {other_ca.cert}, {}, Now(), {.any_root_is_anchor = true}).ok());
}

TEST_F(X509Test, VerifyChainRejectsUnknownAuthority) {
  Issued other_ca = Issue(CaTemplate("ca.org2.example.com"), nullptr);
  Issued stranger = Issue(LeafTemplate(), &other_ca);
  Status st = VerifyChain(stranger.cert, {root_.cert}, {intermediate_.cert}, Now());
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_THAT(std::string(st.message()), HasSubstr("certificate signed by unknown authority"));
  // Missing intermediate, and no roots at all.
  EXPECT_THAT(std::string(VerifyChain(leaf_.cert, {root_.cert}, {}, Now()).message()),
              HasSubstr("unknown authority"));
  EXPECT_THAT(std::string(VerifyChain(leaf_.cert, {}, {intermediate_.cert}, Now()).message()),
              HasSubstr("unknown authority"));
}

TEST_F(X509Test, VerifyChainRejectsExpiredAndNotYetValidAtTheGivenTime) {
  CertificateTemplate expired = LeafTemplate();
  expired.not_before = Now() - hours(48);
  expired.not_after = Now() - hours(24);
  Issued old_leaf = Issue(expired, &intermediate_);
  Status st = VerifyChain(old_leaf.cert, {root_.cert}, {intermediate_.cert}, Now());
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_THAT(std::string(st.message()),
              HasSubstr("certificate has expired (notAfter " + FormatTime(expired.not_after)));
  EXPECT_THAT(std::string(st.message()), HasSubstr("CN=peer0.org1.example.com"));
  // The same leaf was valid two days ago... but before the CAs existed: check 30 hours ago.
  EXPECT_TRUE(VerifyChain(old_leaf.cert, {root_.cert}, {intermediate_.cert}, Now() - hours(30))
                  .IsInvalidArgument());

  CertificateTemplate future = LeafTemplate();
  future.not_before = Now() + hours(24);
  future.not_after = Now() + hours(48);
  Issued new_leaf = Issue(future, &intermediate_);
  Status st2 = VerifyChain(new_leaf.cert, {root_.cert}, {intermediate_.cert}, Now());
  EXPECT_THAT(std::string(st2.message()), HasSubstr("certificate is not yet valid (notBefore " +
                                                    FormatTime(future.not_before)));
  EXPECT_TRUE(
      VerifyChain(new_leaf.cert, {root_.cert}, {intermediate_.cert}, Now() + hours(30)).ok());
  // The valid leaf checked after its notAfter.
  EXPECT_THAT(
      std::string(
          VerifyChain(leaf_.cert, {root_.cert}, {intermediate_.cert}, Now() + hours(25)).message()),
      HasSubstr("certificate has expired"));
}

TEST_F(X509Test, VerifyChainRejectsBadSignature) {
  // The last DER byte is the last byte of the signature's s: flipping it keeps the certificate
  // well-formed but breaks the signature.
  std::string der = leaf_.cert.ToDer();
  der.back() = static_cast<char>(der.back() ^ 0x01);
  StatusOr<Certificate> tampered = Certificate::FromDer(der);
  ASSERT_TRUE(tampered.ok()) << tampered.status();
  Status st = VerifyChain(*tampered, {root_.cert}, {intermediate_.cert}, Now());
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_THAT(std::string(st.message()), HasSubstr("certificate signature is invalid"));

  // A CA with the same name but another key: its key identifier does not match the leaf's AKI,
  // so OpenSSL does not even consider it the issuer.
  Issued impostor = Issue(CaTemplate("ica.org1.example.com"), &root_);
  EXPECT_THAT(std::string(VerifyChain(leaf_.cert, {root_.cert}, {impostor.cert}, Now()).message()),
              HasSubstr("unknown authority"));
}

TEST_F(X509Test, CreatedCertificatesHaveLowSSignatures) {
  std::unique_ptr<EC_GROUP, decltype(&EC_GROUP_free)> group(
      EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1), EC_GROUP_free);
  std::unique_ptr<BIGNUM, decltype(&BN_free)> half(BN_new(), BN_free);
  BN_rshift1(half.get(), EC_GROUP_get0_order(group.get()));
  for (int i = 0; i < 20; ++i) {
    Issued leaf = Issue(LeafTemplate(), &root_);
    const ASN1_BIT_STRING* sig = nullptr;
    X509_get0_signature(&sig, nullptr, leaf.cert.x509());
    const unsigned char* p = ASN1_STRING_get0_data(sig);
    std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> parsed(
        d2i_ECDSA_SIG(nullptr, &p, ASN1_STRING_length(sig)), ECDSA_SIG_free);
    ASSERT_NE(parsed, nullptr);
    ASSERT_LE(BN_cmp(ECDSA_SIG_get0_s(parsed.get()), half.get()), 0) << i;
    ASSERT_TRUE(leaf.cert.IsSignedBy(root_.cert));
  }
}

TEST_F(X509Test, CertificateWithOtherCurveParsesButHasNoP256Key) {
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(EVP_EC_gen("secp384r1"), EVP_PKEY_free);
  std::unique_ptr<X509, decltype(&X509_free)> x(X509_new(), X509_free);
  X509_set_version(x.get(), X509_VERSION_3);
  X509_NAME_add_entry_by_NID(X509_get_subject_name(x.get()), NID_commonName, MBSTRING_UTF8,
                             reinterpret_cast<const unsigned char*>("p384"), -1, -1, 0);
  X509_set_issuer_name(x.get(), X509_get_subject_name(x.get()));
  X509_gmtime_adj(X509_getm_notBefore(x.get()), 0);
  X509_gmtime_adj(X509_getm_notAfter(x.get()), 3600);
  X509_set_pubkey(x.get(), key.get());
  ASSERT_GT(X509_sign(x.get(), key.get(), EVP_sha384()), 0);
  Certificate wrapped = Certificate::FromX509(x.get());
  StatusOr<Certificate> cert = Certificate::FromDer(wrapped.ToDer());
  ASSERT_TRUE(cert.ok()) << cert.status();
  EXPECT_EQ(cert->SubjectName().common_name, "p384");
  StatusOr<PublicKey> pub = cert->public_key();
  ASSERT_FALSE(pub.ok());
  EXPECT_EQ(pub.status().message(),
            "certificate public key: key is on curve secp384r1, want prime256v1 (P-256)");
  EXPECT_TRUE(VerifyChain(*cert, {*cert}, {}, Now()).ok());
}

TEST_F(X509Test, SanitizeRewritesHighSSignatureToLowS) {
  // Make a high-S copy of the leaf by replacing s with n - s.
  const ASN1_BIT_STRING* sig = nullptr;
  std::unique_ptr<X509, decltype(&X509_free)> copy(X509_dup(leaf_.cert.x509()), X509_free);
  X509_get0_signature(&sig, nullptr, copy.get());
  const unsigned char* p = ASN1_STRING_get0_data(sig);
  std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)> parsed(
      d2i_ECDSA_SIG(nullptr, &p, ASN1_STRING_length(sig)), ECDSA_SIG_free);
  std::unique_ptr<EC_GROUP, decltype(&EC_GROUP_free)> group(
      EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1), EC_GROUP_free);
  BIGNUM* high = BN_new();
  BN_sub(high, EC_GROUP_get0_order(group.get()), ECDSA_SIG_get0_s(parsed.get()));
  ECDSA_SIG_set0(parsed.get(), BN_dup(ECDSA_SIG_get0_r(parsed.get())), high);
  unsigned char* der = nullptr;
  int len = i2d_ECDSA_SIG(parsed.get(), &der);
  ASN1_BIT_STRING_set(const_cast<ASN1_BIT_STRING*>(sig), der, len);
  OPENSSL_free(der);
  unsigned char* cert_der = nullptr;
  int cert_len = i2d_X509(copy.get(), &cert_der);
  StatusOr<Certificate> high_cert =
      Certificate::FromDer(std::string(reinterpret_cast<char*>(cert_der), cert_len));
  OPENSSL_free(cert_der);
  ASSERT_TRUE(high_cert.ok()) << high_cert.status();
  ASSERT_FALSE(*high_cert == leaf_.cert);
  EXPECT_TRUE(high_cert->IsSignedBy(intermediate_.cert));  // X.509 itself accepts high S.

  StatusOr<Certificate> sanitized =
      SanitizeCertificateSignature(*high_cert, intermediate_.key.public_key());
  ASSERT_TRUE(sanitized.ok()) << sanitized.status();
  EXPECT_EQ(*sanitized, leaf_.cert);
  StatusOr<Certificate> unchanged =
      SanitizeCertificateSignature(leaf_.cert, intermediate_.key.public_key());
  EXPECT_EQ(*unchanged, leaf_.cert);
  EXPECT_FALSE(SanitizeCertificateSignature(leaf_.cert, root_.key.public_key()).ok());
}

TEST_F(X509Test, CreateRejectsInvalidTemplates) {
  PrivateKey key = *PrivateKey::Generate();
  CertificateTemplate t = LeafTemplate();
  t.not_after = t.not_before - hours(1);
  EXPECT_THAT(
      std::string(
          CreateCertificate(t, key.public_key(), &root_.cert, root_.key).status().message()),
      HasSubstr("is not after not_before"));
  t = LeafTemplate();
  t.ip_addresses = {"300.1.1.1"};
  EXPECT_EQ(CreateCertificate(t, key.public_key(), &root_.cert, root_.key).status().message(),
            "create certificate: invalid ip address \"300.1.1.1\"");
  t = LeafTemplate();
  EXPECT_THAT(
      std::string(
          CreateCertificate(t, key.public_key(), &leaf_.cert, leaf_.key).status().message()),
      HasSubstr("is not a ca"));
  EXPECT_THAT(std::string(CreateCertificate(t, key.public_key(), &root_.cert, intermediate_.key)
                              .status()
                              .message()),
              HasSubstr("issuer key does not match"));
  EXPECT_THAT(
      std::string(CreateCertificate(t, key.public_key(), nullptr, root_.key).status().message()),
      HasSubstr("issuer key is not the subject key"));
  t.subject.country = "USA";
  EXPECT_THAT(
      std::string(
          CreateCertificate(t, key.public_key(), &root_.cert, root_.key).status().message()),
      HasSubstr("invalid subject C \"USA\""));
}

// Runs `cmd` through the shell; returns its exit status and fills `output`.
int RunShell(const std::string& cmd, std::string* output) {
  std::unique_ptr<FILE, decltype(&pclose)> pipe(popen((cmd + " 2>&1").c_str(), "r"), pclose);
  if (pipe == nullptr) {
    return -1;
  }
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof(buf), pipe.get())) > 0) {
    output->append(buf, n);
  }
  int status = pclose(pipe.release());
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

TEST_F(X509Test, OpensslCliAcceptsCreatedCertificates) {
  std::string version;
  if (RunShell("openssl version", &version) != 0) {
    GTEST_SKIP() << "openssl command line tool not available";
  }
  std::string dir_template =
      (std::filesystem::temp_directory_path() / "fabric_x509_XXXXXX").string();
  ASSERT_NE(mkdtemp(dir_template.data()), nullptr);
  std::filesystem::path dir = dir_template;
  std::ofstream(dir / "root.pem") << root_.cert.ToPem();
  std::ofstream(dir / "int.pem") << intermediate_.cert.ToPem();
  std::ofstream(dir / "leaf.pem") << leaf_.cert.ToPem();
  std::string out;
  int rc = RunShell("openssl verify -CAfile " + (dir / "root.pem").string() + " -untrusted " +
                        (dir / "int.pem").string() + " " + (dir / "leaf.pem").string(),
                    &out);
  EXPECT_EQ(rc, 0) << out;
  EXPECT_THAT(out, HasSubstr("leaf.pem: OK"));
  std::string text;
  EXPECT_EQ(RunShell("openssl x509 -noout -text -in " + (dir / "root.pem").string(), &text), 0);
  EXPECT_THAT(text, HasSubstr("CA:TRUE"));
  EXPECT_THAT(text, HasSubstr("Digital Signature, Key Encipherment, Certificate Sign, CRL Sign"));
  EXPECT_THAT(text, HasSubstr("ecdsa-with-SHA256"));
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace fabric::crypto
