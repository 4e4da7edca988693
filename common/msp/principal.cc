// SPDX-License-Identifier: Apache-2.0
#include "common/msp/principal.h"

#include <algorithm>
#include <optional>
#include <string>

#include <absl/strings/str_format.h>

#include "fabric/base/status_macros.h"
#include "msp/identities.pb.h"

namespace fabric::msp::internal {
namespace {

constexpr int kMaxCombinedDepth = 16;

std::string RoleName(common::MSPRole::MSPRoleType role) {
  return common::MSPRole::MSPRoleType_Name(role);
}

Status OtherMsp(const X509Identity& id, const std::string& principal_msp) {
  return PermissionDeniedError(
      absl::StrFormat("the identity is a member of a different msp (expected %s, got %s)",
                      principal_msp, id.MspId()));
}

// OK when `id` carries the node OU configured as `node_ou` for `role`.
Status HasNodeOu(const X509Identity& id, const std::optional<OuIdentifier>& node_ou,
                 common::MSPRole::MSPRoleType role) {
  if (!node_ou.has_value()) {
    return PermissionDeniedError(absl::StrFormat(
        "cannot test for classification: node ou for role %s is not defined in msp %s",
        RoleName(role), id.MspId()));
  }
  const std::vector<std::string>& ous = id.OrganizationalUnits();
  if (std::find(ous.begin(), ous.end(), node_ou->ou) != ous.end()) {
    return Status::OK();
  }
  return PermissionDeniedError(absl::StrFormat("identity [%s] is not a %s of msp %s (no OU %s)",
                                               id.Subject(), RoleName(role), id.MspId(),
                                               node_ou->ou));
}

bool IsAdminCert(const X509Identity& id) {
  const std::vector<std::string>& admins = id.state().admin_tbs;
  return !id.tbs().empty() && std::find(admins.begin(), admins.end(), id.tbs()) != admins.end();
}

// CLIENT, PEER and ORDERER roles: valid and carrying the node OU, NodeOUs required.
Status CheckNodeRole(const X509Identity& id, common::MSPRole::MSPRoleType role) {
  const MspState& s = id.state();
  if (!s.node_ous) {
    return PermissionDeniedError(
        absl::StrFormat("node OUs not activated in msp %s: cannot tell apart identities for "
                        "role %s",
                        s.name, RoleName(role)));
  }
  RETURN_IF_ERROR(id.Validate());
  switch (role) {
    case common::MSPRole::CLIENT:
      return HasNodeOu(id, s.client_ou, role);
    case common::MSPRole::PEER:
      return HasNodeOu(id, s.peer_ou, role);
    default:
      return HasNodeOu(id, s.orderer_ou, role);
  }
}

Status CheckRole(const X509Identity& id, const std::string& bytes) {
  common::MSPRole role;
  if (!role.ParseFromString(bytes)) {
    return PermissionDeniedError("could not unmarshal MSPRole from principal");
  }
  if (role.msp_identifier() != id.MspId()) {
    return OtherMsp(id, role.msp_identifier());
  }
  const MspState& s = id.state();
  switch (role.role()) {
    case common::MSPRole::MEMBER:
      return id.Validate();
    case common::MSPRole::ADMIN:
      if (IsAdminCert(id)) {
        return Status::OK();  // Admin certificates were validated when the MSP was created.
      }
      if (!s.node_ous) {
        return PermissionDeniedError(
            absl::StrFormat("identity [%s] is not an admin of msp %s", id.Subject(), s.name));
      }
      RETURN_IF_ERROR(id.Validate());
      return HasNodeOu(id, s.admin_ou, role.role());
    case common::MSPRole::CLIENT:
    case common::MSPRole::PEER:
    case common::MSPRole::ORDERER:
      return CheckNodeRole(id, role.role());
    default:
      return PermissionDeniedError(
          absl::StrFormat("invalid msp role type %d", static_cast<int>(role.role())));
  }
}

Status CheckOrganizationUnit(const X509Identity& id, const std::string& bytes) {
  common::OrganizationUnit ou;
  if (!ou.ParseFromString(bytes)) {
    return PermissionDeniedError("could not unmarshal OrganizationUnit from principal");
  }
  if (ou.msp_identifier() != id.MspId()) {
    return OtherMsp(id, ou.msp_identifier());
  }
  ASSIGN_OR_RETURN(ValidationResult validation, id.ValidationResultNow());
  for (const std::string& own : id.OrganizationalUnits()) {
    if (own == ou.organizational_unit_identifier() &&
        validation.certifiers_id == ou.certifiers_identifier()) {
      return Status::OK();
    }
  }
  return PermissionDeniedError(absl::StrFormat(
      "identity [%s] does not match organizational unit %s of msp %s (OU or certifiers "
      "identifier differ)",
      id.Subject(), ou.organizational_unit_identifier(), ou.msp_identifier()));
}

Status CheckIdentity(const X509Identity& id, const std::string& bytes) {
  if (bytes == id.Serialize()) {
    return id.Validate();
  }
  ::msp::SerializedIdentity sid;
  if (!sid.ParseFromString(bytes)) {
    return PermissionDeniedError("invalid identity principal: not a SerializedIdentity");
  }
  if (sid.mspid() == id.MspId()) {
    StatusOr<crypto::Certificate> cert = crypto::Certificate::FromPem(sid.id_bytes());
    if (!cert.ok()) {
      return PermissionDeniedError("invalid identity principal: not a certificate");
    }
    if (TbsBytes(cert->ToDer()) == id.tbs()) {
      return id.Validate();
    }
  }
  return PermissionDeniedError(
      absl::StrFormat("the identities do not match (identity [%s] of "
                      "msp %s)",
                      id.Subject(), id.MspId()));
}

Status CheckAnonymity(const std::string& bytes) {
  common::MSPIdentityAnonymity anonymity;
  if (!anonymity.ParseFromString(bytes)) {
    return PermissionDeniedError("could not unmarshal MSPIdentityAnonymity from principal");
  }
  switch (anonymity.anonymity_type()) {
    case common::MSPIdentityAnonymity::NOMINAL:
      return Status::OK();
    case common::MSPIdentityAnonymity::ANONYMOUS:
      return PermissionDeniedError(
          "principal is anonymous, but the X.509 msp does not support anonymous identities");
    default:
      return PermissionDeniedError(absl::StrFormat("unknown principal anonymity type %d",
                                                   static_cast<int>(anonymity.anonymity_type())));
  }
}

Status CheckAt(const X509Identity& id, const common::MSPPrincipal& principal, int depth) {
  const auto classification = principal.principal_classification();
  if (id.state().version < MspVersion::kV1_3 &&
      (classification == common::MSPPrincipal::COMBINED ||
       classification == common::MSPPrincipal::ANONYMITY)) {
    return PermissionDeniedError(  // understood from MSP version 1.3
        absl::StrFormat("invalid principal type %d", static_cast<int>(classification)));
  }
  switch (classification) {
    case common::MSPPrincipal::ROLE:
      return CheckRole(id, principal.principal());
    case common::MSPPrincipal::ORGANIZATION_UNIT:
      return CheckOrganizationUnit(id, principal.principal());
    case common::MSPPrincipal::IDENTITY:
      return CheckIdentity(id, principal.principal());
    case common::MSPPrincipal::ANONYMITY:
      return CheckAnonymity(principal.principal());
    case common::MSPPrincipal::COMBINED: {
      if (depth >= kMaxCombinedDepth) {
        return PermissionDeniedError("combined principal nested too deeply");
      }
      common::CombinedPrincipal combined;
      if (!combined.ParseFromString(principal.principal())) {
        return PermissionDeniedError("could not unmarshal CombinedPrincipal from principal");
      }
      if (combined.principals().empty()) {
        return PermissionDeniedError("no principals in CombinedPrincipal");
      }
      for (const common::MSPPrincipal& p : combined.principals()) {
        RETURN_IF_ERROR(CheckAt(id, p, depth + 1));
      }
      return Status::OK();
    }
    default:
      return PermissionDeniedError(absl::StrFormat(
          "invalid principal type %d", static_cast<int>(principal.principal_classification())));
  }
}

}  // namespace

Status CheckPrincipal(const X509Identity& id, const common::MSPPrincipal& principal) {
  return CheckAt(id, principal, 0);
}

}  // namespace fabric::msp::internal
