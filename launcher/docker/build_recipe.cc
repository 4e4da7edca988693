// SPDX-License-Identifier: Apache-2.0
#include "launcher/docker/build_recipe.h"

#include <absl/strings/str_format.h>

namespace fabric::launcher::docker {

void RunAsProgram(const std::string& baseos_image, BuildRecipe& recipe) {
  recipe.runtime_image = baseos_image;
  recipe.dockerfile = absl::StrFormat(
      "FROM %s\nCOPY chaincode /usr/local/bin/chaincode\n"
      "ENV CORE_CHAINCODE_BUILDLEVEL=fabric-cpp\n"
      "CMD [\"chaincode\"]\n",
      baseos_image);
  recipe.output_mode = 0755;
  recipe.command = [](const std::string& peer_address, const std::vector<std::string>& args) {
    std::vector<std::string> cmd = {"chaincode"};
    if (!peer_address.empty()) {
      cmd.push_back("-peer.address=" + peer_address);
    }
    cmd.insert(cmd.end(), args.begin(), args.end());
    return cmd;
  };
}

BuildRecipe CppBuildRecipe(const std::string& ccenv_image, const std::string& baseos_image) {
  BuildRecipe recipe;
  recipe.type = "CPP";
  recipe.image = ccenv_image;
  recipe.cmd = {"fabric-cc-build", kBuildInputDir, "/chaincode/output"};
  RunAsProgram(baseos_image, recipe);
  return recipe;
}

}  // namespace fabric::launcher::docker
