// SPDX-License-Identifier: Apache-2.0
//
// ImplicitMetaPolicy: ANY / ALL / MAJORITY of the policies named `sub_policy` in the child
// groups of a config group. Fabric's common/policies/implicitmeta.go and implicitmetaparser.go.
//
// Fabric's rules, kept here:
//  - threshold: ANY = 1, ALL = number of children, MAJORITY = children / 2 + 1 (more than half);
//  - with zero children the threshold is 0 for every rule, so the policy is satisfied by any
//    signature set (Fabric: "consider 0 to be a majority or any");
//  - a child group without a policy of that name counts as an unsatisfied sub-policy (Fabric
//    puts its reject policy there);
//  - evaluation stops as soon as the threshold is reached.
// Unlike Fabric, the signature set is deserialized and verified once for all sub-policies
// (SignerSet); the outcome is the same.
//
// Thread-safety: immutable after construction; Evaluate may be called concurrently. The
// sub-policies and the deserializer must outlive the policy (PolicyManager owns both ends).

#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/msp/identity.h"
#include "common/policies.pb.h"
#include "common/policies/policy.h"
#include "fabric/base/status.h"

namespace fabric::policies {

class ImplicitMetaPolicy : public Policy {
 public:
  // `sub_policies` has one entry per child group, nullptr where the child lacks the policy.
  // Returns InvalidArgument for a rule other than ANY, ALL, MAJORITY (Fabric leaves the
  // threshold at 0 then, accepting everything; we fail closed).
  static StatusOr<std::unique_ptr<ImplicitMetaPolicy>> Create(
      const common::ImplicitMetaPolicy& definition, std::vector<const Policy*> sub_policies,
      const msp::IdentityDeserializer& deserializer);

  // OK when at least threshold() sub-policies are satisfied; PermissionDenied otherwise
  // ("implicit policy evaluation failed - 1 sub-policies were satisfied, but this policy
  // requires 2 of the 'Writers' sub-policies to be satisfied").
  Status Evaluate(const std::vector<protoutil::SignedData>& signed_data) const override;
  Status EvaluateSigners(SignerSet& signers) const override;

  int threshold() const { return threshold_; }
  const std::string& sub_policy_name() const { return sub_policy_name_; }

 private:
  ImplicitMetaPolicy(std::string sub_policy_name, std::vector<const Policy*> sub_policies,
                     int threshold, const msp::IdentityDeserializer& deserializer)
      : sub_policy_name_(std::move(sub_policy_name)),
        sub_policies_(std::move(sub_policies)),
        threshold_(threshold),
        deserializer_(deserializer) {}

  const std::string sub_policy_name_;
  const std::vector<const Policy*> sub_policies_;
  const int threshold_;
  const msp::IdentityDeserializer& deserializer_;
};

// Parses Fabric's textual form "<RULE> <sub policy>", e.g. "MAJORITY Admins": exactly two
// tokens separated by one space, RULE one of ANY, ALL, MAJORITY (upper case). Returns
// InvalidArgument otherwise.
StatusOr<common::ImplicitMetaPolicy> ImplicitMetaFromString(std::string_view text);

// "ANY Readers" for the given policy.
std::string ImplicitMetaToString(const common::ImplicitMetaPolicy& policy);

}  // namespace fabric::policies
