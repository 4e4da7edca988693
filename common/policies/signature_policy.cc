// SPDX-License-Identifier: Apache-2.0
#include "common/policies/signature_policy.h"

#include <algorithm>
#include <array>
#include <cstring>
#include <utility>

#include <absl/strings/str_format.h>

#include "common/policies/policyparser.h"
#include "fabric/base/status_macros.h"

namespace fabric::policies {
namespace {

// Used-mark buffers up to this size live on the stack; larger signature sets allocate.
constexpr size_t kInlineBufferSize = 512;

// At most this many unsatisfied principals are named in an error message.
constexpr int kMaxNamedPrincipals = 8;

}  // namespace

StatusOr<std::unique_ptr<SignaturePolicy>> SignaturePolicy::Compile(
    const common::SignaturePolicyEnvelope& envelope,
    const msp::IdentityDeserializer& deserializer) {
  if (envelope.version() != 0) {
    return InvalidArgumentError(absl::StrFormat(
        "signature policy version %d is not supported, only version 0 is", envelope.version()));
  }
  if (!envelope.has_rule()) {
    return InvalidArgumentError("signature policy has an empty rule");
  }
  std::unique_ptr<SignaturePolicy> policy(new SignaturePolicy(envelope, deserializer));
  for (const common::MSPPrincipal& p : policy->envelope_.identities()) {
    Principal compiled{p, "", false};
    common::MSPRole role;
    if (p.principal_classification() == common::MSPPrincipal::ROLE &&
        role.ParseFromString(p.principal())) {
      compiled.role_msp_id = role.msp_identifier();
      compiled.is_role = true;
    }
    policy->principals_.push_back(std::move(compiled));
  }
  ASSIGN_OR_RETURN(uint32_t root, policy->CompileNode(policy->envelope_.rule(), 1));
  (void)root;  // Always 0: the root's slot is reserved first.
  return policy;
}

StatusOr<std::unique_ptr<SignaturePolicy>> SignaturePolicy::FromBytes(
    std::string_view marshalled, const msp::IdentityDeserializer& deserializer) {
  common::SignaturePolicyEnvelope envelope;
  if (!envelope.ParseFromArray(marshalled.data(), static_cast<int>(marshalled.size()))) {
    return InvalidArgumentError("error unmarshalling to SignaturePolicyEnvelope");
  }
  return Compile(envelope, deserializer);
}

StatusOr<uint32_t> SignaturePolicy::CompileNode(const common::SignaturePolicy& rule, int depth) {
  const uint32_t index = static_cast<uint32_t>(nodes_.size());
  nodes_.push_back(Node{0, -1, 0, 0});
  if (rule.Type_case() == common::SignaturePolicy::kSignedBy) {
    const int32_t i = rule.signed_by();
    if (i < 0 || i >= static_cast<int32_t>(principals_.size())) {
      return InvalidArgumentError(
          absl::StrFormat("identity index out of range, requested %d, but identities length is %d",
                          i, principals_.size()));
    }
    nodes_[index].principal = i;
    return index;
  }
  if (rule.Type_case() != common::SignaturePolicy::kNOutOf) {
    return InvalidArgumentError("signature policy has an empty rule element");
  }
  if (depth > kMaxPolicyDepth) {
    return InvalidArgumentError(
        absl::StrFormat("signature policy nests gates deeper than %d levels", kMaxPolicyDepth));
  }
  gate_depth_ = std::max(gate_depth_, depth);
  const common::SignaturePolicy::NOutOf& gate = rule.n_out_of();
  if (gate.n() < 0) {
    return InvalidArgumentError(absl::StrFormat("signature policy gate has n = %d", gate.n()));
  }
  std::vector<uint32_t> kids;
  kids.reserve(gate.rules_size());
  for (const common::SignaturePolicy& child : gate.rules()) {
    ASSIGN_OR_RETURN(uint32_t k, CompileNode(child, depth + 1));
    kids.push_back(k);
  }
  nodes_[index].n = gate.n();
  nodes_[index].first = static_cast<uint32_t>(children_.size());
  nodes_[index].count = static_cast<uint32_t>(kids.size());
  children_.insert(children_.end(), kids.begin(), kids.end());
  return index;
}

Status SignaturePolicy::Evaluate(const std::vector<protoutil::SignedData>& signed_data) const {
  SignerSet signers(signed_data, deserializer_);
  return EvaluateSigners(signers);
}

Status SignaturePolicy::EvaluateSigners(SignerSet& signers) const {
  // One used-mark array per gate level: level 0 is the root's, level k+1 is the scratch copy
  // that a gate at level k hands to its children.
  const size_t m = signers.size();
  const size_t needed = m * static_cast<size_t>(gate_depth_ + 1);
  std::array<uint8_t, kInlineBufferSize> inline_buffer;
  std::vector<uint8_t> heap_buffer;
  uint8_t* buffer = inline_buffer.data();
  if (needed > inline_buffer.size()) {
    heap_buffer.resize(needed);
    buffer = heap_buffer.data();
  }
  std::memset(buffer, 0, m);
  if (EvalNode(0, signers, buffer, buffer + m, nullptr)) {
    return Status::OK();
  }
  return Failure(signers, buffer);
}

bool SignaturePolicy::EvalLeaf(const Node& node, SignerSet& signers, uint8_t* used,
                               std::vector<bool>* unmet) const {
  const Principal& principal = principals_[node.principal];
  for (size_t i = 0; i < signers.size(); ++i) {
    if (used[i] != 0) {
      continue;
    }
    const msp::Identity& identity = signers.identity(i);
    if (principal.is_role && identity.MspId() != principal.role_msp_id) {
      continue;
    }
    if (!identity.SatisfiesPrincipal(principal.principal).ok()) {
      continue;
    }
    if (!signers.IsUsable(i)) {
      continue;
    }
    used[i] = 1;
    return true;
  }
  if (unmet != nullptr) {
    (*unmet)[node.principal] = true;
  }
  return false;
}

bool SignaturePolicy::EvalNode(uint32_t index, SignerSet& signers, uint8_t* used, uint8_t* scratch,
                               std::vector<bool>* unmet) const {
  const Node& node = nodes_[index];
  if (node.principal >= 0) {
    return EvalLeaf(node, signers, used, unmet);
  }
  const size_t m = signers.size();
  int32_t verified = 0;
  for (uint32_t c = 0; c < node.count; ++c) {
    std::memcpy(scratch, used, m);
    if (EvalNode(children_[node.first + c], signers, scratch, scratch + m, unmet)) {
      ++verified;
      std::memcpy(used, scratch, m);
    }
  }
  return verified >= node.n;
}

Status SignaturePolicy::Failure(SignerSet& signers, uint8_t* buffer) const {
  // Evaluate again, recording the principals of failed leaves. Signer checks are memoized, so
  // no signature is verified twice.
  std::vector<bool> unmet(principals_.size(), false);
  const size_t m = signers.size();
  std::memset(buffer, 0, m);
  (void)EvalNode(0, signers, buffer, buffer + m, &unmet);
  std::string names;
  int named = 0;
  int omitted = 0;
  for (size_t i = 0; i < unmet.size(); ++i) {
    if (!unmet[i]) {
      continue;
    }
    if (named == kMaxNamedPrincipals) {
      ++omitted;
      continue;
    }
    absl::StrAppendFormat(&names, "%s'%s'", named > 0 ? ", " : "",
                          PrincipalToString(principals_[i].principal));
    ++named;
  }
  std::string message = "signature set did not satisfy policy";
  if (named > 0) {
    absl::StrAppendFormat(&message, ": no usable signature for %s", names);
    if (omitted > 0) {
      absl::StrAppendFormat(&message, " and %d more principal(s)", omitted);
    }
  }
  absl::StrAppendFormat(&message, " (%d distinct signer(s))", m);
  return PermissionDeniedError(message);
}

}  // namespace fabric::policies
