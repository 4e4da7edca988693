// SPDX-License-Identifier: Apache-2.0
//
// Builders for common signature policies, Fabric's cauthdsl_builder.go (1.4) /
// policydsl_builder.go (2.x). Every function produces the same envelope, byte for byte, as its
// Fabric namesake.
//
// Thread-safety: free functions without shared state.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/policies.pb.h"
#include "msp/msp_principal.pb.h"

namespace fabric::policies {

// A SignaturePolicy requiring a signature from the principal at `index` of the envelope.
common::SignaturePolicy SignedBy(int32_t index);

// A SignaturePolicy satisfied when at least `n` of `rules` are.
common::SignaturePolicy NOutOf(int32_t n, std::vector<common::SignaturePolicy> rules);

// An MSPPrincipal of classification ROLE for `role` in MSP `msp_id`.
common::MSPPrincipal RolePrincipal(std::string_view msp_id, common::MSPRole::MSPRoleType role);

// One signature from a member / admin / client / peer of MSP `msp_id`:
// {rule: NOutOf(1, [SignedBy(0)]), identities: [ROLE msp_id.<role>]}.
common::SignaturePolicyEnvelope SignedByMspMember(std::string_view msp_id);
common::SignaturePolicyEnvelope SignedByMspAdmin(std::string_view msp_id);
common::SignaturePolicyEnvelope SignedByMspClient(std::string_view msp_id);
common::SignaturePolicyEnvelope SignedByMspPeer(std::string_view msp_id);

// `n` signatures, each from a distinct principal `role` of one of `msp_ids`. As in Fabric the
// ids are sorted first, so the envelope does not depend on the caller's order.
common::SignaturePolicyEnvelope SignedByNOutOfGivenRole(int32_t n,
                                                        common::MSPRole::MSPRoleType role,
                                                        std::vector<std::string> msp_ids);

// One signature from a member / admin / client / peer of any of `msp_ids` (sorted).
common::SignaturePolicyEnvelope SignedByAnyMember(std::vector<std::string> msp_ids);
common::SignaturePolicyEnvelope SignedByAnyAdmin(std::vector<std::string> msp_ids);
common::SignaturePolicyEnvelope SignedByAnyClient(std::vector<std::string> msp_ids);
common::SignaturePolicyEnvelope SignedByAnyPeer(std::vector<std::string> msp_ids);

// NOutOf(0, []) with no identities: satisfied by any signature set, even an empty one.
common::SignaturePolicyEnvelope AcceptAllPolicy();

// NOutOf(1, []) with no identities: never satisfied.
common::SignaturePolicyEnvelope RejectAllPolicy();

}  // namespace fabric::policies
