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
#include <openssl/x509.h>

#include "common/crypto/hash.h"
#include "common/crypto/internal/signature_memo.h"
#include "common/crypto/pem.h"
#include "common/crypto/testing/der_signature.h"

namespace fabric::crypto {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// Test-side OpenSSL helpers, independent of the code under test.
using testing::Bn;
using testing::EncodeDer;
using testing::ParseDer;
using testing::Sig;
using Pkey = std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)>;
using Bio = std::unique_ptr<BIO, decltype(&BIO_free)>;

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
  // Fabric decodes signatures with Go's encoding/asn1, which ignores bytes after the DER
  // SEQUENCE: so does Verify (integration/parity has Fabric's verdicts on 666 encodings).
  EXPECT_TRUE(pub.Verify("m", sig + '\0').ok());
  EXPECT_FALSE(pub.Verify("m", sig.substr(0, sig.size() - 1) + '\0').ok());
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

// BER variants of a valid signature (same r and s, not DER) are refused: a long-form length
// where the short form fits, and an integer padded with a zero byte it does not need.
TEST(EcdsaTest, NonDerEncodingsOfAValidSignatureAreRefused) {
  PrivateKey key = NewKey();
  const PublicKey& pub = key.public_key();
  for (int i = 0; i < 50; ++i) {
    const std::string msg = "m" + std::to_string(i);
    const std::string sig = *key.Sign(msg);
    ASSERT_TRUE(pub.Verify(msg, sig).ok());
    ASSERT_LT(static_cast<uint8_t>(sig[1]), 0x80);
    std::string long_form = "\x30\x81" + sig.substr(1);
    Status st = pub.Verify(msg, long_form);
    EXPECT_THAT(std::string(st.message()), StartsWith("malformed signature")) << i;
    // r padded: 02 len+1 00 r, the sequence length one more.
    const size_t rlen = static_cast<uint8_t>(sig[3]);
    std::string padded = sig;
    padded[1] = static_cast<char>(sig[1] + 1);
    padded[3] = static_cast<char>(rlen + 1);
    padded.insert(4, 1, '\0');
    if ((static_cast<uint8_t>(sig[4]) & 0x80) == 0 && sig[4] != 0) {
      st = pub.Verify(msg, padded);
      EXPECT_THAT(std::string(st.message()), StartsWith("malformed signature")) << i;
    }
  }
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

TEST(EcdsaTest, KeyFileWhosePublicKeyIsNotItsScalarsIsRefused) {
  Pkey a(EVP_EC_gen("P-256"), EVP_PKEY_free);
  PrivateKey b = NewKey();
  // SEC1 ECPrivateKey ends with the public key: BIT STRING { 0x04 || X || Y }.
  unsigned char* der = nullptr;
  int len = i2d_PrivateKey(a.get(), &der);
  ASSERT_GT(len, 65);
  std::string sec1(reinterpret_cast<char*>(der), len);
  OPENSSL_free(der);
  ASSERT_EQ(sec1.substr(sec1.size() - 65, 1), "\x04");
  const std::string pem = EncodePem("EC PRIVATE KEY", sec1);
  ASSERT_TRUE(PrivateKey::FromPem(pem).ok());
  sec1.replace(sec1.size() - 65, 65, b.public_key().UncompressedPoint());
  StatusOr<PrivateKey> mixed = PrivateKey::FromPem(EncodePem("EC PRIVATE KEY", sec1));
  ASSERT_FALSE(mixed.ok());
  EXPECT_THAT(std::string(mixed.status().message()), HasSubstr("does not match"));
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

// A low-S signature of SHA-256(message) made by plain OpenSSL, outside PrivateKey.
std::string SignOutside(EVP_PKEY* pkey, const std::string& message) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new(pkey, nullptr),
                                                                  EVP_PKEY_CTX_free);
  size_t len = 0;
  EXPECT_EQ(EVP_PKEY_sign_init(ctx.get()), 1);
  EXPECT_EQ(EVP_PKEY_sign(ctx.get(), nullptr, &len, digest, sizeof(digest)), 1);
  std::string sig(len, '\0');
  EXPECT_EQ(EVP_PKEY_sign(ctx.get(), reinterpret_cast<unsigned char*>(sig.data()), &len, digest,
                          sizeof(digest)),
            1);
  sig.resize(len);
  Sig parsed = ParseDer(sig);
  Bn half = HalfOrder();
  return BN_cmp(ECDSA_SIG_get0_s(parsed.get()), half.get()) > 0 ? FlipS(sig) : sig;
}

