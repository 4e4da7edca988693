// SPDX-License-Identifier: Apache-2.0

#include "tools/configtxgen/profile.h"

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <initializer_list>
#include <limits>

#include <absl/strings/str_format.h>
#include <absl/strings/str_join.h>
#include <nlohmann/json.hpp>

#include "common/channelconfig/go_duration.h"
#include "fabric/base/status_macros.h"
#include "tools/configtxgen/config_json.h"

namespace fabric::configtxgen {
namespace {

using internal::CheckObject;
using internal::Find;
using internal::GetString;
using internal::GetStringList;
using internal::GetUnsigned;
using internal::Invalid;
using internal::json;
using internal::MergeOver;
using internal::ParseCapabilities;
using internal::ParsePolicies;

StatusOr<std::vector<AnchorPeerSpec>> ParseAnchorPeers(const json& anchors,
                                                       const std::string& path) {
  std::vector<AnchorPeerSpec> peers;
  if (!anchors.is_array()) {
    return Invalid(path, "must be a list");
  }
  for (size_t i = 0; i < anchors.size(); ++i) {
    const std::string anchor_path = absl::StrFormat("%s[%d]", path, i);
    const json& anchor = anchors[i];
    RETURN_IF_ERROR(CheckObject(anchor, anchor_path, {"Host", "Port"}));
    AnchorPeerSpec peer;
    ASSIGN_OR_RETURN(peer.host, GetString(anchor, "Host", anchor_path, true));
    const json* port = Find(anchor, "Port");
    if (port == nullptr) {
      return Invalid(anchor_path, "missing field \"Port\"");
    }
    ASSIGN_OR_RETURN(uint64_t port_number, GetUnsigned(*port, anchor_path + ".Port", 65535));
    peer.port = static_cast<int32_t>(port_number);
    peers.push_back(std::move(peer));
  }
  return peers;
}

// Parses the sections of configtx.json for one profile; see profile.h.
class ProfileLoader {
 public:
  ProfileLoader(const json& root, std::string config_dir)
      : root_(root), config_dir_(std::move(config_dir)) {}

  StatusOr<Profile> Load(std::string_view name);

 private:
  StatusOr<Profile> ParseProfile(const json& profile, const std::string& path, std::string name);
  Status ParseChannelSection(const json& profile, const std::string& path, Profile* out);
  Status IndexOrganizations();
  StatusOr<OrganizationSpec> ParseOrganization(const json& value, const std::string& path);
  StatusOr<std::vector<OrganizationSpec>> ResolveOrgs(const json& section, const std::string& path);
  StatusOr<std::vector<std::string>> SectionCapabilities(const json& section,
                                                         const std::string& path,
                                                         std::string_view section_name);
  StatusOr<OrdererSpec> ParseOrderer(const json& section, const std::string& path);
  Status ParseBatchSize(const json& value, const std::string& path, BatchSizeSpec* out);
  StatusOr<ApplicationSpec> ParseApplication(const json& section, const std::string& path);
  StatusOr<std::map<std::string, ConsortiumSpec>> ParseConsortiums(const json& value,
                                                                   const std::string& path);

