// SPDX-License-Identifier: Apache-2.0
// EC_GROUP_precompute_mult is deprecated in OpenSSL 3.0 with the rest of the EC_GROUP method
// API, without a replacement: the provider interface has no fixed-base precomputation for a key.
// It is still built and tested in 3.x; this file alone uses it.
#define OPENSSL_SUPPRESS_DEPRECATED

#include "common/crypto/internal/key_tables.h"

#include <gmp.h>

#include <cstdlib>
#include <cstring>

#include <openssl/bn.h>
#include <openssl/err.h>
#include <openssl/obj_mac.h>

#include "common/crypto/internal/openssl_util.h"
#include "fabric/base/status_macros.h"
#include "fabric/base/thread_name.h"

namespace fabric::crypto::internal {
namespace {

struct GroupFree {
  void operator()(EC_GROUP* g) const { EC_GROUP_free(g); }
};
struct PointFree {
  void operator()(EC_POINT* p) const { EC_POINT_free(p); }
};
using GroupPtr = std::unique_ptr<EC_GROUP, GroupFree>;
using PointPtr = std::unique_ptr<EC_POINT, PointFree>;

// P-256 with its standard generator (OpenSSL's built-in table), built once; never null.
const EC_GROUP* P256() {
  static const EC_GROUP* group = [] {
    EC_GROUP* g = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
    FABRIC_CHECK(g != nullptr);
    return g;
  }();
  return group;
}

// This thread's BN_CTX (scratch numbers for one call at a time; never held across a park).
BN_CTX* ThreadBnCtx() {
  struct CtxFree {
    void operator()(BN_CTX* c) const { BN_CTX_free(c); }
  };
  thread_local std::unique_ptr<BN_CTX, CtxFree> ctx(BN_CTX_new());
  return ctx.get();
}

// out = s^-1 mod n (P-256's order), 0 < s < n. GMP's mpz_invert takes ~0.7 us where
// BN_mod_inverse takes ~9 us (its binary algorithm goes through generic BIGNUM calls; OpenSSL's
// own ECDSA uses an assembly inversion for this order that its public API does not offer): with
// BN_mod_inverse the inversion was as costly as both multiplications together. s is part of a
// public signature, so a variable-time inversion leaks nothing.
bool InverseModOrder(const BIGNUM* s, BIGNUM* out) {
  struct Numbers {
    mpz_t s, n, w;
    Numbers() {
      mpz_inits(s, n, w, nullptr);
      unsigned char order[32];
      FABRIC_CHECK(BN_bn2binpad(EC_GROUP_get0_order(P256()), order, sizeof(order)) == 32);
      mpz_import(n, sizeof(order), 1, 1, 1, 0, order);
    }
    ~Numbers() { mpz_clears(s, n, w, nullptr); }
  };
  thread_local Numbers numbers;  // used within this call only (no park in between)
  unsigned char bytes[32];
  if (BN_bn2binpad(s, bytes, sizeof(bytes)) != 32) {
    return false;
  }
  mpz_import(numbers.s, sizeof(bytes), 1, 1, 1, 0, bytes);
  if (mpz_invert(numbers.w, numbers.s, numbers.n) == 0 || mpz_sizeinbase(numbers.w, 256) > 32) {
    return false;
  }
  size_t count = 0;
  mpz_export(bytes, &count, 1, 1, 1, 0, numbers.w);
  return BN_bin2bn(bytes, static_cast<int>(count), out) != nullptr;
}

// 1 when the x coordinate of R (not infinity), reduced mod n, is r; 0 when not; -1 when
// OpenSSL fails. Checked on R's Jacobian coordinates (x = X / Z^2): X == r * Z^2 mod p, or, as
// x mod n == r also holds for x = r + n when that is below p, X == (r + n) * Z^2. Saves the
// inversion mod p that the affine x costs (~2 us of ~16). `scratch` is a BN_CTX number.
int XCoordinateIs(const EC_GROUP* group, const EC_POINT* point, const BIGNUM* r, BIGNUM* scratch,
                  BN_CTX* ctx) {
  struct Curve {
    BIGNUM* p = BN_new();
    Curve() {
      FABRIC_CHECK(p != nullptr && EC_GROUP_get_curve(P256(), p, nullptr, nullptr, nullptr) == 1);
    }
  };
  static const Curve curve;
  BN_CTX_start(ctx);
  BIGNUM* jx = BN_CTX_get(ctx);
  BIGNUM* jz = BN_CTX_get(ctx);
  BIGNUM* z2 = BN_CTX_get(ctx);
  int result = -1;
  if (z2 != nullptr &&
      EC_POINT_get_Jprojective_coordinates_GFp(group, point, jx, nullptr, jz, ctx) == 1 &&
      BN_mod_sqr(z2, jz, curve.p, ctx) == 1 && BN_mod_mul(scratch, r, z2, curve.p, ctx) == 1) {
    result = BN_cmp(scratch, jx) == 0 ? 1 : 0;
    if (result == 0) {
      // r + n < p: the rare x in [n, p) whose reduction is r.
      const BIGNUM* n = EC_GROUP_get0_order(group);
      if (BN_add(scratch, r, n) == 1 && BN_cmp(scratch, curve.p) < 0) {
        result = BN_mod_mul(scratch, scratch, z2, curve.p, ctx) == 1
                     ? (BN_cmp(scratch, jx) == 0 ? 1 : 0)
                     : -1;
      }
    }
  }
  BN_CTX_end(ctx);
  return result;
}

bool EnabledFromEnvironment() {
  const char* v = std::getenv("FABRIC_P256_KEY_TABLES");
  return v == nullptr ||
         (std::strcmp(v, "off") != 0 && std::strcmp(v, "false") != 0 && std::strcmp(v, "0") != 0);
}

}  // namespace

std::atomic<bool> KeyTables::enabled_{EnabledFromEnvironment()};

StatusOr<std::unique_ptr<KeyTable>> KeyTable::Build(std::string_view point) {
  ERR_clear_error();
  BN_CTX* ctx = ThreadBnCtx();
  if (ctx == nullptr) {
    return InternalError("key table: " + ConsumeOpenSslError());
  }
  GroupPtr group(EC_GROUP_dup(P256()));
  PointPtr q(group != nullptr ? EC_POINT_new(group.get()) : nullptr);
  if (q == nullptr) {
    return InternalError("key table: " + ConsumeOpenSslError());
  }
  if (EC_POINT_oct2point(group.get(), q.get(), reinterpret_cast<const unsigned char*>(point.data()),
                         point.size(), ctx) != 1 ||
      EC_POINT_is_at_infinity(group.get(), q.get()) == 1) {
    ERR_clear_error();
    return InvalidArgumentError("key table: not a point on P-256");
  }
  // Q generates the whole group of prime order n (as every point but infinity does), cofactor 1.
  if (EC_GROUP_set_generator(group.get(), q.get(), EC_GROUP_get0_order(P256()), BN_value_one()) !=
          1 ||
      EC_GROUP_precompute_mult(group.get(), ctx) != 1 ||
      EC_GROUP_have_precompute_mult(group.get()) != 1) {
    return InternalError("key table: " + ConsumeOpenSslError());
  }
  return std::unique_ptr<KeyTable>(new KeyTable(group.release()));
}

KeyTable::~KeyTable() { EC_GROUP_free(group_); }

int KeyTable::Verify(std::string_view digest, const ECDSA_SIG* sig) const {
  BN_CTX* ctx = ThreadBnCtx();
  if (ctx == nullptr || digest.size() != 32) {
    return -1;
  }
  const EC_GROUP* p256 = P256();
  const BIGNUM* n = EC_GROUP_get0_order(p256);
  const BIGNUM* r = ECDSA_SIG_get0_r(sig);
  const BIGNUM* s = ECDSA_SIG_get0_s(sig);
  PointPtr a(EC_POINT_new(p256));
  PointPtr b(EC_POINT_new(group_));
  BN_CTX_start(ctx);
  BIGNUM* e = BN_CTX_get(ctx);
  BIGNUM* w = BN_CTX_get(ctx);
  BIGNUM* u1 = BN_CTX_get(ctx);
  BIGNUM* u2 = BN_CTX_get(ctx);
  BIGNUM* x = BN_CTX_get(ctx);
  int result = -1;
  // A 256-bit digest for a 256-bit order: e is the digest itself, no truncation (SEC 1 4.1.4
  // step 3); BN_mod_mul reduces it.
  if (x != nullptr && a != nullptr && b != nullptr &&
      BN_bin2bn(reinterpret_cast<const unsigned char*>(digest.data()), 32, e) != nullptr &&
      InverseModOrder(s, w) && BN_mod_mul(u1, e, w, n, ctx) == 1 &&
      BN_mod_mul(u2, r, w, n, ctx) == 1 &&
      EC_POINT_mul(p256, a.get(), u1, nullptr, nullptr, ctx) == 1 &&
      EC_POINT_mul(group_, b.get(), u2, nullptr, nullptr, ctx) == 1 &&
      EC_POINT_add(p256, a.get(), a.get(), b.get(), ctx) == 1) {
    if (EC_POINT_is_at_infinity(p256, a.get()) == 1) {
      result = 0;
    } else {
      result = XCoordinateIs(p256, a.get(), r, x, ctx);
    }
  }
  BN_CTX_end(ctx);
  if (result < 0) {
    ERR_clear_error();
  }
  return result;
}

KeyTables& KeyTables::Instance() {
  static KeyTables* tables = new KeyTables();  // never destroyed: used until exit
  return *tables;
}

std::shared_ptr<const KeyTable> KeyTables::Find(std::string_view point) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(point);
  if (it == entries_.end() || it->second.table == nullptr) {
    return nullptr;
  }
  it->second.last_use = ++clock_;
  return it->second.table;
}

