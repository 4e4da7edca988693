// SPDX-License-Identifier: Apache-2.0
//
// The configtxgen command line: flags, the built-in default config, and every error giving
// one clear line and exit code 1 (usage errors: 2), never a crash.

#include "tools/configtxgen/cli.h"

#include <functional>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/msp/testing/status_testing.h"
#include "tools/configtxgen/profile.h"
#include "tools/configtxgen/test_network.h"

namespace fabric::configtxgen {
namespace {

using nlohmann::json;
using testing::CliResult;
using testing::NetworkDir;
using testing::RunConfigtxgen;

// Writes the default config modified by `edit` to a fresh directory next to crypto-config
// (MSPDirs are made absolute) and returns the directory.
std::string WriteEditedConfig(const std::string& name, const std::function<void(json&)>& edit) {
  json config = json::parse(DefaultConfigJson(), nullptr, false);
  for (json& org : config["Organizations"]) {
    org["MSPDir"] = NetworkDir() + "/" + org["MSPDir"].get<std::string>();
  }
  edit(config);
  const std::string dir = NetworkDir() + "/" + name;
  std::filesystem::create_directories(dir);
  EXPECT_OK(crypto::WriteFileAtomic(dir + "/configtx.json", config.dump(2), 0644));
  return dir;
}

CliResult Generate(const std::string& dir, const std::string& profile) {
  return RunConfigtxgen({"-profile", profile, "-channelID", "mychannel", "-outputBlock",
                         dir + "/out.block", "-configPath", dir});
}

// Exit code 1 with exactly one "configtxgen: error: ..." line containing `message`.
void ExpectOneLineError(const CliResult& result, std::string_view message) {
  EXPECT_EQ(result.code, kExitError) << result.err;
  EXPECT_EQ(result.err.rfind("configtxgen: error: ", 0), 0u) << result.err;
  EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  EXPECT_NE(result.err.find(message), std::string::npos) << result.err;
}

TEST(ConfigtxgenCliTest, PrintDefaultConfigIsTheShippedSample) {
  CliResult result = RunConfigtxgen({"-printDefaultConfig"});
  ASSERT_EQ(result.code, kExitOk);
  ASSERT_OK_AND_ASSIGN(std::string sample, crypto::ReadFile(CONFIGTXGEN_SAMPLE_CONFIG));
  EXPECT_EQ(result.out, sample);
}

TEST(ConfigtxgenCliTest, MissingProfile) {
  ExpectOneLineError(Generate(NetworkDir(), "NoSuchProfile"),
                     "configtx.json; have: TwoOrgsApplicationGenesis");
}

TEST(ConfigtxgenCliTest, BadMspDir) {
  std::string dir = WriteEditedConfig(
      "bad-msp", [](json& c) { c["Organizations"][1]["MSPDir"] = "/nonexistent/msp"; });
  ExpectOneLineError(Generate(dir, "TwoOrgsApplicationGenesis"),
                     "application org Org1: load MSP dir=/nonexistent/msp");
}

TEST(ConfigtxgenCliTest, GarbageConfig) {
  const std::string dir = NetworkDir() + "/garbage";
  std::filesystem::create_directories(dir);
  ASSERT_OK(crypto::WriteFileAtomic(dir + "/configtx.json", "{\"Profiles\": [oops", 0644));
  ExpectOneLineError(Generate(dir, "TwoOrgsApplicationGenesis"), "garbage/configtx.json:1:");
  ExpectOneLineError(Generate(NetworkDir() + "/nowhere", "X"),
                     "no configtx.yaml (or configtx.json) in");
}

TEST(ConfigtxgenCliTest, ConfigErrorsNameTheField) {
  struct Case {
    const char* name;
    std::function<void(json&)> edit;
    const char* message;
  };
  const Case cases[] = {
      {"bad-rule",
       [](json& c) { c["Organizations"][1]["Policies"]["Writers"]["Rule"] = "OR('Org1MSP.boss')"; },
       "application org Org1: policy Writers: invalid signature policy rule"},
      {"bad-meta", [](json& c) { c["Channel"]["Policies"]["Admins"]["Rule"] = "MOST Admins"; },
       "channel group: policy Admins: invalid implicit meta policy rule"},
      {"bad-type", [](json& c) { c["Channel"]["Policies"]["Admins"]["Type"] = "Magic"; },
       "unknown policy type \"Magic\""},
      {"no-admins", [](json& c) { c["Application"]["Policies"].erase("Admins"); },
       "application group: no Admins policy defined"},
      {"bad-timeout", [](json& c) { c["Orderer"]["BatchTimeout"] = "2 seconds"; },
       "Orderer.BatchTimeout: invalid duration \"2 seconds\""},
      {"bad-size", [](json& c) { c["Orderer"]["BatchSize"]["AbsoluteMaxBytes"] = "99 XB"; },
       "Orderer.BatchSize.AbsoluteMaxBytes: invalid size \"99 XB\""},
      {"huge-size", [](json& c) { c["Orderer"]["BatchSize"]["AbsoluteMaxBytes"] = "5 GB"; },
       "does not fit in 32 bits"},
      {"unknown-org",
       [](json& c) {
         c["Profiles"]["TwoOrgsApplicationGenesis"]["Application"]["Organizations"][1] = "Org3";
       },
       "Application.Organizations[1]: unknown organization \"Org3\""},
      {"unknown-field", [](json& c) { c["Orderer"]["BatchTimeOut"] = "2s"; },
       "unknown field \"BatchTimeOut\""},
      {"bft", [](json& c) { c["Orderer"]["OrdererType"] = "BFT"; }, "unknown orderer type \"BFT\""},
      {"raft", [](json& c) { c["Orderer"]["OrdererType"] = "etcdraft"; },
       "OrdererType etcdraft needs an EtcdRaft section"},
      {"wrong-type", [](json& c) { c["Orderer"]["BatchSize"]["MaxMessageCount"] = "ten"; },
       "MaxMessageCount: must be an integer"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    ExpectOneLineError(Generate(WriteEditedConfig(c.name, c.edit), "TwoOrgsApplicationGenesis"),
                       c.message);
  }
}

TEST(ConfigtxgenCliTest, ProfileSectionsOverrideDefaults) {
  std::string dir = WriteEditedConfig("override", [](json& c) {
    c["Profiles"]["TwoOrgsApplicationGenesis"]["Orderer"]["BatchTimeout"] = "500ms";
    c["Profiles"]["TwoOrgsApplicationGenesis"]["Capabilities"] = {{"V2_0", true}};
  });
  ASSERT_OK_AND_ASSIGN(std::string text, crypto::ReadFile(dir + "/configtx.json"));
  ASSERT_OK_AND_ASSIGN(Profile profile, LoadProfile(text, "TwoOrgsApplicationGenesis", dir));
  ASSERT_TRUE(profile.orderer.has_value());
  EXPECT_EQ(profile.orderer->batch_timeout, std::chrono::milliseconds(500));
  EXPECT_EQ(profile.orderer->batch_size.max_message_count, 10u);
  EXPECT_EQ(profile.orderer->capabilities, std::vector<std::string>{"V1_4_2"});
  EXPECT_EQ(profile.capabilities, std::vector<std::string>{"V2_0"});
  EXPECT_EQ(profile.policies.size(), 3u);
  ASSERT_EQ(profile.orderer->organizations.size(), 1u);
  EXPECT_EQ(profile.orderer->organizations[0].orderer_endpoints,
            std::vector<std::string>{"127.0.0.1:7050"});
}

TEST(ConfigtxgenCliTest, ByteSizesFollowFabric) {
  EXPECT_EQ(ParseByteSize("99 MB").value(), 99u * 1024 * 1024);
  EXPECT_EQ(ParseByteSize("512KB").value(), 512u * 1024);
  EXPECT_EQ(ParseByteSize("1g").value(), 1u << 30);
  EXPECT_EQ(ParseByteSize("2 k").value(), 2048u);
  EXPECT_EQ(ParseByteSize("1024").value(), 1024u);
  for (const char* bad : {"", "MB", "1.5 MB", "-1", "10 TB", "10 MBs", "4 GB"}) {
    EXPECT_FALSE(ParseByteSize(bad).ok()) << bad;
  }
}

TEST(ConfigtxgenCliTest, InspectRejectsGarbageAndTruncatedBlocks) {
  const std::string dir = NetworkDir() + "/inspect";
  std::filesystem::create_directories(dir);
  ASSERT_OK(crypto::WriteFileAtomic(dir + "/garbage.block", "\xff\xfe not a block", 0644));
  ExpectOneLineError(RunConfigtxgen({"-inspectBlock", dir + "/garbage.block"}),
                     "malformed common.Block protobuf");

  CliResult made = Generate(NetworkDir(), "TwoOrgsApplicationGenesis");
  ASSERT_EQ(made.code, kExitOk) << made.err;
  ASSERT_OK_AND_ASSIGN(std::string block, crypto::ReadFile(NetworkDir() + "/out.block"));
  for (size_t cut : {block.size() / 2, block.size() - 1, size_t{3}}) {
    ASSERT_OK(crypto::WriteFileAtomic(dir + "/cut.block", block.substr(0, cut), 0644));
    CliResult result = RunConfigtxgen({"-inspectBlock", dir + "/cut.block"});
    EXPECT_EQ(result.code, kExitError) << cut;
    EXPECT_EQ(std::count(result.err.begin(), result.err.end(), '\n'), 1) << result.err;
  }
  ExpectOneLineError(RunConfigtxgen({"-inspectBlock", dir + "/missing.block"}), "missing.block");
  CliResult good = RunConfigtxgen({"-inspectBlock", NetworkDir() + "/out.block"});
  EXPECT_EQ(good.code, kExitOk) << good.err;
  EXPECT_NE(good.out.find("\"BatchSize\""), std::string::npos);
}

TEST(ConfigtxgenCliTest, ChannelCreateTxCanBeWrittenAndInspected) {
  const std::string file = NetworkDir() + "/channel.tx";
  CliResult result = RunConfigtxgen({"-profile", "TwoOrgsChannel", "-channelID", "mychannel",
                                     "-outputCreateChannelTx", file, "-configPath", NetworkDir()});
  ASSERT_EQ(result.code, kExitOk) << result.err;
  CliResult inspect = RunConfigtxgen({"-inspectChannelCreateTx", file});
  ASSERT_EQ(inspect.code, kExitOk) << inspect.err;
  EXPECT_NE(inspect.out.find("SampleConsortium"), std::string::npos);
}

TEST(ConfigtxgenCliTest, BadFlagsPrintUsage) {
  for (const std::vector<std::string>& args :
       std::vector<std::vector<std::string>>{{"-bogus"},
                                             {},
                                             {"-profile"},
                                             {"stray"},
                                             {"-outputBlock", "x.block", "-channelID", "c"},
                                             {"-outputBlock", "x.block", "-profile", "P"}}) {
    CliResult result = RunConfigtxgen(args);
    EXPECT_EQ(result.code, kExitUsage) << result.err;
    EXPECT_NE(result.err.find("usage: configtxgen"), std::string::npos);
  }
  EXPECT_EQ(RunConfigtxgen({"-help"}).code, kExitOk);
  EXPECT_EQ(RunConfigtxgen({"--version"}).code, kExitOk);
}

}  // namespace
}  // namespace fabric::configtxgen
