// SPDX-License-Identifier: Apache-2.0
// EC_KEY and ECDSA_do_verify (deprecated in OpenSSL 3.0): the reference for a key made from a
// point, in RPlusNCase below.
#define OPENSSL_SUPPRESS_DEPRECATED
#include "common/crypto/internal/key_tables.h"

#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/ecdsa.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "common/crypto/ecdsa.h"
#include "common/crypto/hash.h"
#include "common/crypto/testing/der_signature.h"

namespace fabric::crypto {
namespace {

using internal::KeyTable;
using internal::KeyTables;
using testing::Bn;
using testing::EncodeDer;
using testing::ParseDer;
using testing::Sig;

// The P-256 order, independent of the code under test.
const BIGNUM* Order() {
  static EC_GROUP* group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  return EC_GROUP_get0_order(group);
}

// OpenSSL's own verdict, the reference every table answer is compared with.
bool OpenSslVerifies(const PublicKey& key, const std::string& digest, const std::string& der) {
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
      EVP_PKEY_CTX_new(key.evp_pkey(), nullptr), EVP_PKEY_CTX_free);
  return ctx != nullptr && EVP_PKEY_verify_init(ctx.get()) == 1 &&
         EVP_PKEY_verify(ctx.get(), reinterpret_cast<const unsigned char*>(der.data()), der.size(),
                         reinterpret_cast<const unsigned char*>(digest.data()), digest.size()) == 1;
}

// A signature (r, s) with both below n, built from two numbers.
Sig MakeSig(const BIGNUM* r, const BIGNUM* s) {
  Sig sig(ECDSA_SIG_new(), ECDSA_SIG_free);
  ECDSA_SIG_set0(sig.get(), BN_dup(r), BN_dup(s));
  return sig;
}

std::string RandomBytes(size_t n) {
  std::string out(n, '\0');
  RAND_bytes(reinterpret_cast<unsigned char*>(out.data()), static_cast<int>(n));
  return out;
}

PrivateKey NewKey() {
  StatusOr<PrivateKey> key = PrivateKey::Generate();
  EXPECT_TRUE(key.ok());
  return std::move(key).value();
}

// Table says `want`, and so does OpenSSL.
void ExpectAgreement(const KeyTable& table, const PublicKey& key, const std::string& digest,
                     const ECDSA_SIG* sig, bool want, const std::string& what) {
  EXPECT_EQ(table.Verify(digest, sig), want ? 1 : 0) << what;
  EXPECT_EQ(OpenSslVerifies(key, digest, EncodeDer(sig)), want) << what;
}

TEST(KeyTableTest, AgreesWithOpenSslOnValidAndAlteredSignatures) {
  for (int k = 0; k < 3; ++k) {
    PrivateKey key = NewKey();
    PrivateKey other = NewKey();
    auto table = KeyTable::Build(key.public_key().UncompressedPoint());
    ASSERT_TRUE(table.ok()) << table.status();
    for (int i = 0; i < 100; ++i) {
      const std::string digest = Sha256("tx " + std::to_string(k) + "/" + std::to_string(i));
      Sig sig = ParseDer(*key.SignDigest(digest));
      ASSERT_NE(sig, nullptr);
      ExpectAgreement(**table, key.public_key(), digest, sig.get(), true, "valid");
      // Another digest, another key's signature.
      ExpectAgreement(**table, key.public_key(), Sha256(digest), sig.get(), false, "digest");
      Sig foreign = ParseDer(*other.SignDigest(digest));
      ExpectAgreement(**table, key.public_key(), digest, foreign.get(), false, "other key");
      // r + 1 and s + 1 (both still below n for all but a 2^-128 chance).
      Bn r1(BN_dup(ECDSA_SIG_get0_r(sig.get())), BN_free);
      Bn s1(BN_dup(ECDSA_SIG_get0_s(sig.get())), BN_free);
      BN_add_word(r1.get(), 1);
      BN_add_word(s1.get(), 1);
      ExpectAgreement(**table, key.public_key(), digest,
                      MakeSig(r1.get(), ECDSA_SIG_get0_s(sig.get())).get(), false, "r+1");
      ExpectAgreement(**table, key.public_key(), digest,
                      MakeSig(ECDSA_SIG_get0_r(sig.get()), s1.get()).get(), false, "s+1");
      // n - s: the high-S twin is as valid to the equation (the caller refuses it for Fabric).
      Bn twin(BN_new(), BN_free);
      BN_sub(twin.get(), Order(), ECDSA_SIG_get0_s(sig.get()));
      ExpectAgreement(**table, key.public_key(), digest,
                      MakeSig(ECDSA_SIG_get0_r(sig.get()), twin.get()).get(), true, "n-s");
    }
  }
}

// Digests whose integer is 0, n (so e*w = 0 mod n: R = u2*Q alone), n+1 and 2^256-1: valid
// signatures of them (made by OpenSSL) verify, and altered ones do not.
TEST(KeyTableTest, EdgeDigests) {
  PrivateKey key = NewKey();
  auto table = KeyTable::Build(key.public_key().UncompressedPoint());
  ASSERT_TRUE(table.ok());
  std::vector<std::string> digests;
  digests.push_back(std::string(32, '\0'));
  std::string n(32, '\0');
  BN_bn2binpad(Order(), reinterpret_cast<unsigned char*>(n.data()), 32);
  digests.push_back(n);
  std::string n1 = n;
  n1[31] = static_cast<char>(n1[31] + 1);
  digests.push_back(n1);
  digests.push_back(std::string(32, '\xff'));
  for (const std::string& digest : digests) {
    for (int i = 0; i < 10; ++i) {
      Sig sig = ParseDer(*key.SignDigest(digest));
      ExpectAgreement(**table, key.public_key(), digest, sig.get(), true, "edge digest");
      std::string other = digest;
      other[0] ^= 0x40;
      ExpectAgreement(**table, key.public_key(), other, sig.get(), false, "edge digest altered");
    }
  }
}

// Random (r, s) below n: almost surely invalid, and both must say so.
TEST(KeyTableTest, RandomSignaturesAreRefusedLikeOpenSslDoes) {
  PrivateKey key = NewKey();
  auto table = KeyTable::Build(key.public_key().UncompressedPoint());
  ASSERT_TRUE(table.ok());
  Bn r(BN_new(), BN_free), s(BN_new(), BN_free);
  for (int i = 0; i < 200; ++i) {
    BN_rand_range(r.get(), Order());
    BN_rand_range(s.get(), Order());
    if (BN_is_zero(r.get()) || BN_is_zero(s.get())) {
      continue;
    }
    ExpectAgreement(**table, key.public_key(), RandomBytes(32), MakeSig(r.get(), s.get()).get(),
                    false, "random");
  }
}

// x(R) in [n, p), so that x(R) mod n = x(R) - n = r: the case the Jacobian comparison handles
// apart (probability ~2^-128 for a real signature). Built backwards: pick such an R, a digest e
// and s, then the key Q = u2^-1 (R - u1 G) for which (r, s) is a valid signature of e.
TEST(KeyTableTest, RPlusNCase) {
  EC_GROUP* group = EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1);
  BN_CTX* ctx = BN_CTX_new();
  const BIGNUM* n = EC_GROUP_get0_order(group);
  Bn p(BN_new(), BN_free), x(BN_new(), BN_free), r(BN_new(), BN_free), s(BN_new(), BN_free),
      w(BN_new(), BN_free), e(BN_new(), BN_free), u1(BN_new(), BN_free), u2(BN_new(), BN_free),
      u2inv(BN_new(), BN_free);
  ASSERT_EQ(EC_GROUP_get_curve(group, p.get(), nullptr, nullptr, ctx), 1);
  EC_POINT* big_r = EC_POINT_new(group);
  BN_copy(x.get(), n);
  while (EC_POINT_set_compressed_coordinates(group, big_r, x.get(), 0, ctx) != 1) {
    BN_add_word(x.get(), 1);
  }
  ERR_clear_error();
  ASSERT_LT(BN_cmp(x.get(), p.get()), 0);
  BN_sub(r.get(), x.get(), n);  // r = x - n
  const std::string digest = Sha256("r + n");
  BN_bin2bn(reinterpret_cast<const unsigned char*>(digest.data()), 32, e.get());
  BN_rand_range(s.get(), n);
  BN_mod_inverse(w.get(), s.get(), n, ctx);
  BN_mod_mul(u1.get(), e.get(), w.get(), n, ctx);
  BN_mod_mul(u2.get(), r.get(), w.get(), n, ctx);
  BN_mod_inverse(u2inv.get(), u2.get(), n, ctx);
  EC_POINT* q = EC_POINT_new(group);
  EC_POINT* t = EC_POINT_new(group);
  EC_POINT_mul(group, t, u1.get(), nullptr, nullptr, ctx);  // u1 G
  EC_POINT_invert(group, t, ctx);
  EC_POINT_add(group, t, big_r, t, ctx);                 // R - u1 G
  EC_POINT_mul(group, q, nullptr, t, u2inv.get(), ctx);  // Q
  EC_KEY* key = EC_KEY_new_by_curve_name(NID_X9_62_prime256v1);
  ASSERT_EQ(EC_KEY_set_public_key(key, q), 1);
  Sig sig = MakeSig(r.get(), s.get());
  ASSERT_EQ(
      ECDSA_do_verify(reinterpret_cast<const unsigned char*>(digest.data()), 32, sig.get(), key),
      1);  // OpenSSL accepts it
  std::string point(65, '\0');
  ASSERT_EQ(EC_POINT_point2oct(group, q, POINT_CONVERSION_UNCOMPRESSED,
                               reinterpret_cast<unsigned char*>(point.data()), 65, ctx),
            65u);
  auto table = KeyTable::Build(point);
  ASSERT_TRUE(table.ok());
  EXPECT_EQ((*table)->Verify(digest, sig.get()), 1);
  EXPECT_EQ((*table)->Verify(Sha256("other"), sig.get()), 0);
  EC_KEY_free(key);
  EC_POINT_free(t);
  EC_POINT_free(q);
  EC_POINT_free(big_r);
  BN_CTX_free(ctx);
  EC_GROUP_free(group);
}

