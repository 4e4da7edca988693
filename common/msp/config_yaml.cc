// SPDX-License-Identifier: Apache-2.0
#include "common/msp/config_yaml.h"

#include <absl/strings/str_format.h>
#include <yaml-cpp/yaml.h>

namespace fabric::msp::internal {
namespace {

// Reads an OU identifier map; unset when absent or its OU is empty (as Fabric).
std::optional<OuIdentifierYaml> ReadOuIdentifier(const YAML::Node& node) {
  if (!node || !node.IsMap()) {
    return std::nullopt;
  }
  OuIdentifierYaml out;
  if (node["Certificate"]) {
    out.certificate = node["Certificate"].as<std::string>();
  }
  if (node["OrganizationalUnitIdentifier"]) {
    out.ou = node["OrganizationalUnitIdentifier"].as<std::string>();
  }
  if (out.ou.empty()) {
    return std::nullopt;
  }
  return out;
}

// Throws YAML::Exception on malformed input; called only inside ParseMspConfigYaml's try.
MspConfigYaml ParseOrThrow(std::string_view text) {
  MspConfigYaml out;
  const YAML::Node root = YAML::Load(std::string(text));
  if (!root || root.IsNull()) {
    return out;
  }
  if (!root.IsMap()) {
    throw YAML::Exception(YAML::Mark::null_mark(), "top level is not a map");
  }
  if (const YAML::Node ous = root["OrganizationalUnitIdentifiers"]; ous && ous.IsSequence()) {
    for (const YAML::Node& n : ous) {
      OuIdentifierYaml id;
      id.certificate = n["Certificate"] ? n["Certificate"].as<std::string>() : "";
      id.ou = n["OrganizationalUnitIdentifier"]
                  ? n["OrganizationalUnitIdentifier"].as<std::string>()
                  : "";
      out.ou_identifiers.push_back(std::move(id));
    }
  }
  const YAML::Node node_ous = root["NodeOUs"];
  if (node_ous && node_ous.IsMap()) {
    out.node_ous_enable = node_ous["Enable"] ? node_ous["Enable"].as<bool>() : false;
    out.client = ReadOuIdentifier(node_ous["ClientOUIdentifier"]);
    out.peer = ReadOuIdentifier(node_ous["PeerOUIdentifier"]);
    out.admin = ReadOuIdentifier(node_ous["AdminOUIdentifier"]);
    out.orderer = ReadOuIdentifier(node_ous["OrdererOUIdentifier"]);
  }
  return out;
}

}  // namespace

StatusOr<MspConfigYaml> ParseMspConfigYaml(std::string_view text, const std::string& file) {
  // yaml-cpp reports errors by throwing; this boundary turns them into a Status.
  try {
    return ParseOrThrow(text);
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(absl::StrFormat("parse %s: %s", file, e.what()));
  } catch (const std::exception& e) {
    return InvalidArgumentError(absl::StrFormat("parse %s: %s", file, e.what()));
  }
}

}  // namespace fabric::msp::internal
