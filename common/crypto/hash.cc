// SPDX-License-Identifier: Apache-2.0
#include "common/crypto/hash.h"

#include <openssl/evp.h>

#include "common/crypto/internal/openssl_util.h"
#include "fabric/base/status_macros.h"

namespace fabric::crypto {

namespace {

// SHA-256 fetched from the default provider once. OpenSSL 3 looks a digest up in its provider
// store (a read lock shared by all threads and a property query) on every SHA256() one-shot and
// on every EVP_DigestInit_ex given EVP_sha256(); a peer hashes five to seven times per proposal.
// Kept for the life of the process.
const EVP_MD* Sha256Md() {
  static const EVP_MD* const md = [] {
    EVP_MD* fetched = EVP_MD_fetch(nullptr, "SHA2-256", nullptr);
    FABRIC_CHECK(fetched != nullptr);
    return fetched;
  }();
  return md;
}

}  // namespace

std::string Sha256(std::string_view data) {
  // One digest context per thread, reused: no allocation per hash.
  thread_local internal::EvpMdCtxPtr ctx(EVP_MD_CTX_new());
  FABRIC_CHECK(ctx != nullptr);
  std::string out(kSha256Size, '\0');
  unsigned int len = 0;
  FABRIC_CHECK(EVP_DigestInit_ex2(ctx.get(), Sha256Md(), nullptr) == 1 &&
               EVP_DigestUpdate(ctx.get(), data.data(), data.size()) == 1 &&
               EVP_DigestFinal_ex(ctx.get(), reinterpret_cast<unsigned char*>(out.data()), &len) ==
                   1 &&
               len == kSha256Size);
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
  FABRIC_CHECK(EVP_DigestInit_ex2(ctx_->md.get(), Sha256Md(), nullptr) == 1);
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
  FABRIC_CHECK(EVP_DigestInit_ex2(ctx_->md.get(), Sha256Md(), nullptr) == 1);
  return out;
}

}  // namespace fabric::crypto
