// SPDX-License-Identifier: Apache-2.0
//
// TLS for the peer's and the orderer's gRPC servers and for their clients, as Fabric 1.4 does it
// (core/comm/server.go, creds.go, connection.go; core/peer/peer.go and
// orderer/common/server/main.go updateTrustedRoots).
//
// TrustPool holds the CAs a server trusts for client certificates. Each source (a channel, or
// the local config's static CAs) contributes a list that is replaced as a whole; a channel's list
// is its organisations' TLS root and intermediate CAs as its config's MSPs name them, replaced
// when the node joins or creates the channel and when the channel's config changes. Readers see
// an immutable snapshot of the union, so an update takes effect at the next TLS handshake and
// live connections are kept.
//
// ServerCredentials: TLS with the node's key pair. With client authentication, the client must
// present a certificate (the TLS handshake fails without one) whose chain verifies against the
// pool's CAs at handshake time (Go's tls.RequireAndVerifyClientCert): any pool certificate may
// end the path, as in Go's cert pools, and extKeyUsage, where present on the chain, must allow
// clientAuth. A refused client gets one log line (logger comm.grpc.server):
//   TLS client certificate refused: certificate has expired (notAfter ..., checked at ...)
//   [subject CN=...] (client CN=..., issuer CN=...)
// and the server keeps serving the others.
//
// ClientCredentials: TLS to a server whose certificate must chain to the given CAs and match the
// dialled host, presenting a client key pair when the server asks for one.
//
// ClientTlsCertHash / CheckTlsBinding: Fabric's binding of a signed request to the TLS client
// certificate of the connection it came on (mutual TLS only).
//
// Thread-safety: TrustPool is thread-safe; the credentials may be used from any thread.

#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include <grpcpp/security/auth_context.h>
#include <grpcpp/security/credentials.h>
#include <grpcpp/security/server_credentials.h>

#include "common/channelconfig/bundle.h"
#include "common/crypto/x509.h"
#include "fabric/base/status.h"

namespace fabric::comm {

class TrustPool {
 public:
  using Snapshot = std::shared_ptr<const std::vector<crypto::Certificate>>;

  // The source name of the local config's CAs.
  static constexpr char kStaticSource[] = "";

  // Replaces the CAs of `source` (a channel id, or kStaticSource) with `cas`; an empty list
  // removes the source.
  void Set(const std::string& source, std::vector<crypto::Certificate> cas);

  // The union of every source's CAs, without duplicates (equal DER).
  Snapshot Get() const;

  // Verifies a client's certificate chain at `now`: `leaf_pem` is the client's certificate,
  // `chain_pem` the other certificates it presented (may be empty, may repeat the leaf).
  // PermissionDenied naming the reason and the client: "certificate signed by unknown authority
  // (client CN=..., issuer CN=...)", "certificate has expired (...)", "certificate signature is
  // invalid (...)", "certificate specifies an incompatible key usage (...)"; InvalidArgument
  // when a certificate does not parse.
  Status VerifyClient(std::string_view leaf_pem, std::string_view chain_pem,
                      crypto::TimePoint now) const;

 private:
  mutable std::mutex mu_;
  // Guarded by mu_:
  std::map<std::string, std::vector<crypto::Certificate>> by_source_;
  Snapshot snapshot_ = std::make_shared<const std::vector<crypto::Certificate>>();
};

// Reads every certificate of each PEM file (a file may hold several). Errors name the file and
// the configuration key `what` ("read peer.tls.clientRootCAs.files /x.pem: ...").
StatusOr<std::vector<crypto::Certificate>> LoadCertificateFiles(
    const std::vector<std::string>& files, std::string_view what);

// The TLS root and intermediate CAs of `orgs`' MSPs in `bundle`. Certificates that do not parse
// are skipped (the MSP accepted them; they cannot anchor a TLS chain).
std::vector<crypto::Certificate> OrgTlsCas(const channelconfig::Bundle& bundle,
                                           const std::vector<channelconfig::Organization>& orgs);

// What the peer trusts for client certificates from a channel: its application orgs' TLS CAs
// (Fabric 1.4 core/peer/peer.go buildTrustedRootsForChain, AppRootCAsByChain).
std::vector<crypto::Certificate> PeerClientCas(const channelconfig::Bundle& bundle);

// What the orderer trusts for client certificates from a channel: its application, orderer and
// consortium orgs' TLS CAs (Fabric 1.4 orderer/common/server/main.go updateTrustedRoots).
std::vector<crypto::Certificate> OrdererClientCas(const channelconfig::Bundle& bundle);

// Trusts `cas` for the clients of `channel` in `pool` (replacing what the channel had there) and
// logs how many, `whose` they are ("its application orgs") and how many the pool holds in all.
// What a server with client authentication does when a channel's config changes.
void TrustChannelClientCas(TrustPool& pool, const std::string& channel,
                           std::vector<crypto::Certificate> cas, std::string_view whose);

// The CAs a client trusts for the TLS certificate of orderer `address` on a channel: the TLS
// CAs of the orderer orgs whose Endpoints list `address`, else of every orderer org (addresses
// from OrdererAddresses or the local config), as Fabric 1.4's deliver client connects.
std::vector<crypto::Certificate> OrdererServerCas(const channelconfig::Bundle& bundle,
                                                  const std::string& address);

// The node's TLS key pair, PEM.
struct KeyPair {
  std::string cert_pem;
  std::string key_pem;
};

// Reads a key pair. InvalidArgument naming the files and `what` (the configuration keys) when a
// file cannot be read, the certificate does not parse or the key file holds no private key.
StatusOr<KeyPair> LoadKeyPair(const std::string& cert_file, const std::string& key_file,
                              std::string_view what);

// Server credentials with `identity`; with `client_cas`, client authentication against it
// (kept alive by the credentials).
std::shared_ptr<grpc::ServerCredentials> ServerCredentials(
    const KeyPair& identity, std::shared_ptr<const TrustPool> client_cas);

// Client credentials trusting `server_cas`, presenting `identity` when it is set.
// FailedPrecondition when `server_cas` is empty (gRPC would otherwise fall back to the system's
// public roots).
StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientCredentials(
    const std::vector<crypto::Certificate>& server_cas, const KeyPair* identity);

// SHA-256 of the DER of `identity`'s certificate: what a client's signed requests carry as
// their TLS cert hash (Fabric's TlsCertHash). Empty when the certificate does not parse.
std::string CertHash(const KeyPair& identity);

// SHA-256 of the DER of the client's TLS certificate on a connection (gRPC's x509_pem_cert
// property); empty without TLS or without a client certificate. `auth` may be null.
std::string ClientTlsCertHash(const grpc::AuthContext* auth);

// Fabric's mutual TLS binding (core/comm BindingInspector), checked on Deliver requests when
// the server requires client certificates: the request's channel header must carry the hash of
// the certificate the connection presented. InvalidArgument "client didn't include its TLS cert
// hash", "client didn't send a TLS certificate", or "claimed TLS cert hash is <hex> but actual
// TLS cert hash is <hex>".
Status CheckTlsBinding(std::string_view claimed_hash, std::string_view actual_hash);

}  // namespace fabric::comm
