// SPDX-License-Identifier: Apache-2.0
//
// A certificate authority as Fabric's cryptogen makes one (internal/cryptogen/ca): a fresh P-256
// key and a self-signed certificate, then leaf certificates signed with it. Certificates use
// Fabric's template: a random 128-bit serial, not_before = now rounded to the minute minus five
// minutes, not_after = not_before + 3650 days; subjects carry C/ST/L (default US, California,
// San Francisco), the CA spec's street, postal code and OU; the CA also O = org domain.
//
// A CertificateAuthority is immutable after Create and safe to use from several threads.

#pragma once

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "common/crypto/ecdsa.h"
#include "common/crypto/x509.h"
#include "fabric/base/status.h"
#include "tools/cryptogen/config.h"

namespace fabric::cryptogen {

// Validity of every certificate cryptogen makes.
inline constexpr std::chrono::hours kCertificateLifetime{3650 * 24};
inline constexpr std::chrono::minutes kNotBeforeBackdate{5};

// Returns Fabric's not_before for certificates made at `now`: rounded to the nearest minute, minus
// five minutes.
crypto::TimePoint NotBefore(crypto::TimePoint now);

// What a leaf certificate is for.
struct LeafRequest {
  std::string common_name;
  std::vector<std::string> organizational_units;  // Appended after the CA spec's OU, if any.
  std::vector<std::string> sans;  // Text; entries that parse as IPv4/IPv6 become IP SANs.
  uint32_t key_usage = 0;         // crypto::KeyUsage bits.
  uint32_t ext_key_usage = 0;     // crypto::ExtKeyUsage bits; 0 omits the extension.
};

class CertificateAuthority {
 public:
  // Generates a key and a self-signed CA certificate named `name` ("ca.org1.example.com") for
  // org `domain`, with keyUsage digitalSignature|keyEncipherment|certSign|crlSign and extKeyUsage
  // clientAuth|serverAuth, as Fabric. InvalidArgument for subject attributes OpenSSL rejects;
  // Internal if key generation fails.
  static StatusOr<CertificateAuthority> Create(const std::string& name, const std::string& domain,
                                               const CaSpec& spec, crypto::TimePoint now);

  // Returns a certificate for `key` signed by this CA. Errors as crypto::CreateCertificate.
  StatusOr<crypto::Certificate> Sign(const LeafRequest& request, const crypto::PublicKey& key,
                                     crypto::TimePoint now) const;

  const std::string& name() const { return name_; }
  const crypto::Certificate& certificate() const { return cert_; }
  const crypto::PrivateKey& key() const { return key_; }

 private:
  CertificateAuthority(std::string name, CaSpec spec, crypto::PrivateKey key,
                       crypto::Certificate cert)
      : name_(std::move(name)),
        spec_(std::move(spec)),
        key_(std::move(key)),
        cert_(std::move(cert)) {}

  std::string name_;
  CaSpec spec_;  // Subject defaults for the certificates this CA signs.
  crypto::PrivateKey key_;
  crypto::Certificate cert_;
};

}  // namespace fabric::cryptogen
