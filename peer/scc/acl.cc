// SPDX-License-Identifier: Apache-2.0
#include "peer/scc/acl.h"

#include <absl/strings/str_format.h>

#include "common/common.pb.h"
#include "common/policies/builder.h"
#include "common/policies/manager.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"

namespace fabric::scc {
namespace {

std::string DefaultPolicy(std::string_view resource) {
  if (resource == resources::kPeerPropose) {
    return std::string(policies::kChannelApplicationWriters);
  }
  if (resource.starts_with("lscc/") || resource.starts_with("qscc/") ||
      resource == resources::kCsccGetConfigBlock) {
    return std::string(policies::kChannelApplicationReaders);
  }
  return {};
}

}  // namespace

StatusOr<std::string> ProposalCreator(const protos::SignedProposal& signed_proposal) {
  ASSIGN_OR_RETURN(auto proposal, protoutil::Unmarshal<protos::Proposal>(
                                      signed_proposal.proposal_bytes(), "proposal"));
  ASSIGN_OR_RETURN(auto header, protoutil::Unmarshal<common::Header>(proposal.header(), "header"));
  ASSIGN_OR_RETURN(auto shdr, protoutil::Unmarshal<common::SignatureHeader>(
                                  header.signature_header(), "signature header"));
  return shdr.creator();
}

StatusOr<std::string> AclProvider::PolicyFor(std::string_view resource,
                                             const std::string& channel_id) const {
  auto bundle = channels_.GetBundle(channel_id);
  if (bundle != nullptr) {
    auto it = bundle->acls().find(std::string(resource));
    if (it != bundle->acls().end()) {
      // Channel ACLs name policies relative to /Channel/Application or absolutely.
      return it->second.starts_with("/") ? it->second : "/Channel/Application/" + it->second;
    }
  }
  std::string policy = DefaultPolicy(resource);
  if (policy.empty()) {
    return NotFoundError(absl::StrFormat("no policy for resource %s", resource));
  }
  return policy;
}

Status AclProvider::CheckACL(std::string_view resource, const std::string& channel_id,
                             const protos::SignedProposal& signed_proposal) const {
  ASSIGN_OR_RETURN(std::string creator, ProposalCreator(signed_proposal));
  return CheckACL(resource, channel_id,
                  protoutil::SignedData{signed_proposal.proposal_bytes(), std::move(creator),
                                        signed_proposal.signature()});
}

Status AclProvider::CheckACL(std::string_view resource, const std::string& channel_id,
                             const protoutil::SignedData& proposal_signature) const {
  auto bundle = channels_.GetBundle(channel_id);
  if (bundle == nullptr) {
    return NotFoundError("Failed to get policy manager for channel [" + channel_id + "]");
  }
  ASSIGN_OR_RETURN(std::string policy_name, PolicyFor(resource, channel_id));
  auto policy = bundle->policy_manager().GetPolicy(policy_name);
  if (!policy.ok()) {
    return PermissionDeniedError(absl::StrFormat("Failed to get policy [%s] on channel [%s]: [%s]",
                                                 policy_name, channel_id,
                                                 policy.status().message()));
  }
  Status s = (*policy)->Evaluate({proposal_signature});
  if (!s.ok()) {
    return PermissionDeniedError(absl::StrFormat(
        "Failed evaluating policy on signed data during check policy on channel [%s] with "
        "policy [%s]: [%s]",
        channel_id, policy_name, s.message()));
  }
  return Status::OK();
}

Status AclProvider::CheckLocal(LocalRole role,
                               const protos::SignedProposal& signed_proposal) const {
  const char* name = role == LocalRole::kAdmin ? "Admins" : "Members";
  ASSIGN_OR_RETURN(std::string creator, ProposalCreator(signed_proposal));
  auto identity = local_msp_.DeserializeIdentity(creator);
  if (!identity.ok()) {
    return PermissionDeniedError(absl::StrFormat(
        "Failed deserializing proposal creator during channelless check policy with policy "
        "[%s]: [%s]",
        name, identity.status().message()));
  }
  Status s = local_msp_.Validate(**identity);
  if (s.ok()) {
    s = (*identity)->Verify(signed_proposal.proposal_bytes(), signed_proposal.signature());
  }
  if (s.ok() && role == LocalRole::kAdmin) {
    s = local_msp_.SatisfiesPrincipal(
        **identity, policies::RolePrincipal(local_msp_.MspId(), common::MSPRole::ADMIN));
  }
  if (!s.ok()) {
    return PermissionDeniedError(absl::StrFormat(
        "Failed evaluating policy on signed data during channelless check policy with policy "
        "[%s]: [%s]",
        name, s.message()));
  }
  return Status::OK();
}

}  // namespace fabric::scc
