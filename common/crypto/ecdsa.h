// SPDX-License-Identifier: Apache-2.0
//
// ECDSA on P-256 (prime256v1) with SHA-256: the only signature scheme of Fabric's default
// BCCSP. Signatures are DER-encoded ECDSA-Sig-Value and always low-S (s <= n/2), as Fabric's
// bccsp/sw produces and requires.
//
// PrivateKey and PublicKey are cheap-to-copy handles on an immutable OpenSSL key (copies share
// it through the EVP_PKEY reference count). Both are thread-safe: Sign and Verify may be called
// concurrently on the same object.

#pragma once

#include <string>
#include <string_view>

#include "fabric/base/status.h"

// OpenSSL's key type, kept opaque here.
typedef struct evp_pkey_st EVP_PKEY;

namespace fabric::crypto {

// A P-256 public key.
class PublicKey {
 public:
  // Parses a PEM "PUBLIC KEY" block (SubjectPublicKeyInfo). InvalidArgument when the input is
  // not such a block, is malformed, or holds a key that is not EC P-256 (the message names the
  // curve or key type found).
  static StatusOr<PublicKey> FromPem(std::string_view pem);

  // Parses DER SubjectPublicKeyInfo. Errors as FromPem.
  static StatusOr<PublicKey> FromDer(std::string_view der);

  // Wraps an OpenSSL key, taking a new reference (the caller keeps its own). InvalidArgument
  // when `pkey` is null or not an EC P-256 key.
  static StatusOr<PublicKey> FromEvpPkey(EVP_PKEY* pkey);

  PublicKey(const PublicKey& other);
  PublicKey& operator=(const PublicKey& other);
  PublicKey(PublicKey&& other) noexcept;
  PublicKey& operator=(PublicKey&& other) noexcept;
  ~PublicKey();

  // Returns the key as a PEM "PUBLIC KEY" block.
  std::string ToPem() const;
  // Returns the key as DER SubjectPublicKeyInfo.
  std::string ToDer() const;

  // Returns OK when `der_signature` is a valid low-S ECDSA signature of SHA-256(message).
  // InvalidArgument otherwise, with the reason: "malformed signature: ...", "signature has
  // high-S value; Fabric requires low-S", or "signature verification failed".
  Status Verify(std::string_view message, std::string_view der_signature) const;

  // As Verify, over a precomputed 32-byte SHA-256 digest.
  Status VerifyDigest(std::string_view digest, std::string_view der_signature) const;

  // Returns the 65-byte uncompressed point 0x04 || X || Y.
  const std::string& UncompressedPoint() const { return point_; }

  // Returns Fabric's Subject Key Identifier: SHA-256 of UncompressedPoint() (32 raw bytes).
  // cryptogen names key files "<hex ski>_sk" and puts it in the certificate's SKI extension.
  std::string SubjectKeyIdentifier() const;

  // Borrowed OpenSSL handle, valid while this object lives. Never null. For other crypto code
  // (e.g. building certificates); callers must not modify the key.
  EVP_PKEY* evp_pkey() const { return pkey_; }

  friend bool operator==(const PublicKey& a, const PublicKey& b) { return a.point_ == b.point_; }

 private:
  PublicKey(EVP_PKEY* owned, std::string point) : pkey_(owned), point_(std::move(point)) {}

  EVP_PKEY* pkey_;     // Owned reference; null only after a move.
  std::string point_;  // Uncompressed point, computed once.
};

// A P-256 private key.
class PrivateKey {
 public:
  // Returns a fresh random key. Internal only if OpenSSL fails.
  static StatusOr<PrivateKey> Generate();

  // Parses a PEM "PRIVATE KEY" (PKCS#8, as Fabric's cryptogen writes to keystore/priv_sk) or
  // "EC PRIVATE KEY" (SEC1) block; an "EC PARAMETERS" block before it is skipped.
  // InvalidArgument when there is no such block, the key is encrypted or malformed, or it is not
  // EC P-256 (e.g. "key is on curve secp384r1, want prime256v1 (P-256)").
  static StatusOr<PrivateKey> FromPem(std::string_view pem);

  PrivateKey(const PrivateKey& other);
  PrivateKey& operator=(const PrivateKey& other);
  PrivateKey(PrivateKey&& other) noexcept;
  PrivateKey& operator=(PrivateKey&& other) noexcept;
  ~PrivateKey();

  // Returns the key as an unencrypted PKCS#8 PEM "PRIVATE KEY" block.
  std::string ToPem() const;

  // Returns the matching public key.
  const PublicKey& public_key() const { return public_key_; }

  // Returns the DER ECDSA signature of SHA-256(message), always low-S. Internal if OpenSSL
  // fails.
  StatusOr<std::string> Sign(std::string_view message) const;

  // As Sign, over a precomputed 32-byte digest. InvalidArgument when the digest is not 32 bytes.
  StatusOr<std::string> SignDigest(std::string_view digest) const;

  // Borrowed OpenSSL handle, valid while this object lives. Never null.
  EVP_PKEY* evp_pkey() const { return pkey_; }

 private:
  PrivateKey(EVP_PKEY* owned, PublicKey pub) : pkey_(owned), public_key_(std::move(pub)) {}
  static StatusOr<PrivateKey> FromOwnedEvpPkey(EVP_PKEY* owned);

  EVP_PKEY* pkey_;  // Owned reference; null only after a move.
  PublicKey public_key_;
};

// Turns on (or off) recognising this process's own recent signatures in PublicKey::Verify:
// while on, PrivateKey::Sign remembers what it signed (a fixed-size table, ~3 MiB) and Verify
// accepts exactly such a signature again without the curve arithmetic (~40 us). The outcome of
// every verification is unchanged; a peer saves one verification per transaction when it
// validates blocks carrying its own endorsements. Off by default; `peer node start` turns it on.
void RememberOwnSignatures(bool on);

// Turns on (the default) or off per-key tables for verification: once 256 verifications with one
// key have succeeded, a table of that key's multiples (~150 KiB, built in ~20 ms on a background
// thread, builds paced, at most 32 kept) cuts each further verification with it to a third
// (~43 -> ~13 us on P-256). The outcome of every verification is unchanged. The environment
// variable FABRIC_P256_KEY_TABLES=off sets the default to off, for comparisons.
void UseKeyTables(bool on);

// Returns `der_signature` with s replaced by n - s when s > n/2 (P-256 order n); low-S
// signatures are returned unchanged. InvalidArgument when it is not a canonical DER
// ECDSA-Sig-Value with 0 < r, s < n. Fabric applies this to signatures made by other tools.
StatusOr<std::string> NormalizeLowS(std::string_view der_signature);

}  // namespace fabric::crypto
