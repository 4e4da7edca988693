// SPDX-License-Identifier: Apache-2.0
#include "common/msp/testing/test_org.h"

#include <stdlib.h>

#include <cstdlib>
#include <filesystem>
#include <memory>

#include <openssl/asn1.h>
#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/crypto/file_util.h"
#include "fabric/base/status_macros.h"
#include "msp/identities.pb.h"

namespace fabric::msp::testing {

namespace fs = std::filesystem;

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string tmpl =
      std::string(base != nullptr && *base != '\0' ? base : "/tmp") + "/fabric-msp-test-XXXXXX";
  char* made = mkdtemp(tmpl.data());
  path_ = made != nullptr ? std::string(made) : std::string();
}

TempDir::~TempDir() {
  if (!path_.empty()) {
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
}

Status WriteTestFile(const std::string& path, const std::string& content) {
  std::error_code ec;
  fs::create_directories(fs::path(path).parent_path(), ec);
  if (ec) {
    return InternalError("create directories for " + path + ": " + ec.message());
  }
  return crypto::WriteFileAtomic(path, content, 0600);
}

namespace {

crypto::DistinguishedName Name(const std::string& cn, const std::string& org,
                               const std::vector<std::string>& ous) {
  crypto::DistinguishedName dn;
  dn.common_name = cn;
  dn.organization = org;
  dn.organizational_units = ous;
  dn.country = "US";
  dn.province = "California";
  dn.locality = "San Francisco";
  return dn;
}

}  // namespace

StatusOr<TestCa> MakeCa(const std::string& common_name, const std::string& organization,
                        TimePoint not_before, TimePoint not_after, const TestCa* parent) {
  ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate());
  crypto::CertificateTemplate tmpl;
  tmpl.subject = Name(common_name, organization, {});
  tmpl.not_before = not_before;
  tmpl.not_after = not_after;
  tmpl.is_ca = true;
  tmpl.ext_key_usage = crypto::kExtKeyUsageClientAuth | crypto::kExtKeyUsageServerAuth;
  ASSIGN_OR_RETURN(
      crypto::Certificate cert,
      crypto::CreateCertificate(tmpl, key.public_key(), parent ? &parent->cert : nullptr,
                                parent ? parent->key : key));
  return TestCa{std::move(cert), std::move(key)};
}

StatusOr<TestIdentity> IssueIdentity(const TestCa& ca, const std::string& common_name,
                                     const std::vector<std::string>& ous, TimePoint not_before,
                                     TimePoint not_after) {
  ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate());
  crypto::CertificateTemplate tmpl;
  tmpl.subject = Name(common_name, "", ous);
  tmpl.not_before = not_before;
  tmpl.not_after = not_after;
  ASSIGN_OR_RETURN(crypto::Certificate cert,
                   crypto::CreateCertificate(tmpl, key.public_key(), &ca.cert, ca.key));
  std::string pem = cert.ToPem();
  return TestIdentity{common_name, "", std::move(cert), std::move(key), std::move(pem)};
}

StatusOr<TestIdentity> IssueTlsIdentity(const TestCa& ca, const std::string& common_name,
                                        const std::vector<std::string>& hosts, TimePoint not_before,
                                        TimePoint not_after) {
  ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate());
  crypto::CertificateTemplate tmpl;
  tmpl.subject = Name(common_name, "", {});
  tmpl.not_before = not_before;
  tmpl.not_after = not_after;
  tmpl.key_usage = crypto::kKeyUsageDigitalSignature | crypto::kKeyUsageKeyEncipherment;
  tmpl.ext_key_usage = crypto::kExtKeyUsageClientAuth | crypto::kExtKeyUsageServerAuth;
  for (const std::string& host : hosts) {
    const bool is_ip = host.find_first_not_of("0123456789.:") == std::string::npos;
    (is_ip ? tmpl.ip_addresses : tmpl.dns_names).push_back(host);
  }
  ASSIGN_OR_RETURN(crypto::Certificate cert,
                   crypto::CreateCertificate(tmpl, key.public_key(), &ca.cert, ca.key));
  std::string pem = cert.ToPem();
  return TestIdentity{common_name, "", std::move(cert), std::move(key), std::move(pem)};
}

