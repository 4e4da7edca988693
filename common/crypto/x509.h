// SPDX-License-Identifier: Apache-2.0
//
// X.509 certificates for Fabric identities: parsing and inspection (MSP), creation (cryptogen)
// and chain validation (MSP identity validation).
//
// Certificate is a cheap-to-copy handle on an immutable OpenSSL X509 (copies share it through
// its reference count). All methods are const and safe to call concurrently.

#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto/ecdsa.h"
#include "fabric/base/status.h"

// OpenSSL's certificate type, kept opaque here.
typedef struct x509_st X509;

namespace fabric::crypto {

using TimePoint = std::chrono::system_clock::time_point;

// The attributes of a subject or issuer name that Fabric uses. When a name repeats an attribute
// other than OU, the first value is kept.
struct DistinguishedName {
  std::string common_name;
  std::string organization;
  std::vector<std::string> organizational_units;  // In certificate order.
  std::string country;
  std::string province;
  std::string locality;
  std::string street_address;
  std::string postal_code;
};

// keyUsage bits (RFC 5280 names), combined with |.
inline constexpr uint32_t kKeyUsageDigitalSignature = 1u << 0;
inline constexpr uint32_t kKeyUsageKeyEncipherment = 1u << 1;
inline constexpr uint32_t kKeyUsageCertSign = 1u << 2;
inline constexpr uint32_t kKeyUsageCrlSign = 1u << 3;
inline constexpr uint32_t kKeyUsageKeyAgreement = 1u << 4;

// extKeyUsage bits, combined with |.
inline constexpr uint32_t kExtKeyUsageServerAuth = 1u << 0;
inline constexpr uint32_t kExtKeyUsageClientAuth = 1u << 1;

class Certificate {
 public:
  // Parses the first PEM "CERTIFICATE" block of `pem`. InvalidArgument when there is none or it
  // is malformed.
  static StatusOr<Certificate> FromPem(std::string_view pem);

  // Parses one DER certificate. InvalidArgument when malformed or followed by trailing data.
  static StatusOr<Certificate> FromDer(std::string_view der);

  // Wraps an OpenSSL certificate, taking a new reference. `x509` must not be null.
  static Certificate FromX509(X509* x509);

  Certificate(const Certificate& other);
  Certificate& operator=(const Certificate& other);
  Certificate(Certificate&& other) noexcept;
  Certificate& operator=(Certificate&& other) noexcept;
  ~Certificate();

  std::string ToPem() const;
  std::string ToDer() const;

  // RFC 2253 strings, most specific first: "CN=peer0.org1.example.com,OU=peer,O=Org1,C=US".
  std::string Subject() const;
  std::string Issuer() const;
  DistinguishedName SubjectName() const;
  DistinguishedName IssuerName() const;

  TimePoint NotBefore() const;
  TimePoint NotAfter() const;

  // The serial number as minimal big-endian bytes (sign dropped).
  std::string SerialNumber() const;

  // True when basicConstraints says CA:TRUE.
  bool IsCa() const;

  // The subject public key. InvalidArgument when it is not EC P-256 (certificates with other
  // keys parse, but cannot be Fabric signing identities).
  StatusOr<PublicKey> public_key() const;

  // Raw extension values; empty when the extension is absent.
  std::string SubjectKeyIdentifier() const;
  std::string AuthorityKeyIdentifier() const;

  // subjectAltName entries. IPs as text ("10.0.0.1", "::1").
  std::vector<std::string> DnsNames() const;
  std::vector<std::string> IpAddresses() const;

  // KeyUsage / ExtKeyUsage bits present; 0 when the extension is absent.
  uint32_t KeyUsageBits() const;
  uint32_t ExtKeyUsageBits() const;

  // True when this certificate's signature verifies with `issuer`'s public key (no other
  // checks).
  bool IsSignedBy(const Certificate& issuer) const;
  bool IsSignedBy(const PublicKey& issuer_key) const;

  // Borrowed OpenSSL handle, valid while this object lives. Never null.
  X509* x509() const { return x509_; }

  // Equal when the DER encodings are equal.
  friend bool operator==(const Certificate& a, const Certificate& b);

 private:
  explicit Certificate(X509* owned) : x509_(owned) {}

