// SPDX-License-Identifier: Apache-2.0
#include "common/localconfig/testing/config_dir.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>

#include <absl/strings/str_split.h>
#include <gtest/gtest.h>

namespace fabric::localconfig::testing {

ConfigDir::ConfigDir(const std::map<std::string, std::string>& files) {
  static int made = 0;  // several directories in one test
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  const std::string name =
      test == nullptr ? "dir" : std::string(test->test_suite_name()) + "_" + test->name();
  path_ =
      std::filesystem::path(::testing::TempDir() + "/config_" + name + "_" + std::to_string(++made))
          .lexically_normal()
          .string();
  std::filesystem::remove_all(path_);
  std::filesystem::create_directories(path_);
  for (const auto& [file, text] : files) {
    std::ofstream(path_ + "/" + file) << text;
  }
}

ConfigDir::~ConfigDir() {
  std::error_code ec;
  std::filesystem::remove_all(path_, ec);
}

std::vector<std::string> FabricSampleConfigDirs() {
  const char* dirs = std::getenv("FABRIC_SAMPLECONFIG_DIRS");
  if (dirs == nullptr) {
    return {};
  }
  return absl::StrSplit(dirs, ':', absl::SkipEmpty());
}

}  // namespace fabric::localconfig::testing
