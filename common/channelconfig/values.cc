// SPDX-License-Identifier: Apache-2.0

#include "common/channelconfig/values.h"

#include "common/channelconfig/keys.h"
#include "common/configuration.pb.h"
#include "common/protoutil/unmarshal.h"

namespace fabric::channelconfig {

void SetValue(common::ConfigGroup& group, std::string_view key,
              const google::protobuf::MessageLite& value, std::string_view mod_policy) {
  common::ConfigValue& config_value = (*group.mutable_values())[std::string(key)];
  config_value.set_value(protoutil::Marshal(value));
  config_value.set_mod_policy(std::string(mod_policy));
}

void SetPolicy(common::ConfigGroup& group, std::string_view name, common::Policy::PolicyType type,
               const google::protobuf::MessageLite& value, std::string_view mod_policy) {
  common::ConfigPolicy& config_policy = (*group.mutable_policies())[std::string(name)];
  config_policy.mutable_policy()->set_type(type);
  config_policy.mutable_policy()->set_value(protoutil::Marshal(value));
  config_policy.set_mod_policy(std::string(mod_policy));
}

void SetSignaturePolicy(common::ConfigGroup& group, std::string_view name,
                        const common::SignaturePolicyEnvelope& envelope,
                        std::string_view mod_policy) {
  SetPolicy(group, name, common::Policy::SIGNATURE, envelope, mod_policy);
}

void SetImplicitMetaPolicy(common::ConfigGroup& group, std::string_view name,
                           common::ImplicitMetaPolicy::Rule rule, std::string_view sub_policy,
                           std::string_view mod_policy) {
  common::ImplicitMetaPolicy policy;
  policy.set_rule(rule);
  policy.set_sub_policy(std::string(sub_policy));
  SetPolicy(group, name, common::Policy::IMPLICIT_META, policy, mod_policy);
}

void SetCapabilities(common::ConfigGroup& group, const std::vector<std::string>& names,
                     std::string_view mod_policy) {
  common::Capabilities capabilities;
  for (const std::string& name : names) {
    (*capabilities.mutable_capabilities())[name];
  }
  SetValue(group, kCapabilitiesKey, capabilities, mod_policy);
}

void SetDefaultHashing(common::ConfigGroup& group, std::string_view mod_policy) {
  common::HashingAlgorithm hashing;
  hashing.set_name(std::string(kDefaultHashingAlgorithm));
  SetValue(group, kHashingAlgorithmKey, hashing, mod_policy);
  common::BlockDataHashingStructure structure;
  structure.set_width(kDefaultBlockDataHashingWidth);
  SetValue(group, kBlockDataHashingStructureKey, structure, mod_policy);
}

}  // namespace fabric::channelconfig
