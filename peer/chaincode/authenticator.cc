// SPDX-License-Identifier: Apache-2.0
#include "peer/chaincode/authenticator.h"

#include <arpa/inet.h>

#include <absl/strings/str_format.h>

#include "common/crypto/hash.h"
#include "fabric/base/status_macros.h"

namespace fabric::chaincode {
namespace {

bool IsIpAddress(const std::string& host) {
  unsigned char buf[16];
  return ::inet_pton(AF_INET, host.c_str(), buf) == 1 ||
         ::inet_pton(AF_INET6, host.c_str(), buf) == 1;
}

}  // namespace

StatusOr<std::unique_ptr<Authenticator>> Authenticator::Create(Options options) {
  ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate());
  crypto::CertificateTemplate tmpl;
  tmpl.subject.common_name = "chaincode-ca";
  tmpl.subject.organization = "fabric-cpp peer (ephemeral)";
  tmpl.not_before = std::chrono::system_clock::now() - std::chrono::minutes(5);
  tmpl.not_after = std::chrono::system_clock::now() + options.validity;
  tmpl.is_ca = true;
  tmpl.ext_key_usage = crypto::kExtKeyUsageServerAuth | crypto::kExtKeyUsageClientAuth;
  ASSIGN_OR_RETURN(crypto::Certificate cert,
                   crypto::CreateCertificate(tmpl, key.public_key(), nullptr, key));
  return std::unique_ptr<Authenticator>(
      new Authenticator(std::move(options), std::move(key), std::move(cert)));
}

Authenticator::Authenticator(Options options, crypto::PrivateKey ca_key,
                             crypto::Certificate ca_cert)
    : options_(std::move(options)),
      ca_key_(std::move(ca_key)),
      ca_cert_(std::move(ca_cert)),
      ca_cert_pem_(ca_cert_.ToPem()) {}

StatusOr<CertKeyPair> Authenticator::Issue(crypto::CertificateTemplate tmpl) const {
  ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate());
  tmpl.not_before = std::chrono::system_clock::now() - std::chrono::minutes(5);
  tmpl.not_after = std::chrono::system_clock::now() + options_.validity;
  tmpl.key_usage = crypto::kKeyUsageDigitalSignature | crypto::kKeyUsageKeyEncipherment;
  ASSIGN_OR_RETURN(crypto::Certificate cert,
                   crypto::CreateCertificate(tmpl, key.public_key(), &ca_cert_, ca_key_));
  return CertKeyPair{cert.ToPem(), key.ToPem()};
}

StatusOr<CertKeyPair> Authenticator::NewServerCertKeyPair(
    const std::vector<std::string>& hosts) const {
  crypto::CertificateTemplate tmpl;
  tmpl.subject.common_name = hosts.empty() ? "chaincode-listener" : hosts.front();
  tmpl.ext_key_usage = crypto::kExtKeyUsageServerAuth;
  for (const std::string& host : hosts) {
    (IsIpAddress(host) ? tmpl.ip_addresses : tmpl.dns_names).push_back(host);
  }
  return Issue(std::move(tmpl));
}

StatusOr<CertKeyPair> Authenticator::Generate(const std::string& ccid) {
  crypto::CertificateTemplate tmpl;
  tmpl.subject.common_name = ccid;
  tmpl.ext_key_usage = crypto::kExtKeyUsageClientAuth;
  ASSIGN_OR_RETURN(CertKeyPair pair, Issue(std::move(tmpl)));
  ASSIGN_OR_RETURN(crypto::Certificate cert, crypto::Certificate::FromPem(pair.cert_pem));
  const auto now = options_.now();
  std::lock_guard<std::mutex> lock(mu_);
  for (auto it = issued_.begin(); it != issued_.end();) {
    it = it->second.expiry <= now ? issued_.erase(it) : std::next(it);
  }
  issued_[crypto::Sha256(cert.ToDer())] = Entry{ccid, now + options_.ttl};
  return pair;
}

Status Authenticator::Authenticate(const std::string& ccid,
                                   std::string_view client_cert_pem) const {
  if (client_cert_pem.empty()) {
    return PermissionDeniedError("no TLS client certificate presented by chaincode " + ccid);
  }
  auto cert = crypto::Certificate::FromPem(client_cert_pem);
  if (!cert.ok()) {
    return PermissionDeniedError(absl::StrFormat(
        "TLS client certificate of chaincode %s is malformed: %s", ccid, cert.status().message()));
  }
  const std::string hash = crypto::Sha256(cert->ToDer());
  std::lock_guard<std::mutex> lock(mu_);
  auto it = issued_.find(hash);
  if (it == issued_.end() || it->second.ccid != ccid || it->second.expiry <= options_.now()) {
    return PermissionDeniedError("TLS client certificate does not belong to chaincode " + ccid);
  }
  return Status::OK();
}

}  // namespace fabric::chaincode
