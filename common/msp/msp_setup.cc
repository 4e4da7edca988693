// SPDX-License-Identifier: Apache-2.0
//
// Building an MspState from a FabricMSPConfig (Go: msp/mspimplsetup.go, setupV142). Checks on CA
// and admin certificates use Fabric's validation time, the certificate's notBefore + 1 s, so a
// channel config stays valid after its certificates expire.
#include <algorithm>

#include <absl/strings/str_format.h>

#include "common/crypto/ecdsa.h"
#include "common/msp/msp_state.h"
#include "common/msp/x509_signing_identity.h"
#include "fabric/base/status_macros.h"

namespace fabric::msp::internal {
namespace {

TimePoint SetupTime(const crypto::Certificate& cert) {
  return cert.NotBefore() + std::chrono::seconds(1);
}

StatusOr<crypto::Certificate> ParseCa(const std::string& pem, const char* kind, int index) {
  StatusOr<crypto::Certificate> cert = crypto::Certificate::FromPem(pem);
  if (!cert.ok()) {
    return cert.status().Annotate(absl::StrFormat("%s certificate %d", kind, index));
  }
  if (!cert->IsCa()) {
    return InvalidArgumentError(
        absl::StrFormat("%s certificate %d [%s] is not a ca (no basic constraint CA=true)", kind,
                        index, cert->Subject()));
  }
  if (cert->SubjectKeyIdentifier().empty()) {
    return InvalidArgumentError(absl::StrFormat(
        "%s certificate %d [%s] has no subject key identifier", kind, index, cert->Subject()));
  }
  return cert;
}

// Returns `cert` with a low-S signature, given the key that signed it.
StatusOr<crypto::Certificate> Sanitize(const crypto::Certificate& cert,
                                       const crypto::Certificate& issuer) {
  ASSIGN_OR_RETURN(crypto::PublicKey key, issuer.public_key());
  return crypto::SanitizeCertificateSignature(cert, key);
}

Status SetupRoots(const ::msp::FabricMSPConfig& conf, MspState* s) {
  if (conf.root_certs().empty()) {
    return InvalidArgumentError("expected at least one root ca certificate");
  }
  for (int i = 0; i < conf.root_certs_size(); ++i) {
    ASSIGN_OR_RETURN(crypto::Certificate root, ParseCa(conf.root_certs(i), "root", i));
    if (root.IsSignedBy(root)) {
      ASSIGN_OR_RETURN(root, Sanitize(root, root));
    }
    s->roots.push_back(std::move(root));
  }
  return Status::OK();
}

Status SetupIntermediates(const ::msp::FabricMSPConfig& conf, MspState* s) {
  std::vector<crypto::Certificate> raw;
  for (int i = 0; i < conf.intermediate_certs_size(); ++i) {
    ASSIGN_OR_RETURN(crypto::Certificate c, ParseCa(conf.intermediate_certs(i), "intermediate", i));
    raw.push_back(std::move(c));
  }
  for (size_t i = 0; i < raw.size(); ++i) {
    StatusOr<std::vector<crypto::Certificate>> chain =
        crypto::VerifyChainAndGet(raw[i], s->roots, raw, SetupTime(raw[i]));
    if (!chain.ok()) {
      return chain.status().Annotate(absl::StrFormat(
          "intermediate certificate %d [%s] does not chain to a root", i, raw[i].Subject()));
    }
    ASSIGN_OR_RETURN(crypto::Certificate clean, Sanitize(raw[i], (*chain)[1]));
    s->intermediates.push_back(std::move(clean));
  }
  // Every CA above an intermediate is an internal node of the certification tree.
  for (const crypto::Certificate& c : s->intermediates) {
    ASSIGN_OR_RETURN(std::vector<crypto::Certificate> chain,
                     crypto::VerifyChainAndGet(c, s->roots, s->intermediates, SetupTime(c)));
    for (size_t k = 1; k < chain.size(); ++k) {
      s->internal_nodes.insert(chain[k].ToDer());
    }
  }
  return Status::OK();
}

Status SetupCrls(const ::msp::FabricMSPConfig& conf, MspState* s) {
  for (int i = 0; i < conf.revocation_list_size(); ++i) {
    StatusOr<Crl> crl = Crl::Parse(conf.revocation_list(i));
    if (!crl.ok()) {
      return crl.status().Annotate(absl::StrFormat("revocation list %d", i));
    }
    if (crl->AuthorityKeyIdentifier().empty()) {
      return InvalidArgumentError(
          absl::StrFormat("revocation list %d has no authority key identifier", i));
    }
    s->crls.push_back(*std::move(crl));
  }
  return Status::OK();
}

// Fabric's certifiers identifier of one of the MSP's CAs: SHA-256 over its chain to the root.
StatusOr<std::string> CertifiersIdFor(const MspState& s, const std::string& pem,
                                      const std::string& what) {
  StatusOr<crypto::Certificate> cert = crypto::Certificate::FromPem(pem);
  if (!cert.ok()) {
    return cert.status().Annotate(what + " certificate");
  }
  const std::string tbs = TbsBytes(cert->ToDer());
  for (const crypto::Certificate& root : s.roots) {
    if (TbsBytes(root.ToDer()) == tbs) {
      return ChainIdentifier({root});
    }
  }
  for (const crypto::Certificate& c : s.intermediates) {
    if (TbsBytes(c.ToDer()) == tbs) {
      ASSIGN_OR_RETURN(std::vector<crypto::Certificate> chain,
                       crypto::VerifyChainAndGet(c, s.roots, s.intermediates, SetupTime(c)));
      return ChainIdentifier(chain);
    }
  }
  return InvalidArgumentError(absl::StrFormat(
      "%s certificate [%s] is not one of the msp's root or intermediate certificates", what,
      cert->Subject()));
}

StatusOr<std::optional<OuIdentifier>> NodeOu(const MspState& s, bool present,
                                             const ::msp::FabricOUIdentifier& id,
                                             const std::string& what) {
  if (!present || id.organizational_unit_identifier().empty()) {
    return std::optional<OuIdentifier>();
  }
  OuIdentifier out{id.organizational_unit_identifier(), ""};
  if (!id.certificate().empty()) {
    ASSIGN_OR_RETURN(out.certifiers_id, CertifiersIdFor(s, id.certificate(), what));
  }
  return std::optional<OuIdentifier>(std::move(out));
}

Status SetupOus(const ::msp::FabricMSPConfig& conf, MspState* s) {
  for (const ::msp::FabricOUIdentifier& id : conf.organizational_unit_identifiers()) {
    ASSIGN_OR_RETURN(
        std::string certifiers,
        CertifiersIdFor(*s, id.certificate(), "OU " + id.organizational_unit_identifier()));
    std::vector<std::string>& ids = s->ou_identifiers[id.organizational_unit_identifier()];
    if (std::find(ids.begin(), ids.end(), certifiers) == ids.end()) {
      ids.push_back(std::move(certifiers));
    }
  }
  const ::msp::FabricNodeOUs& n = conf.fabric_node_ous();
  if (s->version == MspVersion::kV1_0) {
    return Status::OK();  // NodeOUs came with 1.1
  }
  if (s->version < MspVersion::kV1_4_3 && conf.has_fabric_node_ous()) {
    // Fabric 1.1's setupNodeOUs wants both, enabled or not.
    if (n.client_ou_identifier().organizational_unit_identifier().empty()) {
      return InvalidArgumentError(
          "Failed setting up NodeOUs. ClientOU must be different from nil.");
    }
    if (n.peer_ou_identifier().organizational_unit_identifier().empty()) {
      return InvalidArgumentError("Failed setting up NodeOUs. PeerOU must be different from nil.");
    }
  }
  s->node_ous = conf.has_fabric_node_ous() && n.enable();
  if (!s->node_ous) {
    return Status::OK();
  }
  ASSIGN_OR_RETURN(s->client_ou,
                   NodeOu(*s, n.has_client_ou_identifier(), n.client_ou_identifier(), "client OU"));
  ASSIGN_OR_RETURN(s->peer_ou,
                   NodeOu(*s, n.has_peer_ou_identifier(), n.peer_ou_identifier(), "peer OU"));
  if (s->version < MspVersion::kV1_4_3) {
    return Status::OK();
  }
  ASSIGN_OR_RETURN(s->admin_ou,
                   NodeOu(*s, n.has_admin_ou_identifier(), n.admin_ou_identifier(), "admin OU"));
  ASSIGN_OR_RETURN(s->orderer_ou, NodeOu(*s, n.has_orderer_ou_identifier(),
                                         n.orderer_ou_identifier(), "orderer OU"));
  return Status::OK();
}

bool HasOu(const crypto::Certificate& cert, const std::optional<OuIdentifier>& ou) {
  const std::vector<std::string> ous = cert.SubjectName().organizational_units;
  return ou.has_value() && std::find(ous.begin(), ous.end(), ou->ou) != ous.end();
}

// Admins must be valid members; with NodeOUs they must also be clients or admins. Runs while
// s->check_expiry is false (Fabric's validation time).
Status SetupAdmins(const ::msp::FabricMSPConfig& conf, MspState* s) {
  for (int i = 0; i < conf.admins_size(); ++i) {
    StatusOr<crypto::Certificate> cert = crypto::Certificate::FromPem(conf.admins(i));
    if (!cert.ok()) {
      return cert.status().Annotate(absl::StrFormat("admin certificate %d", i));
    }
    Status valid;
    if (s->node_ous && s->version >= MspVersion::kV1_4_3) {
      valid = IdentityChain(*s, *cert).status();
      if (valid.ok() && !HasOu(*cert, s->client_ou) && !HasOu(*cert, s->admin_ou)) {
        valid = InvalidArgumentError("it has neither the client nor the admin OU");
      }
    } else if (s->node_ous) {
      // Before 1.4.3 an admin must satisfy the CLIENT role: a valid identity with the client OU.
      valid = ValidateCertificate(*s, *cert, cert->SubjectName().organizational_units).status();
      if (valid.ok() && !HasOu(*cert, s->client_ou)) {
        valid = InvalidArgumentError("it does not have the client OU");
      }
    } else {
      valid = ValidateCertificate(*s, *cert, cert->SubjectName().organizational_units).status();
    }
    if (!valid.ok()) {
      return InvalidArgumentError(
          absl::StrFormat("admin %d [%s] is invalid: %s", i, cert->Subject(), valid.message()));
    }
    s->admin_tbs.push_back(TbsBytes(cert->ToDer()));
  }
  if (s->version >= MspVersion::kV1_4_3 && s->admin_tbs.empty() &&
      (!s->node_ous || !s->admin_ou.has_value())) {
    return InvalidArgumentError(
        "administrators must be declared when no admin ou classification is set");
  }
  return Status::OK();
}

Status SetupTls(const ::msp::FabricMSPConfig& conf, MspState* s) {
  std::vector<crypto::Certificate> roots, intermediates;
  for (int i = 0; i < conf.tls_root_certs_size(); ++i) {
    ASSIGN_OR_RETURN(crypto::Certificate c, ParseCa(conf.tls_root_certs(i), "tls root", i));
    roots.push_back(std::move(c));
    s->tls_roots.push_back(conf.tls_root_certs(i));
  }
  for (int i = 0; i < conf.tls_intermediate_certs_size(); ++i) {
    ASSIGN_OR_RETURN(crypto::Certificate c,
                     ParseCa(conf.tls_intermediate_certs(i), "tls intermediate", i));
    intermediates.push_back(std::move(c));
    s->tls_intermediates.push_back(conf.tls_intermediate_certs(i));
  }
  for (size_t i = 0; i < intermediates.size(); ++i) {
    Status st =
        crypto::VerifyChain(intermediates[i], roots, intermediates, SetupTime(intermediates[i]));
    if (!st.ok()) {
      return st.Annotate(
          absl::StrFormat("tls intermediate certificate %d does not chain to a "
                          "tls root",
                          i));
    }
  }
  return Status::OK();
}

StatusOr<std::shared_ptr<const SigningIdentity>> SetupSigner(const ::msp::FabricMSPConfig& conf,
                                                             TimePoint now) {
  if (!conf.has_signing_identity() ||
      conf.signing_identity().private_signer().key_material().empty()) {
    return std::shared_ptr<const SigningIdentity>();
  }
  const ::msp::SigningIdentityInfo& info = conf.signing_identity();
  StatusOr<crypto::Certificate> cert = crypto::Certificate::FromPem(info.public_signer());
  if (!cert.ok()) {
    return cert.status().Annotate("signing identity certificate");
  }
  if (now > cert->NotAfter()) {
    return InvalidArgumentError(absl::StrFormat("signing identity [%s] expired at %s",
                                                cert->Subject(),
                                                crypto::FormatTime(cert->NotAfter())));
  }
  StatusOr<crypto::PrivateKey> key =
      crypto::PrivateKey::FromPem(info.private_signer().key_material());
  if (!key.ok()) {
    return key.status().Annotate("signing identity key " + info.private_signer().key_identifier());
  }
  ASSIGN_OR_RETURN(std::unique_ptr<X509SigningIdentity> signer,
                   X509SigningIdentity::Create(conf.name(), *cert, *std::move(key)));
  return std::shared_ptr<const SigningIdentity>(std::move(signer));
}

Status CheckCryptoConfig(const ::msp::FabricMSPConfig& conf) {
  const ::msp::FabricCryptoConfig& c = conf.crypto_config();
  if (!c.signature_hash_family().empty() && c.signature_hash_family() != "SHA2") {
    return InvalidArgumentError(
        absl::StrFormat("unsupported signature hash family %s", c.signature_hash_family()));
  }
  if (!c.identity_identifier_hash_function().empty() &&
      c.identity_identifier_hash_function() != "SHA256") {
    return InvalidArgumentError(absl::StrFormat("unsupported identity identifier hash function %s",
                                                c.identity_identifier_hash_function()));
  }
  return Status::OK();
}

}  // namespace

StatusOr<SetupResult> SetupMsp(const ::msp::FabricMSPConfig& conf, std::function<TimePoint()> clock,
                               bool check_expiry, MspVersion version) {
  if (conf.name().empty()) {
    return InvalidArgumentError("setup msp: empty msp name");
  }
  auto state = std::make_shared<MspState>();
  state->name = conf.name();
  state->version = version;
  state->clock = std::move(clock);
  state->check_expiry = false;  // Setup checks use Fabric's validation time.
  const std::string prefix = "setup msp " + conf.name();
  for (Status (*step)(const ::msp::FabricMSPConfig&, MspState*) :
       {&SetupRoots, &SetupIntermediates, &SetupCrls, &SetupOus, &SetupAdmins, &SetupTls}) {
    RETURN_IF_ERROR(step(conf, state.get()).Annotate(prefix));
  }
  RETURN_IF_ERROR(CheckCryptoConfig(conf).Annotate(prefix));
  StatusOr<std::shared_ptr<const SigningIdentity>> signer = SetupSigner(conf, state->clock());
  if (!signer.ok()) {
    return signer.status().Annotate(prefix);
  }
  state->check_expiry = check_expiry;
  state->chain_verifications.store(0);
  return SetupResult{std::move(state), *std::move(signer)};
}

}  // namespace fabric::msp::internal
