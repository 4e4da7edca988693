// SPDX-License-Identifier: Apache-2.0
//
// Certificate parsing and inspection. Creation is in x509_create.cc, validation in
// x509_verify.cc.
#include "common/crypto/x509.h"

#include <arpa/inet.h>

#include <ctime>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "common/crypto/internal/openssl_util.h"
#include "common/crypto/pem.h"
#include "fabric/base/status_macros.h"

namespace fabric::crypto {

using internal::BioPtr;
using internal::ConsumeOpenSslError;
using internal::X509Ptr;

namespace {

std::string Asn1StringToUtf8(const ASN1_STRING* s) {
  unsigned char* utf8 = nullptr;
  int len = ASN1_STRING_to_UTF8(&utf8, s);
  if (len < 0) {
    ERR_clear_error();
    return {};
  }
  std::string out(reinterpret_cast<char*>(utf8), static_cast<size_t>(len));
  OPENSSL_free(utf8);
  return out;
}

void SetFirst(std::string* field, std::string value) {
  if (field->empty()) {
    *field = std::move(value);
  }
}

DistinguishedName ParseName(const X509_NAME* name) {
  DistinguishedName dn;
  for (int i = 0; i < X509_NAME_entry_count(name); ++i) {
    const X509_NAME_ENTRY* entry = X509_NAME_get_entry(name, i);
    std::string value = Asn1StringToUtf8(X509_NAME_ENTRY_get_data(entry));
    switch (OBJ_obj2nid(X509_NAME_ENTRY_get_object(entry))) {
      case NID_commonName:
        SetFirst(&dn.common_name, std::move(value));
        break;
      case NID_organizationName:
        SetFirst(&dn.organization, std::move(value));
        break;
      case NID_organizationalUnitName:
        dn.organizational_units.push_back(value);
        break;
      case NID_countryName:
        SetFirst(&dn.country, std::move(value));
        break;
      case NID_stateOrProvinceName:
        SetFirst(&dn.province, std::move(value));
        break;
      case NID_localityName:
        SetFirst(&dn.locality, std::move(value));
        break;
      case NID_streetAddress:
        SetFirst(&dn.street_address, std::move(value));
        break;
      case NID_postalCode:
        SetFirst(&dn.postal_code, std::move(value));
        break;
      default:
        break;
    }
  }
  return dn;
}

std::string NameToString(const X509_NAME* name) {
  BioPtr bio(BIO_new(BIO_s_mem()));
  FABRIC_CHECK(bio != nullptr);
  // RFC 2253, but keep UTF-8 as is instead of escaping every non-ASCII byte.
  if (X509_NAME_print_ex(bio.get(), name, 0, XN_FLAG_RFC2253 & ~ASN1_STRFLGS_ESC_MSB) < 0) {
    ERR_clear_error();
    return {};
  }
  return internal::BioContents(bio.get());
}

TimePoint Asn1TimeToTimePoint(const ASN1_TIME* t) {
  struct tm tm = {};
  if (t == nullptr || ASN1_TIME_to_tm(t, &tm) != 1) {
    ERR_clear_error();
    return TimePoint{};
  }
  return std::chrono::system_clock::from_time_t(timegm(&tm));
}

std::string IpToString(const ASN1_OCTET_STRING* ip) {
  char buf[INET6_ADDRSTRLEN] = {};
  int len = ASN1_STRING_length(ip);
  const unsigned char* data = ASN1_STRING_get0_data(ip);
  int family = len == 4 ? AF_INET : (len == 16 ? AF_INET6 : 0);
  if (family == 0 || inet_ntop(family, data, buf, sizeof(buf)) == nullptr) {
    return {};
  }
  return buf;
}

}  // namespace

StatusOr<Certificate> Certificate::FromDer(std::string_view der) {
  ERR_clear_error();
  const auto* begin = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* p = begin;
  X509Ptr x509(d2i_X509(nullptr, &p, static_cast<long>(der.size())));  // NOLINT(runtime/int)
  if (x509 == nullptr) {
    return InvalidArgumentError("parse certificate: malformed der: " + ConsumeOpenSslError());
  }
  if (p != begin + der.size()) {
    return InvalidArgumentError("parse certificate: trailing data after der certificate");
  }
  // Decodes and caches the extensions now, so later const calls only read.
  X509_check_purpose(x509.get(), -1, 0);
  if ((X509_get_extension_flags(x509.get()) & EXFLAG_INVALID) != 0) {
    ERR_clear_error();
    return InvalidArgumentError("parse certificate: malformed or duplicate extensions");
  }
  ERR_clear_error();
  return Certificate(x509.release());
}

StatusOr<Certificate> Certificate::FromPem(std::string_view pem) {
  StatusOr<std::vector<PemBlock>> blocks = DecodePem(pem);
  if (!blocks.ok()) {
    return blocks.status().Annotate("parse certificate");
  }
  for (const PemBlock& block : *blocks) {
    if (block.type == "CERTIFICATE") {
      return FromDer(block.der);
    }
  }
  return InvalidArgumentError("parse certificate: pem block is " + blocks->front().type +
                              ", want CERTIFICATE");
}

StatusOr<std::vector<Certificate>> ParseCertificateChainPem(std::string_view pem) {
  StatusOr<std::vector<PemBlock>> blocks = DecodePem(pem);
  if (!blocks.ok()) {
    return blocks.status().Annotate("parse certificates");
  }
  std::vector<Certificate> certs;
  for (size_t i = 0; i < blocks->size(); ++i) {
    const PemBlock& block = (*blocks)[i];
    std::string where = "parse certificates: pem block " + std::to_string(i + 1);
    if (block.type != "CERTIFICATE") {
      return InvalidArgumentError(where + " is " + block.type + ", want CERTIFICATE");
    }
    StatusOr<Certificate> cert = Certificate::FromDer(block.der);
    if (!cert.ok()) {
      return cert.status().Annotate(where);
    }
    certs.push_back(*std::move(cert));
  }
  return certs;
}

Certificate Certificate::FromX509(X509* x509) {
  FABRIC_CHECK(x509 != nullptr && X509_up_ref(x509) == 1);
  X509_check_purpose(x509, -1, 0);
  ERR_clear_error();
  return Certificate(x509);
}

Certificate::Certificate(const Certificate& other) : x509_(other.x509_) {
  if (x509_ != nullptr) {
    FABRIC_CHECK(X509_up_ref(x509_) == 1);
  }
}

Certificate& Certificate::operator=(const Certificate& other) {
  if (this != &other) {
    Certificate copy(other);
    *this = std::move(copy);
  }
  return *this;
}

Certificate::Certificate(Certificate&& other) noexcept
    : x509_(std::exchange(other.x509_, nullptr)) {}

Certificate& Certificate::operator=(Certificate&& other) noexcept {
  if (this != &other) {
    X509_free(x509_);
    x509_ = std::exchange(other.x509_, nullptr);
  }
  return *this;
}

Certificate::~Certificate() { X509_free(x509_); }

std::string Certificate::ToDer() const { return internal::I2dToString(x509_, i2d_X509); }

std::string Certificate::ToPem() const { return EncodePem("CERTIFICATE", ToDer()); }

std::string Certificate::Subject() const { return NameToString(X509_get_subject_name(x509_)); }

std::string Certificate::Issuer() const { return NameToString(X509_get_issuer_name(x509_)); }

DistinguishedName Certificate::SubjectName() const {
  return ParseName(X509_get_subject_name(x509_));
}

DistinguishedName Certificate::IssuerName() const { return ParseName(X509_get_issuer_name(x509_)); }

TimePoint Certificate::NotBefore() const { return Asn1TimeToTimePoint(X509_get0_notBefore(x509_)); }

TimePoint Certificate::NotAfter() const { return Asn1TimeToTimePoint(X509_get0_notAfter(x509_)); }

std::string Certificate::SerialNumber() const {
  internal::BignumPtr bn(ASN1_INTEGER_to_BN(X509_get0_serialNumber(x509_), nullptr));
  if (bn == nullptr) {
    ERR_clear_error();
    return {};
  }
  std::string out(static_cast<size_t>(BN_num_bytes(bn.get())), '\0');
  BN_bn2bin(bn.get(), reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

bool Certificate::IsCa() const {
  internal::BasicConstraintsPtr bc(static_cast<BASIC_CONSTRAINTS*>(
      X509_get_ext_d2i(x509_, NID_basic_constraints, nullptr, nullptr)));
  ERR_clear_error();
  return bc != nullptr && bc->ca != 0;
}

StatusOr<PublicKey> Certificate::public_key() const {
  EVP_PKEY* pkey = X509_get0_pubkey(x509_);
  if (pkey == nullptr) {
    ERR_clear_error();
    return InvalidArgumentError("certificate public key: unsupported or malformed key");
  }
  StatusOr<PublicKey> key = PublicKey::FromEvpPkey(pkey);
  if (!key.ok()) {
    return key.status().Annotate("certificate public key");
  }
  return key;
}

std::string Certificate::SubjectKeyIdentifier() const {
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(x509_);
  if (ski == nullptr) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(ski)),
                     static_cast<size_t>(ASN1_STRING_length(ski)));
}

std::string Certificate::AuthorityKeyIdentifier() const {
  const ASN1_OCTET_STRING* aki = X509_get0_authority_key_id(x509_);
  if (aki == nullptr) {
    return {};
  }
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(aki)),
                     static_cast<size_t>(ASN1_STRING_length(aki)));
}

