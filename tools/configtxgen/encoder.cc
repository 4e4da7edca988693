// SPDX-License-Identifier: Apache-2.0

#include "tools/configtxgen/encoder.h"

#include <string>

#include <absl/strings/str_format.h>

#include "common/channelconfig/genesis.h"
#include "common/channelconfig/go_duration.h"
#include "common/channelconfig/keys.h"
#include "common/channelconfig/values.h"
#include "common/configuration.pb.h"
#include "common/crypto/file_util.h"
#include "common/msp/config_builder.h"
#include "common/policies/builder.h"
#include "common/policies/implicit_meta.h"
#include "common/policies/policyparser.h"
#include "common/protoutil/txutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "orderer/cluster/cluster.pb.h"
#include "orderer/configuration.pb.h"
#include "orderer/etcdraft/configuration.pb.h"
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

// Fabric's policies for a channel, orderer or application group that lists none: Admins by a
// majority of the sub-groups' admins, Readers and Writers by any; the orderer group also gets
// BlockValidation by any Writers.
void AddImplicitMetaDefaults(common::ConfigGroup& group, bool orderer) {
  using Rule = common::ImplicitMetaPolicy;
  channelconfig::SetImplicitMetaPolicy(group, kAdmins, Rule::MAJORITY, kAdmins, kAdmins);
  channelconfig::SetImplicitMetaPolicy(group, "Readers", Rule::ANY, "Readers", kAdmins);
  channelconfig::SetImplicitMetaPolicy(group, "Writers", Rule::ANY, "Writers", kAdmins);
  if (orderer) {
    channelconfig::SetImplicitMetaPolicy(group, channelconfig::kBlockValidationPolicyKey, Rule::ANY,
                                         "Writers", kAdmins);
  }
}

// Fabric's policies for an org that lists none: Readers and Writers by any member, Admins by an
// admin, or by any member when AdminPrincipal is Role.MEMBER.
void AddOrgDefaults(common::ConfigGroup& group, const OrganizationSpec& org) {
  channelconfig::SetSignaturePolicy(group, kAdmins,
                                    org.admin_principal == "Role.MEMBER"
                                        ? policies::SignedByMspMember(org.id)
                                        : policies::SignedByMspAdmin(org.id),
                                    kAdmins);
  channelconfig::SetSignaturePolicy(group, "Readers", policies::SignedByMspMember(org.id), kAdmins);
  channelconfig::SetSignaturePolicy(group, "Writers", policies::SignedByMspMember(org.id), kAdmins);
}

// The org's AnchorPeers value (possibly an empty list).
void SetAnchorPeers(common::ConfigGroup& group, const OrganizationSpec& org) {
  ::protos::AnchorPeers anchors;
  for (const AnchorPeerSpec& peer : org.anchor_peers) {
    ::protos::AnchorPeer* anchor = anchors.add_anchor_peers();
    anchor->set_host(peer.host);
    anchor->set_port(peer.port);
  }
  SetValue(group, channelconfig::kAnchorPeersKey, anchors, kAdmins);
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
  if (org.policies.empty()) {
    AddOrgDefaults(group, org);
  } else {
    RETURN_IF_ERROR(AddPolicies(group, org.policies, what));
  }
  SetValue(group, channelconfig::kMSPKey, *msp_config, kAdmins);
  return group;
}

// The etcdraft ConsensusType metadata, with each consenter's TLS certificate files read in.
StatusOr<std::string> EtcdRaftMetadata(const EtcdRaftSpec& raft) {
  ::etcdraft::ConfigMetadata metadata;
  for (const ConsenterSpec& spec : raft.consenters) {
    ::etcdraft::Consenter* consenter = metadata.add_consenters();
    consenter->set_host(spec.host);
    consenter->set_port(spec.port);
    for (auto [path, field] :
         {std::pair{&spec.client_tls_cert, "client"}, std::pair{&spec.server_tls_cert, "server"}}) {
      StatusOr<std::string> pem = crypto::ReadFile(*path);
      if (!pem.ok()) {
        return InvalidArgumentError(absl::StrFormat(
            "orderer group: etcdraft consenter %s:%d: cannot read %s TLS cert %s: %s", spec.host,
            spec.port, field, *path, pem.status().message()));
      }
      std::string_view(field) == "client" ? consenter->set_client_tls_cert(*pem)
                                          : consenter->set_server_tls_cert(*pem);
    }
  }
  ::etcdraft::Options* options = metadata.mutable_options();
  options->set_tick_interval(raft.tick_interval);
  options->set_election_tick(raft.election_tick);
  options->set_heartbeat_tick(raft.heartbeat_tick);
  options->set_max_inflight_blocks(raft.max_inflight_blocks);
  options->set_snapshot_interval_size(raft.snapshot_interval_size);
  return protoutil::Marshal(metadata);
}

