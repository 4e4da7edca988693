// SPDX-License-Identifier: Apache-2.0
#include "common/crypto/pem.h"

#include <algorithm>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>

#include "common/crypto/internal/openssl_util.h"
#include "fabric/base/status_macros.h"

namespace fabric::crypto {
namespace {

// Owns the three buffers PEM_read_bio allocates.
struct PemReadResult {
  char* name = nullptr;
  char* header = nullptr;
  unsigned char* data = nullptr;
  long len = 0;  // NOLINT(runtime/int): OpenSSL's type.
  ~PemReadResult() {
    OPENSSL_free(name);
    OPENSSL_free(header);
    OPENSSL_free(data);
  }
};

bool IsNoStartLine(unsigned long err) {  // NOLINT(runtime/int): OpenSSL's type.
  return ERR_GET_LIB(err) == ERR_LIB_PEM && ERR_GET_REASON(err) == PEM_R_NO_START_LINE;
}

}  // namespace

StatusOr<std::vector<PemBlock>> DecodePem(std::string_view pem) {
  ERR_clear_error();
  internal::BioPtr bio = internal::MemoryBio(pem);
  if (bio == nullptr) {
    return InvalidArgumentError("pem input too large");
  }
  std::vector<PemBlock> blocks;
  for (;;) {
    PemReadResult r;
    if (PEM_read_bio(bio.get(), &r.name, &r.header, &r.data, &r.len) != 1) {
      if (IsNoStartLine(ERR_peek_last_error())) {
        ERR_clear_error();
        break;
      }
      return InvalidArgumentError("malformed pem block " + std::to_string(blocks.size() + 1) +
                                  ": " + internal::ConsumeOpenSslError());
    }
    if (r.header != nullptr && r.header[0] != '\0') {
      return InvalidArgumentError("pem block " + std::string(r.name) +
                                  " has headers (encrypted pem is not supported)");
    }
    blocks.push_back(
        PemBlock{r.name, std::string(reinterpret_cast<char*>(r.data), static_cast<size_t>(r.len))});
  }
  if (blocks.empty()) {
    return InvalidArgumentError("no pem block found");
  }
  return blocks;
}

std::string EncodePem(std::string_view type, std::string_view der) {
  constexpr size_t kBytesPerLine = 48;  // 64 base64 characters.
  std::string out = "-----BEGIN " + std::string(type) + "-----\n";
  unsigned char line[65];
  for (size_t off = 0; off < der.size(); off += kBytesPerLine) {
    size_t n = std::min(kBytesPerLine, der.size() - off);
    int len = EVP_EncodeBlock(line, reinterpret_cast<const unsigned char*>(der.data() + off),
                              static_cast<int>(n));
    out.append(reinterpret_cast<char*>(line), static_cast<size_t>(len));
    out.push_back('\n');
  }
  out += "-----END " + std::string(type) + "-----\n";
  return out;
}

}  // namespace fabric::crypto