// True when plain OpenSSL accepts `sig` over SHA-256(message) under `pkey`.
bool VerifiesOutside(EVP_PKEY* pkey, const std::string& message, const std::string& sig) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(message.data()), message.size(), digest);
  std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(EVP_PKEY_CTX_new(pkey, nullptr),
                                                                  EVP_PKEY_CTX_free);
  return EVP_PKEY_verify_init(ctx.get()) == 1 &&
         EVP_PKEY_verify(ctx.get(), reinterpret_cast<const unsigned char*>(sig.data()), sig.size(),
                         digest, sizeof(digest)) == 1;
}

TEST(EcdsaTest, OwnSignaturesVerifyWithPlainOpenSsl) {
  PrivateKey key = NewKey();
  for (int i = 0; i < 20; ++i) {
    std::string msg = "endorsement " + std::to_string(i);
    StatusOr<std::string> sig = key.Sign(msg);
    ASSERT_TRUE(sig.ok());
    EXPECT_TRUE(VerifiesOutside(key.public_key().evp_pkey(), msg, *sig)) << i;
  }
}

// Signatures this process made are recognised by the memo (internal/signature_memo.h); every
// other input still goes through the full verification, with the same outcome as before.
TEST(EcdsaTest, OwnSignaturesAreRecognisedEverythingElseIsVerified) {
  auto& memo = internal::SignatureMemo::Instance();
  PrivateKey key = NewKey();
  // Off by default: a signature made now is not remembered.
  const std::string unremembered = *key.Sign("before");
  struct TurnedOn {  // Off again however the test ends.
    TurnedOn() { RememberOwnSignatures(true); }
    ~TurnedOn() { RememberOwnSignatures(false); }
  } on;
  uint64_t before = memo.hits();
  EXPECT_TRUE(key.public_key().Verify("before", unremembered).ok());
  EXPECT_EQ(memo.hits(), before);
  PrivateKey other = NewKey();
  const std::string sig = *key.Sign("block 7 tx 3");

  uint64_t hits = memo.hits();
  EXPECT_TRUE(key.public_key().Verify("block 7 tx 3", sig).ok());
  EXPECT_EQ(memo.hits(), hits + 1);
  // A copy of the public key parsed from its encoding (as a certificate would give) too.
  StatusOr<PublicKey> parsed = PublicKey::FromDer(key.public_key().ToDer());
  ASSERT_TRUE(parsed.ok());
  EXPECT_TRUE(parsed->Verify("block 7 tx 3", sig).ok());
  EXPECT_EQ(memo.hits(), hits + 2);

  // Other message, other key, altered signature, high-S twin: refused as before, no hit.
  hits = memo.hits();
  EXPECT_EQ(key.public_key().Verify("block 7 tx 4", sig).message(),
            "signature verification failed");
  EXPECT_FALSE(other.public_key().Verify("block 7 tx 3", sig).ok());
  std::string altered = sig;
  altered[altered.size() - 1] ^= 0x01;
  EXPECT_FALSE(key.public_key().Verify("block 7 tx 3", altered).ok());
  EXPECT_EQ(key.public_key().Verify("block 7 tx 3", FlipS(sig)).message(),
            "signature has high-S value; Fabric requires low-S");
  EXPECT_EQ(memo.hits(), hits);

  // A valid signature made elsewhere with the same key is verified in full and accepted.
  const std::string outside = SignOutside(key.evp_pkey(), "made by another process");
  EXPECT_TRUE(key.public_key().Verify("made by another process", outside).ok());
  EXPECT_EQ(memo.hits(), hits);
  std::string bad_outside = outside;
  bad_outside[bad_outside.size() - 1] ^= 0x01;
  EXPECT_FALSE(key.public_key().Verify("made by another process", bad_outside).ok());

  // Turned off, even a remembered signature takes the full verification.
  RememberOwnSignatures(false);
  EXPECT_TRUE(key.public_key().Verify("block 7 tx 3", sig).ok());
  EXPECT_EQ(memo.hits(), hits);
}