void KeyTables::CountValid(std::string_view point) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = entries_.find(point);
  if (it == entries_.end()) {
    if (entries_.size() >= kMaxCounted) {
      // Start the counts over, keeping the keys that have tables or are getting one.
      std::erase_if(entries_,
                    [](const auto& kv) { return kv.second.table == nullptr && !kv.second.queued; });
      if (entries_.size() >= kMaxCounted) {
        return;
      }
    }
    it = entries_.emplace(std::string(point), Entry{}).first;
  }
  Entry& entry = it->second;
  entry.last_use = ++clock_;
  if (entry.table != nullptr || entry.queued || entry.failed || ++entry.uses < kUsesBeforeTable) {
    return;
  }
  if (queue_.size() >= kMaxQueued || stopping_) {
    entry.uses = 0;
    return;
  }
  entry.queued = true;
  queue_.emplace_back(point);
  if (!builder_.joinable()) {
    builder_ = std::thread([this] { BuildLoop(); });
    // Joined before OpenSSL's own exit handlers run (registered earlier, so run later).
    std::atexit(&KeyTables::StopBuilder);
  }
  work_.notify_one();
}

void KeyTables::StopBuilder() {
  KeyTables& self = Instance();
  {
    std::lock_guard<std::mutex> lock(self.mu_);
    self.stopping_ = true;
  }
  self.work_.notify_all();
  if (self.builder_.joinable()) {
    self.builder_.join();
  }
}

