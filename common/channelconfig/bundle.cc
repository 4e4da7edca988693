// SPDX-License-Identifier: Apache-2.0
//
// Bundle construction: the channel, orderer, application and consortium groups are parsed in
// Fabric's order (channel values, then each child group), org MSPs are collected, and finally
// the MSP manager and the policy tree are built.

#include "common/channelconfig/bundle.h"

#include <algorithm>
#include <initializer_list>
#include <utility>

#include <absl/strings/ascii.h>
#include <absl/strings/str_format.h>

#include "common/channelconfig/config_value.h"
#include "common/channelconfig/go_duration.h"
#include "common/channelconfig/keys.h"
#include "common/configuration.pb.h"
#include "common/protoutil/blockutils.h"
#include "common/protoutil/txutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "msp/msp_config.pb.h"
#include "orderer/configuration.pb.h"
#include "peer/configuration.pb.h"

namespace fabric::channelconfig {

using internal::DecodeValue;
using internal::RequireValue;

// Fills a Bundle from its config_. One parser per Bundle construction.
class BundleParser {
 public:
  BundleParser(Bundle& bundle, const msp::Msp::Options& msp_options)
      : bundle_(bundle), msp_options_(msp_options) {}

  Status Parse();

 private:
  Status ParseChannelValues(const common::ConfigGroup& channel);
  Status ParseOrderer(const common::ConfigGroup& orderer);
  Status ParseBatchSettings(const common::ConfigGroup& orderer, const std::string& path);
  Status CheckKafkaBrokers(const common::ConfigGroup& orderer, const std::string& path);
  Status ParseApplication(const common::ConfigGroup& application);
  Status ParseConsortiums(const common::ConfigGroup& consortiums);
  enum class OrgKind { kApplication, kOrderer, kConsortium };
  StatusOr<Organization> ParseOrg(OrgKind kind, const std::string& parent_path,
                                  const std::string& name, const common::ConfigGroup& group);
  Status AddMsp(const std::string& path, const ::msp::MSPConfig& config, std::string* msp_id);
  Status BuildManagers();