TEST(KeyTableTest, BuildRefusesWhatIsNotAPoint) {
  PrivateKey key = NewKey();
  std::string point = key.public_key().UncompressedPoint();
  std::string off_curve = point;
  off_curve[64] ^= 0x01;  // y changed: not on the curve
  EXPECT_EQ(KeyTable::Build(off_curve).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(KeyTable::Build(point.substr(0, 40)).status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(KeyTable::Build("").status().code(), StatusCode::kInvalidArgument);
  EXPECT_EQ(KeyTable::Build(std::string("\x00", 1)).status().code(),
            StatusCode::kInvalidArgument);  // the point at infinity
}

class KeyTablesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    KeyTables::Instance().Clear();
    KeyTables::Instance().set_build_pacing(1000, std::chrono::milliseconds(1));
    UseKeyTables(true);
  }
  void TearDown() override {
    KeyTables::Instance().WaitForBuilds();
    KeyTables::Instance().set_build_pacing(KeyTables::kBuildBurst, KeyTables::kBuildInterval);
    KeyTables::Instance().Clear();
  }
  // Counts enough valid verifications for `point` to earn a table and waits for its build.
  static std::shared_ptr<const KeyTable> Earn(const std::string& point) {
    for (uint32_t i = 0; i < KeyTables::kUsesBeforeTable; ++i) {
      KeyTables::Instance().CountValid(point);
    }
    KeyTables::Instance().WaitForBuilds();
    return KeyTables::Instance().Find(point);
  }
};

