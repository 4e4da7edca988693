// SPDX-License-Identifier: Apache-2.0
//
// Internal to the CLI: `peer chaincode package` (raw or signed, Fabric 1.4
// peer/chaincode/package.go), `peer chaincode signpackage` and the package file `peer chaincode
// install <file>` reads.
//
// Thread-safety: one call per command, as Command.

#pragma once

#include <string>

#include "fabric/base/status.h"
#include "peer/chaincode.pb.h"
#include "peer/cli/command.h"

namespace fabric::cli {

// The ChaincodeDeploymentSpec from -n -v -p -l -c, with the code package built from -p.
// InvalidArgument for a missing flag; errors of BuildCodePackage.
StatusOr<protos::ChaincodeDeploymentSpec> DeploymentSpec(const Command& cmd);

// `peer chaincode package [-s [-S] [-i policy]] <outfile>`.
Status Package(Command& cmd);

// `peer chaincode signpackage <in> <out>`: prints "Wrote signed package to <out> successfully".
Status SignPackage(Command& cmd);

// A package file as install sends it: the bytes of a ChaincodeDeploymentSpec or of a signed
// package envelope (Fabric's GetCCPackage decides which; the envelope wins when both parse), and
// the deployment spec inside. InvalidArgument when the file is neither or names another
// chaincode than -n/-v.
struct InstallPackage {
  std::string bytes;
  protos::ChaincodeDeploymentSpec cds;
};
StatusOr<InstallPackage> ReadInstallPackage(const Command& cmd, const std::string& path);

}  // namespace fabric::cli
