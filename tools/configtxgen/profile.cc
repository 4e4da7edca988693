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
#include "common/crypto/file_util.h"
#include "fabric/base/status_macros.h"
#include "tools/common/yaml_json.h"
#include "tools/configtxgen/config_json.h"

namespace fabric::configtxgen {
namespace {

using internal::Find;
using internal::GetString;
using internal::GetStringList;
using internal::GetUnsigned;
using internal::Invalid;
using internal::json;
using internal::MergeOver;
using internal::ParseCapabilities;
using internal::ParsePolicies;

const internal::KeyChecker::Keys kOrgKeys = {
    "Name",     "ID",          "MSPDir",           "MSPType",
    "Policies", "AnchorPeers", "OrdererEndpoints", "AdminPrincipal"};
// Fabric 2.x: only consulted when a channel creation tx is built against a system channel
// profile, which this implementation does not do.
const internal::KeyChecker::Keys kIgnoredOrgKeys = {"SkipAsForeign"};
const internal::KeyChecker::Keys kProfileKeys = {"Orderer",    "Application", "Consortiums",
                                                 "Consortium", "Policies",    "Capabilities"};

StatusOr<std::vector<AnchorPeerSpec>> ParseAnchorPeers(internal::KeyChecker& keys,
                                                       const json& anchors,
                                                       const std::string& path) {
  std::vector<AnchorPeerSpec> peers;
  if (!anchors.is_array()) {
    return Invalid(path, "must be a list");
  }
  for (size_t i = 0; i < anchors.size(); ++i) {
    const std::string anchor_path = absl::StrFormat("%s[%d]", path, i);
    const json& anchor = anchors[i];
    RETURN_IF_ERROR(keys.Check(anchor, anchor_path, {"Host", "Port"}));
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

// A profile's Orderer or Application section: as written (Fabric), or over the top-level
// section of that name (configtx.json).
json ProfileSection(const json* top_level, const json& own, bool implicit) {
  return implicit ? internal::MergeOver(top_level, own) : own;
}

// Parses the sections of a config document for one profile; see profile.h.
class ProfileLoader {
 public:
  ProfileLoader(const json& root, ConfigStyle style, std::string config_dir,
                std::string_view file_name)
      : root_(root), style_(style), config_dir_(std::move(config_dir)), file_name_(file_name) {}

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

  bool implicit() const { return style_ == ConfigStyle::kImplicitDefaults; }
  Status CheckTopLevelSections();

  const json& root_;
  const ConfigStyle style_;
  const std::string config_dir_;
  const std::string file_name_;
  std::map<std::string, const json*> orgs_by_name_;
  internal::KeyChecker keys_;
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
    RETURN_IF_ERROR(keys_.Check(org, path, kOrgKeys, kIgnoredOrgKeys));
    ASSIGN_OR_RETURN(std::string name, GetString(org, "Name", path, true));
    if (!orgs_by_name_.emplace(name, &org).second) {
      return Invalid(path, absl::StrFormat("duplicate organization name \"%s\"", name));
    }
  }
  return Status::OK();
}

StatusOr<OrganizationSpec> ProfileLoader::ParseOrganization(const json& org,
                                                            const std::string& path) {
  RETURN_IF_ERROR(keys_.Check(org, path, kOrgKeys, kIgnoredOrgKeys));
  OrganizationSpec spec;
  ASSIGN_OR_RETURN(spec.name, GetString(org, "Name", path, true));
  ASSIGN_OR_RETURN(spec.id, GetString(org, "ID", path, true));
  ASSIGN_OR_RETURN(std::string msp_dir, GetString(org, "MSPDir", path, true));
  ASSIGN_OR_RETURN(std::string msp_type, GetString(org, "MSPType", path, false));
  if (!msp_type.empty() && msp_type != "bccsp") {
    return Invalid(path + ".MSPType",
                   absl::StrFormat("unsupported MSP type \"%s\" (only bccsp)", msp_type));
  }
  spec.msp_dir = internal::ResolvePath(config_dir_, msp_dir);
  ASSIGN_OR_RETURN(std::string admin_principal, GetString(org, "AdminPrincipal", path, false));
  if (!admin_principal.empty()) {
    if (admin_principal != "Role.ADMIN" && admin_principal != "Role.MEMBER") {
      return Invalid(
          path + ".AdminPrincipal",
          absl::StrFormat("\"%s\" is neither Role.ADMIN nor Role.MEMBER", admin_principal));
    }
    spec.admin_principal = admin_principal;
  }
  if (const json* policies = Find(org, "Policies")) {
    ASSIGN_OR_RETURN(spec.policies, ParsePolicies(*policies, path + ".Policies"));
  }
  if (const json* anchors = Find(org, "AnchorPeers")) {
    ASSIGN_OR_RETURN(spec.anchor_peers, ParseAnchorPeers(keys_, *anchors, path + ".AnchorPeers"));
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
  if (!implicit()) {
    return std::vector<std::string>();
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
  RETURN_IF_ERROR(
      keys_.Check(section, path,
                  {"OrdererType", "Addresses", "BatchTimeout", "BatchSize", "MaxChannels", "Kafka",
                   "EtcdRaft", "Etcd", "Organizations", "Policies", "Capabilities"}));
  OrdererSpec spec;
  ASSIGN_OR_RETURN(std::string type, GetString(section, "OrdererType", path, false));
  if (!type.empty() && type != "solo" && type != "kafka" && type != "etcdraft" && type != "etcd") {
    return Invalid(
        path + ".OrdererType",
        absl::StrFormat("unknown orderer type \"%s\"; want solo, kafka, etcdraft or etcd", type));
  }
  spec.orderer_type = type.empty() ? spec.orderer_type : type;
  if (Find(section, "Addresses") != nullptr) {
    ASSIGN_OR_RETURN(spec.addresses, GetStringList(section, "Addresses", path));
  }
  ASSIGN_OR_RETURN(std::string timeout, GetString(section, "BatchTimeout", path, false));
  if (!timeout.empty()) {
    StatusOr<std::chrono::nanoseconds> parsed = channelconfig::ParseGoDuration(timeout);
    if (!parsed.ok()) {
      return parsed.status().Annotate(path + ".BatchTimeout");
    }
    if (parsed->count() < 0) {
      return Invalid(path + ".BatchTimeout", "must not be negative");
    }
    // Zero is Fabric's "unset": the default stays.
    spec.batch_timeout = parsed->count() == 0 ? spec.batch_timeout : parsed.value();
  }
  if (const json* size = Find(section, "BatchSize")) {
    RETURN_IF_ERROR(ParseBatchSize(*size, path + ".BatchSize", &spec.batch_size));
  }
  if (const json* max_channels = Find(section, "MaxChannels")) {
    ASSIGN_OR_RETURN(spec.max_channels, GetUnsigned(*max_channels, path + ".MaxChannels",
                                                    std::numeric_limits<uint64_t>::max()));
  }
  RETURN_IF_ERROR(internal::ParseConsensus(section, path, config_dir_, keys_, &spec));
  ASSIGN_OR_RETURN(spec.organizations, ResolveOrgs(section, path));
  if (const json* policies = Find(section, "Policies")) {
    ASSIGN_OR_RETURN(spec.policies, ParsePolicies(*policies, path + ".Policies"));
  }
  ASSIGN_OR_RETURN(spec.capabilities, SectionCapabilities(section, path, "Orderer"));
  return spec;
}

// Fabric treats zero sizes as unset and keeps its defaults.
Status ProfileLoader::ParseBatchSize(const json& value, const std::string& path,
                                     BatchSizeSpec* out) {
  RETURN_IF_ERROR(
      keys_.Check(value, path, {"MaxMessageCount", "AbsoluteMaxBytes", "PreferredMaxBytes"}));
  RETURN_IF_ERROR(
      internal::GetUnsignedOrDefault(value, "MaxMessageCount", path, &out->max_message_count));
  RETURN_IF_ERROR(
      internal::GetByteSizeOrDefault(value, "AbsoluteMaxBytes", path, &out->absolute_max_bytes));
  RETURN_IF_ERROR(
      internal::GetByteSizeOrDefault(value, "PreferredMaxBytes", path, &out->preferred_max_bytes));
  if (out->preferred_max_bytes > out->absolute_max_bytes) {
    return Invalid(path, "PreferredMaxBytes must not exceed AbsoluteMaxBytes");
  }
  return Status::OK();
}

StatusOr<ApplicationSpec> ProfileLoader::ParseApplication(const json& section,
                                                          const std::string& path) {
  // Resources (Fabric 1.x) is read by Fabric but never encoded.
  RETURN_IF_ERROR(keys_.Check(section, path, {"Organizations", "Policies", "Capabilities", "ACLs"},
                              {"Resources"}));
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
    RETURN_IF_ERROR(keys_.Check(consortium, consortium_path, {"Organizations"}));
    ASSIGN_OR_RETURN(consortiums[name].organizations, ResolveOrgs(consortium, consortium_path));
  }
  return consortiums;
}

// Fabric decodes the whole file strictly, so the top-level sections, which configtx.yaml only
// uses as anchor sources, are checked too.
Status ProfileLoader::CheckTopLevelSections() {
  if (const json* orderer = Find(root_, "Orderer")) {
    RETURN_IF_ERROR(ParseOrderer(*orderer, "Orderer").status());
  }
  if (const json* application = Find(root_, "Application")) {
    RETURN_IF_ERROR(ParseApplication(*application, "Application").status());
  }
  if (const json* channel = Find(root_, "Channel")) {
    RETURN_IF_ERROR(implicit() ? keys_.Check(*channel, "Channel", {"Policies", "Capabilities"})
                               : keys_.Check(*channel, "Channel", kProfileKeys));
  }
  return Status::OK();
}

StatusOr<Profile> ProfileLoader::Load(std::string_view name) {
  // Resources (Fabric 1.x) is read by Fabric but never encoded.
  RETURN_IF_ERROR(keys_.Check(
      root_, "top level",
      {"Organizations", "Capabilities", "Application", "Orderer", "Channel", "Profiles"},
      {"Resources"}));
  RETURN_IF_ERROR(IndexOrganizations());
  RETURN_IF_ERROR(CheckTopLevelSections());
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
    return NotFoundError(absl::StrFormat("profile \"%s\" not found in %s; have: %s", name,
                                         file_name_, absl::StrJoin(names, ", ")));
  }
  ASSIGN_OR_RETURN(Profile out,
                   ParseProfile(*profile, "Profiles." + std::string(name), std::string(name)));
  out.ignored_keys = keys_.ignored();
  return out;
}

StatusOr<Profile> ProfileLoader::ParseProfile(const json& profile, const std::string& path,
                                              std::string name) {
  RETURN_IF_ERROR(keys_.Check(profile, path, kProfileKeys));
  Profile out;
  out.name = std::move(name);
  if (const json* orderer = Find(profile, "Orderer")) {
    if (!orderer->is_object()) {
      return Invalid(path + ".Orderer", "must be an object");
    }
    ASSIGN_OR_RETURN(out.orderer,
                     ParseOrderer(ProfileSection(Find(root_, "Orderer"), *orderer, implicit()),
                                  path + ".Orderer"));
  }
  if (const json* application = Find(profile, "Application")) {
    if (!application->is_object()) {
      return Invalid(path + ".Application", "must be an object");
    }
    ASSIGN_OR_RETURN(out.application, ParseApplication(ProfileSection(Find(root_, "Application"),
                                                                      *application, implicit()),
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
  const json* defaults = Find(root_, "Channel");
  if (implicit() && defaults != nullptr) {
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

StatusOr<Profile> LoadProfileFromDocument(const json& root, std::string_view profile_name,
                                          ConfigStyle style, const std::string& config_dir,
                                          std::string_view file_name) {
  if (!root.is_object()) {
    return InvalidArgumentError(
        absl::StrFormat("%s: top level must be a map of sections", file_name));
  }
  ProfileLoader loader(root, style, config_dir, file_name);
  StatusOr<Profile> profile = loader.Load(profile_name);
  if (!profile.ok() && profile.status().code() == StatusCode::kInvalidArgument) {
    return profile.status().Annotate(file_name);
  }
  return profile;
}

StatusOr<Profile> LoadProfileFile(const std::string& path, std::string_view profile_name) {
  StatusOr<std::string> text = crypto::ReadFile(path);
  if (!text.ok()) {
    return NotFoundError(
        absl::StrFormat("cannot read config file %s: %s", path, text.status().message()));
  }
  ASSIGN_OR_RETURN(json root, tools::ParseYaml(*text, path));
  const std::filesystem::path file(path);
  const ConfigStyle style =
      file.extension() == ".json" ? ConfigStyle::kImplicitDefaults : ConfigStyle::kFabric;
  std::string dir = file.parent_path().string();
  return LoadProfileFromDocument(root, profile_name, style, dir.empty() ? "." : dir, path);
}

StatusOr<Profile> LoadProfile(std::string_view json_text, std::string_view profile_name,
                              const std::string& config_dir) {
  ASSIGN_OR_RETURN(json root, tools::ParseYaml(json_text, "configtx.json"));
  return LoadProfileFromDocument(root, profile_name, ConfigStyle::kImplicitDefaults, config_dir,
                                 "configtx.json");
}

}  // namespace fabric::configtxgen
