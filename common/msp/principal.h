// SPDX-License-Identifier: Apache-2.0
//
// Internal to common/msp: whether an X.509 identity satisfies an MSPPrincipal (Go:
// bccspmsp.SatisfiesPrincipal, msp/mspimpl.go, at the MSP's version).
//
// Rules:
//   ROLE MEMBER   the identity is valid for the principal's MSP.
//   ROLE ADMIN    the certificate is one of the MSP's admin certificates (admincerts), or, with
//                 NodeOUs enabled, the identity is valid and carries the admin OU.
//   ROLE CLIENT, PEER, ORDERER
//                 NodeOUs enabled, the identity is valid and carries that node OU. Without
//                 NodeOUs Fabric cannot tell them apart and refuses ("NodeOUs not activated").
//   ORGANIZATION_UNIT
//                 same MSP, valid, one of the certificate's OUs equals the principal's OU and the
//                 principal's certifiers_identifier equals SHA-256 of the identity's issuer chain
//                 (issuing CA's DER up to the root's, concatenated).
//   IDENTITY      the principal's SerializedIdentity is this identity (same bytes, or same MSP
//                 and the same certificate up to its signature encoding), and it is valid.
//   ANONYMITY     NOMINAL is satisfied, ANONYMOUS never (X.509 identities are not anonymous).
//   COMBINED      every listed principal is satisfied (nesting limited to 16 levels).
//
// Thread-safety: stateless; safe to call concurrently.

#pragma once

#include "common/msp/x509_identity.h"
#include "fabric/base/status.h"
#include "msp/msp_principal.pb.h"

namespace fabric::msp::internal {

// OK when `id` satisfies `principal`; PermissionDenied saying why not (also for principals whose
// bytes do not parse).
Status CheckPrincipal(const X509Identity& id, const common::MSPPrincipal& principal);

}  // namespace fabric::msp::internal
