// SPDX-License-Identifier: Apache-2.0
//
// Where a node's or a command's configuration file is and how its settings are named, shared by
// the peer node, the peer CLI and the orderer so that they find the same file and resolve paths
// the same way (Fabric's core/config: InitViper, GetPath, TranslatePath).
//
// Thread-safe: free functions without state.

#pragma once

#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace fabric::localconfig {

// An environment: the value of a variable, nullopt when unset. Tests pass a map's.
using EnvLookup = std::function<std::optional<std::string>(const std::string& name)>;

// The process environment (getenv).
EnvLookup ProcessEnv();

// Fabric's TranslatePath: `path` relative to `base` (the config file's directory), normalized;
// an absolute or empty `path`, or an empty `base`, is returned unchanged.
std::string TranslatePath(const std::string& base, const std::string& path);

// The env variable overriding the key `path` (Viper's AutomaticEnv): `prefix`, '_', then the
// path upper-cased with '.' -> '_'. EnvName("CORE", "peer.tls.enabled") is
// "CORE_PEER_TLS_ENABLED".
std::string EnvName(std::string_view prefix, std::string_view path);

// The configuration file `name` ("core") in `dir`: name.yaml, else name.yml, else name.json;
// "" when none exists. When more than one exists, the others are not read and a notice for each
// goes to `notices` (may be null).
std::string FindConfigFile(const std::string& dir, std::string_view name,
                           std::vector<std::string>* notices);

}  // namespace fabric::localconfig
