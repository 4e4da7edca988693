// SPDX-License-Identifier: Apache-2.0
//
// Identity validation against an MSP's state (Go: msp/mspimplvalidate.go and the chain helpers
// of msp/mspimpl.go).
#include <algorithm>
#include <cstdint>

#include <absl/strings/str_format.h>
#include <absl/strings/str_join.h>

#include "common/crypto/hash.h"
#include "common/logging/logging.h"
#include "common/msp/msp_state.h"
#include "fabric/base/status_macros.h"

namespace fabric::msp::internal {
namespace {

logging::Logger logger("msp");

Status Denied(const MspState& s, const crypto::Certificate& cert, std::string_view reason) {
  return PermissionDeniedError(
      absl::StrFormat("identity [%s] is not valid for msp %s: %s", cert.Subject(), s.name, reason));
}

std::string OuList(const std::vector<std::string>& ous) {
  return "[" + absl::StrJoin(ous, ",") + "]";
}

// Rule 3: the issuing CA's CRL must not list the certificate.
Status CheckRevocation(const MspState& s, const crypto::Certificate& cert,
                       const crypto::Certificate& issuer) {
  if (s.crls.empty()) {
    return Status::OK();
  }
  const std::string ski = issuer.SubjectKeyIdentifier();
  const std::string serial = cert.SerialNumber();
  for (const Crl& crl : s.crls) {
    if (ski.empty() || crl.AuthorityKeyIdentifier() != ski || !crl.IsRevoked(serial)) {
      continue;
    }
    if (!crl.IsSignedBy(issuer)) {
      FLOG_WARN(logger, "msp %s: crl matching ca [%s] is not signed by it; ignored", s.name,
                issuer.Subject());
      continue;
    }
    return Denied(
        s, cert,
        absl::StrFormat("the certificate has been revoked (serial %s)", crypto::HexEncode(serial)));
  }
  return Status::OK();
}

// Rule 4: with OU identifiers configured, one of the OUs must be listed for this chain.
Status CheckOuIdentifiers(const MspState& s, const crypto::Certificate& cert,
                          const std::vector<std::string>& ous, const std::string& certifiers) {
  if (s.ou_identifiers.empty()) {
    return Status::OK();
  }
  for (const std::string& ou : ous) {
    auto it = s.ou_identifiers.find(ou);
    if (it != s.ou_identifiers.end() &&
        std::find(it->second.begin(), it->second.end(), certifiers) != it->second.end()) {
      return Status::OK();
    }
  }
  if (ous.empty()) {
    return Denied(s, cert, "the identity certificate does not contain an organizational unit");
  }
  return Denied(s, cert,
                absl::StrFormat("none of the identity's organizational units %s are "
                                "in msp %s",
                                OuList(ous), s.name));
}

// Rule 5: with NodeOUs, exactly one of the client/peer/admin/orderer OUs (before 1.4.3: of the
// client/peer OUs, the only ones set up).
Status CheckNodeOus(const MspState& s, const crypto::Certificate& cert,
                    const std::vector<std::string>& ous, const std::string& certifiers) {
  if (!s.node_ous) {
    return Status::OK();
  }
  int count = 0;
  for (const std::string& ou : ous) {
    for (const auto* node_ou : {&s.client_ou, &s.peer_ou, &s.admin_ou, &s.orderer_ou}) {
      if (!node_ou->has_value() || (*node_ou)->ou != ou) {
        continue;
      }
      if (!(*node_ou)->certifiers_id.empty() && (*node_ou)->certifiers_id != certifiers) {
        return Denied(s, cert,
                      absl::StrFormat("certifiers identifier of OU %s does not match "
                                      "the node OU's CA",
                                      ou));
      }
      ++count;
      break;
    }
  }
  if (count != 1 && s.version < MspVersion::kV1_4_3) {
    return Denied(s, cert,
                  absl::StrFormat("the identity must be a client or a peer identity to be "
                                  "valid, not a combination of them (OUs %s)",
                                  OuList(ous)));
  }
  if (count == 0) {
    return Denied(s, cert,
                  absl::StrFormat("the identity does not have a client, peer, admin or "
                                  "orderer OU (OUs %s)",
                                  OuList(ous)));
  }
  if (count > 1) {
    return Denied(s, cert,
                  absl::StrFormat("the identity must be a client, a peer, an orderer or "
                                  "an admin identity to be valid, not a combination of "
                                  "them (OUs %s)",
                                  OuList(ous)));
  }
  return Status::OK();
}

// Reads a DER header at `pos`; false when malformed or longer than `der`.
bool ReadDerHeader(const std::string& der, size_t pos, size_t* header, size_t* length) {
  if (pos + 2 > der.size()) {
    return false;
  }
  size_t i = pos + 1;
  const auto first = static_cast<uint8_t>(der[i++]);
  size_t len = first;
  if (first >= 0x80) {
    const size_t n = first & 0x7f;
    if (n == 0 || n > 4 || i + n > der.size()) {
      return false;
    }
    len = 0;
    for (size_t k = 0; k < n; ++k) {
      len = (len << 8) | static_cast<uint8_t>(der[i++]);
    }
  }
  *header = i - pos;
  *length = len;
  return pos + *header + len <= der.size();
}

}  // namespace

std::string TbsBytes(const std::string& der) {
  size_t outer_header = 0, outer_len = 0, tbs_header = 0, tbs_len = 0;
  if (der.empty() || static_cast<uint8_t>(der[0]) != 0x30 ||
      !ReadDerHeader(der, 0, &outer_header, &outer_len) || outer_header >= der.size() ||
      static_cast<uint8_t>(der[outer_header]) != 0x30 ||
      !ReadDerHeader(der, outer_header, &tbs_header, &tbs_len)) {
    return "";
  }
  return der.substr(outer_header, tbs_header + tbs_len);
}

std::string ChainIdentifier(const std::vector<crypto::Certificate>& chain) {
  crypto::Sha256Hasher hasher;
  for (const crypto::Certificate& c : chain) {
    hasher.Update(c.ToDer());
  }
  return hasher.Finish();
}

StatusOr<std::vector<crypto::Certificate>> IdentityChain(const MspState& s,
                                                         const crypto::Certificate& cert) {
  if (cert.IsCa()) {
    return Denied(s, cert,
                  "an X.509 certificate with basic constraint CA=true cannot be used "
                  "as an identity");
  }
  const TimePoint at = s.check_expiry ? s.clock() : cert.NotBefore() + std::chrono::seconds(1);
  s.chain_verifications.fetch_add(1, std::memory_order_relaxed);
  StatusOr<std::vector<crypto::Certificate>> chain =
      crypto::VerifyChainAndGet(cert, s.roots, s.intermediates, at);
  if (!chain.ok()) {
    return Denied(s, cert, chain.status().message());
  }
  if (chain->size() < 2) {
    return Denied(s, cert, "expected a certificate chain of length at least 2");
  }
  if (!s.internal_nodes.empty() && s.internal_nodes.count((*chain)[1].ToDer()) != 0) {
    return Denied(s, cert,
                  absl::StrFormat("issuing ca [%s] is not a leaf of the certification "
                                  "tree (it issued intermediate cas)",
                                  (*chain)[1].Subject()));
  }
  return chain;
}

StatusOr<ValidationResult> ValidateCertificate(const MspState& s, const crypto::Certificate& cert,
                                               const std::vector<std::string>& ous) {
  ASSIGN_OR_RETURN(std::vector<crypto::Certificate> chain, IdentityChain(s, cert));
  RETURN_IF_ERROR(CheckRevocation(s, cert, chain[1]));
  ValidationResult result;
  result.certifiers_id = ChainIdentifier({chain.begin() + 1, chain.end()});
  RETURN_IF_ERROR(CheckOuIdentifiers(s, cert, ous, result.certifiers_id));
  RETURN_IF_ERROR(CheckNodeOus(s, cert, ous, result.certifiers_id));
  result.valid_from = TimePoint::min();
  result.valid_until = TimePoint::max();
  if (s.check_expiry) {
    for (const crypto::Certificate& c : chain) {
      result.valid_from = std::max(result.valid_from, c.NotBefore());
      result.valid_until = std::min(result.valid_until, c.NotAfter());
    }
  }
  return result;
}

}  // namespace fabric::msp::internal
