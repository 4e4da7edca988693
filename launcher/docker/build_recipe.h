// SPDX-License-Identifier: Apache-2.0
//
// BuildRecipe: how the Docker launcher compiles one chaincode package in a throwaway builder
// container (no network, the launcher's memory and pids limits, the launch deadline): the
// builder image and its command, and what to make of a failure or of the binary it left at
// /chaincode/output/chaincode. One per language: C++ (docker_launcher.cc, fabric-cc-build in
// ccenv) and Go (go_build.h, `go build` in goenv).

#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "fabric/base/status.h"

namespace fabric::launcher::docker {

struct BuildRecipe {
  std::string type = "CPP";  // ChaincodeSpec type name, labelled on the chaincode image
  std::string image;         // the builder image
  std::vector<std::string> cmd;
  std::vector<std::string> env;
  std::string working_dir;
  // The error message of a failed build from the builder's output lines; empty: the generic
  // message with the output's last lines.
  std::function<std::string(const std::vector<std::string>& output)> explain_failure;
  // Checks the binary the build left; empty: any file is accepted.
  std::function<Status(std::string_view binary)> check_binary;
};

}  // namespace fabric::launcher::docker
