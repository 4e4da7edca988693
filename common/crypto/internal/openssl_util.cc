// SPDX-License-Identifier: Apache-2.0
#include "common/crypto/internal/openssl_util.h"

#include <openssl/err.h>

#include "fabric/base/status_macros.h"

namespace fabric::crypto::internal {

std::string ConsumeOpenSslError() {
  unsigned long err = ERR_get_error();  // NOLINT(runtime/int): OpenSSL's type.
  ERR_clear_error();
  if (err == 0) {
    return "unknown openssl error";
  }
  const char* reason = ERR_reason_error_string(err);
  if (reason == nullptr) {
    char buf[256];
    ERR_error_string_n(err, buf, sizeof(buf));
    return buf;
  }
  return reason;
}

BioPtr MemoryBio(std::string_view data) {
  if (data.size() > static_cast<size_t>(INT_MAX)) {
    return nullptr;
  }
  return BioPtr(BIO_new_mem_buf(data.data(), static_cast<int>(data.size())));
}

std::string BioContents(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);  // NOLINT(runtime/int): OpenSSL's type.
  if (len <= 0 || data == nullptr) {
    return {};
  }
  return std::string(data, static_cast<size_t>(len));
}

std::string BignumToFixedBytes(const BIGNUM* bn, int width) {
  if (BN_num_bytes(bn) > width) {
    return {};
  }
  std::string out(static_cast<size_t>(width), '\0');
  if (BN_bn2binpad(bn, reinterpret_cast<unsigned char*>(out.data()), width) != width) {
    return {};
  }
  return out;
}

namespace {

BIGNUM* NewP256Order() {
  BIGNUM* n = nullptr;
  FABRIC_CHECK(BN_hex2bn(&n, "FFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551") >
               0);
  return n;
}

}  // namespace

const BIGNUM* P256Order() {
  static const BIGNUM* const kOrder = NewP256Order();
  return kOrder;
}

const BIGNUM* P256HalfOrder() {
  static const BIGNUM* const kHalf = [] {
    BIGNUM* h = BN_new();
    FABRIC_CHECK(h != nullptr && BN_rshift1(h, P256Order()) == 1);
    return h;
  }();
  return kHalf;
}

}  // namespace fabric::crypto::internal