TEST_F(KeyTablesTest, AKeyGetsItsTableAfterEnoughValidUsesAndVerifyUsesIt) {
  auto& tables = KeyTables::Instance();
  PrivateKey key = NewKey();
  const std::string& point = key.public_key().UncompressedPoint();
  const uint64_t built = tables.built();
  for (uint32_t i = 1; i < KeyTables::kUsesBeforeTable; ++i) {
    tables.CountValid(point);
  }
  tables.WaitForBuilds();
  EXPECT_EQ(tables.Find(point), nullptr);
  EXPECT_EQ(tables.built(), built);
  tables.CountValid(point);
  tables.WaitForBuilds();
  EXPECT_NE(tables.Find(point), nullptr);
  EXPECT_EQ(tables.built(), built + 1);
  EXPECT_EQ(tables.tables(), 1u);
  tables.CountValid(point);
  tables.WaitForBuilds();
  EXPECT_EQ(tables.built(), built + 1);  // built once

  // PublicKey::Verify now goes through the table, with the same answers and messages.
  const std::string sig = *key.Sign("block 9 tx 1");
  EXPECT_TRUE(key.public_key().Verify("block 9 tx 1", sig).ok());
  EXPECT_EQ(key.public_key().Verify("block 9 tx 2", sig).message(),
            "signature verification failed");
  PrivateKey other = NewKey();
  EXPECT_EQ(key.public_key().Verify("block 9 tx 1", *other.Sign("block 9 tx 1")).message(),
            "signature verification failed");
  Sig parsed = ParseDer(sig);
  Bn high(BN_new(), BN_free);
  BN_sub(high.get(), Order(), ECDSA_SIG_get0_s(parsed.get()));
  EXPECT_EQ(key.public_key()
                .Verify("block 9 tx 1",
                        EncodeDer(MakeSig(ECDSA_SIG_get0_r(parsed.get()), high.get()).get()))
                .message(),
            "signature has high-S value; Fabric requires low-S");
}

