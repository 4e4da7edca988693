// SPDX-License-Identifier: Apache-2.0

#include "src/sha256.h"

#include <openssl/sha.h>

namespace fabric::shim::internal {

std::string Sha256(std::string_view data) {
  std::string digest(SHA256_DIGEST_LENGTH, '\0');
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(),
         reinterpret_cast<unsigned char*>(digest.data()));
  return digest;
}

}  // namespace fabric::shim::internal
