// SPDX-License-Identifier: Apache-2.0
//
// CreateCertificate and SanitizeCertificateSignature: certificates as Fabric's cryptogen makes
// them.
#include <array>
#include <ctime>
#include <utility>

#include <openssl/err.h>
#include <openssl/rand.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/crypto/internal/openssl_util.h"
#include "common/crypto/x509.h"
#include "fabric/base/status_macros.h"

namespace fabric::crypto {

using internal::Asn1OctetStringPtr;
using internal::ConsumeOpenSslError;
using internal::X509Ptr;

namespace {

constexpr size_t kRandomSerialSize = 16;

Status CheckTemplate(const CertificateTemplate& tmpl, const PublicKey& subject_key,
                     const Certificate* issuer, const PrivateKey& issuer_key) {
  const DistinguishedName& s = tmpl.subject;
  if (s.common_name.empty() && s.organization.empty() && s.organizational_units.empty() &&
      s.country.empty() && s.province.empty() && s.locality.empty()) {
    return InvalidArgumentError("create certificate: empty subject");
  }
  if (tmpl.not_after <= tmpl.not_before) {
    return InvalidArgumentError("create certificate: not_after " + FormatTime(tmpl.not_after) +
                                " is not after not_before " + FormatTime(tmpl.not_before));
  }
  if (issuer == nullptr) {
    if (!(subject_key == issuer_key.public_key())) {
      return InvalidArgumentError(
          "create certificate: self-signed, but issuer key is not the "
          "subject key");
    }
    return Status::OK();
  }
  if (!issuer->IsCa()) {
    return InvalidArgumentError("create certificate: issuer " + issuer->Subject() + " is not a ca");
  }
  StatusOr<PublicKey> issuer_pub = issuer->public_key();
  if (!issuer_pub.ok() || !(*issuer_pub == issuer_key.public_key())) {
    return InvalidArgumentError("create certificate: issuer key does not match issuer " +
                                issuer->Subject());
  }
  return Status::OK();
}

// Adds the attributes in the order Go's pkix.Name marshals them.
Status BuildName(const DistinguishedName& dn, X509_NAME* name) {
  std::vector<std::pair<int, const std::string*>> entries = {
      {NID_countryName, &dn.country},    {NID_stateOrProvinceName, &dn.province},
      {NID_localityName, &dn.locality},  {NID_streetAddress, &dn.street_address},
      {NID_postalCode, &dn.postal_code}, {NID_organizationName, &dn.organization}};
  for (const std::string& ou : dn.organizational_units) {
    entries.emplace_back(NID_organizationalUnitName, &ou);
  }
  entries.emplace_back(NID_commonName, &dn.common_name);
  for (const auto& [nid, value] : entries) {
    if (value->empty()) {
      continue;
    }
    if (X509_NAME_add_entry_by_NID(name, nid, MBSTRING_UTF8,
                                   reinterpret_cast<const unsigned char*>(value->data()),
                                   static_cast<int>(value->size()), -1, 0) != 1) {
      return InvalidArgumentError("create certificate: invalid subject " +
                                  std::string(OBJ_nid2sn(nid)) + " \"" + *value +
                                  "\": " + ConsumeOpenSslError());
    }
  }
  return Status::OK();
}

Status SetSerial(X509* x509, std::string serial) {
  if (serial.empty()) {
    serial.resize(kRandomSerialSize);
    FABRIC_CHECK(RAND_bytes(reinterpret_cast<unsigned char*>(serial.data()),
                            static_cast<int>(serial.size())) == 1);
    serial[0] = static_cast<char>(serial[0] & 0x7f);
  }
  internal::BignumPtr bn(BN_bin2bn(reinterpret_cast<const unsigned char*>(serial.data()),
                                   static_cast<int>(serial.size()), nullptr));
  internal::Asn1IntegerPtr asn1(bn ? BN_to_ASN1_INTEGER(bn.get(), nullptr) : nullptr);
  if (asn1 == nullptr || X509_set_serialNumber(x509, asn1.get()) != 1) {
    return InternalError("create certificate: set serial: " + ConsumeOpenSslError());
  }
  return Status::OK();
}

Status SetBasics(X509* x509, const CertificateTemplate& tmpl, const PublicKey& subject_key,
                 const Certificate* issuer) {
  RETURN_IF_ERROR(BuildName(tmpl.subject, X509_get_subject_name(x509)));
  X509_NAME* issuer_name =
      issuer != nullptr ? X509_get_subject_name(issuer->x509()) : X509_get_subject_name(x509);
  if (X509_set_version(x509, X509_VERSION_3) != 1 || X509_set_issuer_name(x509, issuer_name) != 1 ||
      X509_set_pubkey(x509, subject_key.evp_pkey()) != 1) {
    return InternalError("create certificate: " + ConsumeOpenSslError());
  }
  RETURN_IF_ERROR(SetSerial(x509, tmpl.serial_number));
  std::time_t nb = std::chrono::system_clock::to_time_t(tmpl.not_before);
  std::time_t na = std::chrono::system_clock::to_time_t(tmpl.not_after);
  if (ASN1_TIME_set(X509_getm_notBefore(x509), nb) == nullptr ||
      ASN1_TIME_set(X509_getm_notAfter(x509), na) == nullptr) {
    return InvalidArgumentError("create certificate: validity out of range: " +
                                ConsumeOpenSslError());
  }
  return Status::OK();
}

Asn1OctetStringPtr OctetString(std::string_view bytes) {
  Asn1OctetStringPtr os(ASN1_OCTET_STRING_new());
  FABRIC_CHECK(os != nullptr);
  FABRIC_CHECK(ASN1_OCTET_STRING_set(os.get(), reinterpret_cast<const unsigned char*>(bytes.data()),
                                     static_cast<int>(bytes.size())) == 1);
  return os;
}

Status AddExt(X509* x509, int nid, void* value, bool critical) {
  if (X509_add1_ext_i2d(x509, nid, value, critical ? 1 : 0, X509V3_ADD_DEFAULT) != 1) {
    return InternalError("create certificate: add extension " + std::string(OBJ_nid2sn(nid)) +
                         ": " + ConsumeOpenSslError());
  }
  return Status::OK();
}

Status AddKeyUsage(X509* x509, const CertificateTemplate& tmpl) {
  uint32_t bits = tmpl.key_usage;
  if (bits == 0) {
    bits = tmpl.is_ca ? (kKeyUsageDigitalSignature | kKeyUsageKeyEncipherment | kKeyUsageCertSign |
                         kKeyUsageCrlSign)
                      : kKeyUsageDigitalSignature;
  }
  // RFC 5280 bit numbers.
  const std::pair<uint32_t, int> kBits[] = {{kKeyUsageDigitalSignature, 0},
                                            {kKeyUsageKeyEncipherment, 2},
                                            {kKeyUsageKeyAgreement, 4},
                                            {kKeyUsageCertSign, 5},
                                            {kKeyUsageCrlSign, 6}};
  std::unique_ptr<ASN1_BIT_STRING, internal::Free<ASN1_BIT_STRING_free>> ku(ASN1_BIT_STRING_new());
  FABRIC_CHECK(ku != nullptr);
  for (const auto& [flag, bit] : kBits) {
    if ((bits & flag) != 0) {
      FABRIC_CHECK(ASN1_BIT_STRING_set_bit(ku.get(), bit, 1) == 1);
    }
  }
  return AddExt(x509, NID_key_usage, ku.get(), true);
}

// Fabric's cryptogen lists clientAuth first on CA certificates and serverAuth first on TLS
// leaves; the order is kept so certificates match Fabric's field for field.
Status AddExtKeyUsage(X509* x509, uint32_t bits, bool is_ca) {
  if (bits == 0) {
    return Status::OK();
  }
  internal::ExtKeyUsagePtr eku(sk_ASN1_OBJECT_new_null());
  FABRIC_CHECK(eku != nullptr);
  const std::pair<uint32_t, int> client{kExtKeyUsageClientAuth, NID_client_auth};
  const std::pair<uint32_t, int> server{kExtKeyUsageServerAuth, NID_server_auth};
  for (const auto& [bit, nid] : is_ca ? std::array{client, server} : std::array{server, client}) {
    if ((bits & bit) != 0) {
      FABRIC_CHECK(sk_ASN1_OBJECT_push(eku.get(), OBJ_nid2obj(nid)) > 0);
    }
  }
  return AddExt(x509, NID_ext_key_usage, eku.get(), false);
}

Status AddSubjectAltNames(X509* x509, const CertificateTemplate& tmpl) {
  if (tmpl.dns_names.empty() && tmpl.ip_addresses.empty()) {
    return Status::OK();
  }
  internal::GeneralNamesPtr names(GENERAL_NAMES_new());
  FABRIC_CHECK(names != nullptr);
  for (const std::string& dns : tmpl.dns_names) {
    ASN1_IA5STRING* ia5 = ASN1_IA5STRING_new();
    FABRIC_CHECK(ia5 != nullptr && ASN1_STRING_set(ia5, dns.data(), static_cast<int>(dns.size())));
    GENERAL_NAME* gn = GENERAL_NAME_new();
    FABRIC_CHECK(gn != nullptr);
    GENERAL_NAME_set0_value(gn, GEN_DNS, ia5);
    FABRIC_CHECK(sk_GENERAL_NAME_push(names.get(), gn) > 0);
  }
  for (const std::string& ip : tmpl.ip_addresses) {
    ASN1_OCTET_STRING* bytes = a2i_IPADDRESS(ip.c_str());
    if (bytes == nullptr || ip.find('\0') != std::string::npos) {
      ASN1_OCTET_STRING_free(bytes);
      ERR_clear_error();
      return InvalidArgumentError("create certificate: invalid ip address \"" + ip + "\"");
    }
    GENERAL_NAME* gn = GENERAL_NAME_new();
    FABRIC_CHECK(gn != nullptr);
    GENERAL_NAME_set0_value(gn, GEN_IPADD, bytes);
    FABRIC_CHECK(sk_GENERAL_NAME_push(names.get(), gn) > 0);
  }
  return AddExt(x509, NID_subject_alt_name, names.get(), false);
}

Status AddExtensions(X509* x509, const CertificateTemplate& tmpl, const PublicKey& subject_key,
                     const Certificate* issuer) {
  internal::BasicConstraintsPtr bc(BASIC_CONSTRAINTS_new());
  FABRIC_CHECK(bc != nullptr);
  bc->ca = tmpl.is_ca ? 0xff : 0;
  RETURN_IF_ERROR(AddKeyUsage(x509, tmpl));
  RETURN_IF_ERROR(AddExtKeyUsage(x509, tmpl.ext_key_usage, tmpl.is_ca));
  RETURN_IF_ERROR(AddExt(x509, NID_basic_constraints, bc.get(), true));
  // Fabric's cryptogen (Go's x509) gives only CA certificates a subject key identifier.
  if (tmpl.is_ca) {
    Asn1OctetStringPtr ski = OctetString(subject_key.SubjectKeyIdentifier());
    RETURN_IF_ERROR(AddExt(x509, NID_subject_key_identifier, ski.get(), false));
  }
  std::string issuer_ski = issuer != nullptr ? issuer->SubjectKeyIdentifier() : "";
  if (!issuer_ski.empty()) {
    internal::AuthorityKeyIdPtr aki(AUTHORITY_KEYID_new());
    FABRIC_CHECK(aki != nullptr);
    aki->keyid = OctetString(issuer_ski).release();
    RETURN_IF_ERROR(AddExt(x509, NID_authority_key_identifier, aki.get(), false));
  }
  return AddSubjectAltNames(x509, tmpl);
}

}  // namespace

StatusOr<Certificate> CreateCertificate(const CertificateTemplate& tmpl,
                                        const PublicKey& subject_key, const Certificate* issuer,
                                        const PrivateKey& issuer_key) {
  ERR_clear_error();
  RETURN_IF_ERROR(CheckTemplate(tmpl, subject_key, issuer, issuer_key));
  X509Ptr x509(X509_new());
  if (x509 == nullptr) {
    return InternalError("create certificate: " + ConsumeOpenSslError());
  }
  RETURN_IF_ERROR(SetBasics(x509.get(), tmpl, subject_key, issuer));
  RETURN_IF_ERROR(AddExtensions(x509.get(), tmpl, subject_key, issuer));
  if (X509_sign(x509.get(), issuer_key.evp_pkey(), EVP_sha256()) <= 0) {
    return InternalError("create certificate: sign: " + ConsumeOpenSslError());
  }
  // Round trip through DER so the result is exactly what a parser sees.
  std::string der = internal::I2dToString(x509.get(), i2d_X509);
  ASSIGN_OR_RETURN(Certificate cert, Certificate::FromDer(der));
  return SanitizeCertificateSignature(cert, issuer_key.public_key());
}

StatusOr<Certificate> SanitizeCertificateSignature(const Certificate& cert,
                                                   const PublicKey& issuer_key) {
  int nid = X509_get_signature_nid(cert.x509());
  if (nid != NID_ecdsa_with_SHA256 && nid != NID_ecdsa_with_SHA384 &&
      nid != NID_ecdsa_with_SHA512) {
    return cert;
  }
  const ASN1_BIT_STRING* sig = nullptr;
  X509_get0_signature(&sig, nullptr, cert.x509());
  std::string der(reinterpret_cast<const char*>(ASN1_STRING_get0_data(sig)),
                  static_cast<size_t>(ASN1_STRING_length(sig)));
  if (!cert.IsSignedBy(issuer_key)) {
    return InvalidArgumentError(
        "sanitize certificate: signature does not verify with the "
        "issuer key");
  }
  ASSIGN_OR_RETURN(std::string low, NormalizeLowS(der));
  if (low == der) {
    return cert;
  }
  X509Ptr copy(X509_dup(cert.x509()));
  FABRIC_CHECK(copy != nullptr);
  X509_get0_signature(&sig, nullptr, copy.get());
  // The copy is ours; X509_get0_signature only hands out const pointers.
  auto* mutable_sig = const_cast<ASN1_BIT_STRING*>(sig);
  FABRIC_CHECK(ASN1_BIT_STRING_set(mutable_sig, reinterpret_cast<unsigned char*>(low.data()),
                                   static_cast<int>(low.size())) == 1);
  mutable_sig->flags &= ~(ASN1_STRING_FLAG_BITS_LEFT | 0x07);
  mutable_sig->flags |= ASN1_STRING_FLAG_BITS_LEFT;
  return Certificate::FromDer(internal::I2dToString(copy.get(), i2d_X509));
}

}  // namespace fabric::crypto
