// SPDX-License-Identifier: Apache-2.0
//
// The peer's configuration file: core.yaml in Fabric's layout (our sampleconfig, a fixture of
// Fabric's structures, and Fabric's own sample files when FABRIC_SAMPLECONFIG_DIRS names them),
// its lookup, env overrides, the ignored-keys report and errors.

#include "peer/node/config.h"

#include <iostream>
#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/localconfig/testing/config_dir.h"
#include "launcher/docker/docker_launcher.h"

namespace fabric::node {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

EnvLookup MapEnv(std::map<std::string, std::string> m) {
  return [m](const std::string& name) -> std::optional<std::string> {
    auto it = m.find(name);
    return it == m.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

using Files = std::map<std::string, std::string>;  // name -> text
using localconfig::testing::ConfigDir;

// The environment an operator sets to run Fabric's sample core.yaml on a machine.
std::map<std::string, std::string> OperatorEnv(const std::string& cfg_dir) {
  return {{"FABRIC_CFG_PATH", cfg_dir},
          {"CORE_PEER_MSPCONFIGPATH", "/etc/org1/peer0/msp"},
          {"CORE_PEER_FILESYSTEMPATH", "/var/lib/peer0"},
          {"CORE_PEER_LISTENADDRESS", "127.0.0.1:7051"},
          {"CORE_PEER_LOCALMSPID", "Org1MSP"}};
}

// What a Fabric-layout core.yaml (Fabric's own or the fixture) must give.
// Prints the report as the peer logs it, when `print`.
void ExpectFabricSampleLoads(const std::string& dir, bool print = false) {
  localconfig::Report report;
  auto c = LoadPeerConfig(MapEnv(OperatorEnv(dir)), false, "", &report);
  ASSERT_TRUE(c.ok()) << dir << ": " << c.status();
  EXPECT_EQ(report.file, dir + "/core.yaml");
  EXPECT_EQ(c->listen_address, "127.0.0.1:7051");
  EXPECT_EQ(c->msp_config_path, "/etc/org1/peer0/msp");
  EXPECT_EQ(c->file_system_path, "/var/lib/peer0");
  EXPECT_EQ(c->local_msp_id, "Org1MSP");
  EXPECT_FALSE(c->tls_enabled);
  EXPECT_EQ(c->tls_cert_file, dir + "/tls/server.crt");
  EXPECT_EQ(c->tls_client_root_ca_files, std::vector<std::string>{dir + "/tls/ca.crt"});
  EXPECT_EQ(c->tls_client_cert_file, "") << "null is unset";
  EXPECT_EQ(c->docker_network_mode, "host");
  EXPECT_EQ(c->docker_memory_bytes, 2147483648);
  EXPECT_EQ(c->chaincode_builder, PeerConfig().chaincode_builder)
      << "Fabric's Go image is not ours";
  EXPECT_EQ(c->launcher, LauncherKind::kDocker);
  EXPECT_EQ(c->execute_timeout, std::chrono::seconds(30));
  EXPECT_EQ(c->startup_timeout, std::chrono::seconds(300));
  EXPECT_EQ(c->operations_listen_address, "127.0.0.1:9443");
  EXPECT_EQ(c->endorser_concurrency, 2500);
  EXPECT_THAT(report.ignored, Contains("peer.gossip.*"));
  EXPECT_THAT(report.ignored, Contains("peer.handlers.*"));
  EXPECT_THAT(report.ignored, Contains("vm.docker.hostConfig.LogConfig.*"));
  EXPECT_THAT(report.ignored, Contains("chaincode.golang.runtime"));  // .builder is fabric-cpp's
  EXPECT_THAT(report.ignored, Contains("chaincode.golang.dynamicLink"));
  EXPECT_THAT(report.ignored, Contains("ledger.state.couchDBConfig.*"));
  EXPECT_THAT(report.ignored, Contains("metrics.*"));
  EXPECT_THAT(report.ignored, ::testing::Not(Contains("chaincode.id.*"))) << "all null";
  ASSERT_EQ(report.notices.size(), 1u) << ::testing::PrintToString(report.notices);
  EXPECT_THAT(report.notices[0], HasSubstr("chaincode.builder \"$(DOCKER_NS)/fabric-ccenv:"));
  EXPECT_THAT(report.IgnoredLine(), HasSubstr("core.yaml: not used by fabric-cpp (ignored): "));
  if (print) {
    std::cout << report.IgnoredLine() << "\n";
    for (const std::string& notice : report.notices) {
      std::cout << notice << "\n";
    }
  }
}

TEST(PeerConfigFileTest, FabricLayoutFixtureLoadsWithOperatorEnvironment) {
  ExpectFabricSampleLoads(FABRIC_SOURCE_DIR "/peer/node/testdata/fabric_layout");
}

// Fabric's own sample files cannot be shipped; run with
// FABRIC_SAMPLECONFIG_DIRS=/tmp/v1.4.12:/tmp/v2.2.15 (each holding Fabric's core.yaml).
TEST(PeerConfigFileTest, FabricsOwnSampleConfigLoads) {
  const std::vector<std::string> dirs = localconfig::testing::FabricSampleConfigDirs();
  if (dirs.empty()) {
    GTEST_SKIP() << "FABRIC_SAMPLECONFIG_DIRS is not set";
  }
  for (const std::string& dir : dirs) {
    SCOPED_TRACE(dir);
    ExpectFabricSampleLoads(dir, /*print=*/true);
  }
}

TEST(PeerConfigFileTest, OwnSampleConfigHoldsTheDefaults) {
  const std::string dir = FABRIC_SOURCE_DIR "/sampleconfig";
  localconfig::Report report;
  auto c = LoadPeerConfig(MapEnv({{"FABRIC_CFG_PATH", dir}}), false, "", &report);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(report.file, dir + "/core.yaml");
  EXPECT_EQ(report.ignored, std::vector<std::string>{}) << "every key is one the peer reads";
  EXPECT_EQ(report.notices, std::vector<std::string>{});
  PeerConfig expected;
  expected.msp_config_path = dir + "/msp";
  EXPECT_TRUE(*c == expected) << "sampleconfig/core.yaml differs from PeerConfig's defaults";
}

TEST(PeerConfigFileTest, DockerDefaultsAreTheLaunchers) {
  const PeerConfig c;
  const launcher::docker::DockerLauncherOptions o;
  EXPECT_EQ(c.docker_network_mode, o.network_mode);
  EXPECT_EQ(c.docker_memory_bytes, o.memory_bytes);
  EXPECT_EQ(c.docker_pids_limit, o.pids_limit);
  EXPECT_EQ(c.docker_chaincode_user, o.chaincode_user);
  EXPECT_EQ(c.chaincode_builder, o.ccenv_image);
  EXPECT_EQ(c.chaincode_cpp_runtime, o.baseos_image);
  EXPECT_EQ(c.chaincode_golang_builder, o.goenv_image);
  EXPECT_EQ(c.chaincode_node_builder, o.node.builder_image);
  EXPECT_EQ(c.chaincode_node_runtime, o.node.runtime_image);
  EXPECT_EQ(c.chaincode_node_npmrc, o.node.npmrc_file);
  EXPECT_EQ(c.chaincode_node_cafile, o.node.ca_file);
  EXPECT_EQ(c.vm_endpoint, o.client.endpoint);
}

TEST(PeerConfigFileTest, EnvironmentWinsOverTheFile) {
  ConfigDir dir(Files{{"core.yaml",
                       "peer:\n  id: from-file\n  tls:\n    enabled: true\n"
                       "vm:\n  docker:\n    hostConfig:\n      Memory: 1024\n"}});
  auto c = LoadPeerConfig(MapEnv({{"FABRIC_CFG_PATH", dir.path()},
                                  {"CORE_PEER_ID", "from-env"},
                                  {"CORE_PEER_TLS_ENABLED", "false"},
                                  {"CORE_VM_DOCKER_HOSTCONFIG_MEMORY", "4096"},
                                  {"CORE_VM_DOCKER_HOSTCONFIG_NETWORKMODE", "bridge"},
                                  {"CORE_CHAINCODE_BUILDER", "registry/ccenv:1"},
                                  {"CORE_CHAINCODE_GOLANG_BUILDER", "registry/goenv:2"}}),
                          false);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->peer_id, "from-env");
  EXPECT_FALSE(c->tls_enabled);
  EXPECT_EQ(c->docker_memory_bytes, 4096);
  EXPECT_EQ(c->docker_network_mode, "bridge");
  EXPECT_EQ(c->chaincode_builder, "registry/ccenv:1");
  EXPECT_EQ(c->chaincode_golang_builder, "registry/goenv:2");
}

TEST(PeerConfigFileTest, YamlPreferredOverJsonWhichStillWorksAlone) {
  ConfigDir both(
      Files{{"core.yaml", "peer:\n  id: yaml\n"}, {"core.json", R"({"peer":{"id":"json"}})"}});
  localconfig::Report report;
  auto c = LoadPeerConfig(MapEnv({{"FABRIC_CFG_PATH", both.path()}}), false, "", &report);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->peer_id, "yaml");
  ASSERT_EQ(report.notices.size(), 1u);
  EXPECT_THAT(report.notices[0], HasSubstr("core.json: not read"));
  ConfigDir json(Files{{"core.json", R"({"peer":{"id":"json"}})"}});
  auto j = LoadPeerConfig(MapEnv({{"FABRIC_CFG_PATH", json.path()}}), false);
  ASSERT_TRUE(j.ok()) << j.status();
  EXPECT_EQ(j->peer_id, "json");
}

TEST(PeerConfigFileTest, ExplicitFileAnyName) {
  ConfigDir dir(Files{{"peer0.yaml", "peer:\n  mspConfigPath: crypto/msp\n"}});
  auto c = LoadPeerConfig(MapEnv({}), false, dir.path() + "/peer0.yaml");
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->msp_config_path, dir.path() + "/crypto/msp");
}

