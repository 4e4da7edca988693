// SPDX-License-Identifier: Apache-2.0
#include "common/channelconfig/configtx.h"

#include <map>
#include <string>
#include <string_view>
#include <utility>

#include <absl/strings/ascii.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_join.h>
#include <absl/strings/str_split.h>

#include "common/channelconfig/keys.h"
#include "common/protoutil/txutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"

namespace fabric::channelconfig {
namespace {

constexpr int kMaxConfigDepth = 32;
constexpr char kRootKey[] = "Channel";

// One element of a config tree, keyed like Fabric's config map: "[Group]  /Channel/Orderer",
// "[Value]  /Channel/Orderer/BatchSize", "[Policy] /Channel/Admins". A group keeps its value,
// policy and child keys (with empty bodies); the bodies are items of their own.
struct Item {
  enum class Kind { kGroup, kValue, kPolicy };
  Kind kind = Kind::kGroup;
  std::vector<std::string> path;  // Enclosing groups, from "Channel".
  std::string key;
  common::ConfigGroup group;
  common::ConfigValue value;
  common::ConfigPolicy policy;

  uint64_t version() const {
    switch (kind) {
      case Kind::kGroup:
        return group.version();
      case Kind::kValue:
        return value.version();
      case Kind::kPolicy:
        return policy.version();
    }
    return 0;
  }
  const std::string& mod_policy() const {
    switch (kind) {
      case Kind::kGroup:
        return group.mod_policy();
      case Kind::kValue:
        return value.mod_policy();
      case Kind::kPolicy:
        return policy.mod_policy();
    }
    return group.mod_policy();
  }
  void Set(const common::ConfigValue& v) { value = v; }
  void Set(const common::ConfigPolicy& p) { policy = p; }
};

using ConfigMap = std::map<std::string, Item>;

std::string MapKey(Item::Kind kind, const std::vector<std::string>& path, const std::string& key) {
  const char* prefix = kind == Item::Kind::kGroup   ? "[Group]  "
                       : kind == Item::Kind::kValue ? "[Value]  "
                                                    : "[Policy] ";
  std::string full = absl::StrJoin(path, "/");
  return absl::StrFormat("%s/%s%s%s", prefix, full, full.empty() ? "" : "/", key);
}

constexpr size_t kMaxConfigIdLength = 249;

// Fabric's validateConfigID: [a-zA-Z0-9.-]+, at most 249 characters, not "." or "..".
Status ValidateConfigId(std::string_view id) {
  if (id.empty()) {
    return InvalidArgumentError("config ID illegal, cannot be empty");
  }
  if (id.size() > kMaxConfigIdLength) {
    return InvalidArgumentError(
        absl::StrFormat("config ID illegal, cannot be longer than %d", kMaxConfigIdLength));
  }
  if (id == "." || id == "..") {
    return InvalidArgumentError(absl::StrFormat("name '%s' for config ID is not allowed", id));
  }
  for (char c : id) {
    if (!absl::ascii_isalnum(static_cast<unsigned char>(c)) && c != '.' && c != '-') {
      return InvalidArgumentError(
          absl::StrFormat("config ID '%s' contains illegal characters", id));
    }
  }
  return Status::OK();
}

// Fabric's validateModPolicy: a non-empty path, optionally absolute, of valid config IDs.
Status ValidateModPolicy(std::string_view mod_policy) {
  if (mod_policy.empty()) {
    return InvalidArgumentError("mod_policy not set");
  }
  if (mod_policy[0] == '/') {
    mod_policy.remove_prefix(1);
  }
  std::vector<std::string> elements = absl::StrSplit(std::string(mod_policy), '/');
  for (size_t i = 0; i < elements.size(); ++i) {
    Status status = ValidateConfigId(elements[i]);
    if (!status.ok()) {
      return InvalidArgumentError(
          absl::StrFormat("path element at %d is invalid: %s", i, status.message()));
    }
  }
  return Status::OK();
}

// Fabric words every bad key of a config tree as "Illegal characters in key".
Status CheckKey(Item::Kind kind, const std::vector<std::string>& path, const std::string& key) {
  Status status = ValidateConfigId(key);
  if (!status.ok()) {
    return InvalidArgumentError(absl::StrFormat("Illegal characters in key: %s (%s)",
                                                MapKey(kind, path, key), status.message()));
  }
  return Status::OK();
}

// Adds the values or the policies of a group to `map`, and their names to the group's `shape`.
template <typename Element>
Status AddElements(Item::Kind kind, const google::protobuf::Map<std::string, Element>& elements,
                   const std::vector<std::string>& path,
                   google::protobuf::Map<std::string, Element>* shape, ConfigMap* map) {
  for (const auto& [name, element] : elements) {
    RETURN_IF_ERROR(CheckKey(kind, path, name));
    (*shape)[name];
    Item item;
    item.kind = kind;
    item.path = path;
    item.key = name;
    item.Set(element);
    (*map)[MapKey(kind, path, name)] = std::move(item);
  }
  return Status::OK();
}

Status AddToMap(const common::ConfigGroup& group, const std::vector<std::string>& path,
                const std::string& key, int depth, ConfigMap* map) {
  if (depth > kMaxConfigDepth) {
    return InvalidArgumentError("config tree too deep");
  }
  RETURN_IF_ERROR(CheckKey(Item::Kind::kGroup, path, key));
  std::vector<std::string> child_path = path;
  child_path.push_back(key);
  Item item;
  item.kind = Item::Kind::kGroup;
  item.path = path;
  item.key = key;
  item.group.set_version(group.version());
  item.group.set_mod_policy(group.mod_policy());
  RETURN_IF_ERROR(AddElements(Item::Kind::kValue, group.values(), child_path,
                              item.group.mutable_values(), map));
  RETURN_IF_ERROR(AddElements(Item::Kind::kPolicy, group.policies(), child_path,
                              item.group.mutable_policies(), map));
  for (const auto& [name, child] : group.groups()) {
    (*item.group.mutable_groups())[name];
    RETURN_IF_ERROR(AddToMap(child, child_path, name, depth + 1, map));
  }
  (*map)[MapKey(Item::Kind::kGroup, path, key)] = std::move(item);
  return Status::OK();
}

StatusOr<common::ConfigGroup> GroupFromMap(const ConfigMap& map,
                                           const std::vector<std::string>& path,
                                           const std::string& key, int depth) {
  if (depth > kMaxConfigDepth) {
    return InvalidArgumentError("config tree too deep");
  }
  auto it = map.find(MapKey(Item::Kind::kGroup, path, key));
  if (it == map.end()) {
    return InvalidArgumentError(
        absl::StrFormat("missing group at path %s", MapKey(Item::Kind::kGroup, path, key)));
  }
  const common::ConfigGroup& shape = it->second.group;
  common::ConfigGroup out;
  out.set_version(shape.version());
  out.set_mod_policy(shape.mod_policy());
  std::vector<std::string> child_path = path;
  child_path.push_back(key);
  for (const auto& [name, unused] : shape.values()) {
    auto v = map.find(MapKey(Item::Kind::kValue, child_path, name));
    if (v == map.end()) {
      return InvalidArgumentError("missing value " + MapKey(Item::Kind::kValue, child_path, name));
    }
    (*out.mutable_values())[name] = v->second.value;
  }
  for (const auto& [name, unused] : shape.policies()) {
    auto p = map.find(MapKey(Item::Kind::kPolicy, child_path, name));
    if (p == map.end()) {
      return InvalidArgumentError("missing policy " +
                                  MapKey(Item::Kind::kPolicy, child_path, name));
    }
    (*out.mutable_policies())[name] = p->second.policy;
  }
  for (const auto& [name, unused] : shape.groups()) {
    ASSIGN_OR_RETURN((*out.mutable_groups())[name], GroupFromMap(map, child_path, name, depth + 1));
  }
  return out;
}

StatusOr<const policies::Policy*> PolicyForItem(const policies::PolicyManager& root,
                                                const Item& item) {
  const std::string& mod_policy = item.mod_policy();
  if (mod_policy.empty()) {
    return InvalidArgumentError("element has no mod_policy and cannot be modified");
  }
  if (mod_policy[0] == '/') {
    return root.GetPolicy(mod_policy);
  }
  std::vector<std::string> sub;
  if (!item.path.empty()) {
    sub.assign(item.path.begin() + 1, item.path.end());
    if (item.kind == Item::Kind::kGroup) {
      sub.push_back(item.key);
    }
  }
  const policies::PolicyManager* manager = root.Manager(sub);
  if (manager == nullptr) {
    return InvalidArgumentError(
        absl::StrFormat("no policy manager for /Channel/%s", absl::StrJoin(sub, "/")));
  }
  return manager->GetPolicy(mod_policy);
}

Status VerifyReadSet(const ConfigMap& current, const ConfigMap& read_set) {
  for (const auto& [key, item] : read_set) {
    auto it = current.find(key);
    if (it == current.end()) {
      return InvalidArgumentError(absl::StrFormat(
          "existing config does not contain element for %s but was in the read set", key));
    }
    if (it->second.version() != item.version()) {
      return InvalidArgumentError(absl::StrFormat(
          "proposed update requires that key %s be at version %d, but it is currently at "
          "version %d",
          key, item.version(), it->second.version()));
    }
  }
  return Status::OK();
}

Status VerifyDeltaSet(const policies::PolicyManager& root, const ConfigMap& current,
                      const ConfigMap& delta, const std::vector<protoutil::SignedData>& signers) {
  if (delta.empty()) {
    return InvalidArgumentError("delta set was empty -- update would have no effect");
  }
  for (const auto& [key, item] : delta) {
    Status valid = ValidateModPolicy(item.mod_policy());
    if (!valid.ok()) {
      return valid.Annotate("invalid mod_policy for element " + key);
    }
    auto it = current.find(key);
    if (it == current.end()) {
      if (item.version() != 0) {
        return InvalidArgumentError(absl::StrFormat(
            "attempted to set key %s to version %d, but key does not exist", key, item.version()));
      }
      continue;
    }
    if (item.version() != it->second.version() + 1) {
      return InvalidArgumentError(
          absl::StrFormat("attempt to set key %s to version %d, but key is at version %d", key,
                          item.version(), it->second.version()));
    }
    StatusOr<const policies::Policy*> policy = PolicyForItem(root, it->second);
    if (!policy.ok()) {
      return InvalidArgumentError(absl::StrFormat("unexpected missing policy %s for item %s (%s)",
                                                  it->second.mod_policy(), key,
                                                  policy.status().message()));
    }
    Status satisfied = (*policy)->Evaluate(signers);
    if (!satisfied.ok()) {
      return InvalidArgumentError(
          absl::StrFormat("policy for %s not satisfied: %s", key, satisfied.message()));
    }
  }
  return Status::OK();
}

// The elements of the write set that are new or at another version than in the read set.
ConfigMap ComputeDeltaSet(const ConfigMap& read_set, const ConfigMap& write_set) {
  ConfigMap delta;
  for (const auto& [key, item] : write_set) {
    auto it = read_set.find(key);
    if (it == read_set.end() || it->second.version() != item.version()) {
      delta[key] = item;
    }
  }
  return delta;
}

// Fabric's authorizeUpdate: checks `cue` against `bundle`'s config and returns the config map
// with the update applied.
StatusOr<ConfigMap> AuthorizeUpdate(const Bundle& bundle, const common::ConfigUpdateEnvelope& cue) {
  ASSIGN_OR_RETURN(auto update, protoutil::Unmarshal<common::ConfigUpdate>(cue.config_update(),
                                                                           "config update"));
  if (update.channel_id() != bundle.channel_id()) {
    return InvalidArgumentError(
        absl::StrFormat("ConfigUpdate for channel '%s' but envelope for channel '%s'",
                        update.channel_id(), bundle.channel_id()));
  }
  ConfigMap current;
  RETURN_IF_ERROR(AddToMap(bundle.config().channel_group(), {}, kRootKey, 0, &current));
  ConfigMap read_set;
  if (update.has_read_set()) {
    RETURN_IF_ERROR(
        AddToMap(update.read_set(), {}, kRootKey, 0, &read_set).Annotate("error mapping ReadSet"));
  }
  RETURN_IF_ERROR(VerifyReadSet(current, read_set).Annotate("error validating ReadSet"));
  ConfigMap write_set;
  if (update.has_write_set()) {
    RETURN_IF_ERROR(AddToMap(update.write_set(), {}, kRootKey, 0, &write_set)
                        .Annotate("error mapping WriteSet"));
  }
  ConfigMap delta = ComputeDeltaSet(read_set, write_set);
  ASSIGN_OR_RETURN(std::vector<protoutil::SignedData> signers, ConfigUpdateSignedData(cue));
  RETURN_IF_ERROR(VerifyDeltaSet(bundle.policy_manager(), current, delta, signers)
                      .Annotate("error validating DeltaSet"));
  for (auto& [key, item] : delta) {
    current[key] = std::move(item);
  }
  return current;
}

// Sets every empty mod_policy of `group` and its descendants to Admins.
void RepairEmptyModPolicies(common::ConfigGroup& group) {
  const std::string admins(kAdminsPolicyKey);
  if (group.mod_policy().empty()) {
    group.set_mod_policy(admins);
  }
  for (auto& [unused, value] : *group.mutable_values()) {
    if (value.mod_policy().empty()) {
      value.set_mod_policy(admins);
    }
  }
  for (auto& [unused, policy] : *group.mutable_policies()) {
    if (policy.mod_policy().empty()) {
      policy.set_mod_policy(admins);
    }
  }
  for (auto& [unused, child] : *group.mutable_groups()) {
    RepairEmptyModPolicies(child);
  }
}

// The channel group of a config map. Channels made by Fabric 1.0 (FAB-5309, FAB-6080) left
// mod_policies empty, which freezes those elements; once the orderer has capabilities, Fabric
// rewrites every empty mod_policy of a produced config to Admins, and peers compare configs
// byte for byte, so this must happen exactly as in Fabric (configmap.go recurseConfigMap).
StatusOr<common::ConfigGroup> ChannelGroupFromMap(const ConfigMap& map) {
  ASSIGN_OR_RETURN(common::ConfigGroup group, GroupFromMap(map, {}, kRootKey, 0));
  if (map.count("[Value]  /Channel/Orderer/Capabilities") > 0) {
    RepairEmptyModPolicies(group);
  }
  return group;
}

}  // namespace

Status AddConfigSignature(const msp::SigningIdentity& signer,
                          common::ConfigUpdateEnvelope* envelope) {
  ASSIGN_OR_RETURN(std::string nonce, protoutil::CreateNonce());
  common::ConfigSignature* signature = envelope->add_signatures();
  signature->set_signature_header(
      protoutil::Marshal(protoutil::MakeSignatureHeader(signer.Serialize(), nonce)));
  ASSIGN_OR_RETURN(std::string bytes,
                   signer.Sign(signature->signature_header() + envelope->config_update()));
  signature->set_signature(std::move(bytes));
  return Status::OK();
}

StatusOr<std::vector<protoutil::SignedData>> ConfigUpdateSignedData(
    const common::ConfigUpdateEnvelope& envelope) {
  std::vector<protoutil::SignedData> out;
  for (int i = 0; i < envelope.signatures_size(); ++i) {
    const common::ConfigSignature& signature = envelope.signatures(i);
    common::SignatureHeader header;
    if (!header.ParseFromString(signature.signature_header())) {
      return InvalidArgumentError(
          absl::StrFormat("config signature %d: malformed signature header", i));
    }
    out.push_back({signature.signature_header() + envelope.config_update(), header.creator(),
                   signature.signature()});
  }
  return out;
}

StatusOr<common::ConfigUpdateEnvelope> UnwrapConfigUpdate(const common::Envelope& envelope,
                                                          std::string* channel_id) {
  ASSIGN_OR_RETURN(auto payload,
                   protoutil::Unmarshal<common::Payload>(envelope.payload(), "payload"));
  if (!payload.has_header()) {
    return InvalidArgumentError("config update envelope has no payload header");
  }
  ASSIGN_OR_RETURN(auto channel_header, protoutil::Unmarshal<common::ChannelHeader>(
                                            payload.header().channel_header(), "channel header"));
  if (channel_header.type() != common::CONFIG_UPDATE) {
    return InvalidArgumentError(
        absl::StrFormat("expected a CONFIG_UPDATE envelope, got type %d", channel_header.type()));
  }
  if (channel_id != nullptr) {
    *channel_id = channel_header.channel_id();
  }
  return protoutil::Unmarshal<common::ConfigUpdateEnvelope>(payload.data(),
                                                            "config update envelope");
}

StatusOr<common::ConfigEnvelope> ProposeConfigUpdate(const channelconfig::Bundle& bundle,
                                                     const common::Envelope& update_envelope) {
  std::string header_channel;
  StatusOr<common::ConfigUpdateEnvelope> cue = UnwrapConfigUpdate(update_envelope, &header_channel);
  if (!cue.ok()) {
    return cue.status().Annotate("error converting envelope to config update");
  }
  // Broadcast routes an update by its header's channel; a mismatch cannot reach the channel.
  if (header_channel != bundle.channel_id()) {
    return InvalidArgumentError(
        absl::StrFormat("config update envelope for channel '%s' sent to '%s'", header_channel,
                        bundle.channel_id()));
  }
  StatusOr<ConfigMap> result = AuthorizeUpdate(bundle, *cue);
  if (!result.ok()) {
    return result.status().Annotate("error authorizing update");
  }
  common::ConfigEnvelope envelope;
  common::Config* config = envelope.mutable_config();
  config->set_sequence(bundle.sequence() + 1);
  ASSIGN_OR_RETURN(*config->mutable_channel_group(), ChannelGroupFromMap(*result));
  *envelope.mutable_last_update() = update_envelope;
  return envelope;
}

Status ValidateConfigEnvelope(const Bundle& bundle, const common::ConfigEnvelope& envelope) {
  if (envelope.config().sequence() != bundle.sequence() + 1) {
    return InvalidArgumentError(
        absl::StrFormat("config currently at sequence %d, cannot validate config at sequence %d",
                        bundle.sequence(), envelope.config().sequence()));
  }
  ASSIGN_OR_RETURN(common::ConfigUpdateEnvelope cue,
                   UnwrapConfigUpdate(envelope.last_update(), nullptr));
  ASSIGN_OR_RETURN(ConfigMap result, AuthorizeUpdate(bundle, cue));
  ASSIGN_OR_RETURN(common::ConfigGroup channel_group, ChannelGroupFromMap(result));
  if (protoutil::Marshal(channel_group) != protoutil::Marshal(envelope.config().channel_group())) {
    return InvalidArgumentError(
        "ConfigEnvelope LastUpdate did not produce the supplied config result");
  }
  return Status::OK();
}

}  // namespace fabric::channelconfig
