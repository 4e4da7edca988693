// SPDX-License-Identifier: Apache-2.0
//
// VerifyChain: certificate path validation with OpenSSL's X509_STORE.
#include <optional>
#include <string>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

#include "common/crypto/internal/openssl_util.h"
#include "common/crypto/x509.h"
#include "fabric/base/status_macros.h"

namespace fabric::crypto {
namespace {

// Names an X509_verify_cert error; times are shown for validity errors on `cert`.
std::string Reason(int err, const Certificate* cert, TimePoint at) {
  switch (err) {
    case X509_V_ERR_CERT_HAS_EXPIRED:
      return "certificate has expired" + (cert ? " (notAfter " + FormatTime(cert->NotAfter()) +
                                                     ", checked at " + FormatTime(at) + ")"
                                               : std::string());
    case X509_V_ERR_CERT_NOT_YET_VALID:
      return "certificate is not yet valid" +
             (cert ? " (notBefore " + FormatTime(cert->NotBefore()) + ", checked at " +
                         FormatTime(at) + ")"
                   : std::string());
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT:
    case X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY:
    case X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE:
    case X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT:
    case X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN:
      return "certificate signed by unknown authority";
    case X509_V_ERR_CERT_SIGNATURE_FAILURE:
      return "certificate signature is invalid";
    default:
      return X509_verify_cert_error_string(err);
  }
}

// Describes why X509_verify_cert failed, naming the certificate it failed on.
Status ChainError(X509_STORE_CTX* ctx, TimePoint at) {
  X509* current = X509_STORE_CTX_get_current_cert(ctx);
  std::optional<Certificate> cert;
  if (current != nullptr) {
    cert = Certificate::FromX509(current);
  }
  std::string msg = "verify certificate chain: " +
                    Reason(X509_STORE_CTX_get_error(ctx), cert ? &*cert : nullptr, at);
  if (cert) {
    msg += " [subject " + cert->Subject() + "]";
  }
  ERR_clear_error();
  return InvalidArgumentError(msg);
}

// A store trusting `roots`; null on allocation failure.
internal::X509StorePtr TrustStore(const std::vector<Certificate>& roots) {
  internal::X509StorePtr store(X509_STORE_new());
  if (store == nullptr) {
    return nullptr;
  }
  for (const Certificate& root : roots) {
    // Fails only for a duplicate (harmless) or allocation failure.
    X509_STORE_add_cert(store.get(), root.x509());
  }
  ERR_clear_error();
  return store;
}

}  // namespace

StatusOr<std::vector<Certificate>> VerifyChainAndGet(const Certificate& leaf,
                                                     const std::vector<Certificate>& roots,
                                                     const std::vector<Certificate>& intermediates,
                                                     TimePoint at) {
  return VerifyChainAndGet(leaf, roots, intermediates, at, VerifyOptions{});
}

StatusOr<std::vector<Certificate>> VerifyChainAndGet(const Certificate& leaf,
                                                     const std::vector<Certificate>& roots,
                                                     const std::vector<Certificate>& intermediates,
                                                     TimePoint at, const VerifyOptions& options) {
  ERR_clear_error();
  internal::X509StorePtr store = TrustStore(roots);
  internal::X509StackPtr untrusted(sk_X509_new_null());
  internal::X509StoreCtxPtr ctx(X509_STORE_CTX_new());
  if (store == nullptr || untrusted == nullptr || ctx == nullptr) {
    return InternalError("verify certificate chain: out of memory");
  }
  for (const Certificate& cert : intermediates) {
    FABRIC_CHECK(X509_up_ref(cert.x509()) == 1);
    if (sk_X509_push(untrusted.get(), cert.x509()) <= 0) {
      X509_free(cert.x509());
      return InternalError("verify certificate chain: out of memory");
    }
  }
  if (X509_STORE_CTX_init(ctx.get(), store.get(), leaf.x509(), untrusted.get()) != 1) {
    return InternalError("verify certificate chain: " + internal::ConsumeOpenSslError());
  }
  X509_STORE_CTX_set_time(ctx.get(), 0, std::chrono::system_clock::to_time_t(at));
  if (options.any_root_is_anchor) {
    X509_STORE_CTX_set_flags(ctx.get(), X509_V_FLAG_PARTIAL_CHAIN);
  }
  if (X509_verify_cert(ctx.get()) != 1) {
    return ChainError(ctx.get(), at);
  }
  STACK_OF(X509)* chain = X509_STORE_CTX_get0_chain(ctx.get());
  std::vector<Certificate> out;
  for (int i = 0; chain != nullptr && i < sk_X509_num(chain); ++i) {
    out.push_back(Certificate::FromX509(sk_X509_value(chain, i)));
  }
  ERR_clear_error();
  return out;
}

Status VerifyChain(const Certificate& leaf, const std::vector<Certificate>& roots,
                   const std::vector<Certificate>& intermediates, TimePoint at) {
  StatusOr<std::vector<Certificate>> chain = VerifyChainAndGet(leaf, roots, intermediates, at);
  return chain.ok() ? Status::OK() : chain.status();
}

}  // namespace fabric::crypto