  Bundle& bundle_;
  const msp::Msp::Options& msp_options_;
  std::vector<::msp::MSPConfig> msp_configs_;
  // MSP id -> serialized MSPConfig, to accept an org that appears in two groups identically.
  std::map<std::string, std::string> msp_bytes_;
  std::vector<std::string> channel_orderer_addresses_;
};

namespace {

StatusOr<std::set<std::string>> ParseCapabilities(const common::ConfigGroup& group,
                                                  const std::string& path) {
  common::Capabilities capabilities;
  ASSIGN_OR_RETURN(bool found, DecodeValue(group, path, kCapabilitiesKey, &capabilities));
  std::set<std::string> names;
  if (found) {
    for (const auto& [name, unused] : capabilities.capabilities()) {
      names.insert(name);
    }
  }
  return names;
}

// Fabric's standard values: each group type reads a fixed set of value keys and refuses any
// other one, so a config carrying a value no binary reads is refused everywhere.
Status CheckValueKeys(const common::ConfigGroup& group, const std::string& path,
                      std::initializer_list<std::string_view> allowed) {
  for (const auto& [key, unused] : group.values()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return InvalidArgumentError(
          absl::StrFormat("%s: failed to deserialize values: Unexpected key %s", path, key));
    }
  }
  return Status::OK();
}

const common::ConfigGroup* ChildGroup(const common::ConfigGroup& group, std::string_view key) {
  auto it = group.groups().find(std::string(key));
  return it == group.groups().end() ? nullptr : &it->second;
}

// Fabric's brokerEntrySeemsValid: "host:port" with one ':', a decimal port that fits 16 bits
// and a host of [a-zA-Z0-9.-] that starts and ends alphanumeric (an empty host passes).
bool BrokerEntrySeemsValid(std::string_view broker) {
  const size_t colon = broker.find(':');
  if (colon == std::string_view::npos || broker.find(':', colon + 1) != std::string_view::npos) {
    return false;
  }
  const std::string_view host = broker.substr(0, colon);
  const std::string_view port = broker.substr(colon + 1);
  if (port.empty()) {
    return false;
  }
  uint32_t port_value = 0;
  for (char c : port) {
    if (c < '0' || c > '9') {
      return false;
    }
    port_value = port_value * 10 + (c - '0');
    if (port_value > 65535) {
      return false;
    }
  }
  auto alnum = [](char c) { return absl::ascii_isalnum(static_cast<unsigned char>(c)); };
  if (host.empty()) {
    return true;
  }
  return alnum(host.front()) && alnum(host.back()) &&
         std::all_of(host.begin(), host.end(),
                     [&](char c) { return alnum(c) || c == '.' || c == '-'; });
}

// Fabric's preValidate: channel or application capabilities are only meaningful once the
// ordering service declares its own capabilities.
Status CheckCapabilitiesNeedOrdererSupport(const common::ConfigGroup& channel) {
  const common::ConfigGroup* orderer = ChildGroup(channel, kOrdererGroupKey);
  const std::string key(kCapabilitiesKey);
  if (orderer == nullptr || orderer->values().count(key) > 0) {
    return Status::OK();
  }
  if (channel.values().count(key) > 0) {
    return InvalidArgumentError(
        "/Channel: cannot enable channel capabilities without orderer support first");
  }
  const common::ConfigGroup* application = ChildGroup(channel, kApplicationGroupKey);
  if (application != nullptr && application->values().count(key) > 0) {
    return InvalidArgumentError(
        "/Channel: cannot enable application capabilities without orderer support first");
  }
  return Status::OK();
}

// Channel capability V1_4_2 and later let orderer orgs carry their own Endpoints; before it the
// channel's OrdererAddresses are the only (and required) orderer endpoints.
bool OrgSpecificOrdererEndpoints(const std::set<std::string>& channel_capabilities) {
  return channel_capabilities.count("V1_4_2") + channel_capabilities.count("V1_4_3") > 0;
}

}  // namespace

Status BundleParser::Parse() {
  const common::Config& config = bundle_.config_;
  if (!config.has_channel_group()) {
    return InvalidArgumentError("/Channel: config has no channel group");
  }
  const common::ConfigGroup& channel = config.channel_group();
  for (const auto& [name, unused] : channel.groups()) {
    if (name != kOrdererGroupKey && name != kApplicationGroupKey && name != kConsortiumsGroupKey) {
      return InvalidArgumentError("/Channel: Disallowed channel group: " + name);
    }
  }
  RETURN_IF_ERROR(CheckValueKeys(channel, "/Channel",
                                 {kHashingAlgorithmKey, kBlockDataHashingStructureKey,
                                  kOrdererAddressesKey, kConsortiumKey, kCapabilitiesKey}));
  RETURN_IF_ERROR(CheckCapabilitiesNeedOrdererSupport(channel));
  RETURN_IF_ERROR(ParseChannelValues(channel));
  const common::ConfigGroup* orderer = ChildGroup(channel, kOrdererGroupKey);
  if (orderer == nullptr) {
    return InvalidArgumentError("/Channel/Orderer: missing group");
  }
  RETURN_IF_ERROR(ParseOrderer(*orderer));
  if (const common::ConfigGroup* application = ChildGroup(channel, kApplicationGroupKey)) {
    RETURN_IF_ERROR(ParseApplication(*application));
  }
  if (const common::ConfigGroup* consortiums = ChildGroup(channel, kConsortiumsGroupKey)) {
    RETURN_IF_ERROR(ParseConsortiums(*consortiums));
  }
  return BuildManagers();
}

