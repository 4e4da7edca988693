// SPDX-License-Identifier: Apache-2.0
//
// Test helpers for configtxgen's tests: one cryptogen network (the default crypto-config:
// OrdererOrg, Org1, Org2) generated into a temporary directory once per test binary, with the
// default configtx.json next to it, and a way to run the CLI in-process.

#pragma once

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/crypto/file_util.h"
#include "common/msp/testing/test_org.h"
#include "tools/configtxgen/cli.h"
#include "tools/cryptogen/config.h"
#include "tools/cryptogen/generator.h"

namespace fabric::configtxgen::testing {

// The directory holding crypto-config/ and configtx.json; created on first use, removed at exit.
inline const std::string& NetworkDir() {
  static msp::testing::TempDir* tmp = [] {
    auto* dir = new msp::testing::TempDir();
    cryptogen::GenerateOptions options;
    StatusOr<std::vector<std::string>> written =
        cryptogen::Generate(cryptogen::DefaultConfig(), dir->path() + "/crypto-config", options);
    EXPECT_TRUE(written.ok()) << written.status();
    Status status =
        crypto::WriteFileAtomic(dir->path() + "/configtx.json", DefaultConfigJson(), 0644);
    EXPECT_TRUE(status.ok()) << status;
    return dir;
  }();
  static std::unique_ptr<msp::testing::TempDir> cleanup(tmp);
  return tmp->path();
}

struct CliResult {
  int code;
  std::string out;
  std::string err;
};

inline CliResult RunConfigtxgen(const std::vector<std::string>& args) {
  std::ostringstream out;
  std::ostringstream err;
  int code = RunCli(args, out, err);
  return {code, out.str(), err.str()};
}

}  // namespace fabric::configtxgen::testing