bool KeyTables::WaitForBuildToken(std::unique_lock<std::mutex>& lock) {
  while (!stopping_) {
    const auto now = std::chrono::steady_clock::now();
    const double earned =
        std::chrono::duration<double>(now - refilled_) / std::chrono::duration<double>(interval_);
    tokens_ = std::min(static_cast<double>(burst_), tokens_ + earned);
    refilled_ = now;
    if (tokens_ >= 1.0) {
      tokens_ -= 1.0;
      return true;
    }
    const auto missing = std::chrono::duration<double>(interval_) * (1.0 - tokens_);
    work_.wait_for(lock, missing);
  }
  return false;
}

void KeyTables::BuildLoop() {
  SetThreadName("key-tables");
  std::unique_lock<std::mutex> lock(mu_);
  while (true) {
    work_.wait(lock, [this] { return stopping_ || !queue_.empty(); });
    if (stopping_ || !WaitForBuildToken(lock)) {
      return;
    }
    if (queue_.empty()) {
      continue;  // cleared meanwhile
    }
    std::string point = std::move(queue_.front());
    queue_.pop_front();
    building_ = true;
    lock.unlock();
    StatusOr<std::unique_ptr<KeyTable>> built = KeyTable::Build(point);
    lock.lock();
    building_ = false;
    Install(point, std::move(built));
    idle_.notify_all();
  }
}

void KeyTables::Install(const std::string& point, StatusOr<std::unique_ptr<KeyTable>> built) {
  // The entry may have been dropped by Clear meanwhile: look it up again.
  auto it = entries_.find(point);
  if (it == entries_.end()) {
    return;
  }
  Entry& entry = it->second;
  entry.queued = false;
  if (!built.ok()) {
    entry.failed = true;
    return;
  }
  if (tables_ >= kMaxTables) {
    EvictLocked();
  }
  entry.table = std::shared_ptr<const KeyTable>(std::move(built).value());
  ++tables_;
  built_.fetch_add(1, std::memory_order_relaxed);
}

void KeyTables::EvictLocked() {
  auto oldest = entries_.end();
  for (auto it = entries_.begin(); it != entries_.end(); ++it) {
    if (it->second.table != nullptr &&
        (oldest == entries_.end() || it->second.last_use < oldest->second.last_use)) {
      oldest = it;
    }
  }
  if (oldest != entries_.end()) {
    oldest->second.table.reset();
    oldest->second.uses = 0;
    --tables_;
  }
}

size_t KeyTables::tables() const {
  std::lock_guard<std::mutex> lock(mu_);
  return tables_;
}

size_t KeyTables::queued() const {
  std::lock_guard<std::mutex> lock(mu_);
  return queue_.size() + (building_ ? 1 : 0);
}

void KeyTables::WaitForBuilds() {
  std::unique_lock<std::mutex> lock(mu_);
  idle_.wait(lock, [this] { return (queue_.empty() && !building_) || stopping_; });
}

void KeyTables::set_build_pacing(size_t burst, std::chrono::milliseconds interval) {
  std::lock_guard<std::mutex> lock(mu_);
  burst_ = burst;
  interval_ = interval;
  tokens_ = static_cast<double>(burst);
  refilled_ = std::chrono::steady_clock::now();
  work_.notify_all();
}

void KeyTables::Clear() {
  std::lock_guard<std::mutex> lock(mu_);
  entries_.clear();
  queue_.clear();
  tables_ = 0;
}

}  // namespace fabric::crypto::internal