Status BundleParser::ParseChannelValues(const common::ConfigGroup& channel) {
  const std::string path = "/Channel";
  common::HashingAlgorithm hashing;
  RETURN_IF_ERROR(RequireValue(channel, path, kHashingAlgorithmKey, &hashing));
  if (hashing.name() != kDefaultHashingAlgorithm) {
    return InvalidArgumentError(absl::StrFormat(
        "/Channel/HashingAlgorithm: unsupported hashing algorithm \"%s\" (only SHA256)",
        hashing.name()));
  }
  bundle_.hashing_algorithm_ = hashing.name();
  common::BlockDataHashingStructure structure;
  RETURN_IF_ERROR(RequireValue(channel, path, kBlockDataHashingStructureKey, &structure));
  if (structure.width() != kDefaultBlockDataHashingWidth) {
    return InvalidArgumentError(absl::StrFormat(
        "/Channel/BlockDataHashingStructure: unsupported width %u (only 4294967295)",
        structure.width()));
  }
  common::OrdererAddresses addresses;
  ASSIGN_OR_RETURN(bool has_addresses,
                   DecodeValue(channel, path, kOrdererAddressesKey, &addresses));
  if (has_addresses) {
    channel_orderer_addresses_.assign(addresses.addresses().begin(), addresses.addresses().end());
  }
  common::Consortium consortium;
  ASSIGN_OR_RETURN(bool has_consortium, DecodeValue(channel, path, kConsortiumKey, &consortium));
  if (has_consortium) {
    bundle_.consortium_ = consortium.name();
  }
  ASSIGN_OR_RETURN(bundle_.channel_capabilities_, ParseCapabilities(channel, path));
  if (!OrgSpecificOrdererEndpoints(bundle_.channel_capabilities_) &&
      channel_orderer_addresses_.empty()) {
    return InvalidArgumentError("/Channel/OrdererAddresses: Must set some OrdererAddresses");
  }
  return Status::OK();
}

Status BundleParser::ParseOrderer(const common::ConfigGroup& orderer) {
  const std::string path = "/Channel/Orderer";
  RETURN_IF_ERROR(CheckValueKeys(orderer, path,
                                 {kConsensusTypeKey, kBatchSizeKey, kBatchTimeoutKey,
                                  kKafkaBrokersKey, kChannelRestrictionsKey, kCapabilitiesKey}));
  ::orderer::ConsensusType consensus;
  RETURN_IF_ERROR(RequireValue(orderer, path, kConsensusTypeKey, &consensus));
  if (consensus.type().empty()) {
    return InvalidArgumentError("/Channel/Orderer/ConsensusType: empty consensus type");
  }
  bundle_.consensus_type_ = consensus.type();
  bundle_.consensus_metadata_ = consensus.metadata();
  bundle_.consensus_state_ = consensus.state();
  RETURN_IF_ERROR(ParseBatchSettings(orderer, path));
  RETURN_IF_ERROR(CheckKafkaBrokers(orderer, path));
  ::orderer::ChannelRestrictions restrictions;
  RETURN_IF_ERROR(DecodeValue(orderer, path, kChannelRestrictionsKey, &restrictions).status());
  bundle_.max_channels_ = restrictions.max_count();
  ASSIGN_OR_RETURN(bundle_.orderer_capabilities_, ParseCapabilities(orderer, path));

  std::vector<std::string> org_endpoints;
  for (const auto& [name, group] : orderer.groups()) {
    if (!OrgSpecificOrdererEndpoints(bundle_.channel_capabilities_) &&
        group.values().count(std::string(kEndpointsKey)) > 0) {
      return InvalidArgumentError(absl::StrFormat(
          "%s/%s: Orderer Org %s cannot contain endpoints value until V1_4_2+ capabilities have "
          "been enabled",
          path, name, name));
    }
    ASSIGN_OR_RETURN(Organization org, ParseOrg(OrgKind::kOrderer, path, name, group));
    org_endpoints.insert(org_endpoints.end(), org.endpoints.begin(), org.endpoints.end());
    bundle_.orderer_orgs_.push_back(std::move(org));
  }
  bundle_.orderer_addresses_ =
      org_endpoints.empty() ? channel_orderer_addresses_ : std::move(org_endpoints);
  return Status::OK();
}

