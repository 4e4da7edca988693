// SPDX-License-Identifier: Apache-2.0
//
// How the Docker launcher builds a Go chaincode package (ChaincodeSpec type GOLANG) in the
// fabric-cpp/goenv image (Debian's golang-go), offline: nothing is fetched, the package must
// carry its dependencies (a vendor/ folder). The two layouts Fabric's packagers write, chosen
// from the package's entries in the order of Fabric 2.x's build script:
//  - module at the top: src/go.mod (Fabric 2.x packs a module's folder as src/): built in
//    /chaincode/input/src with GO111MODULE=on, GOFLAGS=-mod=vendor, target the chaincode path
//    (the import path of the main package, inside the module) or "." when the path is empty;
//  - module under its path: src/<path>/go.mod: built in that folder, target ".";
//  - GOPATH (Fabric 1.4): src/<path>/*.go: GO111MODULE=off, GOPATH=/chaincode/input, target
//    <path> (its dependencies in src/<path>/vendor/ or elsewhere under src/).
// Every build: CGO_ENABLED=0 (a static binary that runs in the C++ runtime image, baseos),
// GOPROXY=off, GOSUMDB=off, GONOSUMDB=*, GOTOOLCHAIN=local, -trimpath -buildvcs=false, the
// binary to kBinaryOutputFile. The argv is passed as is (no shell): the chaincode path
// is one argument, refused when it could read as a flag.
//
// Thread-safety: pure functions.

#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fabric/base/status.h"
#include "launcher/docker/build_recipe.h"

namespace fabric::launcher::docker {

enum class GoLayout { kModule, kGopath };

struct GoBuildPlan {
  GoLayout layout = GoLayout::kGopath;
  std::string target;       // what `go build` builds: an import path or "."
  std::string working_dir;  // in the builder container
  std::vector<std::string> env;
  std::vector<std::string> cmd;  // argv
};

// The build of `code_package` (a gzipped tar) for chaincode path `path` (ChaincodeSpec's
// chaincode_id.path; an http:// or https:// prefix and a trailing '/' are dropped, as Fabric
// does). InvalidArgument naming the problem and what to do: not a readable archive, no Go
// source, no go.mod nor src/<path>/ with Go files, a path that is unsafe (absolute, "..",
// starting with '-', spaces) or outside the package's module.
StatusOr<GoBuildPlan> PlanGoBuild(const std::string& ccid, std::string_view code_package,
                                  const std::string& path);

// The message for a failed build from the builder's output lines: names the package or module
// the package does not vendor (go's "cannot find package", "not marked as explicit in
// vendor/modules.txt", "no required module provides package", "is not in GOROOT") and says
// to vendor it; otherwise the output's last lines.
std::string ExplainGoBuildFailure(const std::string& ccid, const GoBuildPlan& plan,
                                  const std::vector<std::string>& output);

// OK when `binary` is an executable: `go build -o` of a package that is not `package main`
// writes a library archive instead, which is refused here (FailedPrecondition).
Status CheckGoBinary(const std::string& ccid, const GoBuildPlan& plan, std::string_view binary);

// The recipe the Docker launcher runs for a GOLANG package: PlanGoBuild's command in
// `goenv_image`, failures explained by ExplainGoBuildFailure, the binary checked by
// CheckGoBinary, run as a program on `baseos_image` (RunAsProgram). PlanGoBuild's errors.
StatusOr<BuildRecipe> GoBuildRecipe(const std::string& ccid, std::string_view code_package,
                                    const std::string& path, const std::string& goenv_image,
                                    const std::string& baseos_image);

}  // namespace fabric::launcher::docker
