// SPDX-License-Identifier: Apache-2.0
//
// Test helpers for configuration files: a temporary directory of files, and the directories of
// Fabric's own sample configuration that a developer names in FABRIC_SAMPLECONFIG_DIRS (Fabric's
// files cannot be shipped, so tests that load them run only where they are given).
// Not thread-safe; for gtest bodies.

#pragma once

#include <map>
#include <string>
#include <vector>

namespace fabric::localconfig::testing {

// A fresh directory under the test temp dir, named after the running test, holding `files`
// (name -> text); removed on destruction.
class ConfigDir {
 public:
  explicit ConfigDir(const std::map<std::string, std::string>& files);
  ~ConfigDir();
  ConfigDir(const ConfigDir&) = delete;
  ConfigDir& operator=(const ConfigDir&) = delete;

  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

// The colon-separated directories of FABRIC_SAMPLECONFIG_DIRS (e.g. Fabric's sampleconfig of
// v1.4.12 and v2.2.15, extracted); empty when it is unset.
std::vector<std::string> FabricSampleConfigDirs();

}  // namespace fabric::localconfig::testing