Status BundleParser::ParseBatchSettings(const common::ConfigGroup& orderer,
                                        const std::string& path) {
  ::orderer::BatchSize size;
  RETURN_IF_ERROR(RequireValue(orderer, path, kBatchSizeKey, &size));
  const std::string size_path = path + "/BatchSize";
  if (size.max_message_count() == 0) {
    return InvalidArgumentError(size_path + ": max message count must not be 0");
  }
  if (size.absolute_max_bytes() == 0) {
    return InvalidArgumentError(size_path + ": absolute max bytes must not be 0");
  }
  if (size.preferred_max_bytes() == 0) {
    return InvalidArgumentError(size_path + ": preferred max bytes must not be 0");
  }
  if (size.preferred_max_bytes() > size.absolute_max_bytes()) {
    return InvalidArgumentError(
        absl::StrFormat("%s: preferred max bytes (%u) greater than absolute max bytes (%u)",
                        size_path, size.preferred_max_bytes(), size.absolute_max_bytes()));
  }
  bundle_.batch_size_ = {size.max_message_count(), size.absolute_max_bytes(),
                         size.preferred_max_bytes()};

  ::orderer::BatchTimeout timeout;
  RETURN_IF_ERROR(RequireValue(orderer, path, kBatchTimeoutKey, &timeout));
  StatusOr<std::chrono::nanoseconds> parsed = ParseGoDuration(timeout.timeout());
  if (!parsed.ok()) {
    return parsed.status().Annotate(path + "/BatchTimeout");
  }
  if (parsed.value().count() <= 0) {
    return InvalidArgumentError(absl::StrFormat(
        "%s/BatchTimeout: batch timeout must be positive, got \"%s\"", path, timeout.timeout()));
  }
  bundle_.batch_timeout_ = parsed.value();
  return Status::OK();
}

// Fabric validates KafkaBrokers whatever the consensus type.
Status BundleParser::CheckKafkaBrokers(const common::ConfigGroup& orderer,
                                       const std::string& path) {
  ::orderer::KafkaBrokers brokers;
  RETURN_IF_ERROR(DecodeValue(orderer, path, kKafkaBrokersKey, &brokers).status());
  for (const std::string& broker : brokers.brokers()) {
    if (!BrokerEntrySeemsValid(broker)) {
      return InvalidArgumentError(
          absl::StrFormat("%s/KafkaBrokers: Invalid broker entry: %s", path, broker));
    }
  }
  return Status::OK();
}

Status BundleParser::ParseApplication(const common::ConfigGroup& application) {
  const std::string path = "/Channel/Application";
  bundle_.has_application_ = true;
  RETURN_IF_ERROR(CheckValueKeys(application, path, {kACLsKey, kCapabilitiesKey}));
  ASSIGN_OR_RETURN(bundle_.application_capabilities_, ParseCapabilities(application, path));
  ::protos::ACLs acls;
  ASSIGN_OR_RETURN(bool has_acls, DecodeValue(application, path, kACLsKey, &acls));
  const std::set<std::string>& caps = bundle_.application_capabilities_;
  if (has_acls && caps.count("V1_2") + caps.count("V1_3") + caps.count("V1_4_2") == 0) {
    return InvalidArgumentError(
        "/Channel/Application: ACLs may not be specified without the required capability");
  }
  if (has_acls) {
    for (const auto& [resource, api] : acls.acls()) {
      bundle_.acls_[resource] = api.policy_ref();
    }
  }
  for (const auto& [name, group] : application.groups()) {
    ASSIGN_OR_RETURN(Organization org, ParseOrg(OrgKind::kApplication, path, name, group));
    bundle_.application_orgs_.push_back(std::move(org));
  }
  std::sort(bundle_.application_orgs_.begin(), bundle_.application_orgs_.end(),
            [](const Organization& a, const Organization& b) { return a.name < b.name; });
  return Status::OK();
}

