// SPDX-License-Identifier: Apache-2.0
#include "tools/cryptogen/ca.h"

#include <arpa/inet.h>

#include "fabric/base/status_macros.h"

namespace fabric::cryptogen {
namespace {

// Fabric's subjectTemplateAdditional: fixed defaults for C/ST/L, overridden by the CA spec.
crypto::DistinguishedName BaseSubject(const CaSpec& spec) {
  crypto::DistinguishedName dn;
  dn.country = spec.country.empty() ? "US" : spec.country;
  dn.province = spec.province.empty() ? "California" : spec.province;
  dn.locality = spec.locality.empty() ? "San Francisco" : spec.locality;
  if (!spec.organizational_unit.empty()) {
    dn.organizational_units.push_back(spec.organizational_unit);
  }
  dn.street_address = spec.street_address;
  dn.postal_code = spec.postal_code;
  return dn;
}

bool IsIpAddress(const std::string& s) {
  unsigned char buf[16];
  return inet_pton(AF_INET, s.c_str(), buf) == 1 || inet_pton(AF_INET6, s.c_str(), buf) == 1;
}

crypto::CertificateTemplate BaseTemplate(crypto::TimePoint now) {
  crypto::CertificateTemplate tmpl;
  tmpl.not_before = NotBefore(now);
  tmpl.not_after = tmpl.not_before + kCertificateLifetime;
  return tmpl;  // serial_number empty: a random positive 128-bit serial.
}

}  // namespace

crypto::TimePoint NotBefore(crypto::TimePoint now) {
  // Go's Time.Round: halfway values round up.
  auto minutes =
      std::chrono::floor<std::chrono::minutes>(now.time_since_epoch() + std::chrono::seconds(30));
  return crypto::TimePoint(std::chrono::duration_cast<crypto::TimePoint::duration>(minutes)) -
         kNotBeforeBackdate;
}

StatusOr<CertificateAuthority> CertificateAuthority::Create(const std::string& name,
                                                            const std::string& domain,
                                                            const CaSpec& spec,
                                                            crypto::TimePoint now) {
  ASSIGN_OR_RETURN(crypto::PrivateKey key, crypto::PrivateKey::Generate());
  crypto::CertificateTemplate tmpl = BaseTemplate(now);
  tmpl.subject = BaseSubject(spec);
  tmpl.subject.organization = domain;
  tmpl.subject.common_name = name;
  tmpl.is_ca = true;
  tmpl.key_usage = crypto::kKeyUsageDigitalSignature | crypto::kKeyUsageKeyEncipherment |
                   crypto::kKeyUsageCertSign | crypto::kKeyUsageCrlSign;
  tmpl.ext_key_usage = crypto::kExtKeyUsageClientAuth | crypto::kExtKeyUsageServerAuth;
  StatusOr<crypto::Certificate> cert =
      crypto::CreateCertificate(tmpl, key.public_key(), /*issuer=*/nullptr, key);
  if (!cert.ok()) {
    return cert.status().Annotate("create ca " + name);
  }
  return CertificateAuthority(name, spec, std::move(key), *std::move(cert));
}

StatusOr<crypto::Certificate> CertificateAuthority::Sign(const LeafRequest& request,
                                                         const crypto::PublicKey& key,
                                                         crypto::TimePoint now) const {
  crypto::CertificateTemplate tmpl = BaseTemplate(now);
  tmpl.subject = BaseSubject(spec_);
  tmpl.subject.common_name = request.common_name;
  for (const std::string& ou : request.organizational_units) {
    tmpl.subject.organizational_units.push_back(ou);
  }
  for (const std::string& san : request.sans) {
    (IsIpAddress(san) ? tmpl.ip_addresses : tmpl.dns_names).push_back(san);
  }
  tmpl.key_usage = request.key_usage;
  tmpl.ext_key_usage = request.ext_key_usage;
  StatusOr<crypto::Certificate> cert = crypto::CreateCertificate(tmpl, key, &cert_, key_);
  if (!cert.ok()) {
    return cert.status().Annotate("sign certificate for " + request.common_name + " with " + name_);
  }
  return cert;
}

}  // namespace fabric::cryptogen
