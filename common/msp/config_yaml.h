// SPDX-License-Identifier: Apache-2.0
//
// Internal to common/msp: parsing an MSP folder's config.yaml (Go: msp.Configuration in
// msp/configbuilder.go) with yaml-cpp. This is the only place yaml-cpp's exceptions are caught.
//
// Thread-safety: stateless; safe to call concurrently.

#pragma once

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fabric/base/status.h"

namespace fabric::msp::internal {

struct OuIdentifierYaml {
  std::string certificate;  // Path relative to the MSP folder; may be empty.
  std::string ou;           // OrganizationalUnitIdentifier.
};

struct MspConfigYaml {
  std::vector<OuIdentifierYaml> ou_identifiers;  // OrganizationalUnitIdentifiers.
  bool node_ous_enable = false;
  // Set when present with a non-empty OrganizationalUnitIdentifier.
  std::optional<OuIdentifierYaml> client, peer, admin, orderer;
};

// Parses config.yaml's text. InvalidArgument naming `file` when it is not YAML or a field has
// the wrong type (e.g. "Enable: maybe"). Unknown keys are ignored, as Go's yaml.v2 does.
StatusOr<MspConfigYaml> ParseMspConfigYaml(std::string_view text, const std::string& file);

}  // namespace fabric::msp::internal
