// SPDX-License-Identifier: Apache-2.0
#include "common/crypto/internal/signature_memo.h"

#include <cstring>
#include <string>

#include <openssl/sha.h>

namespace fabric::crypto::internal {

SignatureMemo& SignatureMemo::Instance() {
  static SignatureMemo* memo = new SignatureMemo();  // Never destroyed: used until exit.
  return *memo;
}

std::array<unsigned char, 32> SignatureMemo::Key(std::string_view point, std::string_view digest) {
  // A P-256 point (65 bytes) and a SHA-256 digest fit on the stack; longer input is hashed in
  // one more step so the key stays exact for any length.
  std::array<unsigned char, 32> key;
  unsigned char buf[128];
  if (point.size() + digest.size() <= sizeof(buf)) {
    std::memcpy(buf, point.data(), point.size());
    std::memcpy(buf + point.size(), digest.data(), digest.size());
    SHA256(buf, point.size() + digest.size(), key.data());
    return key;
  }
  std::string joined = std::string(point) + std::string(digest);
  SHA256(reinterpret_cast<const unsigned char*>(joined.data()), joined.size(), key.data());
  return key;
}

size_t SignatureMemo::SlotOf(const std::array<unsigned char, 32>& key) {
  uint64_t v;
  std::memcpy(&v, key.data(), sizeof(v));
  return static_cast<size_t>(v % kSlots);
}

void SignatureMemo::Remember(std::string_view point, std::string_view digest,
                             std::string_view der_signature) {
  if (der_signature.empty() || der_signature.size() > kMaxSignature) {
    return;
  }
  const auto key = Key(point, digest);
  const size_t i = SlotOf(key);
  std::lock_guard<std::mutex> lock(stripes_[i % kStripes]);
  Slot& slot = slots_[i];
  slot.key = key;
  slot.length = static_cast<uint8_t>(der_signature.size());
  std::memcpy(slot.signature.data(), der_signature.data(), der_signature.size());
}

bool SignatureMemo::Holds(std::string_view point, std::string_view digest,
                          std::string_view der_signature) const {
  if (der_signature.empty() || der_signature.size() > kMaxSignature) {
    return false;
  }
  const auto key = Key(point, digest);
  const size_t i = SlotOf(key);
  bool held;
  {
    std::lock_guard<std::mutex> lock(stripes_[i % kStripes]);
    const Slot& slot = slots_[i];
    held = slot.length == der_signature.size() && slot.key == key &&
           std::memcmp(slot.signature.data(), der_signature.data(), der_signature.size()) == 0;
  }
  if (held) {
    hits_.fetch_add(1, std::memory_order_relaxed);
  }
  return held;
}

}  // namespace fabric::crypto::internal
