// SPDX-License-Identifier: Apache-2.0
#include "common/policies/builder.h"

#include <algorithm>
#include <utility>

namespace fabric::policies {
namespace {

common::SignaturePolicyEnvelope SignedByRole(std::string_view msp_id,
                                             common::MSPRole::MSPRoleType role) {
  common::SignaturePolicyEnvelope env;
  env.set_version(0);
  *env.mutable_rule() = NOutOf(1, {SignedBy(0)});
  *env.add_identities() = RolePrincipal(msp_id, role);
  return env;
}

}  // namespace

common::SignaturePolicy SignedBy(int32_t index) {
  common::SignaturePolicy p;
  p.set_signed_by(index);
  return p;
}

common::SignaturePolicy NOutOf(int32_t n, std::vector<common::SignaturePolicy> rules) {
  common::SignaturePolicy p;
  common::SignaturePolicy::NOutOf* gate = p.mutable_n_out_of();
  gate->set_n(n);
  for (common::SignaturePolicy& rule : rules) {
    *gate->add_rules() = std::move(rule);
  }
  return p;
}

common::MSPPrincipal RolePrincipal(std::string_view msp_id, common::MSPRole::MSPRoleType role) {
  common::MSPRole msp_role;
  msp_role.set_msp_identifier(std::string(msp_id));
  msp_role.set_role(role);
  common::MSPPrincipal principal;
  principal.set_principal_classification(common::MSPPrincipal::ROLE);
  principal.set_principal(msp_role.SerializeAsString());
  return principal;
}

common::SignaturePolicyEnvelope SignedByMspMember(std::string_view msp_id) {
  return SignedByRole(msp_id, common::MSPRole::MEMBER);
}

common::SignaturePolicyEnvelope SignedByMspAdmin(std::string_view msp_id) {
  return SignedByRole(msp_id, common::MSPRole::ADMIN);
}

common::SignaturePolicyEnvelope SignedByMspClient(std::string_view msp_id) {
  return SignedByRole(msp_id, common::MSPRole::CLIENT);
}

common::SignaturePolicyEnvelope SignedByMspPeer(std::string_view msp_id) {
  return SignedByRole(msp_id, common::MSPRole::PEER);
}

common::SignaturePolicyEnvelope SignedByNOutOfGivenRole(int32_t n,
                                                        common::MSPRole::MSPRoleType role,
                                                        std::vector<std::string> msp_ids) {
  std::sort(msp_ids.begin(), msp_ids.end());
  common::SignaturePolicyEnvelope env;
  env.set_version(0);
  std::vector<common::SignaturePolicy> rules;
  rules.reserve(msp_ids.size());
  for (size_t i = 0; i < msp_ids.size(); ++i) {
    *env.add_identities() = RolePrincipal(msp_ids[i], role);
    rules.push_back(SignedBy(static_cast<int32_t>(i)));
  }
  *env.mutable_rule() = NOutOf(n, std::move(rules));
  return env;
}

common::SignaturePolicyEnvelope SignedByAnyMember(std::vector<std::string> msp_ids) {
  return SignedByNOutOfGivenRole(1, common::MSPRole::MEMBER, std::move(msp_ids));
}

common::SignaturePolicyEnvelope SignedByAnyAdmin(std::vector<std::string> msp_ids) {
  return SignedByNOutOfGivenRole(1, common::MSPRole::ADMIN, std::move(msp_ids));
}

common::SignaturePolicyEnvelope SignedByAnyClient(std::vector<std::string> msp_ids) {
  return SignedByNOutOfGivenRole(1, common::MSPRole::CLIENT, std::move(msp_ids));
}

common::SignaturePolicyEnvelope SignedByAnyPeer(std::vector<std::string> msp_ids) {
  return SignedByNOutOfGivenRole(1, common::MSPRole::PEER, std::move(msp_ids));
}

common::SignaturePolicyEnvelope AcceptAllPolicy() {
  common::SignaturePolicyEnvelope env;
  *env.mutable_rule() = NOutOf(0, {});
  return env;
}

common::SignaturePolicyEnvelope RejectAllPolicy() {
  common::SignaturePolicyEnvelope env;
  *env.mutable_rule() = NOutOf(1, {});
  return env;
}

}  // namespace fabric::policies
