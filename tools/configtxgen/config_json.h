// SPDX-License-Identifier: Apache-2.0
//
// Internal helpers of configtxgen's profile loader: typed, path-naming access to nlohmann JSON
// values without exceptions. Every error is InvalidArgument "<json path>: <problem>". A null
// member counts as absent, as an empty YAML field does for Fabric.

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

// Checks objects' keys like CheckObject, also accepting keys Fabric knows but this
// implementation ignores, which it records once per key name. Not thread-safe.
class KeyChecker {
 public:
  using Keys = std::vector<std::string_view>;
  Status Check(const json& value, const std::string& path, const Keys& allowed,
               const Keys& ignored = {});

  // "<path>.<key>" of the first place of each ignored key, in order of discovery.
  const std::vector<std::string>& ignored() const { return ignored_; }

 private:
  std::vector<std::string> names_;
  std::vector<std::string> ignored_;
};

// The string field `key` of `object`; empty when absent and not `required`.
StatusOr<std::string> GetString(const json& object, std::string_view key, const std::string& path,
                                bool required);

// The list-of-strings field `key`; empty when absent.
StatusOr<std::vector<std::string>> GetStringList(const json& object, std::string_view key,
                                                 const std::string& path);

// `value` as an unsigned integer no larger than `max`.
StatusOr<uint64_t> GetUnsigned(const json& value, const std::string& path, uint64_t max);

// The unsigned field `key` of `object` into `*out` when present; `*out` is unchanged when the
// field is absent or 0 (Fabric's "unset").
Status GetUnsignedOrDefault(const json& object, std::string_view key, const std::string& path,
                            uint32_t* out);

// A size field (a number of bytes or "99 MB") into `*out` when present and non-zero.
Status GetByteSizeOrDefault(const json& object, std::string_view key, const std::string& path,
                            uint32_t* out);

// The orderer section's Kafka and EtcdRaft parts into `spec`; certificate paths are resolved
// against `config_dir`. The EtcdRaft part is checked only when `spec->orderer_type` is
// "etcdraft", as Fabric does.
Status ParseConsensus(const json& section, const std::string& path, const std::string& config_dir,
                      KeyChecker& keys, OrdererSpec* spec);

// `relative` against `dir` unless absolute or empty.
std::string ResolvePath(const std::string& dir, const std::string& relative);

// {"Name": {"Type": ..., "Rule": ...}} policies.
StatusOr<PolicyMap> ParsePolicies(const json& value, const std::string& path);

// {"V1_4_3": true, "V1_1": false} -> enabled names, sorted.
StatusOr<std::vector<std::string>> ParseCapabilities(const json& value, const std::string& path);

// `overrides` merged over `defaults` (an object, or null for none); the override's keys win.
json MergeOver(const json* defaults, const json& overrides);

// The member `key` of `object`, or nullptr when absent or null.
const json* Find(const json& object, std::string_view key);

}  // namespace fabric::configtxgen::internal
