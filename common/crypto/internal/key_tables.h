// SPDX-License-Identifier: Apache-2.0
//
// Internal to common/crypto: faster ECDSA verification under the public keys a process meets
// over and over. A Fabric node verifies almost every signature against a handful of keys: the
// clients that submit transactions, the endorsing peers, the orderer. Verifying computes
// u1*G + u2*Q; OpenSSL has a table of multiples of the generator G built in, so u1*G costs
// ~5 us, while u2*Q is computed from scratch (~35 us of the ~43 us a verification takes).
// Once a key has been used kUsesBeforeTable times this builds the same kind of table for its
// point Q (OpenSSL's own precomputation, EC_GROUP_precompute_mult, on a copy of the P-256 group
// whose generator is Q; ~150 KiB and ~20 ms once), and verification becomes two table
// look-ups, one inversion mod n (GMP's, ~0.7 us; OpenSSL's BN_mod_inverse takes ~9), an
// addition and a comparison in Jacobian coordinates: ~13 us.
//
// Only the multiplication changes; the equation and the checks are ECDSA's (SEC 1 v2, 4.1.4):
// with 0 < r, s < n (the caller's parser checks that), e = the 32-byte digest as an integer,
// w = s^-1, R = (e*w)*G + (r*w)*Q, valid exactly when R is not the point at infinity and
// x(R) mod n == r. ecdsa_test.cc checks every answer against EVP_PKEY_verify.
//
// A table can never make verification slower than OpenSSL alone, whatever keys callers bring:
// only successful verifications count towards a table (a stream of invalid signatures earns
// none); tables are built on one background thread, never on a verifying one; builds are paced
// (a burst of kBuildBurst, then one per kBuildInterval: under any key pattern at most ~4% of
// one core goes to building); at most kMaxTables tables (~4.7 MiB) are kept, the one used
// least recently dropped for a new one. Use counts are kept for at most kMaxCounted keys (the
// counts start over when that fills). On by default; crypto::UseKeyTables(false) or the
// environment variable FABRIC_P256_KEY_TABLES=off turns it off (for comparisons).

#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_map>

#include <openssl/ec.h>

#include "fabric/base/status.h"

namespace fabric::crypto::internal {

// The multiples of one P-256 point, ready for fixed-base multiplication. Immutable once built;
// Verify may be called from any number of threads at once.
class KeyTable {
 public:
  // Builds the table for the public key whose uncompressed point (0x04 || X || Y) is `point`.
  // InvalidArgument when `point` is not on P-256; Internal when OpenSSL fails.
  static StatusOr<std::unique_ptr<KeyTable>> Build(std::string_view point);

  ~KeyTable();
  KeyTable(const KeyTable&) = delete;
  KeyTable& operator=(const KeyTable&) = delete;

  // 1 when (r, s) is a valid signature of the 32-byte `digest` under this key, 0 when it is
  // not, -1 when OpenSSL fails (the caller then falls back to EVP_PKEY_verify). Requires
  // 0 < r, s < n.
  int Verify(std::string_view digest, const ECDSA_SIG* sig) const;

 private:
  explicit KeyTable(EC_GROUP* group) : group_(group) {}
  EC_GROUP* group_;  // P-256 with generator Q and its precomputed multiples; owned.
};

class KeyTables {
 public:
  // A table (~20 ms) pays for itself after ~700 further uses (~30 us saved each).
  static constexpr uint32_t kUsesBeforeTable = 256;
  static constexpr size_t kMaxTables = 32;
  static constexpr size_t kMaxCounted = 4096;
  // Build pacing: a node starting up tables its few keys at once; after that, ~2 builds a second.
  static constexpr size_t kBuildBurst = 8;
  static constexpr std::chrono::milliseconds kBuildInterval{500};
  // Keys waiting for the builder; a key that finds the queue full is counted again from zero.
  static constexpr size_t kMaxQueued = 16;

  // The process-wide set.
  static KeyTables& Instance();

  static bool enabled() { return enabled_.load(std::memory_order_relaxed); }
  static void set_enabled(bool on) { enabled_.store(on, std::memory_order_relaxed); }

  // The table of the key with uncompressed point `point`, or null.
  std::shared_ptr<const KeyTable> Find(std::string_view point);
  // Counts a successful verification under `point` made without a table; the one that brings
  // the key to kUsesBeforeTable queues its table for the builder thread.
  void CountValid(std::string_view point);

  // How many tables are held / were built since start / are queued, for tests and benchmarks.
  size_t tables() const;
  uint64_t built() const { return built_.load(std::memory_order_relaxed); }
  size_t queued() const;

  // Blocks until no build is queued or running (tests).
  void WaitForBuilds();
  // Replaces the build pacing (tests).
  void set_build_pacing(size_t burst, std::chrono::milliseconds interval);
  // Forgets every count and table (tests). Builds already queued are dropped.
  void Clear();

 private:
  struct Entry {
    uint32_t uses = 0;
    bool queued = false;  // waiting for or being built by the builder
    bool failed = false;  // Build failed: never tried again for this key.
    uint64_t last_use = 0;
    std::shared_ptr<const KeyTable> table;
  };

  KeyTables() = default;
  // The builder thread: takes queued keys one at a time, within the pacing.
  void BuildLoop();
  // Waits until the pacing allows a build; false when stopping. Requires mu_ (held by `lock`).
  bool WaitForBuildToken(std::unique_lock<std::mutex>& lock);
  void Install(const std::string& point, StatusOr<std::unique_ptr<KeyTable>> built);
  // Makes room for one more table: drops the one used least recently. Requires mu_.
  void EvictLocked();
  static void StopBuilder();

  // Hashes a point given as string or string_view alike, so a look-up allocates nothing.
  struct PointHash {
    using is_transparent = void;
    size_t operator()(std::string_view point) const { return std::hash<std::string_view>{}(point); }
  };

  mutable std::mutex mu_;
  std::condition_variable work_;  // a key was queued, or stopping
  std::condition_variable idle_;  // the builder finished a key
  // Guarded by mu_:
  std::unordered_map<std::string, Entry, PointHash, std::equal_to<>> entries_;
  std::deque<std::string> queue_;
  bool building_ = false;
  bool stopping_ = false;
  size_t tables_ = 0;   // entries with a table
  uint64_t clock_ = 0;  // use counter for last_use
  size_t burst_ = kBuildBurst;
  std::chrono::milliseconds interval_ = kBuildInterval;
  double tokens_ = static_cast<double>(kBuildBurst);
  std::chrono::steady_clock::time_point refilled_ = std::chrono::steady_clock::now();
  std::thread builder_;  // started with the first queued key

  std::atomic<uint64_t> built_{0};
  static std::atomic<bool> enabled_;
};

}  // namespace fabric::crypto::internal
