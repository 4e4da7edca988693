// SPDX-License-Identifier: Apache-2.0
#include "launcher/docker/testing/go_packages.h"

#include <sys/wait.h>

#include <cstdlib>
#include <optional>

#include "fabric/base/status_macros.h"
#include "peer/cli/package.h"

namespace fabric::launcher::docker::testing {

StatusOr<GoSample> GoGetputPackage(const std::string& dir, const std::string& layout) {
  const std::string out = dir + "/" + layout;
  const std::string cmd = std::string(FABRIC_SOURCE_DIR) +
                          "/launcher/docker/testdata/go_getput/assemble.sh '" + out + "' " +
                          layout + " >&2";
  const int rc = std::system(cmd.c_str());
  if (WIFEXITED(rc) && WEXITSTATUS(rc) == 3) {
    return UnavailableError(
        "the Go getput chaincode needs go, protoc, protoc-gen-go and Debian's gRPC sources on "
        "this host (scripts/install-deps.sh)");
  }
  if (rc != 0) {
    return InternalError("assembling the Go getput chaincode failed: " + cmd);
  }
  std::string path = out;
  std::optional<std::string> old_gopath;
  if (layout == "gopath") {
    if (const char* g = std::getenv("GOPATH"); g != nullptr) {
      old_gopath = g;
    }
    setenv("GOPATH", out.c_str(), 1);
    path = "fabric-cpp.example/getput";
  }
  GoSample sample;
  StatusOr<std::string> recorded = cli::ChaincodePath(protos::ChaincodeSpec::GOLANG, path);
  StatusOr<std::string> code = cli::BuildCodePackage(protos::ChaincodeSpec::GOLANG, path);
  if (layout == "gopath") {
    old_gopath ? setenv("GOPATH", old_gopath->c_str(), 1) : unsetenv("GOPATH");
  }
  ASSIGN_OR_RETURN(sample.path, std::move(recorded));
  ASSIGN_OR_RETURN(sample.code_package, std::move(code));
  return sample;
}

}  // namespace fabric::launcher::docker::testing
