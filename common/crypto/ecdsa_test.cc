// SPDX-License-Identifier: Apache-2.0
#include "common/crypto/ecdsa.h"

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/bn.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/rsa.h>
#include <openssl/sha.h>

#include "common/crypto/hash.h"

namespace fabric::crypto {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Test-side OpenSSL helpers, independent of the code under test.
using Bn = std::unique_ptr<BIGNUM, decltype(&BN_free)>;
using Sig = std::unique_ptr<ECDSA_SIG, decltype(&ECDSA_SIG_free)>;
using Pkey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;

Sig ParseDer(const std::string& der) {
  const auto* p = reinterpret_cast<const unsigned char*>(der.data());
  return Sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())), ECDSA_SIG_free);
}

std::string EncodeDer(const ECDSA_SIG* sig) {
  unsigned char* out = nullptr;
  int len = i2d_ECDSA_SIG(sig, &out);
  std::string s(reinterpret_cast<char*>(out), static_cast<size_t>(len));
  OPENSSL_free(out);
  return s;
}

// n and n/2 of P-256, from OpenSSL's curve table.
Bn P256Order() {
  std::unique_ptr<EC_GROUP, decltype(&EC_GROUP_free)> group(
      EC_GROUP_new_by_curve_name(NID_X9_62_prime256v1), EC_GROUP_free);
  return Bn(BN_dup(EC_GROUP_get0_order(group.get())), BN_free);
}

Bn HalfOrder() {
  Bn half(BN_new(), BN_free);
  BN_rshift1(half.get(), P256Order().get());
  return half;
}

// Returns `der` with s replaced by n - s.
std::string FlipS(const std::string& der) {
  Sig sig = ParseDer(der);
  Bn n = P256Order();
  BIGNUM* high = BN_new();
  BN_sub(high, n.get(), ECDSA_SIG_get0_s(sig.get()));
  ECDSA_SIG_set0(sig.get(), BN_dup(ECDSA_SIG_get0_r(sig.get())), high);
  return EncodeDer(sig.get());
}

std::string ToPem(EVP_PKEY* pkey, bool private_key, bool traditional = false) {
  Bio bio(BIO_new(BIO_s_mem()), BIO_free);
  if (!private_key) {
    PEM_write_bio_PUBKEY(bio.get(), pkey);
  } else if (traditional) {
    PEM_write_bio_PrivateKey_traditional(bio.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr);
  } else {
    PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey, nullptr, nullptr, 0, nullptr, nullptr);
  }
  char* data = nullptr;
  long len = BIO_get_mem_data(bio.get(), &data);  // NOLINT(runtime/int)
  return std::string(data, static_cast<size_t>(len));
}

PrivateKey NewKey() {
  StatusOr<PrivateKey> key = PrivateKey::Generate();
  EXPECT_TRUE(key.ok()) << key.status();
  return *std::move(key);
}

TEST(EcdsaTest, SignVerifyRoundTrip) {
  PrivateKey key = NewKey();
  StatusOr<std::string> sig = key.Sign("proposal bytes");
  ASSERT_TRUE(sig.ok()) << sig.status();
  EXPECT_TRUE(key.public_key().Verify("proposal bytes", *sig).ok());
  EXPECT_TRUE(key.public_key().VerifyDigest(Sha256("proposal bytes"), *sig).ok());
  StatusOr<std::string> digest_sig = key.SignDigest(Sha256("proposal bytes"));
  ASSERT_TRUE(digest_sig.ok());
  EXPECT_TRUE(key.public_key().Verify("proposal bytes", *digest_sig).ok());
}

TEST(EcdsaTest, EverySignatureIsLowS) {
  PrivateKey key = NewKey();
  Bn half = HalfOrder();
  for (int i = 0; i < 300; ++i) {
    std::string msg = "message " + std::to_string(i);
    StatusOr<std::string> sig = key.Sign(msg);
    ASSERT_TRUE(sig.ok());
    Sig parsed = ParseDer(*sig);
    ASSERT_NE(parsed, nullptr);
    ASSERT_LE(BN_cmp(ECDSA_SIG_get0_s(parsed.get()), half.get()), 0) << "iteration " << i;
    ASSERT_TRUE(key.public_key().Verify(msg, *sig).ok());
  }
}

TEST(EcdsaTest, HighSSignatureIsRejectedWhileLowSOriginalVerifies) {
  PrivateKey key = NewKey();
  std::string low = *key.Sign("tx");
  std::string high = FlipS(low);
  ASSERT_NE(high, low);
  EXPECT_TRUE(key.public_key().Verify("tx", low).ok());
  Status st = key.public_key().Verify("tx", high);
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_EQ(st.message(), "signature has high-S value; Fabric requires low-S");
  // NormalizeLowS turns it back into the original.
  StatusOr<std::string> normalized = NormalizeLowS(high);
  ASSERT_TRUE(normalized.ok());
  EXPECT_EQ(*normalized, low);
  EXPECT_EQ(*NormalizeLowS(low), low);
}

