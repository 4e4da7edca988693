// SPDX-License-Identifier: Apache-2.0
//
// Fabric's signature-policy language: parsing into a SignaturePolicyEnvelope and printing one
// back. Fabric's common/cauthdsl/policyparser.go (1.4) / common/policydsl/policyparser.go (2.x).
//
// Grammar (whitespace allowed between tokens):
//   policy    := gate
//   gate      := ("AND" | "OR") "(" arg ("," arg)* ")"
//              | "OUTOF" "(" count ("," arg)+ ")"
//   arg       := gate | principal
//   principal := quoted '<msp id>.<role>'; msp id of [A-Za-z0-9.-]+, role one of
//                member | admin | client | peer | orderer (lower case)
//   count     := number, or a quoted number ('2'); a fraction is truncated as in Fabric
// Strings take single or double quotes. Gate names are accepted in exactly the spellings Fabric
// accepts: And/and/AND, Or/or/OR, OutOf/outof/OUTOF.
//
// The envelope is the one Fabric's parser yields for the same string:
//  - AND(a, b, ...) is NOutOf(<number of args>, [...]), OR(...) is NOutOf(1, [...]).
//  - Every principal occurrence gets its own entry in `identities` (Fabric does not de-duplicate
//    them; evaluation is the same either way since each signed_by consumes its own signer).
//  - Indices are assigned the way Fabric's evaluator assigns them: a gate's own quoted
//    principals are numbered after all principals of its nested gates, left to right. E.g.
//    AND('A.member', OR('B.member', 'C.member')) gives identities [B, C, A] and rule
//    NOutOf(2, [SignedBy(2), NOutOf(1, [SignedBy(0), SignedBy(1)])]).
//  - OutOf(n, ...) accepts 0 <= n <= count + 1, as Fabric does (n = count + 1 can never be
//    satisfied; Fabric permits it and so do we, so the same strings are accepted).
//  - version 0.
//
// Thread-safety: free functions without shared state.

#pragma once

#include <string>
#include <string_view>

#include "common/policies.pb.h"
#include "fabric/base/status.h"
#include "msp/msp_principal.pb.h"

namespace fabric::policies {

// Maximum nesting of gates accepted by FromString and by SignaturePolicy compilation.
inline constexpr int kMaxPolicyDepth = 64;

// Parses `policy`. Returns InvalidArgument naming the problem and its character offset
// ("offset 12: unknown role 'Org1MSP.boss' ...") for any malformed string.
StatusOr<common::SignaturePolicyEnvelope> FromString(std::string_view policy);

// Prints `envelope` in the policy language: NOutOf(1, ...) as OR, NOutOf(n, n rules) as AND,
// other gates as OutOf(n, ...); ROLE principals as 'msp.role'. FromString(ToString(x)) == x
// for every x that FromString returns. Principals the language cannot express (OU, identity,
// malformed, index out of range) print as <...> placeholders, which do not parse.
std::string ToString(const common::SignaturePolicyEnvelope& envelope);

// 'Org1MSP.member' for a ROLE principal (without quotes); a <...> description otherwise.
std::string PrincipalToString(const common::MSPPrincipal& principal);

}  // namespace fabric::policies
