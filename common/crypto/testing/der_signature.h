// SPDX-License-Identifier: Apache-2.0
//
// Test-side helpers for DER ECDSA signatures, on OpenSSL directly and independent of the code
// under test (ecdsa_test.cc, key_tables_test.cc). Header-only.

#pragma once

#include <memory>
#include <string>

#include <openssl/bn.h>
#include <openssl/crypto.h>
#include <openssl/ecdsa.h>

namespace fabric::crypto::testing {

using Bn = std::unique_ptr<BIGNUM, decltype(&BN_free)>;
using Sig = std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)>;

// The (r, s) of a DER signature; null when OpenSSL cannot parse it.
inline Sig ParseDer(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return Sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())), ECDSA_SIG_free);
}

// `sig` DER-encoded by OpenSSL.
inline std::string EncodeDer(const ECDSA_SIG* sig) {
  unsigned char* out = nullptr;
  int len = i2d_ECDSA_SIG(sig, &out);
  std::string der(reinterpret_cast<char*>(out), static_cast<size_t>(len));
  OPENSSL_free(out);
  return der;
}

}  // namespace fabric::crypto::testing