TEST(EcdsaTest, TamperedMessageOrOtherKeyFails) {
  PrivateKey key = NewKey();
  std::string sig = *key.Sign("amount=10");
  Status st = key.public_key().Verify("amount=11", sig);
  EXPECT_TRUE(st.IsInvalidArgument());
  EXPECT_EQ(st.message(), "signature verification failed");
  EXPECT_FALSE(NewKey().public_key().Verify("amount=10", sig).ok());
}

TEST(EcdsaTest, MalformedSignaturesFailWithoutCrashing) {
  PrivateKey key = NewKey();
  const PublicKey& pub = key.public_key();
  std::string sig = *key.Sign("m");
  for (size_t len = 0; len < sig.size(); ++len) {
    Status st = pub.Verify("m", sig.substr(0, len));
    ASSERT_TRUE(st.IsInvalidArgument()) << len;
    EXPECT_THAT(std::string(st.message()), StartsWith("malformed signature")) << len;
  }
  EXPECT_THAT(std::string(pub.Verify("m", sig + '\0').message()), HasSubstr("trailing data"));
  EXPECT_FALSE(pub.Verify("m", "garbage").ok());
  EXPECT_FALSE(pub.Verify("m", std::string(2000, '\x30')).ok());
  // r = 0 and s = 0: SEQUENCE { INTEGER 0, INTEGER 0 }.
  EXPECT_THAT(
      std::string(pub.Verify("m", std::string("\x30\x06\x02\x01\x00\x02\x01\x00", 8)).message()),
      HasSubstr("must be positive"));
  // Every single-byte corruption is refused.
  for (size_t i = 0; i < sig.size(); ++i) {
    std::string bad = sig;
    bad[i] = static_cast<char>(bad[i] ^ 0x01);
    ASSERT_FALSE(pub.Verify("m", bad).ok()) << i;
  }
  EXPECT_FALSE(NormalizeLowS("garbage").ok());
}

TEST(EcdsaTest, DigestMustBe32Bytes) {
  PrivateKey key = NewKey();
  EXPECT_TRUE(key.SignDigest("short").status().IsInvalidArgument());
  EXPECT_TRUE(key.public_key().VerifyDigest("short", *key.Sign("x")).IsInvalidArgument());
}

TEST(EcdsaTest, Pkcs8RoundTrip) {
  PrivateKey key = NewKey();
  std::string pem = key.ToPem();
  EXPECT_THAT(pem, StartsWith("-----BEGIN PRIVATE KEY-----\n"));
  StatusOr<PrivateKey> back = PrivateKey::FromPem(pem);
  ASSERT_TRUE(back.ok()) << back.status();
  EXPECT_EQ(back->public_key(), key.public_key());
  EXPECT_EQ(back->ToPem(), pem);
  EXPECT_TRUE(key.public_key().Verify("x", *back->Sign("x")).ok());
}

TEST(EcdsaTest, ImportsSec1WithAndWithoutEcParameters) {
  Pkey pkey(EVP_EC_gen("P-256"), EVP_PKEY_free);
  std::string sec1 = ToPem(pkey.get(), true, /*traditional=*/true);
  ASSERT_THAT(sec1, StartsWith("-----BEGIN EC PRIVATE KEY-----"));
  StatusOr<PrivateKey> key = PrivateKey::FromPem(sec1);
  ASSERT_TRUE(key.ok()) << key.status();
  StatusOr<PublicKey> expected = PublicKey::FromPem(ToPem(pkey.get(), false));
  ASSERT_TRUE(expected.ok()) << expected.status();
  EXPECT_EQ(key->public_key(), *expected);

  // `openssl ecparam -genkey` output: EC PARAMETERS then EC PRIVATE KEY.
  std::string params =
      "-----BEGIN EC PARAMETERS-----\nBggqhkjOPQMBBw==\n-----END EC PARAMETERS-----\n";
  StatusOr<PrivateKey> with_params = PrivateKey::FromPem(params + sec1);
  ASSERT_TRUE(with_params.ok()) << with_params.status();
  EXPECT_EQ(with_params->public_key(), *expected);
}

TEST(EcdsaTest, PublicKeyPemRoundTrip) {
  PrivateKey key = NewKey();
  std::string pem = key.public_key().ToPem();
  EXPECT_THAT(pem, StartsWith("-----BEGIN PUBLIC KEY-----\n"));
  StatusOr<PublicKey> pub = PublicKey::FromPem(pem);
  ASSERT_TRUE(pub.ok()) << pub.status();
  EXPECT_EQ(*pub, key.public_key());
  EXPECT_TRUE(pub->Verify("m", *key.Sign("m")).ok());
  StatusOr<PublicKey> from_der = PublicKey::FromDer(key.public_key().ToDer());
  ASSERT_TRUE(from_der.ok());
  EXPECT_EQ(*from_der, key.public_key());
}

