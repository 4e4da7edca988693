// SPDX-License-Identifier: Apache-2.0
#include "common/crypto/ecdsa.h"

#include <array>

#include <openssl/core_names.h>
#include <openssl/ec.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/objects.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include "common/crypto/hash.h"
#include "common/crypto/internal/key_tables.h"
#include "common/crypto/internal/openssl_util.h"
#include "common/crypto/internal/signature_memo.h"
#include "common/crypto/pem.h"
#include "fabric/base/status_macros.h"

namespace fabric::crypto {

using internal::BignumPtr;
using internal::BioPtr;
using internal::ConsumeOpenSslError;
using internal::EcdsaSigPtr;
using internal::EvpPkeyCtxPtr;
using internal::EvpPkeyPtr;

namespace {

constexpr int kCoordinateSize = 32;

// OK when `pkey` is an EC key on P-256.
Status CheckP256(EVP_PKEY* pkey) {
  if (EVP_PKEY_is_a(pkey, "EC") != 1) {
    const char* type = EVP_PKEY_get0_type_name(pkey);
    return InvalidArgumentError(std::string("key type is ") + (type ? type : "unknown") +
                                ", want EC prime256v1 (P-256)");
  }
  char name[80] = {};
  size_t len = 0;
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_GROUP_NAME, name, sizeof(name), &len) !=
      1) {
    ERR_clear_error();
    return InvalidArgumentError("ec key has no named curve, want prime256v1 (P-256)");
  }
  int nid = OBJ_sn2nid(name);
  if (nid == NID_undef) {
    nid = EC_curve_nist2nid(name);
  }
  if (nid != NID_X9_62_prime256v1) {
    return InvalidArgumentError("key is on curve " + std::string(name, len) +
                                ", want prime256v1 (P-256)");
  }
  return Status::OK();
}

// Returns 0x04 || X || Y of an EC P-256 key.
StatusOr<std::string> UncompressedPointOf(EVP_PKEY* pkey) {
  BIGNUM* x_raw = nullptr;
  BIGNUM* y_raw = nullptr;
  int ok_x = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_X, &x_raw);
  int ok_y = EVP_PKEY_get_bn_param(pkey, OSSL_PKEY_PARAM_EC_PUB_Y, &y_raw);
  BignumPtr x(x_raw);
  BignumPtr y(y_raw);
  if (ok_x != 1 || ok_y != 1) {
    return InvalidArgumentError("ec key has no public point: " + ConsumeOpenSslError());
  }
  std::string xs = internal::BignumToFixedBytes(x.get(), kCoordinateSize);
  std::string ys = internal::BignumToFixedBytes(y.get(), kCoordinateSize);
  if (xs.empty() || ys.empty()) {
    return InvalidArgumentError("ec public point coordinate longer than 32 bytes");
  }
  return "\x04" + xs + ys;
}

// True when `der` is SEQUENCE { INTEGER, INTEGER } in DER: minimal lengths (short form, or one
// length byte for 128..255), minimal non-negative integers, nothing after. Every input this
// accepts is the unique DER encoding of its two numbers, so re-encoding it would give it back;
// anything else is left to that slower comparison (and its error messages).
bool IsPlainDerSignature(std::string_view der) {
  auto byte = [&](size_t i) { return static_cast<uint8_t>(der[i]); };
  if (der.size() < 8 || byte(0) != 0x30) {
    return false;
  }
  size_t i = 2;
  size_t length = byte(1);
  if (length >= 0x80) {
    if (length != 0x81 || der.size() < 3 || byte(2) < 0x80) {
      return false;
    }
    length = byte(2);
    i = 3;
  }
  if (i + length != der.size()) {
    return false;
  }
  for (int n = 0; n < 2; ++n) {
    if (i + 2 > der.size() || byte(i) != 0x02 || byte(i + 1) >= 0x80) {
      return false;
    }
    const size_t len = byte(i + 1);
    i += 2;
    if (len == 0 || i + len > der.size() || (byte(i) & 0x80) != 0 ||
        (len > 1 && byte(i) == 0 && (byte(i + 1) & 0x80) == 0)) {
      return false;
    }
    i += len;
  }
  return i == der.size();
}