// ConsensusType, and KafkaBrokers for kafka, as Fabric orders them into the group.
Status AddConsensus(common::ConfigGroup& group, const OrdererSpec& orderer) {
  ::orderer::ConsensusType consensus;
  consensus.set_type(orderer.orderer_type);
  if (orderer.orderer_type == "kafka") {
    ::orderer::KafkaBrokers brokers;
    for (const std::string& broker : orderer.kafka_brokers) {
      brokers.add_brokers(broker);
    }
    SetValue(group, channelconfig::kKafkaBrokersKey, brokers, kAdmins);
  } else if (orderer.orderer_type == "etcdraft") {
    ASSIGN_OR_RETURN(*consensus.mutable_metadata(), EtcdRaftMetadata(orderer.etcd_raft));
  } else if (orderer.orderer_type == "etcd") {
    if (orderer.etcd.endpoints.empty()) {
      return InvalidArgumentError("orderer group: OrdererType etcd needs Etcd.Endpoints");
    }
    ::fabric::orderer::cluster::EtcdConfigMetadata metadata;
    for (const std::string& endpoint : orderer.etcd.endpoints) {
      metadata.add_endpoints(endpoint);
    }
    metadata.set_tls(orderer.etcd.tls);
    consensus.set_metadata(protoutil::Marshal(metadata));
  }
  SetValue(group, channelconfig::kConsensusTypeKey, consensus, kAdmins);
  return Status::OK();
}

StatusOr<common::ConfigGroup> NewOrdererGroup(const OrdererSpec& orderer) {
  common::ConfigGroup group;
  if (orderer.policies.empty()) {
    AddImplicitMetaDefaults(group, true);
  } else if (orderer.policies.count(std::string(channelconfig::kBlockValidationPolicyKey)) == 0) {
    return InvalidArgumentError("orderer group: no BlockValidation policy defined");
  } else {
    RETURN_IF_ERROR(AddPolicies(group, orderer.policies, "orderer group"));
  }
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
  RETURN_IF_ERROR(AddConsensus(group, orderer));
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
  if (application.policies.empty()) {
    AddImplicitMetaDefaults(group, false);
  } else {
    RETURN_IF_ERROR(AddPolicies(group, application.policies, "application group"));
  }
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
      SetAnchorPeers(org_group, org);
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

// The update an org sends to set its anchor peers on a channel created from the default
// template (Fabric's doOutputAnchorPeersUpdate): the org's MSP and Readers/Writers/Admins are
// read at version 0, the org is written at version 1 with its AnchorPeers.
common::ConfigUpdate AnchorPeersUpdate(std::string_view channel_id, const OrganizationSpec& org) {
  common::ConfigUpdate update;
  update.set_channel_id(std::string(channel_id));
  const std::string app_key(channelconfig::kApplicationGroupKey);
  for (common::ConfigGroup* set : {update.mutable_read_set(), update.mutable_write_set()}) {
    common::ConfigGroup& app = (*set->mutable_groups())[app_key];
    app.set_version(1);
    app.set_mod_policy(std::string(kAdmins));
    common::ConfigGroup& org_group = (*app.mutable_groups())[org.name];
    (*org_group.mutable_values())[std::string(channelconfig::kMSPKey)];
    for (std::string_view policy : {"Readers", "Writers", "Admins"}) {
      (*org_group.mutable_policies())[std::string(policy)];
    }
  }
  common::ConfigGroup& written =
      (*(*update.mutable_write_set()->mutable_groups())[app_key].mutable_groups())[org.name];
  written.set_version(1);
  written.set_mod_policy(std::string(kAdmins));
  SetAnchorPeers(written, org);
  return update;
}

// An unsigned CONFIG_UPDATE envelope (Fabric's CreateSignedEnvelope without a signer): message
// version 0, epoch 0, an empty signature header.
common::Envelope UnsignedConfigUpdateEnvelope(const common::ConfigUpdate& update,
                                              std::string_view channel_id) {
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

}  // namespace

StatusOr<common::ConfigGroup> NewChannelGroup(const Profile& profile) {
  common::ConfigGroup channel;
  if (profile.policies.empty()) {
    AddImplicitMetaDefaults(channel, false);
  } else {
    RETURN_IF_ERROR(AddPolicies(channel, profile.policies, "channel group"));
  }
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
  return UnsignedConfigUpdateEnvelope(update, channel_id);
}

StatusOr<common::Envelope> MakeAnchorPeersUpdate(const Profile& profile,
                                                 std::string_view channel_id,
                                                 std::string_view as_org) {
  if (as_org.empty()) {
    return InvalidArgumentError(
        "must specify an organization to update the anchor peer for (-asOrg)");
  }
  if (!profile.application.has_value()) {
    return InvalidArgumentError(absl::StrFormat(
        "profile %s: cannot update anchor peers without an Application section", profile.name));
  }
  const OrganizationSpec* org = nullptr;
  for (const OrganizationSpec& candidate : profile.application->organizations) {
    if (candidate.name == as_org) {
      org = &candidate;
    }
  }
  if (org == nullptr) {
    return InvalidArgumentError(
        absl::StrFormat("profile %s: no application organization named %s", profile.name, as_org));
  }
  // Fabric builds this envelope by hand: a channel header with only the type and channel id, no
  // signature header, no timestamp.
  common::ConfigUpdateEnvelope update_envelope;
  update_envelope.set_config_update(protoutil::Marshal(AnchorPeersUpdate(channel_id, *org)));
  common::ChannelHeader channel_header;
  channel_header.set_type(common::CONFIG_UPDATE);
  channel_header.set_channel_id(std::string(channel_id));
  common::Payload payload;
  payload.mutable_header()->set_channel_header(protoutil::Marshal(channel_header));
  payload.set_data(protoutil::Marshal(update_envelope));
  common::Envelope envelope;
  envelope.set_payload(protoutil::Marshal(payload));
  return envelope;
}

}  // namespace fabric::configtxgen
