// SPDX-License-Identifier: Apache-2.0
#include "common/msp/crl.h"

#include <memory>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

namespace fabric::msp {
namespace {

struct BioFree {
  void operator()(BIO* b) const { BIO_free(b); }
};
struct AkiFree {
  void operator()(AUTHORITY_KEYID* a) const { AUTHORITY_KEYID_free(a); }
};
struct AsnIntFree {
  void operator()(ASN1_INTEGER* i) const { ASN1_INTEGER_free(i); }
};
struct BnFree {
  void operator()(BIGNUM* b) const { BN_free(b); }
};

X509_CRL* ParseRaw(std::string_view data) {
  if (data.find("-----BEGIN") != std::string_view::npos) {
    std::unique_ptr<BIO, BioFree> bio(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
    return bio ? PEM_read_bio_X509_CRL(bio.get(), nullptr, nullptr, nullptr) : nullptr;
  }
  const unsigned char* p = reinterpret_cast<const unsigned char*>(data.data());
  X509_CRL* crl = d2i_X509_CRL(nullptr, &p, static_cast<long>(data.size()));
  if (crl != nullptr && p != reinterpret_cast<const unsigned char*>(data.data()) + data.size()) {
    X509_CRL_free(crl);
    return nullptr;
  }
  return crl;
}

std::string ReadAki(X509_CRL* crl) {
  std::unique_ptr<AUTHORITY_KEYID, AkiFree> aki(static_cast<AUTHORITY_KEYID*>(
      X509_CRL_get_ext_d2i(crl, NID_authority_key_identifier, nullptr, nullptr)));
  if (!aki || aki->keyid == nullptr) {
    return "";
  }
  return std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(aki->keyid)),
                     static_cast<size_t>(ASN1_STRING_length(aki->keyid)));
}

}  // namespace

StatusOr<Crl> Crl::Parse(std::string_view pem_or_der) {
  X509_CRL* raw = ParseRaw(pem_or_der);
  ERR_clear_error();
  if (raw == nullptr) {
    return InvalidArgumentError("parse crl: not a PEM X509 CRL or DER CertificateList");
  }
  std::shared_ptr<X509_CRL> crl(raw, X509_CRL_free);
  std::string aki = ReadAki(raw);
  Crl result(std::move(crl), std::move(aki));
  // The first lookup sorts the revoked list; do it here, before the CRL is shared.
  (void)result.IsRevoked(std::string(1, '\0'));
  return result;
}

bool Crl::IsSignedBy(const crypto::Certificate& issuer) const {
  EVP_PKEY* key = X509_get0_pubkey(issuer.x509());
  bool ok = key != nullptr && X509_CRL_verify(crl_.get(), key) == 1;
  ERR_clear_error();
  return ok;
}

bool Crl::IsRevoked(const std::string& serial) const {
  std::unique_ptr<BIGNUM, BnFree> bn(
      BN_bin2bn(reinterpret_cast<const unsigned char*>(serial.data()),
                static_cast<int>(serial.size()), nullptr));
  if (!bn) {
    return false;
  }
  std::unique_ptr<ASN1_INTEGER, AsnIntFree> asn(BN_to_ASN1_INTEGER(bn.get(), nullptr));
  if (!asn) {
    return false;
  }
  X509_REVOKED* revoked = nullptr;
  // X509_CRL_get0_by_serial sorts the list lazily under the CRL's own lock: thread-safe.
  bool found = X509_CRL_get0_by_serial(crl_.get(), &revoked, asn.get()) == 1;
  ERR_clear_error();
  return found;
}

}  // namespace fabric::msp
