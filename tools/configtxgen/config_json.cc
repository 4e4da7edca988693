// SPDX-License-Identifier: Apache-2.0

#include "tools/configtxgen/config_json.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <limits>
#include <optional>

#include <absl/strings/str_format.h>

#include "fabric/base/status_macros.h"

namespace fabric::configtxgen {
namespace internal {
namespace {

template <typename Names>
std::string JoinNames(const Names& names) {
  std::string out;
  for (std::string_view name : names) {
    out += out.empty() ? "" : ", ";
    out += name;
  }
  return out;
}

}  // namespace

Status Invalid(const std::string& path, std::string_view what) {
  return InvalidArgumentError(absl::StrFormat("%s: %s", path, what));
}

Status CheckObject(const json& value, const std::string& path,
                   std::initializer_list<std::string_view> allowed) {
  if (!value.is_object()) {
    return Invalid(path, "must be an object");
  }
  for (const auto& [key, unused] : value.items()) {
    if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return Invalid(
          path, absl::StrFormat("unknown field \"%s\"; want one of: %s", key, JoinNames(allowed)));
    }
  }
  return Status::OK();
}

StatusOr<std::string> GetString(const json& object, std::string_view key, const std::string& path,
                                bool required) {
  const json* it = Find(object, key);
  if (it == nullptr) {
    if (required) {
      return Invalid(path, absl::StrFormat("missing field \"%s\"", key));
    }
    return std::string();
  }
  if (!it->is_string()) {
    return Invalid(path + "." + std::string(key), "must be a string");
  }
  return it->get<std::string>();
}

StatusOr<std::vector<std::string>> GetStringList(const json& object, std::string_view key,
                                                 const std::string& path) {
  std::vector<std::string> out;
  const json* it = Find(object, key);
  if (it == nullptr) {
    return out;
  }
  const std::string field = path + "." + std::string(key);
  if (!it->is_array()) {
    return Invalid(field, "must be a list of strings");
  }
  for (const json& item : *it) {
    if (!item.is_string()) {
      return Invalid(field, "must be a list of strings");
    }
    out.push_back(item.get<std::string>());
  }
  return out;
}

StatusOr<uint64_t> GetUnsigned(const json& value, const std::string& path, uint64_t max) {
  if (!value.is_number_unsigned() || value.get<uint64_t>() > max) {
    return Invalid(path, absl::StrFormat("must be an integer between 0 and %u", max));
  }
  return value.get<uint64_t>();
}

StatusOr<PolicyMap> ParsePolicies(const json& value, const std::string& path) {
  PolicyMap policies;
  if (!value.is_object()) {
    return Invalid(path, "must be an object of policies");
  }
  for (const auto& [name, spec] : value.items()) {
    const std::string policy_path = path + "." + name;
    RETURN_IF_ERROR(CheckObject(spec, policy_path, {"Type", "Rule"}));
    ASSIGN_OR_RETURN(std::string type, GetString(spec, "Type", policy_path, true));
    ASSIGN_OR_RETURN(std::string rule, GetString(spec, "Rule", policy_path, true));
    if (type != "Signature" && type != "ImplicitMeta") {
      return Invalid(
          policy_path + ".Type",
          absl::StrFormat("unknown policy type \"%s\"; want Signature or ImplicitMeta", type));
    }
    policies[name] = PolicySpec{type, rule};
  }
  return policies;
}

StatusOr<std::vector<std::string>> ParseCapabilities(const json& value, const std::string& path) {
  if (!value.is_object()) {
    return Invalid(path, "must be an object of capability names to booleans");
  }
  std::vector<std::string> names;
  for (const auto& [name, enabled] : value.items()) {
    if (!enabled.is_boolean()) {
      return Invalid(path + "." + name, "must be true or false");
    }
    if (enabled.get<bool>()) {
      names.push_back(name);
    }
  }
  std::sort(names.begin(), names.end());
  return names;
}

json MergeOver(const json* defaults, const json& overrides) {
  json merged = defaults != nullptr && defaults->is_object() ? *defaults : json::object();
  for (const auto& [key, value] : overrides.items()) {
    merged[key] = value;
  }
  return merged;
}

const json* Find(const json& object, std::string_view key) {
  auto it = object.find(key);
  return it == object.end() || it->is_null() ? nullptr : &*it;
}

Status KeyChecker::Check(const json& value, const std::string& path, const Keys& allowed,
                         const Keys& ignored) {
  if (!value.is_object()) {
    return Invalid(path, "must be an object");
  }
  for (const auto& [key, unused] : value.items()) {
    if (std::find(ignored.begin(), ignored.end(), key) != ignored.end()) {
      if (std::find(names_.begin(), names_.end(), key) == names_.end()) {
        names_.push_back(key);
        ignored_.push_back(path + "." + key);
      }
    } else if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
      return Invalid(
          path, absl::StrFormat("unknown field \"%s\"; want one of: %s", key, JoinNames(allowed)));
    }
  }
  return Status::OK();
}

