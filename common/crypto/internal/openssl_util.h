// SPDX-License-Identifier: Apache-2.0
//
// Internal to common/crypto: RAII owners for OpenSSL objects and error-queue helpers. Not part
// of the public API; other parts include the public headers (hash.h, ecdsa.h, x509.h).

#pragma once

#include <climits>
#include <memory>
#include <string>
#include <string_view>

#include <openssl/asn1.h>
#include <openssl/bio.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "fabric/base/status.h"

namespace fabric::crypto::internal {

// Deleter calling the OpenSSL free function `Fn`.
template <auto Fn>
struct Free {
  template <typename T>
  void operator()(T* p) const {
    Fn(p);
  }
};

using EvpPkeyPtr = std::unique_ptr<EVP_PKEY, Free<EVP_PKEY_free>>;
using EvpPkeyCtxPtr = std::unique_ptr<EVP_PKEY_CTX, Free<EVP_PKEY_CTX_free>>;
using EvpMdCtxPtr = std::unique_ptr<EVP_MD_CTX, Free<EVP_MD_CTX_free>>;
using BioPtr = std::unique_ptr<BIO, Free<BIO_free_all>>;
using BignumPtr = std::unique_ptr<BIGNUM, Free<BN_free>>;
using EcdsaSigPtr = std::unique_ptr<ECDSA_SIG, Free<ECDSA_SIG_free>>;
using X509Ptr = std::unique_ptr<X509, Free<X509_free>>;
using X509NamePtr = std::unique_ptr<X509_NAME, Free<X509_NAME_free>>;
using X509StorePtr = std::unique_ptr<X509_STORE, Free<X509_STORE_free>>;
using X509StoreCtxPtr = std::unique_ptr<X509_STORE_CTX, Free<X509_STORE_CTX_free>>;
using Asn1IntegerPtr = std::unique_ptr<ASN1_INTEGER, Free<ASN1_INTEGER_free>>;
using Asn1OctetStringPtr = std::unique_ptr<ASN1_OCTET_STRING, Free<ASN1_OCTET_STRING_free>>;
using BasicConstraintsPtr = std::unique_ptr<BASIC_CONSTRAINTS, Free<BASIC_CONSTRAINTS_free>>;
using AuthorityKeyIdPtr = std::unique_ptr<AUTHORITY_KEYID, Free<AUTHORITY_KEYID_free>>;
using GeneralNamesPtr = std::unique_ptr<GENERAL_NAMES, Free<GENERAL_NAMES_free>>;
using ExtKeyUsagePtr = std::unique_ptr<EXTENDED_KEY_USAGE, Free<EXTENDED_KEY_USAGE_free>>;

// Frees a STACK_OF(X509) and the certificates it holds.
struct X509StackFree {
  void operator()(STACK_OF(X509) * s) const { sk_X509_pop_free(s, X509_free); }
};
using X509StackPtr = std::unique_ptr<STACK_OF(X509), X509StackFree>;

// Returns the reason of the oldest error on this thread's OpenSSL error queue ("unknown openssl
// error" when empty) and clears the queue, so errors never leak into a later call.
std::string ConsumeOpenSslError();

// A read-only memory BIO over `data` (which must outlive the BIO). Null when `data` is larger
// than INT_MAX bytes or on allocation failure.
BioPtr MemoryBio(std::string_view data);

// Returns the bytes written to a memory BIO.
std::string BioContents(BIO* bio);

// Serializes `obj` with an i2d_* function into a string; empty on failure.
template <typename T, typename Fn>
std::string I2dToString(const T* obj, Fn i2d) {
  int len = i2d(obj, nullptr);
  if (len <= 0) {
    return {};
  }
  std::string out(static_cast<size_t>(len), '\0');
  auto* p = reinterpret_cast<unsigned char*>(out.data());
  if (i2d(obj, &p) != len) {
    return {};
  }
  return out;
}

// `bn` as exactly `width` big-endian bytes (left-padded with zeros); empty if it does not fit.
std::string BignumToFixedBytes(const BIGNUM* bn, int width);

// The order n of P-256 and n/2, built once; never null.
const BIGNUM* P256Order();
const BIGNUM* P256HalfOrder();

}  // namespace fabric::crypto::internal
