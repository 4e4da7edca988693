// SPDX-License-Identifier: Apache-2.0
//
// SHA-256 and hex encoding, as Fabric uses them (transaction ids are hex(sha256(nonce||creator)),
// block hashes, key identifiers).
//
// Thread-safety: the free functions are safe to call concurrently. A Sha256Hasher is a value
// owned by one thread at a time.

#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>

#include "fabric/base/status.h"

namespace fabric::crypto {

inline constexpr size_t kSha256Size = 32;

// Returns the 32 raw bytes of SHA-256(data).
std::string Sha256(std::string_view data);

// Returns `data` as lowercase hex, two characters per byte.
std::string HexEncode(std::string_view data);

// Returns the bytes encoded by `hex` (upper or lower case). InvalidArgument when the length is
// odd or a character is not a hex digit; the message names the offending offset.
StatusOr<std::string> HexDecode(std::string_view hex);

// Incremental SHA-256 for data that arrives in pieces:
//   Sha256Hasher h; h.Update(a); h.Update(b); std::string digest = h.Finish();
// Movable, not copyable.
class Sha256Hasher {
 public:
  Sha256Hasher();
  ~Sha256Hasher();
  Sha256Hasher(Sha256Hasher&&) noexcept;
  Sha256Hasher& operator=(Sha256Hasher&&) noexcept;
  Sha256Hasher(const Sha256Hasher&) = delete;
  Sha256Hasher& operator=(const Sha256Hasher&) = delete;

  // Appends `data` to the hashed input.
  void Update(std::string_view data);

  // Returns the 32-byte digest of everything passed to Update and resets the hasher, so it can
  // be reused for a new input.
  std::string Finish();

 private:
  struct Ctx;
  std::unique_ptr<Ctx> ctx_;
};

}  // namespace fabric::crypto
