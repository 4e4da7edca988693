// SPDX-License-Identifier: Apache-2.0
//
// Crl: an X.509 certificate revocation list from an MSP's revocation_list (the crls/ folder),
// as Fabric's MSP uses it: matched to the CA that issued a certificate by its authority key
// identifier, checked for that CA's signature, and searched for the certificate's serial number.
//
// Crl is a cheap-to-copy handle on an immutable OpenSSL X509_CRL; all methods are const and safe
// to call concurrently.

#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/crypto/x509.h"
#include "fabric/base/status.h"

typedef struct X509_crl_st X509_CRL;

namespace fabric::msp {

class Crl {
 public:
  // Parses a PEM "X509 CRL" block or DER. InvalidArgument when malformed.
  static StatusOr<Crl> Parse(std::string_view pem_or_der);

  // The authorityKeyIdentifier's keyIdentifier; empty when absent.
  const std::string& AuthorityKeyIdentifier() const { return aki_; }

  // True when the CRL's signature verifies with `issuer`'s public key.
  bool IsSignedBy(const crypto::Certificate& issuer) const;

  // True when `serial` (minimal big-endian bytes, as Certificate::SerialNumber) is listed.
  bool IsRevoked(const std::string& serial) const;

  // Borrowed OpenSSL handle, valid while this object lives.
  X509_CRL* x509_crl() const { return crl_.get(); }

 private:
  Crl(std::shared_ptr<X509_CRL> crl, std::string aki)
      : crl_(std::move(crl)), aki_(std::move(aki)) {}

  std::shared_ptr<X509_CRL> crl_;
  std::string aki_;
};

}  // namespace fabric::msp