TEST(PeerConfigFileTest, WrongTypesNameFileLineAndKey) {
  ConfigDir dir(Files{{"core.yaml", "peer:\n  id: p\n  tls:\n    enabled: maybe\n"}});
  auto c = LoadPeerConfig(MapEnv({{"FABRIC_CFG_PATH", dir.path()}}), false);
  ASSERT_FALSE(c.ok());
  EXPECT_EQ(c.status().message(),
            dir.path() + "/core.yaml:4: peer.tls.enabled: \"maybe\" is not a boolean");
  ConfigDir section(Files{{"core.yaml", "peer:\n  id:\n    name: p\n"}});
  auto s = LoadPeerConfig(MapEnv({{"FABRIC_CFG_PATH", section.path()}}), false);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.status().message()),
              HasSubstr("core.yaml:2: peer.id: expected a value, found a section"));
  ConfigDir memory(Files{{"core.yaml", "vm:\n  docker:\n    hostConfig:\n      Memory: 2 GB\n"}});
  auto m = LoadPeerConfig(MapEnv({{"FABRIC_CFG_PATH", memory.path()}}), false);
  ASSERT_FALSE(m.ok());
  EXPECT_THAT(
      std::string(m.status().message()),
      HasSubstr("core.yaml:4: vm.docker.hostConfig.Memory: \"2 GB\" is not a whole number"));
}