// Checks r and s of a parsed signature: both positive and below the P-256 group order.
Status CheckSignatureRange(const ECDSA_SIG* sig) {
  const BIGNUM* r = ECDSA_SIG_get0_r(sig);
  const BIGNUM* s = ECDSA_SIG_get0_s(sig);
  if (BN_is_zero(r) || BN_is_negative(r) || BN_is_zero(s) || BN_is_negative(s)) {
    return InvalidArgumentError("malformed signature: r and s must be positive");
  }
  if (BN_cmp(r, internal::P256Order()) >= 0 || BN_cmp(s, internal::P256Order()) >= 0) {
    return InvalidArgumentError("malformed signature: r or s not below the P-256 group order");
  }
  return Status::OK();
}

// Parses a DER ECDSA-Sig-Value strictly: no trailing data, canonical encoding, r and s > 0.
StatusOr<EcdsaSigPtr> ParseCanonicalSignature(std::string_view der) {
  const auto* begin = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* p = begin;
  if (der.empty() || der.size() > 1024) {
    return InvalidArgumentError("malformed signature: length " + std::to_string(der.size()));
  }
  EcdsaSigPtr sig(d2i_ECDSA_SIG(nullptr, &p, static_cast<long>(der.size())));  // NOLINT
  if (sig == nullptr) {
    ERR_clear_error();
    return InvalidArgumentError("malformed signature: not a der ecdsa signature");
  }
  if (p != begin + der.size()) {
    return InvalidArgumentError("malformed signature: trailing data after der signature");
  }
  if (!IsPlainDerSignature(der) && internal::I2dToString(sig.get(), i2d_ECDSA_SIG) != der) {
    return InvalidArgumentError("malformed signature: non-canonical der encoding");
  }
  RETURN_IF_ERROR(CheckSignatureRange(sig.get()));
  return sig;
}

// One DER element header as Go's encoding/asn1 reads it (parseTagAndLength): the identifier
// octet must be `tag`, the length minimal and within `der`. Advances *pos past the header and
// returns the content length.
StatusOr<size_t> ReadGoAsn1Header(std::string_view der, size_t* pos, uint8_t tag) {
  auto malformed = [](std::string_view why) {
    return InvalidArgumentError("malformed signature: " + std::string(why));
  };
  if (*pos + 2 > der.size()) {
    return malformed("truncated tag or length");
  }
  if (static_cast<uint8_t>(der[*pos]) != tag) {
    return malformed("tags don't match");
  }
  const uint8_t first = static_cast<uint8_t>(der[*pos + 1]);
  *pos += 2;
  size_t length = first;
  if (first >= 0x80) {
    const size_t octets = first & 0x7f;
    if (octets == 0) {
      return malformed("indefinite length found (not DER)");
    }
    length = 0;
    for (size_t i = 0; i < octets; ++i) {
      if (*pos >= der.size()) {
        return malformed("truncated tag or length");
      }
      if (length >= (size_t{1} << 23)) {
        return malformed("length too large");
      }
      length = (length << 8) | static_cast<uint8_t>(der[(*pos)++]);
      if (length == 0) {
        return malformed("superfluous leading zeros in length");
      }
    }
    if (length < 0x80) {
      return malformed("non-minimal length");
    }
  }
  if (length > der.size() - *pos) {
    return malformed("data truncated");
  }
  return length;
}

// One INTEGER of the signature as a non-negative BIGNUM; InvalidArgument when it is not a
// minimal encoding, or is negative or zero.
StatusOr<BignumPtr> ReadGoAsn1PositiveInteger(std::string_view der, size_t* pos) {
  ASSIGN_OR_RETURN(size_t length, ReadGoAsn1Header(der, pos, 0x02));
  std::string_view value = der.substr(*pos, length);
  *pos += length;
  if (value.empty()) {
    return InvalidArgumentError("malformed signature: empty integer");
  }
  const auto byte = [&](size_t i) { return static_cast<uint8_t>(value[i]); };
  if (value.size() > 1 &&
      ((byte(0) == 0 && (byte(1) & 0x80) == 0) || (byte(0) == 0xff && (byte(1) & 0x80) != 0))) {
    return InvalidArgumentError("malformed signature: integer not minimally-encoded");
  }
  if ((byte(0) & 0x80) != 0 || (value.size() == 1 && byte(0) == 0)) {
    return InvalidArgumentError("malformed signature: r and s must be positive");
  }
  BignumPtr n(BN_bin2bn(reinterpret_cast<const unsigned char*>(value.data()),
                        static_cast<int>(value.size()), nullptr));
  FABRIC_CHECK(n != nullptr);
  return n;
}

