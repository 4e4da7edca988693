// SPDX-License-Identifier: Apache-2.0
//
// Chaincode code packages: the gzipped tar in ChaincodeDeploymentSpec.code_package, built from a
// source folder as Fabric's platforms do (deterministic: entries sorted by path, mtime 0, uid and
// gid 0, gzip level 9 without a timestamp, so the same folder always gives the same bytes and the
// same code hash). Written with fabric_archive (common/archive).
// Layout by language:
//   golang, GOPATH code (Fabric 1.4): src/<path>/<file> for the .go .c .h .s .yaml .json files
//     of the folder $GOPATH/src/<path> (or -p taken as a relative folder), META-INF/<file>;
//     dependencies outside the folder are not collected: they belong in <path>/vendor/.
//   golang, module (Fabric 2.x): the folder holding -p, or one above it, has go.mod: every file
//     of the module's folder as src/<file> (go.mod, vendor/ ...), META-INF/<file>; the chaincode
//     path recorded is the import path (module path + the folder's place in the module).
//   node   src/<file>, node_modules/ left out, META-INF/<file> at the top (as Fabric's node
//     platform writes them; the peer refuses a node package without src/package.json at
//     install, as Fabric's does).
//   java, cpp   src/<file>
//   external    <file>  (a folder holding connection.json, checked with
//     launcher/external/connection_info.h, and anything else the external builders want, e.g.
//     META-INF/)
//   Go and node packages have every file 0644 (Fabric's platforms refuse other bits).
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

// A Go chaincode's source as the packager sees it (DescribeGoCode).
struct GoSource {
  bool module = false;
  std::string root;         // the folder packed (the module's, or $GOPATH/src/<path>)
  std::string import_path;  // the chaincode path recorded in the spec
  std::string prefix;       // GOPATH code: "src/<path>/"
  std::string meta_dir;     // module: META-INF's folder relative to the module's
};

// Finds a Go chaincode: $GOPATH/src/<path> (first GOPATH element, default $HOME/go) or the
// folder <path>, then the nearest go.mod at or above it. NotFound when no folder exists;
// InvalidArgument for a go.mod without a module line, or for an absolute or relative folder
// without go.mod (GOPATH code is named by its import path).
StatusOr<GoSource> DescribeGoCode(const std::string& path);

// The path to record in ChaincodeSpec.chaincode_id: a Go module's import path (Fabric 2.x's
// NormalizePath), `path` itself otherwise. DescribeGoCode's errors.
StatusOr<std::string> ChaincodePath(protos::ChaincodeSpec::Type type, const std::string& path);

// Parses a -l value: golang, node, java, car, cpp, external or ccaas (case-insensitive).
// InvalidArgument "unknown chaincode language ..." otherwise.
StatusOr<protos::ChaincodeSpec::Type> ParseLanguage(std::string_view lang);

// The gzipped tar for a chaincode at `path` in `type`. InvalidArgument when a cpp folder has no
// CMakeLists.txt at its top ("... is not a C++ chaincode: no CMakeLists.txt in <dir>"), or an
// external folder no valid connection.json ("... is not an external chaincode ..."); NotFound
// when the folder does not exist.
StatusOr<std::string> BuildCodePackage(protos::ChaincodeSpec::Type type, const std::string& path);

}  // namespace fabric::cli
