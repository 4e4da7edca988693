// SPDX-License-Identifier: Apache-2.0
#include "common/channelconfig/configtx.h"

#include <map>
#include <string>
#include <utility>

#include <absl/strings/str_format.h>
#include <absl/strings/str_join.h>

#include "common/protoutil/txutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/status_macros.h"

namespace fabric::channelconfig {
namespace {

constexpr int kMaxConfigDepth = 32;

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
};

using ConfigMap = std::map<std::string, Item>;

std::string MapKey(Item::Kind kind, const std::vector<std::string>& path, const std::string& key) {
  const char* prefix = kind == Item::Kind::kGroup   ? "[Group]  "
                       : kind == Item::Kind::kValue ? "[Value]  "
                                                    : "[Policy] ";
  std::string full = absl::StrJoin(path, "/");
  return absl::StrFormat("%s/%s%s%s", prefix, full, full.empty() ? "" : "/", key);
}

Status ValidateConfigId(const std::string& id) {
  if (id.empty() || id.size() > 249 || id == "." || id == "..") {
    return InvalidArgumentError(absl::StrFormat("bad config key \"%s\"", id));
  }
  for (char c : id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              c == '.' || c == '-' || c == '_';
    if (!ok) {
      return InvalidArgumentError(absl::StrFormat("config key \"%s\" has illegal characters", id));
    }
  }
  return Status::OK();
}

Status AddToMap(const common::ConfigGroup& group, const std::vector<std::string>& path,
                const std::string& key, int depth, ConfigMap* map) {
  if (depth > kMaxConfigDepth) {
    return InvalidArgumentError("config tree too deep");
  }
  RETURN_IF_ERROR(ValidateConfigId(key));
  std::vector<std::string> child_path = path;
  child_path.push_back(key);
  Item item;
  item.kind = Item::Kind::kGroup;
  item.path = path;
  item.key = key;
  item.group.set_version(group.version());
  item.group.set_mod_policy(group.mod_policy());
  for (const auto& [name, value] : group.values()) {
    RETURN_IF_ERROR(ValidateConfigId(name));
    (*item.group.mutable_values())[name];
    Item v;
    v.kind = Item::Kind::kValue;
    v.path = child_path;
    v.key = name;
    v.value = value;
    (*map)[MapKey(v.kind, v.path, name)] = std::move(v);
  }
  for (const auto& [name, policy] : group.policies()) {
    RETURN_IF_ERROR(ValidateConfigId(name));
    (*item.group.mutable_policies())[name];
    Item p;
    p.kind = Item::Kind::kPolicy;
    p.path = child_path;
    p.key = name;
    p.policy = policy;
    (*map)[MapKey(p.kind, p.path, name)] = std::move(p);
  }
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
    return PermissionDeniedError("element has no mod_policy and cannot be modified");
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
    return PermissionDeniedError(
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
      return PermissionDeniedError(
          absl::StrFormat("policy for %s not found: %s", key, policy.status().message()));
    }
    Status satisfied = (*policy)->Evaluate(signers);
    if (!satisfied.ok()) {
      return PermissionDeniedError(
          absl::StrFormat("policy for %s not satisfied: %s", key, satisfied.message()));
    }
  }
  return Status::OK();
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

std::vector<protoutil::SignedData> ConfigUpdateSignedData(
    const common::ConfigUpdateEnvelope& envelope) {
  std::vector<protoutil::SignedData> out;
  for (const common::ConfigSignature& signature : envelope.signatures()) {
    common::SignatureHeader header;
    if (!header.ParseFromString(signature.signature_header())) {
      continue;
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
  ASSIGN_OR_RETURN(common::ConfigUpdateEnvelope cue,
                   UnwrapConfigUpdate(update_envelope, &header_channel));
  ASSIGN_OR_RETURN(auto update, protoutil::Unmarshal<common::ConfigUpdate>(cue.config_update(),
                                                                           "config update"));
  if (update.channel_id() != bundle.channel_id() || header_channel != bundle.channel_id()) {
    return InvalidArgumentError(
        absl::StrFormat("config update for channel '%s' (header '%s') but channel is '%s'",
                        update.channel_id(), header_channel, bundle.channel_id()));
  }
  if (!update.has_write_set()) {
    return InvalidArgumentError("config update has an empty write set");
  }
  const std::string root_key = "Channel";
  ConfigMap current;
  RETURN_IF_ERROR(AddToMap(bundle.config().channel_group(), {}, root_key, 0, &current));
  ConfigMap read_set;
  ConfigMap write_set;
  if (update.has_read_set()) {
    RETURN_IF_ERROR(AddToMap(update.read_set(), {}, root_key, 0, &read_set));
  }
  RETURN_IF_ERROR(AddToMap(update.write_set(), {}, root_key, 0, &write_set));
  RETURN_IF_ERROR(VerifyReadSet(current, read_set));

  ConfigMap delta;
  for (auto& [key, item] : write_set) {
    auto it = read_set.find(key);
    if (it != read_set.end() && it->second.version() == item.version()) {
      continue;
    }
    delta[key] = item;
  }
  RETURN_IF_ERROR(
      VerifyDeltaSet(bundle.policy_manager(), current, delta, ConfigUpdateSignedData(cue)));

  for (auto& [key, item] : delta) {
    current[key] = std::move(item);
  }
  common::ConfigEnvelope result;
  common::Config* config = result.mutable_config();
  config->set_sequence(bundle.sequence() + 1);
  ASSIGN_OR_RETURN(*config->mutable_channel_group(), GroupFromMap(current, {}, root_key, 0));
  *result.mutable_last_update() = update_envelope;
  return result;
}

}  // namespace fabric::channelconfig