TEST_F(KeyTablesTest, OnlySuccessfulVerificationsCountAndOnlyWhileOn) {
  auto& tables = KeyTables::Instance();
  PrivateKey key = NewKey();
  const std::string sig = *key.Sign("m");
  // Any certificate holder can send invalid signatures under a key: they earn nothing.
  for (uint32_t i = 0; i < 4 * KeyTables::kUsesBeforeTable; ++i) {
    ASSERT_FALSE(key.public_key().Verify("n", sig).ok());
  }
  UseKeyTables(false);
  for (uint32_t i = 0; i < KeyTables::kUsesBeforeTable + 10; ++i) {
    ASSERT_TRUE(key.public_key().Verify("m", sig).ok());
  }
  tables.WaitForBuilds();
  EXPECT_EQ(tables.tables(), 0u);
  UseKeyTables(true);
  for (uint32_t i = 0; i < KeyTables::kUsesBeforeTable; ++i) {
    ASSERT_TRUE(key.public_key().Verify("m", sig).ok());
  }
  tables.WaitForBuilds();
  EXPECT_EQ(tables.tables(), 1u);
}

// Tables are built on the builder thread ("key-tables"), never on the verifying thread: threads
// reaching the threshold together queue one build and go on without waiting.
TEST_F(KeyTablesTest, ConcurrentUsesQueueOneBuildOnTheBuilderThread) {
  auto& tables = KeyTables::Instance();
  PrivateKey key = NewKey();
  const std::string sig = *key.Sign("concurrent");
  const uint64_t built = tables.built();
  std::vector<std::thread> threads;
  std::atomic<int> failures{0};
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (uint32_t i = 0; i < KeyTables::kUsesBeforeTable; ++i) {
        if (!key.public_key().Verify("concurrent", sig).ok()) {
          failures++;
        }
      }
    });
  }
  for (auto& t : threads) {
    t.join();
  }
  tables.WaitForBuilds();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(tables.built(), built + 1);
  EXPECT_EQ(tables.tables(), 1u);
  bool builder = false;
  for (const auto& task : std::filesystem::directory_iterator("/proc/self/task")) {
    std::ifstream comm(task.path() / "comm");
    std::string name;
    std::getline(comm, name);
    builder |= name == "key-tables";
  }
  EXPECT_TRUE(builder);
}

// After its burst the builder builds one table per interval, however many keys earn one.
TEST_F(KeyTablesTest, BuildsArePaced) {
  auto& tables = KeyTables::Instance();
  tables.set_build_pacing(2, std::chrono::hours(1));
  const uint64_t built = tables.built();
  for (int k = 0; k < 3; ++k) {
    const std::string point = NewKey().public_key().UncompressedPoint();
    for (uint32_t i = 0; i < KeyTables::kUsesBeforeTable; ++i) {
      tables.CountValid(point);
    }
  }
  while (tables.built() < built + 2) {
    std::this_thread::yield();
  }
  EXPECT_EQ(tables.queued(), 1u);  // the third waits for the next interval
  tables.Clear();
  tables.set_build_pacing(1000, std::chrono::milliseconds(1));
}

// Past kMaxTables, the table used least recently goes; a key in use keeps its table.
TEST_F(KeyTablesTest, HoldsAtMostMaxTablesDroppingTheLeastRecentlyUsed) {
  auto& tables = KeyTables::Instance();
  std::vector<std::string> points;
  for (size_t k = 0; k <= KeyTables::kMaxTables; ++k) {
    points.push_back(NewKey().public_key().UncompressedPoint());
  }
  for (size_t k = 0; k < KeyTables::kMaxTables; ++k) {
    ASSERT_NE(Earn(points[k]), nullptr) << k;
  }
  EXPECT_EQ(tables.tables(), KeyTables::kMaxTables);
  // Key 0 is used again, so key 1 is now the least recently used.
  std::shared_ptr<const KeyTable> held = tables.Find(points[1]);  // a caller still verifying
  ASSERT_NE(tables.Find(points[0]), nullptr);
  for (size_t k = 2; k < KeyTables::kMaxTables; ++k) {
    ASSERT_NE(tables.Find(points[k]), nullptr);
  }
  ASSERT_NE(Earn(points.back()), nullptr);
  EXPECT_EQ(tables.tables(), KeyTables::kMaxTables);
  EXPECT_NE(tables.Find(points[0]), nullptr);
  EXPECT_EQ(tables.Find(points[1]), nullptr);  // dropped, counting again from zero
  // The dropped table stays usable by whoever holds it.
  ASSERT_NE(held, nullptr);
  PrivateKey key = NewKey();
  EXPECT_EQ(held->Verify(Sha256("x"), ParseDer(*key.Sign("x")).get()), 0);
}

}  // namespace
}  // namespace fabric::crypto