std::string NodeOusConfigYaml(const std::string& ca_cert_path) {
  std::string out = "NodeOUs:\n  Enable: true\n";
  for (const char* role : {"Client", "Peer", "Admin", "Orderer"}) {
    std::string ou = role;
    ou[0] = static_cast<char>(ou[0] - 'A' + 'a');
    out += std::string("  ") + role + "OUIdentifier:\n    Certificate: " + ca_cert_path +
           "\n    OrganizationalUnitIdentifier: " + ou + "\n";
  }
  return out;
}

namespace {

// The folders shared by the organisation's MSP and every local MSP.
Status WriteCommonMsp(const TestOrg& org, const std::string& msp_dir) {
  const std::string ca_file = "cacerts/ca." + org.domain + "-cert.pem";
  RETURN_IF_ERROR(WriteTestFile(msp_dir + "/" + ca_file, org.root_ca.cert.ToPem()));
  RETURN_IF_ERROR(WriteTestFile(msp_dir + "/tlscacerts/tlsca." + org.domain + "-cert.pem",
                                org.tls_ca.cert.ToPem()));
  std::string ou_ca = ca_file;
  if (org.intermediate_ca) {
    ou_ca = "intermediatecerts/ica." + org.domain + "-cert.pem";
    RETURN_IF_ERROR(WriteTestFile(msp_dir + "/" + ou_ca, org.intermediate_ca->cert.ToPem()));
  }
  std::error_code ec;
  fs::create_directories(msp_dir + "/admincerts", ec);
  if (org.options.admin_in_admincerts && !org.admin.cert_pem.empty()) {
    RETURN_IF_ERROR(WriteTestFile(msp_dir + "/admincerts/Admin@" + org.domain + "-cert.pem",
                                  org.admin.cert_pem));
  }
  if (org.options.node_ous) {
    RETURN_IF_ERROR(WriteTestFile(msp_dir + "/config.yaml", NodeOusConfigYaml(ou_ca)));
  }
  return Status::OK();
}

}  // namespace

Status WriteLocalMsp(const TestOrg& org, const std::string& msp_dir, TestIdentity* identity) {
  RETURN_IF_ERROR(WriteCommonMsp(org, msp_dir));
  RETURN_IF_ERROR(
      WriteTestFile(msp_dir + "/signcerts/" + identity->name + "-cert.pem", identity->cert_pem));
  RETURN_IF_ERROR(WriteTestFile(msp_dir + "/keystore/priv_sk", identity->key.ToPem()));
  identity->msp_dir = msp_dir;
  return Status::OK();
}

StatusOr<TestOrg> MakeTestOrg(const std::string& dir, const std::string& msp_id,
                              const std::string& domain, const TestOrgOptions& options) {
  const TimePoint now = std::chrono::system_clock::now();
  const TimePoint nb = options.not_before.value_or(now - std::chrono::hours(1));
  const TimePoint na = options.not_after.value_or(now + std::chrono::hours(24 * 3650));
  ASSIGN_OR_RETURN(TestCa root_ca, MakeCa("ca." + domain, domain, nb, na));
  ASSIGN_OR_RETURN(TestCa tls_ca, MakeCa("tlsca." + domain, domain, nb, na));
  std::optional<TestCa> ica;
  if (options.intermediate_ca) {
    ASSIGN_OR_RETURN(ica, MakeCa("ica." + domain, domain, nb, na, &root_ca));
  }
  const TestCa& ca = ica ? *ica : root_ca;
  ASSIGN_OR_RETURN(TestIdentity peer, IssueIdentity(ca, "peer0." + domain, {"peer"}, nb, na));
  ASSIGN_OR_RETURN(TestIdentity admin, IssueIdentity(ca, "Admin@" + domain, {"admin"}, nb, na));
  ASSIGN_OR_RETURN(TestIdentity client, IssueIdentity(ca, "User1@" + domain, {"client"}, nb, na));
  ASSIGN_OR_RETURN(TestIdentity orderer,
                   IssueIdentity(ca, "orderer." + domain, {"orderer"}, nb, na));
  TestOrg org{msp_id,
              domain,
              dir,
              dir + "/msp",
              std::move(root_ca),
              std::move(ica),
              std::move(tls_ca),
              std::move(peer),
              std::move(admin),
              std::move(client),
              std::move(orderer),
              options};
  RETURN_IF_ERROR(WriteCommonMsp(org, org.msp_dir));
  RETURN_IF_ERROR(WriteLocalMsp(org, dir + "/peers/peer0." + domain + "/msp", &org.peer));
  RETURN_IF_ERROR(WriteLocalMsp(org, dir + "/users/Admin@" + domain + "/msp", &org.admin));
  RETURN_IF_ERROR(WriteLocalMsp(org, dir + "/users/User1@" + domain + "/msp", &org.client));
  RETURN_IF_ERROR(WriteLocalMsp(org, dir + "/orderers/orderer." + domain + "/msp", &org.orderer));
  return org;
}