Status BundleParser::ParseConsortiums(const common::ConfigGroup& consortiums) {
  bundle_.has_consortiums_ = true;
  for (const auto& [consortium_name, consortium] : consortiums.groups()) {
    const std::string path = "/Channel/Consortiums/" + consortium_name;
    RETURN_IF_ERROR(CheckValueKeys(consortium, path, {kChannelCreationPolicyKey}));
    common::Policy creation_policy;
    RETURN_IF_ERROR(
        DecodeValue(consortium, path, kChannelCreationPolicyKey, &creation_policy).status());
    std::vector<Organization>& orgs = bundle_.consortium_orgs_[consortium_name];
    for (const auto& [name, group] : consortium.groups()) {
      ASSIGN_OR_RETURN(Organization org, ParseOrg(OrgKind::kConsortium, path, name, group));
      orgs.push_back(std::move(org));
    }
    bundle_.consortiums_.push_back(consortium_name);
  }
  std::sort(bundle_.consortiums_.begin(), bundle_.consortiums_.end());
  return Status::OK();
}

StatusOr<Organization> BundleParser::ParseOrg(OrgKind kind, const std::string& parent_path,
                                              const std::string& name,
                                              const common::ConfigGroup& group) {
  const std::string path = parent_path + "/" + name;
  // Fabric's org groups are leaves; each kind reads its own values besides the MSP.
  if (!group.groups().empty()) {
    return InvalidArgumentError(path + ": organizations do not support sub-groups");
  }
  const std::string_view extra_key = kind == OrgKind::kApplication ? kAnchorPeersKey
                                     : kind == OrgKind::kOrderer   ? kEndpointsKey
                                                                   : kMSPKey;
  RETURN_IF_ERROR(CheckValueKeys(group, path, {kMSPKey, extra_key}));
  Organization org;
  org.name = name;
  ::msp::MSPConfig msp_config;
  RETURN_IF_ERROR(RequireValue(group, path, kMSPKey, &msp_config));
  RETURN_IF_ERROR(AddMsp(path + "/MSP", msp_config, &org.msp_id));
  ::protos::AnchorPeers anchors;
  ASSIGN_OR_RETURN(bool has_anchors, DecodeValue(group, path, kAnchorPeersKey, &anchors));
  if (has_anchors) {
    for (const ::protos::AnchorPeer& anchor : anchors.anchor_peers()) {
      org.anchor_peers.push_back({anchor.host(), anchor.port()});
    }
  }
  common::OrdererAddresses endpoints;
  ASSIGN_OR_RETURN(bool has_endpoints, DecodeValue(group, path, kEndpointsKey, &endpoints));
  if (has_endpoints) {
    org.endpoints.assign(endpoints.addresses().begin(), endpoints.addresses().end());
  }
  return org;
}

Status BundleParser::AddMsp(const std::string& path, const ::msp::MSPConfig& config,
                            std::string* msp_id) {
  if (config.type() != msp::kMspTypeFabric) {
    return InvalidArgumentError(
        absl::StrFormat("%s: unsupported MSP type %d (only FABRIC, type 0)", path, config.type()));
  }
  ::msp::FabricMSPConfig fabric_config;
  if (!fabric_config.ParseFromString(config.config())) {
    return InvalidArgumentError(path + ": malformed msp.FabricMSPConfig protobuf");
  }
  if (fabric_config.name().empty()) {
    return InvalidArgumentError(path + ": MSP has no name");
  }
  *msp_id = fabric_config.name();
  std::string bytes = config.SerializeAsString();
  auto [it, inserted] = msp_bytes_.emplace(*msp_id, bytes);
  if (!inserted) {
    if (it->second != bytes) {
      return InvalidArgumentError(absl::StrFormat(
          "%s: MSP %s is defined twice with different configurations", path, *msp_id));
    }
    return Status::OK();
  }
  msp_configs_.push_back(config);
  return Status::OK();
}