TEST(PeerConfigFileTest, ExternalBuildersAreReadInOrderAndChecked) {
  const std::string builders = std::string(EXTERNAL_TESTDATA);
  ConfigDir dir(Files{{"core.yaml",
                       "chaincode:\n  externalBuilders:\n"
                       "    - name: ccaas\n      path: " +
                           builders +
                           "/ccaas\n"
                           "      propagateEnvironment: [HOME, GOPATH]\n"
                           "    - name: runner\n      path: " +
                           builders +
                           "/runner\n"
                           "      environmentWhitelist:\n        - TMPDIR\n"}});
  localconfig::Report report;
  auto c = LoadPeerConfig(MapEnv({{"FABRIC_CFG_PATH", dir.path()}}), false, "", &report);
  ASSERT_TRUE(c.ok()) << c.status();
  ASSERT_EQ(c->external_builders.size(), 2u);
  EXPECT_EQ(c->external_builders[0].name, "ccaas");
  EXPECT_EQ(c->external_builders[0].path, builders + "/ccaas");
  EXPECT_EQ(c->external_builders[0].propagate_environment,
            (std::vector<std::string>{"HOME", "GOPATH"}));
  EXPECT_EQ(c->external_builders[1].propagate_environment, std::vector<std::string>{"TMPDIR"});
  EXPECT_THAT(report.ignored, Not(Contains("chaincode.externalBuilders")));

  ConfigDir bad(Files{
      {"core.yaml", "chaincode:\n  externalBuilders:\n    - name: b\n      path: /nowhere\n"}});
  auto b = LoadPeerConfig(MapEnv({{"FABRIC_CFG_PATH", bad.path()}}), false);
  ASSERT_FALSE(b.ok());
  EXPECT_THAT(std::string(b.status().message()),
              HasSubstr("core.yaml:2: chaincode.externalBuilders: builder \"b\": "
                        "/nowhere/bin/detect is missing or not executable"));
  ConfigDir scalars(Files{{"core.yaml", "chaincode:\n  externalBuilders: [a, b]\n"}});
  auto s = LoadPeerConfig(MapEnv({{"FABRIC_CFG_PATH", scalars.path()}}), false);
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.status().message()), HasSubstr("expected a list of builders"));
}