namespace {

template <auto Fn>
struct Free {
  template <typename T>
  void operator()(T* p) const {
    Fn(p);
  }
};

Status AddRevoked(X509_CRL* crl, const std::string& serial, const ASN1_TIME* when) {
  std::unique_ptr<BIGNUM, Free<BN_free>> bn(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(serial.data()),
                static_cast<int>(serial.size()), nullptr));
  std::unique_ptr<ASN1_INTEGER, Free<ASN1_INTEGER_free>> sn(
      bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
  std::unique_ptr<X509_REVOKED, Free<X509_REVOKED_free>> revoked(X509_REVOKED_new());
  if (!sn || !revoked || X509_REVOKED_set_serialNumber(revoked.get(), sn.get()) != 1 ||
      X509_REVOKED_set_revocationDate(revoked.get(), const_cast<ASN1_TIME*>(when)) != 1 ||
      X509_CRL_add0_revoked(crl, revoked.get()) != 1) {
    return InternalError("make crl: add revoked serial");
  }
  revoked.release();  // Owned by the CRL now.
  return Status::OK();
}

}  // namespace

StatusOr<std::string> MakeCrlPem(const TestCa& ca, const std::vector<std::string>& serials,
                                 TimePoint now) {
  std::unique_ptr<X509_CRL, Free<X509_CRL_free>> crl(X509_CRL_new());
  const time_t t = std::chrono::system_clock::to_time_t(now);
  std::unique_ptr<ASN1_TIME, Free<ASN1_TIME_free>> last(ASN1_TIME_set(nullptr, t));
  std::unique_ptr<ASN1_TIME, Free<ASN1_TIME_free>> next(ASN1_TIME_set(nullptr, t + 86400));
  if (!crl || !last || !next || X509_CRL_set_version(crl.get(), 1) != 1 ||
      X509_CRL_set_issuer_name(crl.get(), X509_get_subject_name(ca.cert.x509())) != 1 ||
      X509_CRL_set1_lastUpdate(crl.get(), last.get()) != 1 ||
      X509_CRL_set1_nextUpdate(crl.get(), next.get()) != 1) {
    return InternalError("make crl: set fields");
  }
  for (const std::string& serial : serials) {
    RETURN_IF_ERROR(AddRevoked(crl.get(), serial, last.get()));
  }
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, ca.cert.x509(), nullptr, nullptr, crl.get(), 0);
  std::unique_ptr<X509_EXTENSION, Free<X509_EXTENSION_free>> aki(
      X509V3_EXT_conf_nid(nullptr, &ctx, NID_authority_key_identifier, "keyid:always"));
  if (!aki || X509_CRL_add_ext(crl.get(), aki.get(), -1) != 1 || X509_CRL_sort(crl.get()) != 1 ||
      X509_CRL_sign(crl.get(), ca.key.evp_pkey(), EVP_sha256()) == 0) {
    ERR_clear_error();
    return InternalError("make crl: extension or signature");
  }
  std::unique_ptr<BIO, Free<BIO_free>> bio(BIO_new(BIO_s_mem()));
  if (!bio || PEM_write_bio_X509_CRL(bio.get(), crl.get()) != 1) {
    return InternalError("make crl: pem");
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(len));
}

std::string SerializeIdentity(const std::string& msp_id, const std::string& id_bytes) {
  ::msp::SerializedIdentity sid;
  sid.set_mspid(msp_id);
  sid.set_id_bytes(id_bytes);
  return sid.SerializeAsString();
}

}  // namespace fabric::msp::testing
