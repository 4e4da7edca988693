// SPDX-License-Identifier: Apache-2.0
//
// Internal helpers of configtxgen's profile loader: typed, path-naming access to nlohmann JSON
// values without exceptions. Every error is InvalidArgument "<json path>: <problem>".

#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "fabric/base/status.h"
#include "tools/configtxgen/profile.h"

namespace fabric::configtxgen::internal {

using json = nlohmann::json;

// InvalidArgument "<path>: <what>".
Status Invalid(const std::string& path, std::string_view what);

// OK when `value` is an object whose keys are all in `allowed`.
Status CheckObject(const json& value, const std::string& path,
                   std::initializer_list<std::string_view> allowed);

// The string field `key` of `object`; empty when absent and not `required`.
StatusOr<std::string> GetString(const json& object, std::string_view key, const std::string& path,
                                bool required);

// The list-of-strings field `key`; empty when absent.
StatusOr<std::vector<std::string>> GetStringList(const json& object, std::string_view key,
                                                 const std::string& path);

// `value` as an unsigned integer no larger than `max`.
StatusOr<uint64_t> GetUnsigned(const json& value, const std::string& path, uint64_t max);

// {"Name": {"Type": ..., "Rule": ...}} policies.
StatusOr<PolicyMap> ParsePolicies(const json& value, const std::string& path);

// {"V1_4_3": true, "V1_1": false} -> enabled names, sorted.
StatusOr<std::vector<std::string>> ParseCapabilities(const json& value, const std::string& path);

// `overrides` merged over `defaults` (an object, or null for none); the override's keys win.
json MergeOver(const json* defaults, const json& overrides);

// The member `key` of `object`, or null.
const json* Find(const json& object, std::string_view key);

}  // namespace fabric::configtxgen::internal
