// SPDX-License-Identifier: Apache-2.0
//
// Chaincode code packages: the gzipped tar in ChaincodeDeploymentSpec.code_package, built from a
// source folder as Fabric's platforms do (deterministic: entries sorted by path, mtime 0, uid and
// gid 0, gzip level 9 without a timestamp, so the same folder always gives the same bytes and the
// same code hash). Written with fabric_archive (common/archive).
// Layout by language:
//   golang  src/<path>/<file>   (path = the -p import path; the folder is $GOPATH/src/<path>
//                                 when it exists, else -p taken as a folder)
//   node, java, cpp   src/<file>   (node: node_modules/ left out, META-INF/<file> at the top,
//                                  every file 0644, as Fabric's node platform writes them; the
//                                  peer refuses a node package without src/package.json at
//                                  install, as Fabric's does)
//   external          <file>  (a folder holding connection.json, checked with
//                             launcher/external/connection_info.h, and anything else the
//                             external builders want, e.g. META-INF/)
// A C++ package must have CMakeLists.txt at its top: images/ccenv's fabric-cc-build builds
// INPUT/src with it.
//
// Thread-safety: stateless.

#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "common/archive/archive.h"
#include "fabric/base/status.h"
#include "peer/chaincode.pb.h"

namespace fabric::cli {

// The files of folder `dir` (recursively; hidden entries, CMake build folders and the top-level
// folders named in `skip_dirs` skipped) named `prefix` + relative path, sorted, with mode 0755
// (owner may execute) or 0644. NotFound when `dir` is not a folder; Internal on read errors.
StatusOr<std::vector<archive::Entry>> CollectFiles(const std::string& dir,
                                                   const std::string& prefix,
                                                   const std::vector<std::string>& skip_dirs = {});

// Parses a -l value: golang, node, java, car, cpp, external or ccaas (case-insensitive).
// InvalidArgument "unknown chaincode language ..." otherwise.
StatusOr<protos::ChaincodeSpec::Type> ParseLanguage(std::string_view lang);

// The gzipped tar for a chaincode at `path` in `type`. InvalidArgument when a cpp folder has no
// CMakeLists.txt at its top ("... is not a C++ chaincode: no CMakeLists.txt in <dir>"), or an
// external folder no valid connection.json ("... is not an external chaincode ..."); NotFound
// when the folder does not exist.
StatusOr<std::string> BuildCodePackage(protos::ChaincodeSpec::Type type, const std::string& path);

}  // namespace fabric::cli