// Parses a signature the way Fabric does (bccsp/utils.UnmarshalECDSASignature with Go's
// encoding/asn1): the SEQUENCE and its two INTEGERs must be DER, but bytes after the SEQUENCE
// and bytes inside it after s are ignored, whatever they are. r and s must be positive and
// below the group order. Signatures in plain DER take the fast path.
StatusOr<EcdsaSigPtr> ParseSignatureAsFabric(std::string_view der) {
  if (IsPlainDerSignature(der)) {
    return ParseCanonicalSignature(der);
  }
  if (der.empty()) {
    return InvalidArgumentError("malformed signature: empty");
  }
  size_t pos = 0;
  ASSIGN_OR_RETURN(size_t length, ReadGoAsn1Header(der, &pos, 0x30));
  std::string_view content = der.substr(pos, length);
  size_t inner = 0;
  ASSIGN_OR_RETURN(BignumPtr r, ReadGoAsn1PositiveInteger(content, &inner));
  ASSIGN_OR_RETURN(BignumPtr s, ReadGoAsn1PositiveInteger(content, &inner));
  EcdsaSigPtr sig(ECDSA_SIG_new());
  FABRIC_CHECK(sig != nullptr && ECDSA_SIG_set0(sig.get(), r.get(), s.get()) == 1);
  r.release();
  s.release();
  RETURN_IF_ERROR(CheckSignatureRange(sig.get()));
  return sig;
}

StatusOr<EVP_PKEY*> ParsePrivateKeyDer(std::string_view der) {
  const auto* begin = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* p = begin;
  EVP_PKEY* pkey = d2i_AutoPrivateKey(nullptr, &p, static_cast<long>(der.size()));  // NOLINT
  if (pkey == nullptr) {
    return InvalidArgumentError("malformed private key der: " + ConsumeOpenSslError());
  }
  return pkey;
}

// An initialised EVP_PKEY_CTX for `key` and one operation, kept per thread. Creating and
// initialising a context fetches the provider's implementation under OpenSSL's locks (~2.5 us
// of a 40 us verification, more under contention), and one context must not be used by two
// threads at once. Each context holds a reference to its key, so the address of a cached key
// cannot be reused by another key while it is cached. Null when OpenSSL fails.
enum class KeyOp { kSign, kVerify };

