// SPDX-License-Identifier: Apache-2.0
#include "orderer/msgprocessor.h"

#include <absl/strings/str_format.h>

#include "common/channelconfig/configtx.h"
#include "common/channelconfig/keys.h"
#include "common/configuration.pb.h"
#include "common/crypto/x509.h"
#include "common/policies/manager.h"
#include "common/protoutil/txutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "msp/identities.pb.h"
#include "orderer/blockcutter.h"
#include "orderer/maintenance_filter.h"

namespace fabric::orderer {
namespace {

namespace cc = channelconfig;

constexpr std::string_view kOrdererWriters = "/Channel/Orderer/Writers";

bool InMaintenance(const channelconfig::Bundle& bundle) {
  return bundle.consensus_state() == ::orderer::ConsensusType::STATE_MAINTENANCE;
}

Status SizeFilter(const channelconfig::Bundle& bundle, const common::Envelope& envelope) {
  const size_t size = MessageSizeBytes(envelope);
  const size_t max = bundle.batch_size().absolute_max_bytes;
  if (size > max) {
    return InvalidArgumentError(absl::StrFormat(
        "message payload is %d bytes and exceeds maximum allowed %d bytes", size, max));
  }
  return Status::OK();
}

// Fabric's expirationRejectRule (orderer capability V1_1 and later): an envelope whose creator
// holds an expired certificate is refused before its signature is looked at. Only the outer
// creator counts; identities that do not parse as certificates never expire here.
Status ExpirationFilter(const channelconfig::Bundle& bundle, const EnvelopeHeaders& headers) {
  const auto& capabilities = bundle.orderer_capabilities();
  if (capabilities.count("V1_1") == 0 && capabilities.count("V1_4_2") == 0) {
    return Status::OK();
  }
  const auto now = std::chrono::system_clock::now();
  // The channel's MSPs keep deserialized identities: parsing the certificate for every
  // envelope would cost the orderer more than the rest of its work on it.
  auto known = bundle.msp_manager().DeserializeIdentity(headers.signature_header.creator());
  if (known.ok()) {
    return (*known)->ExpiresAt() <= now ? InvalidArgumentError("identity expired") : Status::OK();
  }
  ::msp::SerializedIdentity identity;
  if (!identity.ParseFromString(headers.signature_header.creator())) {
    return Status::OK();
  }
  StatusOr<crypto::Certificate> cert = crypto::Certificate::FromPem(identity.id_bytes());
  if (cert.ok() && cert->NotAfter() <= now) {
    return InvalidArgumentError("identity expired");
  }
  return Status::OK();
}

void ZeroVersions(common::ConfigGroup* group) {
  group->set_version(0);
  for (auto& [unused, value] : *group->mutable_values()) {
    value.set_version(0);
  }
  for (auto& [unused, policy] : *group->mutable_policies()) {
    policy.set_version(0);
  }
  for (auto& [unused, child] : *group->mutable_groups()) {
    ZeroVersions(&child);
  }
}

// Fabric's DefaultTemplator.NewChannelConfig: the config a new channel starts from before the
// creation update is applied.
StatusOr<common::Config> NewChannelTemplate(const channelconfig::Bundle& system,
                                            const common::ConfigUpdate& update) {
  const common::ConfigGroup& write_set = update.write_set();
  auto app_it = write_set.groups().find(std::string(cc::kApplicationGroupKey));
  if (app_it == write_set.groups().end()) {
    return InvalidArgumentError("config update has missing application group");
  }
  if (app_it->second.version() != 1) {
    return InvalidArgumentError(absl::StrFormat(
        "config update for channel creation does not set application group version to 1, "
        "was %d",
        app_it->second.version()));
  }
  auto consortium_it = write_set.values().find(std::string(cc::kConsortiumKey));
  if (consortium_it == write_set.values().end()) {
    return InvalidArgumentError("consortium config value missing");
  }
  ASSIGN_OR_RETURN(auto consortium, protoutil::Unmarshal<common::Consortium>(
                                        consortium_it->second.value(), "consortium"));
  const common::ConfigGroup& system_group = system.config().channel_group();
  auto consortiums_it = system_group.groups().find(std::string(cc::kConsortiumsGroupKey));
  if (consortiums_it == system_group.groups().end()) {
    return InvalidArgumentError(
        "the ordering system channel does not appear to support creating channels");
  }
  auto member_it = consortiums_it->second.groups().find(consortium.name());
  if (member_it == consortiums_it->second.groups().end()) {
    return InvalidArgumentError("unknown consortium name: " + consortium.name());
  }
  const common::ConfigGroup& consortium_group = member_it->second;
  auto policy_it = consortium_group.values().find(std::string(cc::kChannelCreationPolicyKey));
  if (policy_it == consortium_group.values().end()) {
    return InvalidArgumentError("consortium " + consortium.name() +
                                " has no ChannelCreationPolicy");
  }
  common::ConfigGroup application;
  ASSIGN_OR_RETURN(
      *(*application.mutable_policies())[std::string(cc::kChannelCreationPolicyKey)]
           .mutable_policy(),
      protoutil::Unmarshal<common::Policy>(policy_it->second.value(), "channel creation policy"));
  application.set_mod_policy(std::string(cc::kChannelCreationPolicyKey));
  const auto& requested = app_it->second.groups();
  if (!consortium_group.groups().empty() && requested.empty()) {
    return InvalidArgumentError(
        "proposed configuration has no application group members, but consortium contains "
        "members");
  }
  if (!consortium_group.groups().empty()) {
    for (const auto& [org, unused] : requested) {
      auto org_it = consortium_group.groups().find(org);
      if (org_it == consortium_group.groups().end()) {
        return InvalidArgumentError(
            absl::StrFormat("attempted to include member %s which is not in the consortium", org));
      }
      (*application.mutable_groups())[org] = org_it->second;
    }
  }
  common::Config config;
  common::ConfigGroup* channel = config.mutable_channel_group();
  *channel->mutable_values() = system_group.values();
  *channel->mutable_policies() = system_group.policies();
  auto orderer_it = system_group.groups().find(std::string(cc::kOrdererGroupKey));
  if (orderer_it == system_group.groups().end()) {
    return InvalidArgumentError("system channel has no Orderer group");
  }
  (*channel->mutable_groups())[std::string(cc::kOrdererGroupKey)] = orderer_it->second;
  (*channel->mutable_groups())[std::string(cc::kApplicationGroupKey)] = application;
  common::ConfigValue& consortium_value =
      (*channel->mutable_values())[std::string(cc::kConsortiumKey)];
  consortium_value.Clear();
  consortium_value.set_value(protoutil::Marshal(consortium));
  consortium_value.set_mod_policy(std::string(cc::kAdminsPolicyKey));
  // PredictableChannelTemplate (every orderer capability since V1_1).
  channel->set_mod_policy(system_group.mod_policy());
  ZeroVersions(channel);
  return config;
}

// A config update applied to a channel's config, and the resulting config parsed.
struct ProposedConfig {
  common::ConfigEnvelope envelope;
  std::shared_ptr<const channelconfig::Bundle> bundle;
};

// Fabric's ChainSupport.ProposeConfigUpdate: the update validated against `current`, the result
// parsed, its capabilities supported by this binary, and allowed to follow `current`.
StatusOr<ProposedConfig> ProposeNewConfig(const channelconfig::Bundle& current,
                                          const common::Envelope& update) {
  ProposedConfig out;
  ASSIGN_OR_RETURN(out.envelope, channelconfig::ProposeConfigUpdate(current, update));
  StatusOr<std::shared_ptr<const channelconfig::Bundle>> next =
      channelconfig::Bundle::FromConfig(current.channel_id(), out.envelope.config());
  if (!next.ok()) {
    return InvalidArgumentError(
        absl::StrFormat("initializing channelconfig failed: %s", next.status().message()));
  }
  RETURN_IF_ERROR(
      (*next)->CheckOrdererCapabilitiesSupported().Annotate("config update is not compatible"));
  RETURN_IF_ERROR(current.ValidateNew(**next));
  out.bundle = *std::move(next);
  return out;
}

// The maintenance-mode rules need the write set of the update that produced the config.
Status CheckMaintenance(const channelconfig::Bundle& current, const ProposedConfig& proposed) {
  ASSIGN_OR_RETURN(common::ConfigUpdateEnvelope cue,
                   channelconfig::UnwrapConfigUpdate(proposed.envelope.last_update(), nullptr));
  ASSIGN_OR_RETURN(auto update, protoutil::Unmarshal<common::ConfigUpdate>(cue.config_update(),
                                                                           "config update"));
  return CheckMaintenanceRules(current, *proposed.bundle, update);
}

}  // namespace

StatusOr<EnvelopeHeaders> ParseEnvelopeHeaders(const common::Envelope& envelope) {
  ASSIGN_OR_RETURN(auto payload,
                   protoutil::Unmarshal<common::Payload>(envelope.payload(), "payload"));
  if (!payload.has_header()) {
    return InvalidArgumentError("envelope payload has no header");
  }
  if (payload.header().channel_header().empty()) {
    return InvalidArgumentError("envelope payload header has no channel header");
  }
  EnvelopeHeaders headers;
  ASSIGN_OR_RETURN(headers.channel_header,
                   protoutil::Unmarshal<common::ChannelHeader>(payload.header().channel_header(),
                                                               "channel header"));
  ASSIGN_OR_RETURN(headers.signature_header,
                   protoutil::Unmarshal<common::SignatureHeader>(
                       payload.header().signature_header(), "signature header"));
  return headers;
}

MsgClass ClassifyMsg(const common::ChannelHeader& channel_header) {
  switch (channel_header.type()) {
    case common::CONFIG_UPDATE:
      return MsgClass::kConfigUpdate;
    case common::CONFIG:
    case common::ORDERER_TRANSACTION:
      return MsgClass::kRejected;
    default:
      return common::HeaderType_IsValid(channel_header.type()) ? MsgClass::kNormal
                                                               : MsgClass::kRejected;
  }
}

Status ApplyStandardFilters(const channelconfig::Bundle& bundle, const common::Envelope& envelope,
                            const EnvelopeHeaders& headers) {
  if (envelope.payload().empty()) {
    return InvalidArgumentError("message was empty");
  }
  RETURN_IF_ERROR(SizeFilter(bundle, envelope));
  RETURN_IF_ERROR(ExpirationFilter(bundle, headers));
  // In maintenance mode only the ordering service may write (Fabric's SigFilter).
  const std::string_view writers_path =
      InMaintenance(bundle) ? kOrdererWriters : policies::kChannelWriters;
  ASSIGN_OR_RETURN(const policies::Policy* writers,
                   bundle.policy_manager().GetPolicy(writers_path));
  std::vector<protoutil::SignedData> signed_data = {
      {envelope.payload(), headers.signature_header.creator(), envelope.signature()}};
  Status status = writers->Evaluate(signed_data);
  if (!status.ok()) {
    return PermissionDeniedError(
        absl::StrFormat("implicit policy %s not satisfied by the envelope's signer: %s",
                        writers_path, status.message()));
  }
  return Status::OK();
}

Status ProcessNormalMsg(const channelconfig::Bundle& bundle, const common::Envelope& envelope,
                        const EnvelopeHeaders& headers) {
  if (InMaintenance(bundle)) {
    return UnavailableError("normal transactions are rejected: maintenance mode");
  }
  return ApplyStandardFilters(bundle, envelope, headers);
}

StatusOr<common::Envelope> ProcessConfigUpdate(const channelconfig::Bundle& bundle,
                                               const common::Envelope& update,
                                               const msp::SigningIdentity& signer) {
  ASSIGN_OR_RETURN(EnvelopeHeaders headers, ParseEnvelopeHeaders(update));
  RETURN_IF_ERROR(ApplyStandardFilters(bundle, update, headers));
  StatusOr<ProposedConfig> proposed = ProposeNewConfig(bundle, update);
  if (!proposed.ok()) {
    return proposed.status().Annotate(absl::StrFormat(
        "error applying config update to existing channel '%s'", bundle.channel_id()));
  }
  ASSIGN_OR_RETURN(common::Envelope config,
                   protoutil::CreateSignedEnvelope(common::CONFIG, bundle.channel_id(), signer,
                                                   proposed->envelope));
  RETURN_IF_ERROR(SizeFilter(bundle, config));
  RETURN_IF_ERROR(CheckMaintenance(bundle, *proposed)
                      .Annotate("config update for existing channel did not pass maintenance "
                                "checks: config transaction inspection failed"));
  return config;
}

StatusOr<common::Envelope> ProcessChannelCreation(const channelconfig::Bundle& system,
                                                  const common::Envelope& update,
                                                  const msp::SigningIdentity& signer) {
  std::string channel_id;
  ASSIGN_OR_RETURN(common::ConfigUpdateEnvelope cue,
                   channelconfig::UnwrapConfigUpdate(update, &channel_id));
  RETURN_IF_ERROR(ValidateChannelId(channel_id));
  ASSIGN_OR_RETURN(auto config_update, protoutil::Unmarshal<common::ConfigUpdate>(
                                           cue.config_update(), "config update"));
  if (config_update.channel_id() != channel_id) {
    return InvalidArgumentError(absl::StrFormat(
        "failing initial channel config creation: mismatched channel IDs: '%s' != '%s'",
        config_update.channel_id(), channel_id));
  }
  if (!config_update.has_write_set()) {
    return InvalidArgumentError("config update has an empty write set");
  }
  ASSIGN_OR_RETURN(common::Config template_config, NewChannelTemplate(system, config_update));
  StatusOr<std::shared_ptr<const channelconfig::Bundle>> template_bundle =
      channelconfig::Bundle::FromConfig(channel_id, template_config);
  if (!template_bundle.ok()) {
    return InvalidArgumentError(absl::StrFormat("new channel template config is invalid: %s",
                                                template_bundle.status().message()));
  }
  ASSIGN_OR_RETURN(common::ConfigEnvelope config_envelope,
                   channelconfig::ProposeConfigUpdate(**template_bundle, update));
  StatusOr<std::shared_ptr<const channelconfig::Bundle>> created =
      channelconfig::Bundle::FromConfig(channel_id, config_envelope.config());
  if (!created.ok()) {
    return InvalidArgumentError(
        absl::StrFormat("new channel config is invalid: %s", created.status().message()));
  }
  // Fabric's SystemChainFilter: the new channel's config must be a valid successor of the
  // template (no MSP ID changes) and need only capabilities this binary has.
  RETURN_IF_ERROR((*template_bundle)->ValidateNew(**created).Annotate("new bundle invalid"));
  RETURN_IF_ERROR(
      (*created)->CheckOrdererCapabilitiesSupported().Annotate("config update is not compatible"));
  ASSIGN_OR_RETURN(
      common::Envelope config,
      protoutil::CreateSignedEnvelope(common::CONFIG, channel_id, signer, config_envelope));
  ASSIGN_OR_RETURN(common::Envelope wrapped,
                   protoutil::CreateSignedEnvelope(common::ORDERER_TRANSACTION, system.channel_id(),
                                                   signer, config));
  RETURN_IF_ERROR(SizeFilter(system, wrapped));
  if (InMaintenance(system)) {
    return UnavailableError("channel creation is not permitted: maintenance mode");
  }
  return wrapped;
}

StatusOr<common::Envelope> UnwrapOrdererTransaction(const common::Envelope& envelope) {
  ASSIGN_OR_RETURN(auto payload,
                   protoutil::Unmarshal<common::Payload>(envelope.payload(), "payload"));
  return protoutil::Unmarshal<common::Envelope>(payload.data(), "new channel config envelope");
}

}  // namespace fabric::orderer
