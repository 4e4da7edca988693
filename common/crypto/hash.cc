// SPDX-License-Identifier: Apache-2.0
#include "common/crypto/hash.h"

#include <openssl/evp.h>
#include <openssl/sha.h>

#include "common/crypto/internal/openssl_util.h"
#include "fabric/status_macros.h"

namespace fabric::crypto {

std::string Sha256(std::string_view data) {
  std::string out(kSha256Size, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(out.data()));
  return out;
}

std::string HexEncode(std::string_view data) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(data.size() * 2);
  for (unsigned char c : data) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 0x0f]);
  }
  return out;
}

namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') {
    return c - '0';
  }
  if (c >= 'a' && c <= 'f') {
    return c - 'a' + 10;
  }
  if (c >= 'A' && c <= 'F') {
    return c - 'A' + 10;
  }
  return -1;
}

}  // namespace

StatusOr<std::string> HexDecode(std::string_view hex) {
  if (hex.size() % 2 != 0) {
    return InvalidArgumentError("hex decode: odd length " + std::to_string(hex.size()));
  }
  std::string out;
  out.reserve(hex.size() / 2);
  for (size_t i = 0; i < hex.size(); i += 2) {
    int hi = HexValue(hex[i]);
    int lo = HexValue(hex[i + 1]);
    if (hi < 0 || lo < 0) {
      size_t bad = hi < 0 ? i : i + 1;
      return InvalidArgumentError("hex decode: invalid character at offset " + std::to_string(bad));
    }
    out.push_back(static_cast<char>((hi << 4) | lo));
  }
  return out;
}

struct Sha256Hasher::Ctx {
  internal::EvpMdCtxPtr md;
};

Sha256Hasher::Sha256Hasher() : ctx_(std::make_unique<Ctx>()) {
  ctx_->md.reset(EVP_MD_CTX_new());
  FABRIC_CHECK(ctx_->md != nullptr);
  FABRIC_CHECK(EVP_DigestInit_ex(ctx_->md.get(), EVP_sha256(), nullptr) == 1);
}

Sha256Hasher::~Sha256Hasher() = default;
Sha256Hasher::Sha256Hasher(Sha256Hasher&&) noexcept = default;
Sha256Hasher& Sha256Hasher::operator=(Sha256Hasher&&) noexcept = default;

void Sha256Hasher::Update(std::string_view data) {
  FABRIC_CHECK(ctx_ != nullptr);  // Used after move.
  FABRIC_CHECK(EVP_DigestUpdate(ctx_->md.get(), data.data(), data.size()) == 1);
}

std::string Sha256Hasher::Finish() {
  FABRIC_CHECK(ctx_ != nullptr);
  std::string out(kSha256Size, '\0');
  unsigned int len = 0;
  FABRIC_CHECK(
      EVP_DigestFinal_ex(ctx_->md.get(), reinterpret_cast<unsigned char*>(out.data()), &len) == 1 &&
      len == kSha256Size);
  FABRIC_CHECK(EVP_DigestInit_ex(ctx_->md.get(), EVP_sha256(), nullptr) == 1);
  return out;
}

}  // namespace fabric::crypto
