// SPDX-License-Identifier: Apache-2.0
//
// Authenticator: the chaincode listener's TLS trust, as Fabric 1.4 builds it
// (core/chaincode/accesscontrol/{access,mapper}.go and common/crypto/tlsgen).
//
// At peer start the peer creates an ephemeral, in-memory CA (a fresh P-256 key and a
// self-signed certificate that never leaves the process except as a trust root). The chaincode
// listener serves a server certificate issued by that CA (SANs = the chaincode endpoint hosts),
// and trusts only client certificates issued by it. For every launch, ChaincodeSupport asks
// Generate(ccid) for a fresh client key and certificate (CN = ccid); the SHA-256 of the
// certificate's DER is remembered as belonging to `ccid` for `ttl` (Fabric: 10 minutes, enough
// for the chaincode to connect). On REGISTER, Authenticate checks that the stream's TLS client
// certificate was issued for the ccid being registered.
//
//   auto auth = Authenticator::Create();
//   auto server_pair = (*auth)->NewServerCertKeyPair({"127.0.0.1", "localhost"});
//   auto client_pair = (*auth)->Generate("mycc:1.0");   // -> files for the chaincode
//   Status s = (*auth)->Authenticate("mycc:1.0", tls_peer_cert_pem);
//
// Thread-safety: all methods are safe to call concurrently.

#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "common/crypto/ecdsa.h"
#include "common/crypto/x509.h"
#include "fabric/base/status.h"

namespace fabric::chaincode {

// A PEM certificate and its PEM (PKCS#8) private key.
struct CertKeyPair {
  std::string cert_pem;
  std::string key_pem;
};

class Authenticator {
 public:
  struct Options {
    // How long a generated client certificate is accepted for REGISTER (Fabric's mapper TTL).
    std::chrono::milliseconds ttl{std::chrono::minutes(10)};
    // Validity of the CA and issued certificates from now. Long, so that a peer that runs for
    // months still serves a valid listener certificate; the CA key never leaves memory and
    // client certificates are accepted for REGISTER only within `ttl`.
    std::chrono::hours validity{24 * 365 * 10};
    // The clock for TTL checks; tests inject one.
    std::function<std::chrono::steady_clock::time_point()> now = std::chrono::steady_clock::now;
  };

  // Creates the ephemeral CA. Internal if key generation or signing fails.
  static StatusOr<std::unique_ptr<Authenticator>> Create(Options options);
  static StatusOr<std::unique_ptr<Authenticator>> Create() { return Create(Options{}); }

  // The CA certificate (PEM): the client root of the listener and the root chaincodes trust
  // for the listener's server certificate (peer.crt / CORE_PEER_TLS_ROOTCERT_FILE).
  const std::string& ca_cert_pem() const { return ca_cert_pem_; }

  // A server key pair issued by the CA, with `hosts` as SANs (IP addresses as IP SANs, other
  // names as DNS SANs); CN = the first host. Internal if OpenSSL fails.
  StatusOr<CertKeyPair> NewServerCertKeyPair(const std::vector<std::string>& hosts) const;

  // A fresh client key pair for a launch of `ccid` (CN = ccid), accepted by Authenticate for
  // `ccid` until the TTL expires. Internal if OpenSSL fails.
  StatusOr<CertKeyPair> Generate(const std::string& ccid);

  // OK when `client_cert_pem` (the TLS peer certificate of a Register stream) was generated for
  // `ccid` and has not expired from the mapping. PermissionDenied otherwise: "TLS client
  // certificate does not belong to chaincode mycc:1.0" or "no TLS client certificate
  // presented by chaincode mycc:1.0".
  Status Authenticate(const std::string& ccid, std::string_view client_cert_pem) const;

 private:
  Authenticator(Options options, crypto::PrivateKey ca_key, crypto::Certificate ca_cert);
  StatusOr<CertKeyPair> Issue(crypto::CertificateTemplate tmpl) const;

  const Options options_;
  const crypto::PrivateKey ca_key_;
  const crypto::Certificate ca_cert_;
  const std::string ca_cert_pem_;

  struct Entry {
    std::string ccid;
    std::chrono::steady_clock::time_point expiry;
  };
  mutable std::mutex mu_;
  // Guarded by mu_: SHA-256(cert DER) -> the ccid it was issued for.
  std::map<std::string, Entry> issued_;
};

}  // namespace fabric::chaincode
