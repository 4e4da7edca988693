// SPDX-License-Identifier: Apache-2.0
//
// Internal to common/crypto: the signatures this process made recently, so that verifying one
// of them again costs a table lookup instead of an ECDSA verification. A peer meets its own
// endorsements again when it validates the block that carries them (one of the two or more
// verifications per transaction at commit); the signature it made over those exact bytes is
// valid by construction, so the answer is the one EVP_PKEY_verify would give.
//
// Off until a process turns it on (crypto::RememberOwnSignatures in ecdsa.h): the peer daemon
// does; libraries, tools and benchmarks that sign and verify in one process for other reasons
// (bench_commit's pre-made blocks) do not.
//
// Only PrivateKey::SignDigest adds entries (its own low-S output), so nothing received from
// outside can put a signature here. An entry is found only for the same public key, the same
// digest and byte-identical signature bytes; anything else falls through to the real
// verification. Fixed size (kSlots entries, about 3 MiB allocated when first used);
// a newer entry overwrites the one in its slot, so the memo forgets, it never grows.
//
// Holds first compares the public key with the few keys this process signed with (kMaxSigners;
// a peer has one), so that verifying anyone else's signature, two of a peer's three per
// committed transaction, never touches the table (a cache miss into 3 MiB: ~1% of a peer's CPU
// in bench/commit's e2e run when every verification looked).

#pragma once

#include <array>
#include <atomic>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string_view>

namespace fabric::crypto::internal {

class SignatureMemo {
 public:
  // 2^14 entries: a peer endorsing 6,000 proposals/s finds its endorsements for ~2.7 s, longer
  // than an endorsement takes to reach a block under any batch timeout worth having.
  static constexpr size_t kSlots = size_t{1} << 14;

  // The process-wide memo.
  static SignatureMemo& Instance();

  // Whether the process-wide memo is on (PrivateKey and PublicKey consult it only then).
  static bool enabled() { return enabled_.load(std::memory_order_relaxed); }
  static void set_enabled(bool on) { enabled_.store(on, std::memory_order_relaxed); }

  // At most this many public keys have their signatures remembered (the first ones signed with).
  static constexpr size_t kMaxSigners = 4;

  // Records that `der_signature` is a valid signature of `digest` under the public key whose
  // uncompressed point is `point`. Only a 65-byte point, a 32-byte digest and a signature of at
  // most 72 bytes (P-256 ECDSA with SHA-256) are recorded, and only for the first kMaxSigners
  // points.
  void Remember(std::string_view point, std::string_view digest, std::string_view der_signature);

  // True when Remember was called with exactly these three values and the entry is still held.
  bool Holds(std::string_view point, std::string_view digest, std::string_view der_signature) const;

  // How many Holds calls returned true, for tests and benchmarks.
  uint64_t hits() const { return hits_.load(std::memory_order_relaxed); }

 private:
  static constexpr size_t kPoint = 65;   // 0x04 || X || Y
  static constexpr size_t kDigest = 32;  // SHA-256
  static constexpr size_t kMaxSignature = 72;
  static constexpr size_t kStripes = 64;
  struct Slot {
    std::array<unsigned char, kDigest> digest{};
    std::array<unsigned char, kPoint> point{};
    uint8_t length = 0;  // Signature length; 0 when empty.
    std::array<unsigned char, kMaxSignature> signature{};
  };

  // Whether the three fit an entry (Remember ignores, Holds refuses anything else).
  static bool Fits(std::string_view point, std::string_view digest, std::string_view der_signature);
  // The slot of `digest`: a SHA-256 output is already uniform, so its first bytes pick it.
  static size_t SlotOf(std::string_view digest);
  // Whether `point` (kPoint bytes) is one of signers_; lock-free.
  bool IsSigner(std::string_view point) const;
  // Adds `point` to signers_ unless it is there; false when signers_ is full.
  bool AddSigner(std::string_view point);

  std::unique_ptr<Slot[]> slots_ = std::make_unique<Slot[]>(kSlots);
  // The first signer_count_ entries are set and never change (written before the count is
  // raised, under signers_mu_).
  std::array<std::array<unsigned char, kPoint>, kMaxSigners> signers_{};
  std::atomic<size_t> signer_count_{0};
  std::mutex signers_mu_;
  // Stripe i guards the slots s with s % kStripes == i.
  mutable std::array<std::mutex, kStripes> stripes_;
  mutable std::atomic<uint64_t> hits_{0};
  static inline std::atomic<bool> enabled_{false};
};

}  // namespace fabric::crypto::internal
