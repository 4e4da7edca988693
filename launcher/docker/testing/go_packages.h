// SPDX-License-Identifier: Apache-2.0
//
// The Go getput chaincode (launcher/docker/testdata/go_getput) as a GOLANG code package, for
// tests and bench_launch: assemble.sh generates its gRPC code and vendors its dependencies from
// Debian's Go sources, then the CLI's packager packs it as `peer chaincode package -l golang`
// does.

#pragma once

#include <string>

#include "fabric/base/status.h"

namespace fabric::launcher::docker::testing {

struct GoSample {
  std::string code_package;
  std::string path;  // the chaincode path the CLI records (the import path)
};

// Assembles the chaincode into folder `dir` (created; left for the caller to remove) in
// `layout`, "module" (go.mod + vendor/, packed from the folder) or "gopath" (packed by import
// path with GOPATH=dir, restored afterwards). Unavailable when the host lacks go, protoc,
// protoc-gen-go or Debian's gRPC sources (scripts/install-deps.sh); Internal when assembling
// fails otherwise.
StatusOr<GoSample> GoGetputPackage(const std::string& dir, const std::string& layout);

}  // namespace fabric::launcher::docker::testing
