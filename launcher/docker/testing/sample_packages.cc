// SPDX-License-Identifier: Apache-2.0
#include "launcher/docker/testing/sample_packages.h"

#include <fstream>
#include <map>
#include <sstream>

#include "common/archive/archive.h"
#include "fabric/base/status_macros.h"
#include "launcher/docker/chaincode_package.h"

namespace fabric::launcher::docker::testing {
namespace {

StatusOr<std::string> Read(const std::string& path) {
  std::ifstream in(FABRIC_SOURCE_DIR "/" + path, std::ios::binary);
  if (!in) {
    return NotFoundError("test file " + path + " not found");
  }
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

StatusOr<std::string> Package(std::map<std::string, std::string> files, const std::string& salt) {
  if (!salt.empty()) {
    files["salt.txt"] = salt;
  }
  return PackageFiles(files);
}

}  // namespace

StatusOr<std::string> AbstorePackage(const std::string& salt) {
  std::map<std::string, std::string> files;
  ASSIGN_OR_RETURN(files["CMakeLists.txt"],
                   Read("launcher/docker/testdata/abstore/CMakeLists.txt"));
  ASSIGN_OR_RETURN(files["main.cc"], Read("shim/samples/abstore/main.cc"));
  ASSIGN_OR_RETURN(files["abstore/abstore.h"], Read("shim/samples/abstore/abstore.h"));
  ASSIGN_OR_RETURN(files["abstore/abstore.cc"], Read("shim/samples/abstore/abstore.cc"));
  return Package(std::move(files), salt);
}

StatusOr<std::string> GetputPackage(const std::string& salt) {
  std::map<std::string, std::string> files;
  ASSIGN_OR_RETURN(files["CMakeLists.txt"], Read("launcher/docker/testdata/getput/CMakeLists.txt"));
  ASSIGN_OR_RETURN(files["main.cc"], Read("bench/endorse/getput_chaincode.cc"));
  return Package(std::move(files), salt);
}

StatusOr<std::string> SleeperPackage(const std::string& salt) {
  std::map<std::string, std::string> files;
  ASSIGN_OR_RETURN(files["CMakeLists.txt"],
                   Read("launcher/docker/testdata/sleeper/CMakeLists.txt"));
  ASSIGN_OR_RETURN(files["main.cc"], Read("launcher/docker/testdata/sleeper/main.cc"));
  return Package(std::move(files), salt);
}

StatusOr<std::string> EndlessBuildPackage() {
  std::map<std::string, std::string> files;
  ASSIGN_OR_RETURN(files["CMakeLists.txt"],
                   Read("launcher/docker/testdata/endless_build/CMakeLists.txt"));
  ASSIGN_OR_RETURN(files["main.cc"], Read("launcher/docker/testdata/broken/main.cc"));
  return Package(std::move(files), "");
}

StatusOr<std::string> BrokenPackage() {
  std::map<std::string, std::string> files;
  ASSIGN_OR_RETURN(files["CMakeLists.txt"], Read("launcher/docker/testdata/broken/CMakeLists.txt"));
  ASSIGN_OR_RETURN(files["main.cc"], Read("launcher/docker/testdata/broken/main.cc"));
  return Package(std::move(files), "");
}

namespace {

// A NODE package of launcher/docker/testdata/<dir>: its files under src/, as
// `peer chaincode package -l node` writes them.
StatusOr<std::string> NodePackage(const std::string& dir, const std::string& salt) {
  std::vector<archive::Entry> entries;
  for (const char* name : {"index.js", "package.json"}) {
    ASSIGN_OR_RETURN(std::string content, Read("launcher/docker/testdata/" + dir + "/" + name));
    entries.push_back(archive::File(std::string("src/") + name, std::move(content)));
  }
  if (!salt.empty()) {
    entries.push_back(archive::File("src/salt.txt", salt));
  }
  return archive::Write(entries, {.gzip = true, .gzip_level = 1});
}

}  // namespace

StatusOr<std::string> NodeGetputPackage(const std::string& salt) {
  return NodePackage("node-getput", salt);
}

StatusOr<std::string> NodeContractPackage(const std::string& salt) {
  return NodePackage("node-contract", salt);
}

}  // namespace fabric::launcher::docker::testing
