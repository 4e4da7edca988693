// SPDX-License-Identifier: Apache-2.0

#include "tools/configtxgen/encoder.h"

#include <string>

#include <absl/strings/str_format.h>

#include "common/channelconfig/genesis.h"
#include "common/channelconfig/go_duration.h"
#include "common/channelconfig/keys.h"
#include "common/channelconfig/values.h"
#include "common/configuration.pb.h"
#include "common/msp/config_builder.h"
#include "common/policies/builder.h"
#include "common/policies/implicit_meta.h"
#include "common/policies/policyparser.h"
#include "common/protoutil/txutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "orderer/configuration.pb.h"
#include "peer/configuration.pb.h"

namespace fabric::configtxgen {
namespace {

using channelconfig::SetValue;

constexpr std::string_view kAdmins = channelconfig::kAdminsPolicyKey;
constexpr std::string_view kOrdererAdmins = channelconfig::kOrdererAdminsPolicyPath;

// Adds `policies` to `group`; `what` names the group in errors ("application org Org1").
Status AddPolicies(common::ConfigGroup& group, const PolicyMap& policies, std::string_view what) {
  for (std::string_view required : {"Admins", "Readers", "Writers"}) {
    if (policies.count(std::string(required)) == 0) {
      return InvalidArgumentError(absl::StrFormat("%s: no %s policy defined", what, required));
    }
  }
  for (const auto& [name, spec] : policies) {
    if (spec.type == "ImplicitMeta") {
      StatusOr<common::ImplicitMetaPolicy> policy = policies::ImplicitMetaFromString(spec.rule);
      if (!policy.ok()) {
        return InvalidArgumentError(
            absl::StrFormat("%s: policy %s: invalid implicit meta policy rule \"%s\": %s", what,
                            name, spec.rule, policy.status().message()));
      }
      channelconfig::SetPolicy(group, name, common::Policy::IMPLICIT_META, *policy, kAdmins);
    } else if (spec.type == "Signature") {
      StatusOr<common::SignaturePolicyEnvelope> policy = policies::FromString(spec.rule);
      if (!policy.ok()) {
        return InvalidArgumentError(
            absl::StrFormat("%s: policy %s: invalid signature policy rule \"%s\": %s", what, name,
                            spec.rule, policy.status().message()));
      }
      channelconfig::SetSignaturePolicy(group, name, *policy, kAdmins);
    } else {
      return InvalidArgumentError(
          absl::StrFormat("%s: policy %s: unknown policy type \"%s\"", what, name, spec.type));
    }
  }
  return Status::OK();
}

// An org group with its MSP and policies; `what` names it in errors.
StatusOr<common::ConfigGroup> NewOrgGroup(const OrganizationSpec& org, const std::string& what) {
  common::ConfigGroup group;
  group.set_mod_policy(std::string(kAdmins));
  StatusOr<::msp::MSPConfig> msp_config = msp::LoadVerifyingMspConfigFromDir(org.msp_dir, org.id);
  if (!msp_config.ok()) {
    return InvalidArgumentError(absl::StrFormat("%s: load MSP dir=%s: %s", what, org.msp_dir,
                                                msp_config.status().message()));
  }
  RETURN_IF_ERROR(AddPolicies(group, org.policies, what));
  SetValue(group, channelconfig::kMSPKey, *msp_config, kAdmins);
  return group;
}

StatusOr<common::ConfigGroup> NewOrdererGroup(const OrdererSpec& orderer) {
  common::ConfigGroup group;
  if (orderer.policies.count(std::string(channelconfig::kBlockValidationPolicyKey)) == 0) {
    return InvalidArgumentError("orderer group: no BlockValidation policy defined");
  }
  RETURN_IF_ERROR(AddPolicies(group, orderer.policies, "orderer group"));
  ::orderer::BatchSize size;
  size.set_max_message_count(orderer.batch_size.max_message_count);
  size.set_absolute_max_bytes(orderer.batch_size.absolute_max_bytes);
  size.set_preferred_max_bytes(orderer.batch_size.preferred_max_bytes);
  SetValue(group, channelconfig::kBatchSizeKey, size, kAdmins);
  ::orderer::BatchTimeout timeout;
  timeout.set_timeout(channelconfig::FormatGoDuration(orderer.batch_timeout));
  SetValue(group, channelconfig::kBatchTimeoutKey, timeout, kAdmins);
  ::orderer::ChannelRestrictions restrictions;
  restrictions.set_max_count(orderer.max_channels);
  SetValue(group, channelconfig::kChannelRestrictionsKey, restrictions, kAdmins);
  if (!orderer.capabilities.empty()) {
    channelconfig::SetCapabilities(group, orderer.capabilities, kAdmins);
  }
  ::orderer::ConsensusType consensus;
  consensus.set_type(orderer.orderer_type);
  SetValue(group, channelconfig::kConsensusTypeKey, consensus, kAdmins);
  for (const OrganizationSpec& org : orderer.organizations) {
    ASSIGN_OR_RETURN(common::ConfigGroup org_group, NewOrgGroup(org, "orderer org " + org.name));
    if (!org.orderer_endpoints.empty()) {
      common::OrdererAddresses endpoints;
      for (const std::string& endpoint : org.orderer_endpoints) {
        endpoints.add_addresses(endpoint);
      }
      SetValue(org_group, channelconfig::kEndpointsKey, endpoints, kAdmins);
    }
    (*group.mutable_groups())[org.name] = std::move(org_group);
  }
  group.set_mod_policy(std::string(kAdmins));
  return group;
}

StatusOr<common::ConfigGroup> NewApplicationGroup(const ApplicationSpec& application) {
  common::ConfigGroup group;
  RETURN_IF_ERROR(AddPolicies(group, application.policies, "application group"));
  if (!application.acls.empty()) {
    ::protos::ACLs acls;
    for (const auto& [resource, policy] : application.acls) {
      (*acls.mutable_acls())[resource].set_policy_ref(policy);
    }
    SetValue(group, channelconfig::kACLsKey, acls, kAdmins);
  }
  if (!application.capabilities.empty()) {
    channelconfig::SetCapabilities(group, application.capabilities, kAdmins);
  }
  for (const OrganizationSpec& org : application.organizations) {
    ASSIGN_OR_RETURN(common::ConfigGroup org_group,
                     NewOrgGroup(org, "application org " + org.name));
    if (!org.anchor_peers.empty()) {
      ::protos::AnchorPeers anchors;
      for (const AnchorPeerSpec& peer : org.anchor_peers) {
        ::protos::AnchorPeer* anchor = anchors.add_anchor_peers();
        anchor->set_host(peer.host);
        anchor->set_port(peer.port);
      }
      SetValue(org_group, channelconfig::kAnchorPeersKey, anchors, kAdmins);
    }
    (*group.mutable_groups())[org.name] = std::move(org_group);
  }
  group.set_mod_policy(std::string(kAdmins));
  return group;
}

StatusOr<common::ConfigGroup> NewConsortiumsGroup(
    const std::map<std::string, ConsortiumSpec>& consortiums) {
  common::ConfigGroup group;
  // Not referenced anywhere; it only feeds the channel-level implicit meta policies, handing
  // control of the system channel to the orderer admins (Fabric's comment).
  channelconfig::SetSignaturePolicy(group, kAdmins, policies::AcceptAllPolicy(), kOrdererAdmins);
  for (const auto& [name, consortium] : consortiums) {
    common::ConfigGroup consortium_group;
    for (const OrganizationSpec& org : consortium.organizations) {
      ASSIGN_OR_RETURN((*consortium_group.mutable_groups())[org.name],
                       NewOrgGroup(org, "consortium " + name + " org " + org.name));
    }
    common::ImplicitMetaPolicy any_admins;
    any_admins.set_rule(common::ImplicitMetaPolicy::ANY);
    any_admins.set_sub_policy(std::string(kAdmins));
    common::Policy creation_policy;
    creation_policy.set_type(common::Policy::IMPLICIT_META);
    creation_policy.set_value(protoutil::Marshal(any_admins));
    SetValue(consortium_group, channelconfig::kChannelCreationPolicyKey, creation_policy,
             kOrdererAdmins);
    consortium_group.set_mod_policy(std::string(kOrdererAdmins));
    (*group.mutable_groups())[name] = std::move(consortium_group);
  }
  group.set_mod_policy(std::string(kOrdererAdmins));
  return group;
}

// The update creating a channel, against a template that has the same orgs but no application
// values or policies (Fabric's DefaultConfigTemplate + update.Compute): the orgs are read at
// version 0 and the application group is written at version 1, plus the Consortium value.
common::ConfigUpdate ChannelCreationUpdate(std::string_view channel_id,
                                           const common::ConfigGroup& application,
                                           const std::string& consortium_name) {
  common::ConfigUpdate update;
  update.set_channel_id(std::string(channel_id));
  auto& read_app = (*update.mutable_read_set()->mutable_groups())["Application"];
  auto& write_app = (*update.mutable_write_set()->mutable_groups())["Application"];
  for (const auto& [org_name, unused] : application.groups()) {
    (*read_app.mutable_groups())[org_name];
    (*write_app.mutable_groups())[org_name];
  }
  write_app.set_version(1);
  write_app.set_mod_policy(application.mod_policy());
  *write_app.mutable_policies() = application.policies();
  *write_app.mutable_values() = application.values();

  (*update.mutable_read_set()->mutable_values())[std::string(channelconfig::kConsortiumKey)];
  common::Consortium consortium;
  consortium.set_name(consortium_name);
  (*update.mutable_write_set()->mutable_values())[std::string(channelconfig::kConsortiumKey)]
      .set_value(protoutil::Marshal(consortium));

  return update;
}

}  // namespace

StatusOr<common::ConfigGroup> NewChannelGroup(const Profile& profile) {
  common::ConfigGroup channel;
  RETURN_IF_ERROR(AddPolicies(channel, profile.policies, "channel group"));
  channelconfig::SetDefaultHashing(channel, kAdmins);
  if (profile.orderer.has_value() && !profile.orderer->addresses.empty()) {
    common::OrdererAddresses addresses;
    for (const std::string& address : profile.orderer->addresses) {
      addresses.add_addresses(address);
    }
    SetValue(channel, channelconfig::kOrdererAddressesKey, addresses, kOrdererAdmins);
  }
  if (!profile.consortium.empty()) {
    common::Consortium consortium;
    consortium.set_name(profile.consortium);
    SetValue(channel, channelconfig::kConsortiumKey, consortium, kAdmins);
  }
  if (!profile.capabilities.empty()) {
    channelconfig::SetCapabilities(channel, profile.capabilities, kAdmins);
  }
  auto& groups = *channel.mutable_groups();
  if (profile.orderer.has_value()) {
    ASSIGN_OR_RETURN(groups[std::string(channelconfig::kOrdererGroupKey)],
                     NewOrdererGroup(*profile.orderer));
  }
  if (profile.application.has_value()) {
    ASSIGN_OR_RETURN(groups[std::string(channelconfig::kApplicationGroupKey)],
                     NewApplicationGroup(*profile.application));
  }
  if (profile.consortiums.has_value()) {
    ASSIGN_OR_RETURN(groups[std::string(channelconfig::kConsortiumsGroupKey)],
                     NewConsortiumsGroup(*profile.consortiums));
  }
  channel.set_mod_policy(std::string(kAdmins));
  return channel;
}

StatusOr<common::Block> MakeGenesisBlock(const Profile& profile, std::string_view channel_id) {
  if (!profile.orderer.has_value()) {
    return InvalidArgumentError(absl::StrFormat(
        "profile %s has no Orderer section, which a genesis block needs", profile.name));
  }
  ASSIGN_OR_RETURN(common::ConfigGroup channel, NewChannelGroup(profile));
  return channelconfig::MakeGenesisBlock(channel_id, channel);
}

StatusOr<common::Envelope> MakeChannelCreationTx(const Profile& profile,
                                                 std::string_view channel_id) {
  if (!profile.application.has_value()) {
    return InvalidArgumentError(absl::StrFormat(
        "profile %s: cannot define a new channel with no Application section", profile.name));
  }
  if (profile.consortium.empty()) {
    return InvalidArgumentError(absl::StrFormat(
        "profile %s: cannot define a new channel with no Consortium value", profile.name));
  }
  if (channel_id.empty()) {
    return InvalidArgumentError("channel creation tx: empty channel id");
  }
  ASSIGN_OR_RETURN(common::ConfigGroup channel, NewChannelGroup(profile));
  common::ConfigUpdate update = ChannelCreationUpdate(
      channel_id, channel.groups().at(std::string(channelconfig::kApplicationGroupKey)),
      profile.consortium);
  common::ConfigUpdateEnvelope update_envelope;
  update_envelope.set_config_update(protoutil::Marshal(update));
  common::ChannelHeader channel_header =
      protoutil::MakeChannelHeader(common::CONFIG_UPDATE, 0, channel_id, 0);
  common::Payload payload = protoutil::MakePayload(channel_header, common::SignatureHeader(),
                                                   protoutil::Marshal(update_envelope));
  common::Envelope envelope;
  envelope.set_payload(protoutil::Marshal(payload));
  return envelope;
}

}  // namespace fabric::configtxgen
