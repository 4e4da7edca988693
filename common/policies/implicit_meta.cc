// SPDX-License-Identifier: Apache-2.0
#include "common/policies/implicit_meta.h"

#include <absl/strings/str_format.h>

namespace fabric::policies {

StatusOr<std::unique_ptr<ImplicitMetaPolicy>> ImplicitMetaPolicy::Create(
    const common::ImplicitMetaPolicy& definition, std::vector<const Policy*> sub_policies,
    const msp::IdentityDeserializer& deserializer) {
  const int children = static_cast<int>(sub_policies.size());
  int threshold = 0;
  switch (definition.rule()) {
    case common::ImplicitMetaPolicy::ANY:
      threshold = 1;
      break;
    case common::ImplicitMetaPolicy::ALL:
      threshold = children;
      break;
    case common::ImplicitMetaPolicy::MAJORITY:
      threshold = children / 2 + 1;
      break;
    default:
      return InvalidArgumentError(absl::StrFormat("implicit meta policy has unknown rule %d",
                                                  static_cast<int>(definition.rule())));
  }
  // Fabric: with no sub-policies, 0 is the threshold for every rule.
  if (children == 0) {
    threshold = 0;
  }
  return std::unique_ptr<ImplicitMetaPolicy>(new ImplicitMetaPolicy(
      definition.sub_policy(), std::move(sub_policies), threshold, deserializer));
}

Status ImplicitMetaPolicy::Evaluate(const std::vector<protoutil::SignedData>& signed_data) const {
  if (threshold_ == 0) {
    return Status::OK();
  }
  SignerSet signers(signed_data, deserializer_);
  return EvaluateSigners(signers);
}

Status ImplicitMetaPolicy::EvaluateSigners(SignerSet& signers) const {
  int remaining = threshold_;
  if (remaining == 0) {
    return Status::OK();
  }
  for (const Policy* sub : sub_policies_) {
    if (sub != nullptr && sub->EvaluateSigners(signers).ok()) {
      if (--remaining == 0) {
        return Status::OK();
      }
    }
  }
  return PermissionDeniedError(absl::StrFormat(
      "implicit policy evaluation failed - %d sub-policies were satisfied, but this policy "
      "requires %d of the '%s' sub-policies to be satisfied",
      threshold_ - remaining, threshold_, sub_policy_name_));
}

StatusOr<common::ImplicitMetaPolicy> ImplicitMetaFromString(std::string_view text) {
  size_t space = text.find(' ');
  if (space == std::string_view::npos || text.find(' ', space + 1) != std::string_view::npos) {
    size_t tokens = 1;
    for (char c : text) {
      tokens += c == ' ' ? 1 : 0;
    }
    return InvalidArgumentError(absl::StrFormat(
        "implicit meta policy '%s': expected two space separated tokens, but got %d", text,
        tokens));
  }
  std::string_view rule = text.substr(0, space);
  common::ImplicitMetaPolicy policy;
  policy.set_sub_policy(std::string(text.substr(space + 1)));
  if (rule == "ANY") {
    policy.set_rule(common::ImplicitMetaPolicy::ANY);
  } else if (rule == "ALL") {
    policy.set_rule(common::ImplicitMetaPolicy::ALL);
  } else if (rule == "MAJORITY") {
    policy.set_rule(common::ImplicitMetaPolicy::MAJORITY);
  } else {
    return InvalidArgumentError(
        absl::StrFormat("unknown rule type '%s', expected ALL, ANY, or MAJORITY", rule));
  }
  return policy;
}

std::string ImplicitMetaToString(const common::ImplicitMetaPolicy& policy) {
  const char* rule = "UNKNOWN";
  switch (policy.rule()) {
    case common::ImplicitMetaPolicy::ANY:
      rule = "ANY";
      break;
    case common::ImplicitMetaPolicy::ALL:
      rule = "ALL";
      break;
    case common::ImplicitMetaPolicy::MAJORITY:
      rule = "MAJORITY";
      break;
    default:
      break;
  }
  return absl::StrFormat("%s %s", rule, policy.sub_policy());
}

}  // namespace fabric::policies