Status GetUnsignedOrDefault(const json& object, std::string_view key, const std::string& path,
                            uint32_t* out) {
  const json* value = Find(object, key);
  if (value == nullptr) {
    return Status::OK();
  }
  ASSIGN_OR_RETURN(uint64_t n, GetUnsigned(*value, path + "." + std::string(key),
                                           std::numeric_limits<uint32_t>::max()));
  if (n != 0) {
    *out = static_cast<uint32_t>(n);
  }
  return Status::OK();
}

Status GetByteSizeOrDefault(const json& object, std::string_view key, const std::string& path,
                            uint32_t* out) {
  const json* size = Find(object, key);
  if (size == nullptr) {
    return Status::OK();
  }
  const std::string size_path = path + "." + std::string(key);
  uint32_t n = 0;
  if (size->is_number_unsigned()) {
    ASSIGN_OR_RETURN(n, GetUnsigned(*size, size_path, std::numeric_limits<uint32_t>::max()));
  } else if (size->is_string()) {
    StatusOr<uint32_t> parsed = ParseByteSize(size->get<std::string>());
    if (!parsed.ok()) {
      return parsed.status().Annotate(size_path);
    }
    n = *parsed;
  } else {
    return Invalid(size_path, "must be a number of bytes or a string like \"99 MB\"");
  }
  if (n != 0) {
    *out = n;
  }
  return Status::OK();
}

std::string ResolvePath(const std::string& dir, const std::string& relative) {
  std::filesystem::path path(relative);
  if (relative.empty() || path.is_absolute()) {
    return relative;
  }
  return (std::filesystem::path(dir) / path).string();
}

}  // namespace internal

namespace {

// The binary shift of a size unit "", "K", "KB", "m", "Gb"...; nullopt for anything else.
std::optional<int> UnitShift(std::string_view unit) {
  if (unit.empty()) {
    return 0;
  }
  int shift = 0;
  switch (std::tolower(static_cast<unsigned char>(unit[0]))) {
    case 'k':
      shift = 10;
      break;
    case 'm':
      shift = 20;
      break;
    case 'g':
      shift = 30;
      break;
    default:
      return std::nullopt;
  }
  unit.remove_prefix(1);
  if (unit == "b" || unit == "B") {
    unit.remove_prefix(1);
  }
  return unit.empty() ? std::optional<int>(shift) : std::nullopt;
}

}  // namespace

StatusOr<uint32_t> ParseByteSize(std::string_view text) {
  const std::string original(text);
  auto invalid = [&original] {
    return InvalidArgumentError(absl::StrFormat(
        "invalid size \"%s\"; want a number of bytes with an optional K, M or G unit", original));
  };
  size_t digits = 0;
  while (digits < text.size() && std::isdigit(static_cast<unsigned char>(text[digits]))) {
    ++digits;
  }
  if (digits == 0 || digits > 12) {
    return invalid();
  }
  uint64_t size = std::stoull(std::string(text.substr(0, digits)));
  std::string_view rest = text.substr(digits);
  while (!rest.empty() && rest[0] == ' ') {
    rest.remove_prefix(1);
  }
  std::optional<int> shift = UnitShift(rest);
  if (!shift.has_value() || (rest.empty() && digits != text.size())) {
    return invalid();
  }
  size <<= *shift;
  if (size > std::numeric_limits<uint32_t>::max()) {
    return InvalidArgumentError(absl::StrFormat("size \"%s\" does not fit in 32 bits", original));
  }
  return static_cast<uint32_t>(size);
}

}  // namespace fabric::configtxgen
