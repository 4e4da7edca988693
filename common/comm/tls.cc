// SPDX-License-Identifier: Apache-2.0

#include "common/comm/tls.h"

#include <algorithm>
#include <chrono>
#include <utility>

#include <absl/strings/str_format.h>
#include <grpcpp/security/tls_certificate_provider.h>
#include <grpcpp/security/tls_certificate_verifier.h>
#include <grpcpp/security/tls_credentials_options.h>
#include <openssl/x509v3.h>

#include "common/crypto/file_util.h"
#include "common/crypto/hash.h"
#include "common/logging/logging.h"
#include "fabric/base/status_macros.h"

namespace fabric::comm {
namespace {

logging::Logger logger("comm.grpc.server");

std::string DescribeClient(const crypto::Certificate& leaf) {
  return absl::StrFormat("(client %s, issuer %s)", leaf.Subject(), leaf.Issuer());
}

// Go's tls server checks the chain for ExtKeyUsageClientAuth: every certificate that carries
// extKeyUsage must allow clientAuth (or any usage).
bool AllowsClientAuth(const std::vector<crypto::Certificate>& chain) {
  return std::all_of(chain.begin(), chain.end(), [](const crypto::Certificate& cert) {
    if ((X509_get_extension_flags(cert.x509()) & EXFLAG_XKUSAGE) == 0) {
      return true;
    }
    return (X509_get_extended_key_usage(cert.x509()) & (XKU_SSL_CLIENT | XKU_ANYEKU)) != 0;
  });
}

// Checks client certificates against the pool at each handshake.
class PoolVerifier : public grpc::experimental::ExternalCertificateVerifier {
 public:
  explicit PoolVerifier(std::shared_ptr<const TrustPool> pool) : pool_(std::move(pool)) {}

  bool Verify(grpc::experimental::TlsCustomVerificationCheckRequest* request,
              std::function<void(grpc::Status)> /*callback*/, grpc::Status* sync_status) override {
    // On the server side gRPC's full chain is what OpenSSL reports there: the certificates the
    // client sent after its own.
    const grpc::string_ref leaf = request->peer_cert();
    const grpc::string_ref chain = request->peer_cert_full_chain();
    Status s = pool_->VerifyClient(std::string_view(leaf.data(), leaf.size()),
                                   std::string_view(chain.data(), chain.size()),
                                   std::chrono::system_clock::now());
    if (s.ok()) {
      *sync_status = grpc::Status::OK;
    } else {
      FLOG_WARN(logger, "TLS client certificate refused: %s", s.message());
      *sync_status = grpc::Status(grpc::StatusCode::UNAUTHENTICATED, std::string(s.message()));
    }
    return true;  // synchronous
  }

  void Cancel(grpc::experimental::TlsCustomVerificationCheckRequest* /*request*/) override {}

