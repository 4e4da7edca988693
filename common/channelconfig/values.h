// SPDX-License-Identifier: Apache-2.0
//
// Writing config trees: setting a group's values and policies the way Fabric's configtxgen
// encoder does (Go: internal/configtxgen/encoder/encoder.go addValue/addPolicy and the value
// constructors of common/channelconfig/util.go). Values are marshalled deterministically, and
// versions stay 0 as in a genesis config.
//
// Thread-safety: free functions; the group passed in is modified and must not be shared.

#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/message_lite.h>

#include "common/configtx.pb.h"
#include "common/policies.pb.h"

namespace fabric::channelconfig {

// group.values[key] = {value = marshalled `value`, mod_policy}.
void SetValue(common::ConfigGroup& group, std::string_view key,
              const google::protobuf::MessageLite& value, std::string_view mod_policy);

// group.policies[name] = {policy{type, value = marshalled `value`}, mod_policy}.
void SetPolicy(common::ConfigGroup& group, std::string_view name, common::Policy::PolicyType type,
               const google::protobuf::MessageLite& value, std::string_view mod_policy);

// A SIGNATURE policy from a SignaturePolicyEnvelope / an IMPLICIT_META one.
void SetSignaturePolicy(common::ConfigGroup& group, std::string_view name,
                        const common::SignaturePolicyEnvelope& envelope,
                        std::string_view mod_policy);
void SetImplicitMetaPolicy(common::ConfigGroup& group, std::string_view name,
                           common::ImplicitMetaPolicy::Rule rule, std::string_view sub_policy,
                           std::string_view mod_policy);

// Capabilities{capabilities: {name: {}} for each name}.
void SetCapabilities(common::ConfigGroup& group, const std::vector<std::string>& names,
                     std::string_view mod_policy);

// The channel's HashingAlgorithm ("SHA256") and BlockDataHashingStructure (width 2^32 - 1).
void SetDefaultHashing(common::ConfigGroup& group, std::string_view mod_policy);

}  // namespace fabric::channelconfig