  const json& root_;
  const std::string config_dir_;
  std::map<std::string, const json*> orgs_by_name_;
};

}  // namespace

Status ProfileLoader::IndexOrganizations() {
  const json* orgs = Find(root_, "Organizations");
  if (orgs == nullptr) {
    return Status::OK();
  }
  if (!orgs->is_array()) {
    return Invalid("Organizations", "must be a list");
  }
  for (size_t i = 0; i < orgs->size(); ++i) {
    const json& org = (*orgs)[i];
    const std::string path = absl::StrFormat("Organizations[%d]", i);
    RETURN_IF_ERROR(CheckObject(
        org, path,
        {"Name", "ID", "MSPDir", "MSPType", "Policies", "AnchorPeers", "OrdererEndpoints"}));
    ASSIGN_OR_RETURN(std::string name, GetString(org, "Name", path, true));
    if (!orgs_by_name_.emplace(name, &org).second) {
      return Invalid(path, absl::StrFormat("duplicate organization name \"%s\"", name));
    }
  }
  return Status::OK();
}

StatusOr<OrganizationSpec> ProfileLoader::ParseOrganization(const json& org,
                                                            const std::string& path) {
  RETURN_IF_ERROR(CheckObject(
      org, path,
      {"Name", "ID", "MSPDir", "MSPType", "Policies", "AnchorPeers", "OrdererEndpoints"}));
  OrganizationSpec spec;
  ASSIGN_OR_RETURN(spec.name, GetString(org, "Name", path, true));
  ASSIGN_OR_RETURN(spec.id, GetString(org, "ID", path, true));
  ASSIGN_OR_RETURN(std::string msp_dir, GetString(org, "MSPDir", path, true));
  ASSIGN_OR_RETURN(std::string msp_type, GetString(org, "MSPType", path, false));
  if (!msp_type.empty() && msp_type != "bccsp") {
    return Invalid(path + ".MSPType",
                   absl::StrFormat("unsupported MSP type \"%s\" (only bccsp)", msp_type));
  }
  std::filesystem::path dir(msp_dir);
  spec.msp_dir = dir.is_absolute() ? msp_dir : (std::filesystem::path(config_dir_) / dir).string();
  if (const json* policies = Find(org, "Policies")) {
    ASSIGN_OR_RETURN(spec.policies, ParsePolicies(*policies, path + ".Policies"));
  }
  if (const json* anchors = Find(org, "AnchorPeers")) {
    ASSIGN_OR_RETURN(spec.anchor_peers, ParseAnchorPeers(*anchors, path + ".AnchorPeers"));
  }
  ASSIGN_OR_RETURN(spec.orderer_endpoints, GetStringList(org, "OrdererEndpoints", path));
  return spec;
}

StatusOr<std::vector<OrganizationSpec>> ProfileLoader::ResolveOrgs(const json& section,
                                                                   const std::string& path) {
  std::vector<OrganizationSpec> orgs;
  const json* list = Find(section, "Organizations");
  if (list == nullptr || list->is_null()) {
    return orgs;
  }
  if (!list->is_array()) {
    return Invalid(path + ".Organizations", "must be a list");
  }
  for (size_t i = 0; i < list->size(); ++i) {
    const std::string item_path = absl::StrFormat("%s.Organizations[%d]", path, i);
    const json& item = (*list)[i];
    if (item.is_string()) {
      auto it = orgs_by_name_.find(item.get<std::string>());
      if (it == orgs_by_name_.end()) {
        return Invalid(item_path,
                       absl::StrFormat("unknown organization \"%s\"", item.get<std::string>()));
      }
      const std::string org_path = absl::StrFormat("Organizations[\"%s\"]", it->first);
      ASSIGN_OR_RETURN(OrganizationSpec org, ParseOrganization(*it->second, org_path));
      orgs.push_back(std::move(org));
    } else {
      ASSIGN_OR_RETURN(OrganizationSpec org, ParseOrganization(item, item_path));
      orgs.push_back(std::move(org));
    }
  }
  return orgs;
}

StatusOr<std::vector<std::string>> ProfileLoader::SectionCapabilities(
    const json& section, const std::string& path, std::string_view section_name) {
  if (const json* own = Find(section, "Capabilities")) {
    return ParseCapabilities(*own, path + ".Capabilities");
  }
  const json* top = Find(root_, "Capabilities");
  if (top == nullptr) {
    return std::vector<std::string>();
  }
  if (!top->is_object()) {
    return Invalid("Capabilities", "must be an object");
  }
  const json* entry = Find(*top, section_name);
  if (entry == nullptr) {
    return std::vector<std::string>();
  }
  return ParseCapabilities(*entry, "Capabilities." + std::string(section_name));
}

StatusOr<OrdererSpec> ProfileLoader::ParseOrderer(const json& section, const std::string& path) {
  RETURN_IF_ERROR(CheckObject(section, path,
                              {"OrdererType", "Addresses", "BatchTimeout", "BatchSize",
                               "MaxChannels", "Organizations", "Policies", "Capabilities"}));
  OrdererSpec spec;
  ASSIGN_OR_RETURN(std::string type, GetString(section, "OrdererType", path, false));
  if (!type.empty() && type != "solo") {
    return Invalid(path + ".OrdererType",
                   absl::StrFormat("unsupported orderer type \"%s\" (only solo)", type));
  }
  if (Find(section, "Addresses") != nullptr) {
    ASSIGN_OR_RETURN(spec.addresses, GetStringList(section, "Addresses", path));
  }
  ASSIGN_OR_RETURN(std::string timeout, GetString(section, "BatchTimeout", path, false));
  if (!timeout.empty()) {
    StatusOr<std::chrono::nanoseconds> parsed = channelconfig::ParseGoDuration(timeout);
    if (!parsed.ok()) {
      return parsed.status().Annotate(path + ".BatchTimeout");
    }
    if (parsed->count() <= 0) {
      return Invalid(path + ".BatchTimeout", "must be positive");
    }
    spec.batch_timeout = parsed.value();
  }
  if (const json* size = Find(section, "BatchSize")) {
    RETURN_IF_ERROR(ParseBatchSize(*size, path + ".BatchSize", &spec.batch_size));
  }
  if (const json* max_channels = Find(section, "MaxChannels")) {
    ASSIGN_OR_RETURN(spec.max_channels, GetUnsigned(*max_channels, path + ".MaxChannels",
                                                    std::numeric_limits<uint64_t>::max()));
  }
  ASSIGN_OR_RETURN(spec.organizations, ResolveOrgs(section, path));
  if (const json* policies = Find(section, "Policies")) {
    ASSIGN_OR_RETURN(spec.policies, ParsePolicies(*policies, path + ".Policies"));
  }
  ASSIGN_OR_RETURN(spec.capabilities, SectionCapabilities(section, path, "Orderer"));
  return spec;
}

Status ProfileLoader::ParseBatchSize(const json& value, const std::string& path,
                                     BatchSizeSpec* out) {
  RETURN_IF_ERROR(
      CheckObject(value, path, {"MaxMessageCount", "AbsoluteMaxBytes", "PreferredMaxBytes"}));
  if (const json* count = Find(value, "MaxMessageCount")) {
    ASSIGN_OR_RETURN(uint64_t n, GetUnsigned(*count, path + ".MaxMessageCount",
                                             std::numeric_limits<uint32_t>::max()));
    out->max_message_count = static_cast<uint32_t>(n);
  }
  for (auto [key, field] : {std::pair{"AbsoluteMaxBytes", &out->absolute_max_bytes},
                            std::pair{"PreferredMaxBytes", &out->preferred_max_bytes}}) {
    const json* size = Find(value, key);
    if (size == nullptr) {
      continue;
    }
    const std::string size_path = path + "." + key;
    if (size->is_number_unsigned()) {
      ASSIGN_OR_RETURN(uint64_t n,
                       GetUnsigned(*size, size_path, std::numeric_limits<uint32_t>::max()));
      *field = static_cast<uint32_t>(n);
    } else if (size->is_string()) {
      StatusOr<uint32_t> parsed = ParseByteSize(size->get<std::string>());
      if (!parsed.ok()) {
        return parsed.status().Annotate(size_path);
      }
      *field = parsed.value();
    } else {
      return Invalid(size_path, "must be a number of bytes or a string like \"99 MB\"");
    }
  }
  if (out->max_message_count == 0 || out->absolute_max_bytes == 0 ||
      out->preferred_max_bytes == 0) {
    return Invalid(path, "MaxMessageCount, AbsoluteMaxBytes and PreferredMaxBytes must be > 0");
  }
  if (out->preferred_max_bytes > out->absolute_max_bytes) {
    return Invalid(path, "PreferredMaxBytes must not exceed AbsoluteMaxBytes");
  }
  return Status::OK();
}

StatusOr<ApplicationSpec> ProfileLoader::ParseApplication(const json& section,
                                                          const std::string& path) {
  RETURN_IF_ERROR(
      CheckObject(section, path, {"Organizations", "Policies", "Capabilities", "ACLs"}));
  ApplicationSpec spec;
  ASSIGN_OR_RETURN(spec.organizations, ResolveOrgs(section, path));
  if (const json* policies = Find(section, "Policies")) {
    ASSIGN_OR_RETURN(spec.policies, ParsePolicies(*policies, path + ".Policies"));
  }
  ASSIGN_OR_RETURN(spec.capabilities, SectionCapabilities(section, path, "Application"));
  if (const json* acls = Find(section, "ACLs")) {
    if (!acls->is_object()) {
      return Invalid(path + ".ACLs", "must be an object of resource names to policy paths");
    }
    for (const auto& [resource, policy] : acls->items()) {
      if (!policy.is_string()) {
        return Invalid(path + ".ACLs." + resource, "must be a string");
      }
      spec.acls[resource] = policy.get<std::string>();
    }
  }
  return spec;
}

StatusOr<std::map<std::string, ConsortiumSpec>> ProfileLoader::ParseConsortiums(
    const json& value, const std::string& path) {
  if (!value.is_object()) {
    return Invalid(path, "must be an object of consortiums");
  }
  std::map<std::string, ConsortiumSpec> consortiums;
  for (const auto& [name, consortium] : value.items()) {
    const std::string consortium_path = path + "." + name;
    RETURN_IF_ERROR(CheckObject(consortium, consortium_path, {"Organizations"}));
    ASSIGN_OR_RETURN(consortiums[name].organizations, ResolveOrgs(consortium, consortium_path));
  }
  return consortiums;
}

StatusOr<Profile> ProfileLoader::Load(std::string_view name) {
  RETURN_IF_ERROR(CheckObject(
      root_, "configtx.json",
      {"Organizations", "Capabilities", "Application", "Orderer", "Channel", "Profiles"}));
  RETURN_IF_ERROR(IndexOrganizations());
  const json* profiles = Find(root_, "Profiles");
  if (profiles == nullptr || !profiles->is_object()) {
    return Invalid("Profiles", "missing or not an object");
  }
  const json* profile = Find(*profiles, name);
  if (profile == nullptr) {
    std::vector<std::string> names;
    for (const auto& [key, unused] : profiles->items()) {
      names.push_back(key);
    }
    return NotFoundError(absl::StrFormat("profile \"%s\" not found in configtx.json; have: %s",
                                         name, absl::StrJoin(names, ", ")));
  }
  return ParseProfile(*profile, "Profiles." + std::string(name), std::string(name));
}

StatusOr<Profile> ProfileLoader::ParseProfile(const json& profile, const std::string& path,
                                              std::string name) {
  RETURN_IF_ERROR(CheckObject(
      profile, path,
      {"Orderer", "Application", "Consortiums", "Consortium", "Policies", "Capabilities"}));
  Profile out;
  out.name = std::move(name);
  if (const json* orderer = Find(profile, "Orderer")) {
    if (!orderer->is_object()) {
      return Invalid(path + ".Orderer", "must be an object");
    }
    ASSIGN_OR_RETURN(out.orderer,
                     ParseOrderer(MergeOver(Find(root_, "Orderer"), *orderer), path + ".Orderer"));
  }
  if (const json* application = Find(profile, "Application")) {
    if (!application->is_object()) {
      return Invalid(path + ".Application", "must be an object");
    }
    ASSIGN_OR_RETURN(out.application,
                     ParseApplication(MergeOver(Find(root_, "Application"), *application),
                                      path + ".Application"));
  }
  if (const json* consortiums = Find(profile, "Consortiums")) {
    ASSIGN_OR_RETURN(out.consortiums, ParseConsortiums(*consortiums, path + ".Consortiums"));
  }
  ASSIGN_OR_RETURN(out.consortium, GetString(profile, "Consortium", path, false));
  RETURN_IF_ERROR(ParseChannelSection(profile, path, &out));
  return out;
}

// The profile's channel-level Policies and Capabilities, over the top-level "Channel" section.
Status ProfileLoader::ParseChannelSection(const json& profile, const std::string& path,
                                          Profile* out) {
  json channel = json::object();
  if (const json* defaults = Find(root_, "Channel")) {
    RETURN_IF_ERROR(CheckObject(*defaults, "Channel", {"Policies", "Capabilities"}));
    channel = *defaults;
  }
  for (std::string_view key : {"Policies", "Capabilities"}) {
    if (const json* value = Find(profile, key)) {
      channel[std::string(key)] = *value;
    }
  }
  if (const json* policies = Find(channel, "Policies")) {
    ASSIGN_OR_RETURN(out->policies, ParsePolicies(*policies, path + ".Policies"));
  }
  ASSIGN_OR_RETURN(out->capabilities, SectionCapabilities(channel, path, "Channel"));
  return Status::OK();
}

StatusOr<Profile> LoadProfile(std::string_view json_text, std::string_view profile_name,
                              const std::string& config_dir) {
  json root = json::parse(json_text, nullptr, false);
  if (root.is_discarded()) {
    return InvalidArgumentError("configtx.json is not valid JSON");
  }
  ProfileLoader loader(root, config_dir);
  return loader.Load(profile_name);
}

}  // namespace fabric::configtxgen