TEST(PeerConfigFileTest, SyntaxErrorNamesFileAndLine) {
  ConfigDir dir(Files{{"core.yaml", "peer:\n  id: p\n  tls: {enabled: true\n"}});
  auto c = LoadPeerConfig(MapEnv({{"FABRIC_CFG_PATH", dir.path()}}), false);
  ASSERT_FALSE(c.ok());
  EXPECT_TRUE(c.status().IsInvalidArgument());
  EXPECT_THAT(std::string(c.status().message()), HasSubstr(dir.path() + "/core.yaml:"));
}

TEST(PeerConfigFileTest, ValuesFabricCppCannotFollowAreNoticed) {
  ConfigDir dir(Files{{"core.yaml",
                       "ledger:\n  state:\n    stateDatabase: CouchDB\n"
                       "chaincode:\n  builder: hyperledger/fabric-ccenv:2.2\n"
                       "  node:\n    runtime: $(DOCKER_NS)/fabric-nodeenv:$(TWO_DIGIT_VERSION)\n"
                       "    npmrc: npm/npmrc\n    cafile: /etc/ssl/my-ca.pem\n"}});
  localconfig::Report report;
  auto c = LoadPeerConfig(MapEnv({{"FABRIC_CFG_PATH", dir.path()}}), false, "", &report);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->chaincode_builder, PeerConfig().chaincode_builder);
  EXPECT_EQ(c->chaincode_node_runtime, PeerConfig().chaincode_node_runtime);
  EXPECT_EQ(c->chaincode_node_npmrc, dir.path() + "/npm/npmrc") << "relative to the file";
  EXPECT_EQ(c->chaincode_node_cafile, "/etc/ssl/my-ca.pem");
  ASSERT_EQ(report.notices.size(), 3u) << ::testing::PrintToString(report.notices);
  EXPECT_THAT(report.notices[0], HasSubstr("core.yaml:3: ledger.state.stateDatabase is "
                                           "\"CouchDB\": fabric-cpp keeps the world state in "
                                           "LevelDB (goleveldb); ignored"));
  EXPECT_THAT(report.notices[1], HasSubstr("hyperledger/fabric-ccenv:2.2"));
  EXPECT_THAT(report.notices[2], HasSubstr("chaincode.node.runtime \"$(DOCKER_NS)/fabric-nodeenv"));
}

}  // namespace
}  // namespace fabric::node