namespace {

// Fabric's capabilities.ChannelProvider.MSPVersion.
msp::MspVersion MspVersionFor(const std::set<std::string>& channel_capabilities) {
  if (channel_capabilities.count("V1_4_3") > 0) {
    return msp::MspVersion::kV1_4_3;
  }
  if (channel_capabilities.count("V1_4_2") > 0 || channel_capabilities.count("V1_3") > 0) {
    return msp::MspVersion::kV1_3;
  }
  if (channel_capabilities.count("V1_1") > 0) {
    return msp::MspVersion::kV1_1;
  }
  return msp::MspVersion::kV1_0;
}

}  // namespace

Status BundleParser::BuildManagers() {
  msp::Msp::Options options = msp_options_;
  options.version = MspVersionFor(bundle_.channel_capabilities_);
  StatusOr<std::unique_ptr<msp::MspManager>> manager =
      msp::MspManager::Create(msp_configs_, options);
  if (!manager.ok()) {
    return InvalidArgumentError(
        absl::StrFormat("/Channel: invalid MSP: %s", manager.status().message()));
  }
  bundle_.msp_manager_ = std::move(manager).value();
  StatusOr<std::unique_ptr<policies::PolicyManager>> policy_manager =
      policies::PolicyManager::Create(kChannelGroupKey, bundle_.config_.channel_group(),
                                      *bundle_.msp_manager_);
  if (!policy_manager.ok()) {
    return InvalidArgumentError(
        absl::StrFormat("/Channel: invalid policy: %s", policy_manager.status().message()));
  }
  bundle_.policy_manager_ = std::move(policy_manager).value();
  return Status::OK();
}

StatusOr<std::shared_ptr<const Bundle>> Bundle::FromConfig(std::string_view channel_id,
                                                           const common::Config& config) {
  return FromConfig(channel_id, config, msp::Msp::Options());
}

StatusOr<std::shared_ptr<const Bundle>> Bundle::FromConfig(std::string_view channel_id,
                                                           const common::Config& config,
                                                           const msp::Msp::Options& msp_options) {
  if (channel_id.empty()) {
    return InvalidArgumentError("channel config: empty channel id");
  }
  std::shared_ptr<Bundle> bundle(new Bundle());
  bundle->channel_id_ = std::string(channel_id);
  bundle->config_ = config;
  BundleParser parser(*bundle, msp_options);
  RETURN_IF_ERROR(parser.Parse());
  return std::shared_ptr<const Bundle>(std::move(bundle));
}

StatusOr<std::shared_ptr<const Bundle>> Bundle::FromConfigBlock(const common::Block& block) {
  return FromConfigBlock(block, msp::Msp::Options());
}

StatusOr<std::shared_ptr<const Bundle>> Bundle::FromConfigBlock(
    const common::Block& block, const msp::Msp::Options& msp_options) {
  if (block.data().data_size() != 1) {
    return InvalidArgumentError(
        absl::StrFormat("config block %u: want exactly one envelope, got %d",
                        block.header().number(), block.data().data_size()));
  }
  ASSIGN_OR_RETURN(common::Envelope envelope, protoutil::ExtractEnvelope(block, 0));
  StatusOr<protoutil::ParsedEnvelope> parsed = protoutil::ParseEnvelope(envelope);
  if (!parsed.ok()) {
    return parsed.status().Annotate("config block");
  }
  if (parsed->channel_header.type() != common::CONFIG) {
    return InvalidArgumentError(
        absl::StrFormat("config block: envelope has header type %d, want CONFIG (1)",
                        parsed->channel_header.type()));
  }
  ASSIGN_OR_RETURN(
      common::ConfigEnvelope config_envelope,
      protoutil::Unmarshal<common::ConfigEnvelope>(parsed->payload.data(), "config envelope"));
  if (!config_envelope.has_config()) {
    return InvalidArgumentError("config block: config envelope has no config");
  }
  return FromConfig(parsed->channel_header.channel_id(), config_envelope.config(), msp_options);
}

}  // namespace fabric::channelconfig
