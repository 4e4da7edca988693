// SPDX-License-Identifier: Apache-2.0
#include "common/crypto/internal/signature_memo.h"

#include <cstring>

namespace fabric::crypto::internal {

SignatureMemo& SignatureMemo::Instance() {
  static SignatureMemo* memo = new SignatureMemo();  // Never destroyed: used until exit.
  return *memo;
}

bool SignatureMemo::Fits(std::string_view point, std::string_view digest,
                         std::string_view der_signature) {
  return point.size() == kPoint && digest.size() == kDigest && !der_signature.empty() &&
         der_signature.size() <= kMaxSignature;
}

size_t SignatureMemo::SlotOf(std::string_view digest) {
  uint64_t v;
  std::memcpy(&v, digest.data(), sizeof(v));
  return static_cast<size_t>(v % kSlots);
}

bool SignatureMemo::IsSigner(std::string_view point) const {
  const size_t n = signer_count_.load(std::memory_order_acquire);
  for (size_t i = 0; i < n; ++i) {
    if (std::memcmp(signers_[i].data(), point.data(), kPoint) == 0) {
      return true;
    }
  }
  return false;
}

bool SignatureMemo::AddSigner(std::string_view point) {
  std::lock_guard<std::mutex> lock(signers_mu_);
  if (IsSigner(point)) {
    return true;
  }
  const size_t n = signer_count_.load(std::memory_order_relaxed);
  if (n == kMaxSigners) {
    return false;
  }
  std::memcpy(signers_[n].data(), point.data(), kPoint);
  signer_count_.store(n + 1, std::memory_order_release);
  return true;
}

void SignatureMemo::Remember(std::string_view point, std::string_view digest,
                             std::string_view der_signature) {
  if (!Fits(point, digest, der_signature) || (!IsSigner(point) && !AddSigner(point))) {
    return;
  }
  const size_t i = SlotOf(digest);
  std::lock_guard<std::mutex> lock(stripes_[i % kStripes]);
  Slot& slot = slots_[i];
  std::memcpy(slot.digest.data(), digest.data(), kDigest);
  std::memcpy(slot.point.data(), point.data(), kPoint);
  slot.length = static_cast<uint8_t>(der_signature.size());
  std::memcpy(slot.signature.data(), der_signature.data(), der_signature.size());
}

bool SignatureMemo::Holds(std::string_view point, std::string_view digest,
                          std::string_view der_signature) const {
  if (!Fits(point, digest, der_signature) || !IsSigner(point)) {
    return false;
  }
  const size_t i = SlotOf(digest);
  bool held;
  {
    std::lock_guard<std::mutex> lock(stripes_[i % kStripes]);
    const Slot& slot = slots_[i];
    held = slot.length == der_signature.size() &&
           std::memcmp(slot.digest.data(), digest.data(), kDigest) == 0 &&
           std::memcmp(slot.point.data(), point.data(), kPoint) == 0 &&
           std::memcmp(slot.signature.data(), der_signature.data(), der_signature.size()) == 0;
  }
  if (held) {
    hits_.fetch_add(1, std::memory_order_relaxed);
  }
  return held;
}

}  // namespace fabric::crypto::internal