namespace {

// Returns the subjectAltName entries of `type` (GEN_DNS or GEN_IPADD) as text.
std::vector<std::string> AltNames(X509* x509, int type) {
  internal::GeneralNamesPtr names(
      static_cast<GENERAL_NAMES*>(X509_get_ext_d2i(x509, NID_subject_alt_name, nullptr, nullptr)));
  ERR_clear_error();
  std::vector<std::string> out;
  for (int i = 0; names != nullptr && i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* gn = sk_GENERAL_NAME_value(names.get(), i);
    if (gn->type != type) {
      continue;
    }
    std::string text = type == GEN_DNS ? Asn1StringToUtf8(gn->d.dNSName) : IpToString(gn->d.ip);
    if (!text.empty()) {
      out.push_back(std::move(text));
    }
  }
  return out;
}

}  // namespace

std::vector<std::string> Certificate::DnsNames() const { return AltNames(x509_, GEN_DNS); }

std::vector<std::string> Certificate::IpAddresses() const { return AltNames(x509_, GEN_IPADD); }

uint32_t Certificate::KeyUsageBits() const {
  uint32_t ku = X509_get_key_usage(x509_);
  if (ku == UINT32_MAX) {
    return 0;
  }
  uint32_t out = 0;
  out |= (ku & KU_DIGITAL_SIGNATURE) ? kKeyUsageDigitalSignature : 0;
  out |= (ku & KU_KEY_ENCIPHERMENT) ? kKeyUsageKeyEncipherment : 0;
  out |= (ku & KU_KEY_CERT_SIGN) ? kKeyUsageCertSign : 0;
  out |= (ku & KU_CRL_SIGN) ? kKeyUsageCrlSign : 0;
  out |= (ku & KU_KEY_AGREEMENT) ? kKeyUsageKeyAgreement : 0;
  return out;
}

