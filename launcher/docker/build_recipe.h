// SPDX-License-Identifier: Apache-2.0
//
// BuildRecipe: everything the Docker launcher needs to know about one chaincode package's
// language, so that building and running is one flow for every type:
//  - the throwaway builder container: image, command, environment, working folder, whether it
//    reaches the network, what is uploaded besides the code package (at kBuildInputDir), the
//    one file it leaves (`output`), and what to make of a failure or of that file;
//  - the chaincode image: FROM `runtime_image`, built from `dockerfile` with the output in its
//    context under the output's file name;
//  - the chaincode container's command.
// One recipe per language, chosen by the package type (DockerLauncher::RecipeFor): CPP
// (CppBuildRecipe, fabric-cc-build in ccenv), GOLANG (GoBuildRecipe in go_build.h, `go build` in
// goenv) and NODE (NodeBuildRecipe in node_build.h, `npm install` in nodeenv).
//
// Thread-safety: plain data; the helpers are pure functions.

#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fabric/base/status.h"

namespace fabric::launcher::docker {

// Where every builder container finds the code package (extracted) and, for the languages that
// build one program, leaves it.
inline constexpr char kBuildInputDir[] = "/chaincode/input";
inline constexpr char kBinaryOutputFile[] = "/chaincode/output/chaincode";

struct BuildRecipe {
  std::string type = "CPP";  // ChaincodeSpec type name, labelled on the chaincode image

  // The builder container.
  std::string image;
  std::vector<std::string> cmd;
  std::vector<std::string> env;
  std::string working_dir;
  // false: network "none" (the build fetches nothing); true: the launcher's network mode, for
  // builders that download dependencies (npm).
  bool needs_network = false;
  std::map<std::string, std::string> uploads;  // container folder -> tar, besides the package
  std::string output = kBinaryOutputFile;      // the one file a successful build leaves
  // The error message of a failed build from the builder's output lines; empty: the generic
  // message with the output's last lines.
  std::function<std::string(const std::vector<std::string>& lines)> explain_failure;
  // Checks the output file; empty: any file is accepted.
  std::function<Status(std::string_view output)> check_output;

  // The chaincode image.
  std::string runtime_image;  // what `dockerfile` builds FROM
  std::string dockerfile;
  uint32_t output_mode = 0755;  // of the output file in the image's build context

  // The chaincode container's command for the peer's address (may be empty) and the package's
  // extra arguments.
  std::function<std::vector<std::string>(const std::string& peer_address,
                                         const std::vector<std::string>& args)>
      command;
};

// The image and command of a chaincode built into one static program (CPP, GOLANG): FROM
// `baseos_image` with the program at /usr/local/bin/chaincode, run as
// `chaincode -peer.address=<address> <args...>`.
void RunAsProgram(const std::string& baseos_image, BuildRecipe& recipe);

// A CPP package: fabric-cc-build in `ccenv_image`, offline, run on `baseos_image`.
BuildRecipe CppBuildRecipe(const std::string& ccenv_image, const std::string& baseos_image);

}  // namespace fabric::launcher::docker