  X509* x509_;  // Owned reference; null only after a move.
};

// Parses every PEM block of `pem` as a certificate, in file order. InvalidArgument when there is
// no block, a block is not a CERTIFICATE ("pem block 2 is PRIVATE KEY, want CERTIFICATE"), or a
// certificate is malformed.
StatusOr<std::vector<Certificate>> ParseCertificateChainPem(std::string_view pem);

// What CreateCertificate puts in a certificate.
struct CertificateTemplate {
  DistinguishedName subject;
  std::string serial_number;  // Big-endian bytes; empty means a random positive 128-bit serial.
  TimePoint not_before;
  TimePoint not_after;
  bool is_ca = false;
  // KeyUsage bits; 0 means cryptogen's choice: CA digitalSignature|keyEncipherment|certSign|
  // crlSign, leaf digitalSignature.
  uint32_t key_usage = 0;
  uint32_t ext_key_usage = 0;  // ExtKeyUsage bits; 0 omits the extension.
  std::vector<std::string> dns_names;
  std::vector<std::string> ip_addresses;  // Text form, IPv4 or IPv6.
};

// Returns a new X.509 v3 certificate for `subject_key`, signed ecdsa-with-SHA256 (low-S) by
// `issuer_key`. `issuer` is the issuing CA's certificate, or null for a self-signed one (then
// `issuer_key` must be the subject's key). Sets, as Fabric 1.4's cryptogen does: on CA
// certificates SKI = SHA-256 of the subject point (leaves get none), AKI = the issuer's SKI (not
// on self-signed), critical basicConstraints (CA:TRUE or CA:FALSE), critical keyUsage,
// extKeyUsage (clientAuth, serverAuth on CAs; serverAuth, clientAuth on leaves),
// subjectAltName. InvalidArgument for an invalid
// template (not_after before not_before, bad IP text, empty subject, issuer not a CA or whose key
// does not match `issuer_key`); Internal if OpenSSL fails.
StatusOr<Certificate> CreateCertificate(const CertificateTemplate& tmpl,
                                        const PublicKey& subject_key, const Certificate* issuer,
                                        const PrivateKey& issuer_key);

// Returns `cert` with its ECDSA signature rewritten to low-S (s -> n - s, still valid) when s is
// high; Go's x509 signs with random S, and Fabric's MSP sanitizes certificates this way before
// comparing or serializing them. `issuer_key` is the P-256 key that signed `cert`. Certificates
// not signed with ECDSA, or already low-S, are returned unchanged. InvalidArgument when the
// signature does not verify with `issuer_key`.
StatusOr<Certificate> SanitizeCertificateSignature(const Certificate& cert,
                                                   const PublicKey& issuer_key);

// Validates `leaf` at time `at` through `intermediates` up to one of `roots` (OpenSSL's
// X509_STORE; no purpose check, as Fabric's MSP). Returns the chain, leaf first, root last.
// InvalidArgument naming the reason and the failing certificate: "certificate has expired
// (notAfter 2020-01-01T00:00:00Z)", "certificate is not yet valid (notBefore ...)",
// "certificate signed by unknown authority", "certificate signature is invalid", or OpenSSL's
// reason otherwise.
StatusOr<std::vector<Certificate>> VerifyChainAndGet(const Certificate& leaf,
                                                     const std::vector<Certificate>& roots,
                                                     const std::vector<Certificate>& intermediates,
                                                     TimePoint at);

// How VerifyChainAndGet builds a path.
struct VerifyOptions {
  // Any certificate of `roots` may end the path, an intermediate CA as well as a self-signed
  // root (OpenSSL's X509_V_FLAG_PARTIAL_CHAIN). Go's x509 cert pools work this way, and Fabric's
  // TLS trust pools hold the organisations' intermediate CAs beside their roots.
  bool any_root_is_anchor = false;
};

// As above, with `options`.
StatusOr<std::vector<Certificate>> VerifyChainAndGet(const Certificate& leaf,
                                                     const std::vector<Certificate>& roots,
                                                     const std::vector<Certificate>& intermediates,
                                                     TimePoint at, const VerifyOptions& options);

// As VerifyChainAndGet, without the chain.
Status VerifyChain(const Certificate& leaf, const std::vector<Certificate>& roots,
                   const std::vector<Certificate>& intermediates, TimePoint at);

// Formats `t` as RFC 3339 UTC with second precision ("2020-01-01T00:00:00Z").
std::string FormatTime(TimePoint t);

}  // namespace fabric::crypto