 private:
  const std::shared_ptr<const TrustPool> pool_;
};

}  // namespace

void TrustPool::Set(const std::string& source, std::vector<crypto::Certificate> cas) {
  std::lock_guard<std::mutex> lock(mu_);
  if (cas.empty()) {
    by_source_.erase(source);
  } else {
    by_source_[source] = std::move(cas);
  }
  auto all = std::make_shared<std::vector<crypto::Certificate>>();
  for (const auto& [unused, list] : by_source_) {
    for (const crypto::Certificate& cert : list) {
      if (std::find(all->begin(), all->end(), cert) == all->end()) {
        all->push_back(cert);
      }
    }
  }
  snapshot_ = std::move(all);
}

TrustPool::Snapshot TrustPool::Get() const {
  std::lock_guard<std::mutex> lock(mu_);
  return snapshot_;
}

Status TrustPool::VerifyClient(std::string_view leaf_pem, std::string_view chain_pem,
                               crypto::TimePoint now) const {
  StatusOr<crypto::Certificate> leaf = crypto::Certificate::FromPem(leaf_pem);
  if (!leaf.ok()) {
    return InvalidArgumentError(
        absl::StrFormat("malformed certificate: %s", leaf.status().message()));
  }
  std::vector<crypto::Certificate> intermediates;
  if (!chain_pem.empty()) {
    StatusOr<std::vector<crypto::Certificate>> chain = crypto::ParseCertificateChainPem(chain_pem);
    if (!chain.ok()) {
      return InvalidArgumentError(absl::StrFormat("malformed certificate chain: %s %s",
                                                  chain.status().message(), DescribeClient(*leaf)));
    }
    for (crypto::Certificate& cert : *chain) {
      if (!(cert == *leaf)) {
        intermediates.push_back(std::move(cert));
      }
    }
  }
  Snapshot cas = Get();
  StatusOr<std::vector<crypto::Certificate>> path =
      crypto::VerifyChainAndGet(*leaf, *cas, intermediates, now, {.any_root_is_anchor = true});
  if (!path.ok()) {
    std::string_view reason = path.status().message();
    constexpr std::string_view kPrefix = "verify certificate chain: ";
    if (reason.substr(0, kPrefix.size()) == kPrefix) {
      reason.remove_prefix(kPrefix.size());
    }
    return PermissionDeniedError(absl::StrFormat("%s %s", reason, DescribeClient(*leaf)));
  }
  if (!AllowsClientAuth(*path)) {
    return PermissionDeniedError(
        absl::StrFormat("certificate specifies an incompatible key usage (extKeyUsage without "
                        "clientAuth) %s",
                        DescribeClient(*leaf)));
  }
  return Status::OK();
}

StatusOr<std::vector<crypto::Certificate>> LoadCertificateFiles(
    const std::vector<std::string>& files, std::string_view what) {
  std::vector<crypto::Certificate> out;
  for (const std::string& file : files) {
    StatusOr<std::string> pem = crypto::ReadFile(file);
    if (!pem.ok()) {
      return InvalidArgumentError(
          absl::StrFormat("read %s %s: %s", what, file, pem.status().message()));
    }
    StatusOr<std::vector<crypto::Certificate>> certs = crypto::ParseCertificateChainPem(*pem);
    if (!certs.ok()) {
      return InvalidArgumentError(
          absl::StrFormat("%s %s: %s", what, file, certs.status().message()));
    }
    out.insert(out.end(), certs->begin(), certs->end());
  }
  return out;
}

std::vector<crypto::Certificate> OrgTlsCas(const channelconfig::Bundle& bundle,
                                           const std::vector<channelconfig::Organization>& orgs) {
  std::vector<crypto::Certificate> out;
  for (const channelconfig::Organization& org : orgs) {
    const msp::Msp* msp = bundle.msp_manager().GetMsp(org.msp_id);
    if (msp == nullptr) {
      continue;
    }
    for (const auto* pems : {&msp->TlsRootCerts(), &msp->TlsIntermediateCerts()}) {
      for (const std::string& pem : *pems) {
        StatusOr<crypto::Certificate> cert = crypto::Certificate::FromPem(pem);
        if (cert.ok()) {
          out.push_back(*std::move(cert));
        } else {
          FLOG_WARN(logger, "channel %s: MSP %s: TLS CA skipped: %s", bundle.channel_id(),
                    org.msp_id, cert.status().message());
        }
      }
    }
  }
  return out;
}

std::vector<crypto::Certificate> PeerClientCas(const channelconfig::Bundle& bundle) {
  return OrgTlsCas(bundle, bundle.application_orgs());
}

std::vector<crypto::Certificate> OrdererClientCas(const channelconfig::Bundle& bundle) {
  std::vector<channelconfig::Organization> orgs = bundle.application_orgs();
  orgs.insert(orgs.end(), bundle.orderer_orgs().begin(), bundle.orderer_orgs().end());
  for (const auto& [unused, members] : bundle.consortium_orgs()) {
    orgs.insert(orgs.end(), members.begin(), members.end());
  }
  return OrgTlsCas(bundle, orgs);
}

void TrustChannelClientCas(TrustPool& pool, const std::string& channel,
                           std::vector<crypto::Certificate> cas, std::string_view whose) {
  const size_t count = cas.size();
  pool.Set(channel, std::move(cas));
  FLOG_INFO(logger, "channel %s: %d TLS CAs of %s trusted for clients (%d in all)", channel, count,
            whose, pool.Get()->size());
}

std::vector<crypto::Certificate> OrdererServerCas(const channelconfig::Bundle& bundle,
                                                  const std::string& address) {
  std::vector<channelconfig::Organization> orgs;
  for (const channelconfig::Organization& org : bundle.orderer_orgs()) {
    if (std::find(org.endpoints.begin(), org.endpoints.end(), address) != org.endpoints.end()) {
      orgs.push_back(org);
    }
  }
  return OrgTlsCas(bundle, orgs.empty() ? bundle.orderer_orgs() : orgs);
}

std::string CertHash(const KeyPair& identity) {
  StatusOr<crypto::Certificate> cert = crypto::Certificate::FromPem(identity.cert_pem);
  return cert.ok() ? crypto::Sha256(cert->ToDer()) : "";
}

StatusOr<KeyPair> LoadKeyPair(const std::string& cert_file, const std::string& key_file,
                              std::string_view what) {
  StatusOr<std::string> cert = crypto::ReadFile(cert_file);
  StatusOr<std::string> key = crypto::ReadFile(key_file);
  if (!cert.ok() || !key.ok()) {
    return InvalidArgumentError(
        absl::StrFormat("TLS certificate %s or key %s cannot be read (%s): %s", cert_file, key_file,
                        what, (cert.ok() ? key : cert).status().message()));
  }
  if (StatusOr<crypto::Certificate> parsed = crypto::Certificate::FromPem(*cert); !parsed.ok()) {
    return InvalidArgumentError(
        absl::StrFormat("TLS certificate %s (%s): %s", cert_file, what, parsed.status().message()));
  }
  if (key->find("PRIVATE KEY-----") == std::string::npos) {
    return InvalidArgumentError(
        absl::StrFormat("TLS key %s (%s) holds no PEM private key", key_file, what));
  }
  return KeyPair{*std::move(cert), *std::move(key)};
}

std::shared_ptr<grpc::ServerCredentials> ServerCredentials(
    const KeyPair& identity, std::shared_ptr<const TrustPool> client_cas) {
  namespace gx = grpc::experimental;
  auto provider = std::make_shared<gx::StaticDataCertificateProvider>(
      std::vector<gx::IdentityKeyCertPair>{{identity.key_pem, identity.cert_pem}});
  gx::TlsServerCredentialsOptions options(provider);
  options.watch_identity_key_cert_pairs();
  if (client_cas == nullptr) {
    options.set_cert_request_type(GRPC_SSL_DONT_REQUEST_CLIENT_CERTIFICATE);
  } else {
    // OpenSSL only checks that the client holds the key; the chain is checked against the
    // pool's current CAs by PoolVerifier.
    options.set_cert_request_type(GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_BUT_DONT_VERIFY);
    options.set_certificate_verifier(
        gx::ExternalCertificateVerifier::Create<PoolVerifier>(std::move(client_cas)));
  }
  return gx::TlsServerCredentials(options);
}

StatusOr<std::shared_ptr<grpc::ChannelCredentials>> ClientCredentials(
    const std::vector<crypto::Certificate>& server_cas, const KeyPair* identity) {
  if (server_cas.empty()) {
    return FailedPreconditionError("no TLS CA to verify the server's certificate with");
  }
  grpc::SslCredentialsOptions options;
  for (const crypto::Certificate& ca : server_cas) {
    options.pem_root_certs += ca.ToPem();
  }
  if (identity != nullptr) {
    options.pem_cert_chain = identity->cert_pem;
    options.pem_private_key = identity->key_pem;
  }
  return grpc::SslCredentials(options);
}

std::string ClientTlsCertHash(const grpc::AuthContext* auth) {
  if (auth == nullptr) {
    return "";
  }
  std::vector<grpc::string_ref> pems = auth->FindPropertyValues(GRPC_X509_PEM_CERT_PROPERTY_NAME);
  if (pems.empty()) {
    return "";
  }
  StatusOr<crypto::Certificate> cert =
      crypto::Certificate::FromPem(std::string_view(pems[0].data(), pems[0].size()));
  return cert.ok() ? crypto::Sha256(cert->ToDer()) : "";
}

Status CheckTlsBinding(std::string_view claimed_hash, std::string_view actual_hash) {
  if (claimed_hash.empty()) {
    return InvalidArgumentError("client didn't include its TLS cert hash");
  }
  if (actual_hash.empty()) {
    return InvalidArgumentError("client didn't send a TLS certificate");
  }
  if (claimed_hash != actual_hash) {
    return InvalidArgumentError(
        absl::StrFormat("claimed TLS cert hash is %s but actual TLS cert hash is %s",
                        crypto::HexEncode(claimed_hash), crypto::HexEncode(actual_hash)));
  }
  return Status::OK();
}

}  // namespace fabric::comm
