// SPDX-License-Identifier: Apache-2.0
//
// SignaturePolicy: a compiled SignaturePolicyEnvelope, Fabric's cauthdsl policy.
//
// Evaluation follows Fabric 1.4's cauthdsl (common/cauthdsl/cauthdsl.go, policy.go):
//  - signers are deserialized, ones that fail are skipped, and repeated identities (same MSP id
//    and certificate, however serialized) are dropped, first occurrence kept, before anything
//    else (SignerSet);
//  - a signed_by(i) leaf takes the first unused signer that satisfies principal i, is valid and
//    whose signature verifies, and marks it used; validity and signature are checked lazily and
//    at most once per signer per evaluation;
//  - an NOutOf gate evaluates every child in order (no short-circuit), each on a copy of the
//    used marks; a satisfied child's marks are kept, an unsatisfied child's are discarded; the
//    gate holds when at least n children held. There is no further backtracking: like Fabric,
//    a greedy choice in an earlier child can make a later child fail.
//
// Compilation rejects (InvalidArgument) what Fabric rejects (version != 0, empty rule element,
// signed_by index out of range) and, as hardening beyond Fabric, n < 0 and gates nested deeper
// than kMaxPolicyDepth. Fabric accepts n < 0 and treats it like n = 0.
//
// Thread-safety: immutable after Compile; Evaluate may be called concurrently. The deserializer
// passed to Compile must outlive the policy.

#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/msp/identity.h"
#include "common/policies.pb.h"
#include "common/policies/policy.h"
#include "fabric/base/status.h"

namespace fabric::policies {

class SignaturePolicy : public Policy {
 public:
  // Compiles `envelope`; returns InvalidArgument for the malformed envelopes described above.
  static StatusOr<std::unique_ptr<SignaturePolicy>> Compile(
      const common::SignaturePolicyEnvelope& envelope,
      const msp::IdentityDeserializer& deserializer);

  // Compiles a marshalled SignaturePolicyEnvelope (Policy.value of a SIGNATURE policy).
  // Returns InvalidArgument if it does not unmarshal or does not compile.
  static StatusOr<std::unique_ptr<SignaturePolicy>> FromBytes(
      std::string_view marshalled, const msp::IdentityDeserializer& deserializer);

  // Returns OK if the signature set satisfies the policy, else PermissionDenied
  // ("signature set did not satisfy policy ...", naming the principals left unsatisfied).
  Status Evaluate(const std::vector<protoutil::SignedData>& signed_data) const override;
  Status EvaluateSigners(SignerSet& signers) const override;

  // The envelope this policy was compiled from.
  const common::SignaturePolicyEnvelope& envelope() const { return envelope_; }

 private:
  struct Node {
    int32_t n;          // gate threshold; unused for leaves
    int32_t principal;  // principal index for a signed_by leaf, -1 for a gate
    uint32_t first;     // gates: index of first child in children_
    uint32_t count;     // gates: number of children
  };
  struct Principal {
    common::MSPPrincipal principal;
    // For a well-formed ROLE principal, the MSP id it names: signers of other MSPs cannot
    // satisfy it, so SatisfiesPrincipal is not called for them.
    std::string role_msp_id;
    bool is_role = false;
  };

  SignaturePolicy(common::SignaturePolicyEnvelope envelope,
                  const msp::IdentityDeserializer& deserializer)
      : envelope_(std::move(envelope)), deserializer_(deserializer) {}

  StatusOr<uint32_t> CompileNode(const common::SignaturePolicy& rule, int depth);
  bool EvalNode(uint32_t node, SignerSet& signers, uint8_t* used, uint8_t* scratch,
                std::vector<bool>* unmet) const;
  bool EvalLeaf(const Node& node, SignerSet& signers, uint8_t* used,
                std::vector<bool>* unmet) const;
  Status Failure(SignerSet& signers, uint8_t* buffer) const;

  const common::SignaturePolicyEnvelope envelope_;
  const msp::IdentityDeserializer& deserializer_;
  // Built by Compile, then immutable. nodes_[0] is the root.
  std::vector<Node> nodes_;
  std::vector<uint32_t> children_;
  std::vector<Principal> principals_;
  int gate_depth_ = 0;  // deepest chain of gates, for the scratch buffers
};

}  // namespace fabric::policies
