// SPDX-License-Identifier: Apache-2.0
//
// YAML documents as nlohmann JSON values, decoded the way Fabric's tools (Go, gopkg.in/yaml.v2
// under viper) see their config files:
//  - anchors (&name) and aliases (*name) are expanded;
//  - merge keys ("<<: *defaults" or "<<: [*a, *b]") apply in document order as gopkg.in/yaml.v2
//    applies them: a key written after the merge overrides the merged map's, a key written
//    before it is overridden ("OrdererType: kafka" then "<<: *OrdererDefaults" gives the
//    defaults' type, as Fabric's configtxgen does); with a list, earlier maps win over later
//    ones; a null merge value is an error;
//  - plain scalars are typed as YAML 1.1: "", "~", "null" -> null; true/false/yes/no/on/off
//    (any case) -> booleans; decimal, 0x hex and 0o/0 octal integers -> numbers; decimal floats
//    -> numbers; anything else -> strings. Quoted scalars and "!!str" stay strings.
//  - mapping keys are strings.
// JSON text is YAML, so the same reader takes the JSON form of a config file.
//
// Stateless; thread-safe.

#pragma once

#include <string_view>

#include <nlohmann/json.hpp>

#include "fabric/base/status.h"

namespace fabric::tools {

// Parses the single YAML document `text`; `file_name` names it in errors. An empty document is
// null. Returns InvalidArgument "<file>:<line>:<column>: <problem>" (1-based; "line L, column
// C: <problem>" when `file_name` is empty) for text that is
// not YAML, an alias of an unknown anchor, a merge key whose value is not a map or a list of
// maps, or a mapping key that is not a scalar.
StatusOr<nlohmann::json> ParseYaml(std::string_view text, std::string_view file_name);

}  // namespace fabric::tools