EVP_PKEY_CTX* ThreadContext(EVP_PKEY* key, KeyOp op) {
  struct Entry {
    EVP_PKEY* key = nullptr;
    KeyOp op = KeyOp::kSign;
    EvpPkeyCtxPtr ctx;
  };
  thread_local std::array<Entry, 8> cache;  // the keys this thread used last
  thread_local size_t next = 0;             // replaced in turn
  for (Entry& e : cache) {
    if (e.ctx != nullptr && e.key == key && e.op == op) {
      return e.ctx.get();
    }
  }
  EvpPkeyCtxPtr ctx(EVP_PKEY_CTX_new_from_pkey(nullptr, key, nullptr));
  if (ctx == nullptr ||
      (op == KeyOp::kSign ? EVP_PKEY_sign_init(ctx.get()) : EVP_PKEY_verify_init(ctx.get())) != 1) {
    return nullptr;
  }
  Entry& e = cache[next++ % cache.size()];
  e.key = key;
  e.op = op;
  e.ctx = std::move(ctx);
  return e.ctx.get();
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// PublicKey

StatusOr<PublicKey> PublicKey::FromEvpPkey(EVP_PKEY* pkey) {
  if (pkey == nullptr) {
    return InvalidArgumentError("null public key");
  }
  RETURN_IF_ERROR(CheckP256(pkey));
  // OpenSSL remembers the form the point was encoded in. Go's x509 (and so Fabric's MSP)
  // accepts only uncompressed points: a certificate with a compressed or hybrid one is invalid.
  char form[32] = {0};
  if (EVP_PKEY_get_utf8_string_param(pkey, OSSL_PKEY_PARAM_EC_POINT_CONVERSION_FORMAT, form,
                                     sizeof(form), nullptr) == 1 &&
      std::string_view(form) != OSSL_PKEY_EC_POINT_CONVERSION_FORMAT_UNCOMPRESSED) {
    return InvalidArgumentError("public key point is " + std::string(form) +
                                "; only uncompressed points are accepted (as Go's x509)");
  }
  ERR_clear_error();
  ASSIGN_OR_RETURN(std::string point, UncompressedPointOf(pkey));
  FABRIC_CHECK(EVP_PKEY_up_ref(pkey) == 1);
  return PublicKey(pkey, std::move(point));
}

StatusOr<PublicKey> PublicKey::FromDer(std::string_view der) {
  ERR_clear_error();
  const auto* begin = reinterpret_cast<const unsigned char*>(der.data());
  const unsigned char* p = begin;
  EvpPkeyPtr pkey(d2i_PUBKEY(nullptr, &p, static_cast<long>(der.size())));  // NOLINT
  if (pkey == nullptr) {
    return InvalidArgumentError("parse public key: malformed SubjectPublicKeyInfo: " +
                                ConsumeOpenSslError());
  }
  if (p != begin + der.size()) {
    return InvalidArgumentError("parse public key: trailing data after SubjectPublicKeyInfo");
  }
  StatusOr<PublicKey> key = FromEvpPkey(pkey.get());
  if (!key.ok()) {
    return key.status().Annotate("parse public key");
  }
  return key;
}

StatusOr<PublicKey> PublicKey::FromPem(std::string_view pem) {
  StatusOr<std::vector<PemBlock>> blocks = DecodePem(pem);
  if (!blocks.ok()) {
    return blocks.status().Annotate("parse public key");
  }
  const PemBlock& block = blocks->front();
  if (block.type != "PUBLIC KEY") {
    return InvalidArgumentError("parse public key: pem block is " + block.type +
                                ", want PUBLIC KEY");
  }
  return FromDer(block.der);
}

PublicKey::PublicKey(const PublicKey& other) : pkey_(other.pkey_), point_(other.point_) {
  if (pkey_ != nullptr) {
    FABRIC_CHECK(EVP_PKEY_up_ref(pkey_) == 1);
  }
}

PublicKey& PublicKey::operator=(const PublicKey& other) {
  if (this != &other) {
    PublicKey copy(other);
    *this = std::move(copy);
  }
  return *this;
}

PublicKey::PublicKey(PublicKey&& other) noexcept
    : pkey_(std::exchange(other.pkey_, nullptr)), point_(std::move(other.point_)) {}

PublicKey& PublicKey::operator=(PublicKey&& other) noexcept {
  if (this != &other) {
    EVP_PKEY_free(pkey_);
    pkey_ = std::exchange(other.pkey_, nullptr);
    point_ = std::move(other.point_);
  }
  return *this;
}

PublicKey::~PublicKey() { EVP_PKEY_free(pkey_); }

std::string PublicKey::ToDer() const { return internal::I2dToString(pkey_, i2d_PUBKEY); }

std::string PublicKey::ToPem() const { return EncodePem("PUBLIC KEY", ToDer()); }

std::string PublicKey::SubjectKeyIdentifier() const { return Sha256(point_); }

Status PublicKey::Verify(std::string_view message, std::string_view der_signature) const {
  return VerifyDigest(Sha256(message), der_signature);
}

Status PublicKey::VerifyDigest(std::string_view digest, std::string_view der_signature) const {
  if (digest.size() != kSha256Size) {
    return InvalidArgumentError("verify: digest is " + std::to_string(digest.size()) +
                                " bytes, want 32");
  }
  ASSIGN_OR_RETURN(EcdsaSigPtr sig, ParseSignatureAsFabric(der_signature));
  if (BN_cmp(ECDSA_SIG_get0_s(sig.get()), internal::P256HalfOrder()) > 0) {
    return InvalidArgumentError("signature has high-S value; Fabric requires low-S");
  }
  // A signature this process made over this digest with this key needs no curve arithmetic.
  if (internal::SignatureMemo::enabled() &&
      internal::SignatureMemo::Instance().Holds(point_, digest, der_signature)) {
    return Status::OK();
  }
  // A key met often has a table of its multiples: the same equation, half the arithmetic.
  const bool tables = internal::KeyTables::enabled();
  if (tables) {
    if (auto table = internal::KeyTables::Instance().Find(point_)) {
      switch (table->Verify(digest, sig.get())) {
        case 1:
          return Status::OK();
        case 0:
          return InvalidArgumentError("signature verification failed");
        default:
          break;  // OpenSSL failed: EVP_PKEY_verify below decides.
      }
    }
  }
  EVP_PKEY_CTX* ctx = ThreadContext(pkey_, KeyOp::kVerify);
  if (ctx == nullptr) {
    return InternalError("verify: " + ConsumeOpenSslError());
  }
  // OpenSSL verifies DER only: a signature Fabric also accepts in another encoding is verified
  // as the DER encoding of its r and s.
  std::string reencoded;
  if (!IsPlainDerSignature(der_signature)) {
    reencoded = internal::I2dToString(sig.get(), i2d_ECDSA_SIG);
    der_signature = reencoded;
  }
  int rc = EVP_PKEY_verify(ctx, reinterpret_cast<const unsigned char*>(der_signature.data()),
                           der_signature.size(),
                           reinterpret_cast<const unsigned char*>(digest.data()), digest.size());
  ERR_clear_error();
  if (rc != 1) {
    return InvalidArgumentError("signature verification failed");
  }
  if (tables) {
    internal::KeyTables::Instance().CountValid(point_);
  }
  return Status::OK();
}

// ---------------------------------------------------------------------------------------------
// PrivateKey

StatusOr<PrivateKey> PrivateKey::FromOwnedEvpPkey(EVP_PKEY* owned) {
  EvpPkeyPtr pkey(owned);
  RETURN_IF_ERROR(CheckP256(pkey.get()));
  // A key file may carry a public key that is not its scalar's: this process would then trust
  // its own signatures (the signature memo checks the stored public key) while every other node
  // refuses them.
  {
    std::unique_ptr<EVP_PKEY_CTX, decltype(&EVP_PKEY_CTX_free)> ctx(
        EVP_PKEY_CTX_new_from_pkey(nullptr, pkey.get(), nullptr), EVP_PKEY_CTX_free);
    if (ctx == nullptr || EVP_PKEY_pairwise_check(ctx.get()) != 1) {
      ERR_clear_error();
      return InvalidArgumentError(
          "private key: its public key does not match its private scalar (corrupt or tampered "
          "key file)");
    }
  }
  // A public-only copy, so public_key() never carries the secret.
  std::string spki = internal::I2dToString(pkey.get(), i2d_PUBKEY);
  if (spki.empty()) {
    return InternalError("encode public key: " + ConsumeOpenSslError());
  }
  ASSIGN_OR_RETURN(PublicKey pub, PublicKey::FromDer(spki));
  return PrivateKey(pkey.release(), std::move(pub));
}

StatusOr<PrivateKey> PrivateKey::Generate() {
  ERR_clear_error();
  EVP_PKEY* pkey = EVP_EC_gen("P-256");
  if (pkey == nullptr) {
    return InternalError("generate ec key: " + ConsumeOpenSslError());
  }
  return FromOwnedEvpPkey(pkey);
}

StatusOr<PrivateKey> PrivateKey::FromPem(std::string_view pem) {
  ERR_clear_error();
  StatusOr<std::vector<PemBlock>> blocks = DecodePem(pem);
  if (!blocks.ok()) {
    return blocks.status().Annotate("parse private key");
  }
  for (const PemBlock& block : *blocks) {
    if (block.type == "EC PARAMETERS") {
      continue;
    }
    if (block.type == "ENCRYPTED PRIVATE KEY") {
      return InvalidArgumentError("parse private key: encrypted private keys are not supported");
    }
    if (block.type != "PRIVATE KEY" && block.type != "EC PRIVATE KEY") {
      return InvalidArgumentError("parse private key: pem block is " + block.type +
                                  ", want PRIVATE KEY or EC PRIVATE KEY");
    }
    StatusOr<EVP_PKEY*> pkey = ParsePrivateKeyDer(block.der);
    StatusOr<PrivateKey> key = pkey.ok() ? FromOwnedEvpPkey(*pkey) : pkey.status();
    if (!key.ok()) {
      return key.status().Annotate("parse private key");
    }
    return key;
  }
  return InvalidArgumentError("parse private key: no PRIVATE KEY pem block found");
}

PrivateKey::PrivateKey(const PrivateKey& other)
    : pkey_(other.pkey_), public_key_(other.public_key_) {
  if (pkey_ != nullptr) {
    FABRIC_CHECK(EVP_PKEY_up_ref(pkey_) == 1);
  }
}

PrivateKey& PrivateKey::operator=(const PrivateKey& other) {
  if (this != &other) {
    PrivateKey copy(other);
    *this = std::move(copy);
  }
  return *this;
}

PrivateKey::PrivateKey(PrivateKey&& other) noexcept
    : pkey_(std::exchange(other.pkey_, nullptr)), public_key_(std::move(other.public_key_)) {}

PrivateKey& PrivateKey::operator=(PrivateKey&& other) noexcept {
  if (this != &other) {
    EVP_PKEY_free(pkey_);
    pkey_ = std::exchange(other.pkey_, nullptr);
    public_key_ = std::move(other.public_key_);
  }
  return *this;
}

PrivateKey::~PrivateKey() { EVP_PKEY_free(pkey_); }

std::string PrivateKey::ToPem() const {
  BioPtr bio(BIO_new(BIO_s_mem()));
  FABRIC_CHECK(bio != nullptr);
  FABRIC_CHECK(
      PEM_write_bio_PKCS8PrivateKey(bio.get(), pkey_, nullptr, nullptr, 0, nullptr, nullptr) == 1);
  return internal::BioContents(bio.get());
}

StatusOr<std::string> PrivateKey::Sign(std::string_view message) const {
  return SignDigest(Sha256(message));
}

StatusOr<std::string> PrivateKey::SignDigest(std::string_view digest) const {
  if (digest.size() != kSha256Size) {
    return InvalidArgumentError("sign: digest is " + std::to_string(digest.size()) +
                                " bytes, want 32");
  }
  EVP_PKEY_CTX* ctx = ThreadContext(pkey_, KeyOp::kSign);
  size_t len = 0;
  const auto* md = reinterpret_cast<const unsigned char*>(digest.data());
  if (ctx == nullptr || EVP_PKEY_sign(ctx, nullptr, &len, md, digest.size()) != 1) {
    return InternalError("sign: " + ConsumeOpenSslError());
  }
  std::string sig(len, '\0');
  if (EVP_PKEY_sign(ctx, reinterpret_cast<unsigned char*>(sig.data()), &len, md, digest.size()) !=
      1) {
    return InternalError("sign: " + ConsumeOpenSslError());
  }
  sig.resize(len);
  ASSIGN_OR_RETURN(std::string low_s, NormalizeLowS(sig));
  if (internal::SignatureMemo::enabled()) {
    internal::SignatureMemo::Instance().Remember(public_key_.UncompressedPoint(), digest, low_s);
  }
  return low_s;
}

void RememberOwnSignatures(bool on) { internal::SignatureMemo::set_enabled(on); }

void UseKeyTables(bool on) { internal::KeyTables::set_enabled(on); }

StatusOr<std::string> NormalizeLowS(std::string_view der_signature) {
  ASSIGN_OR_RETURN(EcdsaSigPtr sig, ParseCanonicalSignature(der_signature));
  const BIGNUM* s = ECDSA_SIG_get0_s(sig.get());
  if (BN_cmp(s, internal::P256HalfOrder()) <= 0) {
    return std::string(der_signature);
  }
  BignumPtr r(BN_dup(ECDSA_SIG_get0_r(sig.get())));
  BignumPtr low_s(BN_new());
  FABRIC_CHECK(r != nullptr && low_s != nullptr);
  FABRIC_CHECK(BN_sub(low_s.get(), internal::P256Order(), s) == 1);
  FABRIC_CHECK(ECDSA_SIG_set0(sig.get(), r.release(), low_s.release()) == 1);
  std::string out = internal::I2dToString(sig.get(), i2d_ECDSA_SIG);
  FABRIC_CHECK(!out.empty());
  return out;
}

}  // namespace fabric::crypto