TEST(EcdsaTest, RejectsGarbageTruncatedEmptyAndWrongTypePem) {
  PrivateKey key = NewKey();
  std::string pem = key.ToPem();
  struct Case {
    std::string input;
    std::string want;
  } cases[] = {
      {"", "parse private key: no pem block found"},
      {"not pem at all", "parse private key: no pem block found"},
      {pem.substr(0, pem.size() / 2), "parse private key: malformed pem block 1"},
      {key.public_key().ToPem(), "parse private key: pem block is PUBLIC KEY, want PRIVATE KEY"},
      {"-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n",
       "parse private key: malformed private key der"},
      {"-----BEGIN ENCRYPTED PRIVATE KEY-----\nAAAA\n-----END ENCRYPTED PRIVATE KEY-----\n",
       "parse private key: encrypted private keys are not supported"},
  };
  for (const Case& c : cases) {
    StatusOr<PrivateKey> parsed = PrivateKey::FromPem(c.input);
    ASSERT_FALSE(parsed.ok()) << c.input;
    EXPECT_TRUE(parsed.status().IsInvalidArgument());
    EXPECT_THAT(std::string(parsed.status().message()), StartsWith(c.want));
  }
  EXPECT_THAT(std::string(PublicKey::FromPem(pem).status().message()),
              HasSubstr("pem block is PRIVATE KEY, want PUBLIC KEY"));
  EXPECT_FALSE(PublicKey::FromDer("").ok());
  EXPECT_FALSE(PublicKey::FromDer(key.public_key().ToDer() + "x").ok());
}

TEST(EcdsaTest, RefusesKeysOnOtherCurvesAndTypes) {
  Pkey p384(EVP_EC_gen("secp384r1"), EVP_PKEY_free);
  ASSERT_NE(p384, nullptr);
  StatusOr<PrivateKey> priv = PrivateKey::FromPem(ToPem(p384.get(), true));
  ASSERT_FALSE(priv.ok());
  EXPECT_EQ(priv.status().message(),
            "parse private key: key is on curve secp384r1, want prime256v1 (P-256)");
  StatusOr<PublicKey> pub = PublicKey::FromPem(ToPem(p384.get(), false));
  ASSERT_FALSE(pub.ok());
  EXPECT_EQ(pub.status().message(),
            "parse public key: key is on curve secp384r1, want prime256v1 (P-256)");

  Pkey rsa(EVP_RSA_gen(1024), EVP_PKEY_free);
  ASSERT_NE(rsa, nullptr);
  StatusOr<PrivateKey> rsa_key = PrivateKey::FromPem(ToPem(rsa.get(), true));
  ASSERT_FALSE(rsa_key.ok());
  EXPECT_EQ(rsa_key.status().message(),
            "parse private key: key type is RSA, want EC prime256v1 (P-256)");
}

TEST(EcdsaTest, SkiIsSha256OfUncompressedPoint) {
  PrivateKey key = NewKey();
  // A P-256 SubjectPublicKeyInfo ends with the 65-byte uncompressed point.
  std::string spki = key.public_key().ToDer();
  ASSERT_EQ(spki.size(), 91u);
  std::string point = spki.substr(spki.size() - 65);
  ASSERT_EQ(point[0], '\x04');
  EXPECT_EQ(key.public_key().UncompressedPoint(), point);
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(point.data()), point.size(), digest);
  EXPECT_EQ(key.public_key().SubjectKeyIdentifier(),
            std::string(reinterpret_cast<char*>(digest), sizeof(digest)));
}

TEST(EcdsaTest, CopiesShareTheKeyAndConcurrentUseIsSafe) {
  PrivateKey key = NewKey();
  PrivateKey copy = key;
  PublicKey pub = key.public_key();
  PrivateKey moved = std::move(copy);
  EXPECT_TRUE(pub.Verify("m", *moved.Sign("m")).ok());
  std::vector<std::thread> threads;
  std::vector<int> failures(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 100; ++i) {
        std::string msg = std::to_string(t) + "/" + std::to_string(i);
        StatusOr<std::string> sig = key.Sign(msg);
        if (!sig.ok() || !pub.Verify(msg, *sig).ok()) {
          ++failures[t];
        }
      }
    });
  }
  for (std::thread& th : threads) {
    th.join();
  }
  EXPECT_EQ(failures, std::vector<int>(4, 0));
}

}  // namespace
}  // namespace fabric::crypto
