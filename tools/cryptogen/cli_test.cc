// SPDX-License-Identifier: Apache-2.0
// Tests for the command line: in-process through RunCli, and the built binary for exit codes.
#include "tools/cryptogen/cli.h"

#include <sys/wait.h>

#include <cstdio>
#include <filesystem>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/crypto/file_util.h"
#include "fabric/base/status_macros.h"
#include "tools/cryptogen/config.h"

namespace fabric::cryptogen {
namespace {

namespace fs = std::filesystem;
using ::testing::HasSubstr;
using ::testing::StartsWith;

struct Result {
  int code;
  std::string out;
  std::string err;
};

Result RunInProcess(const std::vector<std::string>& args) {
  std::ostringstream out, err;
  int code = RunCli(args, out, err);
  return {code, out.str(), err.str()};
}

// Runs the built binary with `args` (shell words), returns the exit code and stderr+stdout.
Result RunBinary(const std::string& args) {
  std::string cmd = std::string("'") + CRYPTOGEN_BIN + "' " + args + " 2>&1";
  FILE* pipe = ::popen(cmd.c_str(), "r");
  FABRIC_CHECK(pipe != nullptr);
  std::string output;
  char buf[4096];
  size_t n;
  while ((n = std::fread(buf, 1, sizeof(buf), pipe)) > 0) {
    output.append(buf, n);
  }
  int status = ::pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : -1, output, output};
}

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (fs::temp_directory_path() / "cryptogen_cli_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { fs::remove_all(dir_); }

  std::string dir_;
};

TEST_F(CliTest, ShowtemplatePrintsTheDefaultConfig) {
  Result r = RunInProcess({"showtemplate"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_EQ(r.out, DefaultConfigYaml());
  EXPECT_TRUE(ParseConfig(r.out).ok());
}

TEST_F(CliTest, HelpPrintsUsage) {
  Result r = RunInProcess({"--help"});
  EXPECT_EQ(r.code, kExitOk);
  EXPECT_THAT(r.out, StartsWith("usage: cryptogen"));
}

TEST_F(CliTest, BadCommandLinesExitWithUsage) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{},
                                             {"frobnicate"},
                                             {"generate", "--bogus"},
                                             {"generate", "--config"},
                                             {"showtemplate", "x"},
                                             {"--nope"}}) {
    Result r = RunInProcess(args);
    EXPECT_EQ(r.code, kExitUsage) << ::testing::PrintToString(args);
    EXPECT_THAT(r.err, StartsWith("cryptogen: error: "));
    EXPECT_THAT(r.err, HasSubstr("usage: cryptogen"));
  }
  EXPECT_THAT(RunInProcess({"generate", "--bogus"}).err,
              StartsWith("cryptogen: error: unknown flag --bogus\n"));
}

TEST_F(CliTest, GenerateWithConfigFileWritesOrgs) {
  std::string config = dir_ + "/crypto-config.json";
  ASSERT_TRUE(crypto::WriteFileAtomic(config,
                                      R"({"PeerOrgs":[{"Name":"Org9","Domain":"org9.example.com",
                                          "Template":{"Count":1}}]})",
                                      0644)
                  .ok());
  Result r = RunInProcess({"generate", "--config=" + config, "--output", dir_ + "/out"});
  EXPECT_EQ(r.code, kExitOk) << r.err;
  EXPECT_EQ(r.out, dir_ + "/out/peerOrganizations/org9.example.com\n");
  EXPECT_TRUE(fs::exists(dir_ + "/out/peerOrganizations/org9.example.com/peers/"
                                "peer0.org9.example.com/tls/server.key"));
}

TEST_F(CliTest, ConfigErrorsAreOneLineAndWriteNothing) {
  const std::pair<std::string, std::string> kCases[] = {
      {R"({"PeerOrgs":[{"Name":"Org1"}]})", "PeerOrgs[0].Domain is missing"},
      {R"({"PeerOrgs":[{"Name":"Org1","Domain":"a.com","Template":{"Count":-2}}]})",
       "PeerOrgs[0].Template.Count must be >= 0, got -2"},
      {"}{ garbage", "config is not valid YAML: line 1, column 1: illegal flow end"},
      {R"({"ClientOrgs":[{"Name":"C","Domain":"c.com"}]})",
       "unknown field \"ClientOrgs\" in top level; want one of OrdererOrgs, PeerOrgs"},
  };
  std::string config = dir_ + "/bad.json";
  for (const auto& [json, message] : kCases) {
    ASSERT_TRUE(crypto::WriteFileAtomic(config, json, 0644).ok());
    Result r = RunInProcess({"generate", "--config", config, "--output", dir_ + "/out"});
    EXPECT_EQ(r.code, kExitError) << json;
    EXPECT_EQ(r.err, "cryptogen: error: config " + config + ": " + message + "\n");
    EXPECT_EQ(r.out, "");
    EXPECT_FALSE(fs::exists(dir_ + "/out")) << json;
  }

  Result r =
      RunInProcess({"generate", "--config", dir_ + "/missing.json", "--output", dir_ + "/out"});
  EXPECT_EQ(r.code, kExitError);
  EXPECT_THAT(r.err, StartsWith("cryptogen: error: read config: "));
  EXPECT_THAT(r.err, HasSubstr("missing.json"));
}

TEST_F(CliTest, BinaryExitCodes) {
  Result r = RunBinary("generate --bogus");
  EXPECT_EQ(r.code, 2);
  EXPECT_THAT(r.out, StartsWith("cryptogen: error: unknown flag --bogus"));
  EXPECT_THAT(r.out, HasSubstr("usage: cryptogen"));

  std::string bad = dir_ + "/garbage.json";
  ASSERT_TRUE(crypto::WriteFileAtomic(bad, "OrdererOrgs: [", 0644).ok());
  r = RunBinary("generate --config '" + bad + "' --output '" + dir_ + "/out'");
  EXPECT_EQ(r.code, 1);
  EXPECT_THAT(r.out, HasSubstr("cryptogen: error: config " + bad +
                               ": config is not valid YAML: "
                               "line 1, column "));
  EXPECT_FALSE(fs::exists(dir_ + "/out"));

  r = RunBinary("generate --output '" + dir_ + "/net'");
  EXPECT_EQ(r.code, 0) << r.out;
  EXPECT_TRUE(fs::exists(dir_ + "/net/ordererOrganizations/example.com/orderers/"
                                "orderer.example.com/tls/server.crt"));
  EXPECT_EQ(RunBinary("version").code, 0);
}

}  // namespace
}  // namespace fabric::cryptogen