TEST(SignatureMemoTest, HoldsOnlyWhatWasRememberedUntilOverwritten) {
  internal::SignatureMemo memo;
  const std::string point(65, '\x04'), other_point(65, '\x05');
  const std::string digest = Sha256("d"), sig(70, 's');
  EXPECT_FALSE(memo.Holds(point, digest, sig));
  memo.Remember(point, digest, sig);
  EXPECT_TRUE(memo.Holds(point, digest, sig));
  EXPECT_FALSE(memo.Holds(other_point, digest, sig));
  EXPECT_FALSE(memo.Holds(point, Sha256("e"), sig));
  EXPECT_FALSE(memo.Holds(point, digest, std::string(70, 't')));
  EXPECT_FALSE(memo.Holds(point, digest, std::string(71, 's')));
  EXPECT_FALSE(memo.Holds(point, digest, ""));
  // Too long to be a P-256 signature: never recorded.
  memo.Remember(point, Sha256("long"), std::string(73, 's'));
  EXPECT_FALSE(memo.Holds(point, Sha256("long"), std::string(73, 's')));
  // Nor a key longer than a P-256 point.
  memo.Remember(std::string(100, 'p'), digest, sig);
  EXPECT_FALSE(memo.Holds(std::string(100, 'p'), digest, sig));
  // Filling every slot many times over forgets old entries; it never grows.
  for (size_t i = 0; i < 4 * internal::SignatureMemo::kSlots; ++i) {
    memo.Remember(point, Sha256(std::to_string(i)), sig);
  }
  size_t held = 0;
  for (size_t i = 0; i < 4 * internal::SignatureMemo::kSlots; ++i) {
    held += memo.Holds(point, Sha256(std::to_string(i)), sig) ? 1 : 0;
  }
  EXPECT_LE(held, internal::SignatureMemo::kSlots);
  EXPECT_GT(held, internal::SignatureMemo::kSlots / 2);
  EXPECT_EQ(memo.hits(), held + 1);
}

// Signatures of the first kMaxSigners keys are remembered; a further key's are not (its
// verifications take the full path), and the earlier keys' entries stay.
TEST(SignatureMemoTest, RemembersTheSignaturesOfAFewKeysOnly) {
  internal::SignatureMemo memo;
  const std::string digest = Sha256("d"), sig(70, 's');
  auto point = [](size_t i) { return std::string(64, static_cast<char>('a' + i)) + "\x04"; };
  for (size_t i = 0; i <= internal::SignatureMemo::kMaxSigners; ++i) {
    memo.Remember(point(i), Sha256(std::to_string(i)), sig);
  }
  for (size_t i = 0; i < internal::SignatureMemo::kMaxSigners; ++i) {
    EXPECT_TRUE(memo.Holds(point(i), Sha256(std::to_string(i)), sig)) << i;
  }
  const size_t extra = internal::SignatureMemo::kMaxSigners;
  EXPECT_FALSE(memo.Holds(point(extra), Sha256(std::to_string(extra)), sig));
  // A known signer keeps being remembered.
  memo.Remember(point(1), digest, sig);
  EXPECT_TRUE(memo.Holds(point(1), digest, sig));
  EXPECT_EQ(memo.hits(), internal::SignatureMemo::kMaxSigners + 1);
}

// Each thread keeps initialised OpenSSL contexts for the keys it used last (ecdsa.cc): keys that
// come and go, more keys than the cache holds, and failures between successes must not mix up.
TEST(EcdsaTest, ManyShortLivedKeysOnOneThread) {
  std::string previous_sig;
  std::unique_ptr<PublicKey> previous_key;
  for (int i = 0; i < 40; ++i) {
    PrivateKey key = NewKey();
    const std::string msg = "tx " + std::to_string(i);
    StatusOr<std::string> sig = key.Sign(msg);
    ASSERT_TRUE(sig.ok()) << sig.status();
    EXPECT_TRUE(VerifiesOutside(key.public_key().evp_pkey(), msg, *sig)) << i;
    EXPECT_TRUE(key.public_key().Verify(msg, *sig).ok()) << i;
    EXPECT_FALSE(key.public_key().Verify(msg + "!", *sig).ok()) << i;
    if (previous_key != nullptr) {
      EXPECT_FALSE(previous_key->Verify(msg, *sig).ok()) << i;
      EXPECT_FALSE(key.public_key().Verify("tx " + std::to_string(i - 1), previous_sig).ok()) << i;
      EXPECT_TRUE(previous_key->Verify("tx " + std::to_string(i - 1), previous_sig).ok()) << i;
    }
    EXPECT_TRUE(key.public_key().Verify(msg, *sig).ok()) << i;
    previous_key = std::make_unique<PublicKey>(key.public_key());
    previous_sig = *sig;
  }
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