uint32_t Certificate::ExtKeyUsageBits() const {
  uint32_t xku = X509_get_extended_key_usage(x509_);
  if (xku == UINT32_MAX) {
    return 0;
  }
  uint32_t out = 0;
  out |= (xku & XKU_SSL_SERVER) ? kExtKeyUsageServerAuth : 0;
  out |= (xku & XKU_SSL_CLIENT) ? kExtKeyUsageClientAuth : 0;
  return out;
}

bool Certificate::IsSignedBy(const Certificate& issuer) const {
  EVP_PKEY* pkey = X509_get0_pubkey(issuer.x509_);
  bool ok = pkey != nullptr && X509_verify(x509_, pkey) == 1;
  ERR_clear_error();
  return ok;
}

bool Certificate::IsSignedBy(const PublicKey& issuer_key) const {
  bool ok = X509_verify(x509_, issuer_key.evp_pkey()) == 1;
  ERR_clear_error();
  return ok;
}

bool operator==(const Certificate& a, const Certificate& b) {
  return a.x509_ == b.x509_ || a.ToDer() == b.ToDer();
}

std::string FormatTime(TimePoint t) {
  std::time_t tt = std::chrono::system_clock::to_time_t(t);
  struct tm tm = {};
  char buf[32] = {};
  if (gmtime_r(&tt, &tm) == nullptr ||
      std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", &tm) == 0) {
    return std::to_string(tt);
  }
  return buf;
}

}  // namespace fabric::crypto
