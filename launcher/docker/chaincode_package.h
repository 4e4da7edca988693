// SPDX-License-Identifier: Apache-2.0
//
// C++ chaincode code packages: the bytes of ChaincodeDeploymentSpec.code_package, what
// `peer chaincode package/install` produce and DockerLauncher builds. A package is a gzipped tar
// whose entries live under "src/": the chaincode's source folder, with a CMakeLists.txt at
// src/CMakeLists.txt that builds an executable target named `chaincode` linked with
// fabric::shim (find_package(FabricShim)); images/ccenv/fabric-cc-build documents the contract.
//
// Packages are deterministic (sorted entries, mtime 0, uid 0), so the same folder always gives
// the same bytes and the same PackageHash.
//
// Thread-safety: free functions, safe to call concurrently.

#pragma once

#include <map>
#include <string>

#include "fabric/base/status.h"

namespace fabric::launcher::docker {

// Packages every regular file under `dir` (recursively; hidden entries and build/ folders are
// skipped). InvalidArgument when `dir` has no CMakeLists.txt; NotFound when it does not exist.
StatusOr<std::string> PackageDirectory(const std::string& dir);

// Packages the given files: relative path (under src/) -> content.
StatusOr<std::string> PackageFiles(const std::map<std::string, std::string>& files);

// Lower-case hex SHA-256 of the package bytes (the image label that detects stale images).
std::string PackageHash(const std::string& code_package);

}  // namespace fabric::launcher::docker
