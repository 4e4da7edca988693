// SPDX-License-Identifier: Apache-2.0
#include "common/crypto/internal/signature_memo.h"

#include <cstring>

#include <openssl/sha.h>

namespace fabric::crypto::internal {

SignatureMemo& SignatureMemo::Instance() {
  static SignatureMemo* memo = new SignatureMemo();  // Never destroyed: used until exit.
  return *memo;
}

std::array<unsigned char, 32> SignatureMemo::Key(std::string_view point, std::string_view digest) {
  // Callers pass a 65-byte point and a 32-byte digest (Fits); they fit on the stack.
  unsigned char buf[kMaxKeyInput];
  std::memcpy(buf, point.data(), point.size());
  std::memcpy(buf + point.size(), digest.data(), digest.size());
  std::array<unsigned char, 32> key;
  SHA256(buf, point.size() + digest.size(), key.data());
  return key;
}

bool SignatureMemo::Fits(std::string_view point, std::string_view digest,
                         std::string_view der_signature) {
  return point.size() + digest.size() <= kMaxKeyInput && !der_signature.empty() &&
         der_signature.size() <= kMaxSignature;
}

size_t SignatureMemo::SlotOf(const std::array<unsigned char, 32>& key) {
  uint64_t v;
  std::memcpy(&v, key.data(), sizeof(v));
  return static_cast<size_t>(v % kSlots);
}

void SignatureMemo::Remember(std::string_view point, std::string_view digest,
                             std::string_view der_signature) {
  if (!Fits(point, digest, der_signature)) {
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
  if (!Fits(point, digest, der_signature)) {
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
