// SPDX-License-Identifier: Apache-2.0
//
// The orderer's configuration file: orderer.yaml in Fabric's layout (our sampleconfig,
// fixtures of Fabric 1.4's and 2.2's structures, and Fabric's own sample files when
// FABRIC_SAMPLECONFIG_DIRS names them), its lookup, env overrides, the ignored-keys report and
// errors.
#include "orderer/config.h"

#include <fstream>
#include <iostream>
#include <map>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/localconfig/testing/config_dir.h"

namespace fabric::orderer {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

EnvLookup MapEnv(const std::map<std::string, std::string>& env) {
  return [env](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
}

using Files = std::map<std::string, std::string>;  // name -> text
using localconfig::testing::ConfigDir;

// The files of a directory holding orderer.yaml with `text`.
Files Yaml(const std::string& text) { return {{"orderer.yaml", text}}; }

// The environment an operator sets to run Fabric's sample orderer.yaml.
std::map<std::string, std::string> OperatorEnv(const std::string& cfg_dir) {
  return {{"FABRIC_CFG_PATH", cfg_dir},
          {"ORDERER_GENERAL_BOOTSTRAPFILE", "/etc/orderer/genesis.block"},
          {"ORDERER_FILELEDGER_LOCATION", "/var/lib/orderer"},
          {"ORDERER_GENERAL_LOCALMSPDIR", "/etc/orderer/msp"}};
}

// What a Fabric-layout orderer.yaml (Fabric's own or a fixture) must give.
void ExpectFabricSampleLoads(const std::string& dir, bool print = false) {
  const std::map<std::string, std::string> env = OperatorEnv(dir);
  localconfig::Report report;
  auto c = LoadConfig("", MapEnv(env), &report);
  ASSERT_TRUE(c.ok()) << dir << ": " << c.status();
  EXPECT_EQ(report.file, dir + "/orderer.yaml");
  EXPECT_EQ(c->listen_address, "127.0.0.1");
  EXPECT_EQ(c->listen_port, 7050);
  EXPECT_EQ(c->bootstrap_method, "file");
  EXPECT_EQ(c->bootstrap_files, std::vector<std::string>{"/etc/orderer/genesis.block"});
  EXPECT_EQ(c->local_msp_dir, "/etc/orderer/msp");
  EXPECT_EQ(c->local_msp_id, "SampleOrg");
  EXPECT_EQ(c->file_ledger_location, "/var/lib/orderer");
  EXPECT_FALSE(c->tls.enabled);
  EXPECT_EQ(c->tls.root_cas, std::vector<std::string>{dir + "/tls/ca.crt"});
  EXPECT_EQ(c->tls.client_root_cas, std::vector<std::string>{}) << "null is unset";
  EXPECT_EQ(c->auth_time_window, std::chrono::minutes(15));
  for (const char* section : {"General.Keepalive.*", "General.Cluster.*", "General.BCCSP.SW.*",
                              "Kafka.*", "Operations.*", "Metrics.*", "Consensus.*"}) {
    EXPECT_THAT(report.ignored, Contains(section));
  }
  EXPECT_THAT(report.ignored, Contains("FileLedger.Prefix"));
  EXPECT_THAT(report.ignored, Not(Contains("Debug.*"))) << "all null";
  if (print) {
    std::cout << report.IgnoredLine() << "\n";
    for (const std::string& notice : report.notices) {
      std::cout << notice << "\n";
    }
  }
}

TEST(OrdererConfigFileTest, Fabric14LayoutLoadsWithOperatorEnvironment) {
  const std::string dir = FABRIC_SOURCE_DIR "/orderer/testdata/fabric_layout_1.4";
  ExpectFabricSampleLoads(dir);
  localconfig::Report report;
  ASSERT_TRUE(LoadConfig("", MapEnv(OperatorEnv(dir)), &report).ok());
  ASSERT_EQ(report.notices.size(), 1u) << ::testing::PrintToString(report.notices);
  EXPECT_THAT(report.notices[0], HasSubstr("General.GenesisMethod is \"provisional\""));
  EXPECT_THAT(report.ignored, Contains("General.GenesisProfile"));
  EXPECT_THAT(report.ignored, Contains("RAMLedger.*"));
}

TEST(OrdererConfigFileTest, Fabric14GenesisFileIsTheBootstrapFile) {
  const std::string dir = FABRIC_SOURCE_DIR "/orderer/testdata/fabric_layout_1.4";
  auto c = LoadConfig("", MapEnv({{"FABRIC_CFG_PATH", dir},
                                  {"ORDERER_GENERAL_GENESISMETHOD", "file"},
                                  {"ORDERER_GENERAL_LOCALMSPDIR", "/etc/orderer/msp"}}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->bootstrap_files, std::vector<std::string>{dir + "/genesisblock"});
}

TEST(OrdererConfigFileTest, Fabric22LayoutLoadsWithOperatorEnvironment) {
  const std::string dir = FABRIC_SOURCE_DIR "/orderer/testdata/fabric_layout_2.2";
  ExpectFabricSampleLoads(dir);
  localconfig::Report report;
  ASSERT_TRUE(LoadConfig("", MapEnv(OperatorEnv(dir)), &report).ok());
  EXPECT_EQ(report.notices, std::vector<std::string>{});
  EXPECT_THAT(report.ignored, Contains("General.MaxRecvMsgSize"));
}

// Fabric's own sample files cannot be shipped; run with
// FABRIC_SAMPLECONFIG_DIRS=/tmp/v1.4.12:/tmp/v2.2.15 (each holding Fabric's orderer.yaml).
TEST(OrdererConfigFileTest, FabricsOwnSampleConfigLoads) {
  const std::vector<std::string> dirs = localconfig::testing::FabricSampleConfigDirs();
  if (dirs.empty()) {
    GTEST_SKIP() << "FABRIC_SAMPLECONFIG_DIRS is not set";
  }
  for (const std::string& dir : dirs) {
    SCOPED_TRACE(dir);
    ExpectFabricSampleLoads(dir, /*print=*/true);
  }
}

TEST(OrdererConfigFileTest, OwnSampleConfigHoldsTheDefaults) {
  const std::string dir = FABRIC_SOURCE_DIR "/sampleconfig";
  localconfig::Report report;
  auto c = LoadConfig("",
                      MapEnv({{"ORDERER_CFG_PATH", dir},
                              {"ORDERER_GENERAL_LOCALMSPDIR", "/msp"},
                              {"ORDERER_GENERAL_LOCALMSPID", "OrdererMSP"}}),
                      &report);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(report.file, dir + "/orderer.yaml");
  EXPECT_EQ(report.ignored, std::vector<std::string>{}) << "every key is one the orderer reads";
  EXPECT_EQ(report.notices, std::vector<std::string>{});
  OrdererConfig expected;
  expected.local_msp_dir = "/msp";
  expected.local_msp_id = "OrdererMSP";
  EXPECT_TRUE(*c == expected) << "sampleconfig/orderer.yaml differs from OrdererConfig's defaults";
}

TEST(OrdererConfigFileTest, EnvironmentWinsAndResolvesAgainstTheFile) {
  ConfigDir dir(Yaml(
      "General:\n  ListenPort: 7050\n  LocalMSPDir: msp\n  LocalMSPID: FileMSP\n"
      "  TLS:\n    Enabled: true\n    PrivateKey: tls/server.key\n    Certificate: tls/server.crt\n"
      "  BootstrapFile: [a.block, /abs/b.block]\n"));
  auto c = LoadConfig("", MapEnv({{"FABRIC_CFG_PATH", dir.path()},
                                  {"ORDERER_GENERAL_LISTENPORT", "7150"},
                                  {"ORDERER_GENERAL_TLS_CERTIFICATE", "other/server.crt"},
                                  {"ORDERER_GENERAL_TLS_ROOTCAS", "[ca1.pem, /ca2.pem]"},
                                  {"ORDERER_GENERAL_LOCALMSPID", "EnvMSP"}}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->listen_port, 7150);
  EXPECT_EQ(c->local_msp_id, "EnvMSP");
  EXPECT_EQ(c->local_msp_dir, dir.path() + "/msp");
  EXPECT_EQ(c->tls.private_key, dir.path() + "/tls/server.key");
  EXPECT_EQ(c->tls.certificate, dir.path() + "/other/server.crt") << "Fabric's TranslatePath";
  EXPECT_EQ(c->tls.root_cas, (std::vector<std::string>{dir.path() + "/ca1.pem", "/ca2.pem"}));
  EXPECT_EQ(c->bootstrap_files,
            (std::vector<std::string>{dir.path() + "/a.block", "/abs/b.block"}));
}

TEST(OrdererConfigFileTest, EtcdSectionFromFileAndEnvironment) {
  ConfigDir dir(
      Yaml("General:\n  LocalMSPDir: msp\n  LocalMSPID: OrdererMSP\n"
           "Etcd:\n  TLS:\n    Enabled: true\n    PrivateKey: tls/server.key\n"
           "    Certificate: tls/server.crt\n    RootCAs: [tls/ca.crt]\n"
           "  Endpoints: [127.0.0.1:2379, 127.0.0.1:2479]\n  RequestTimeout: 3s\n"));
  auto c = LoadConfig("", MapEnv({{"FABRIC_CFG_PATH", dir.path()},
                                  {"ORDERER_ETCD_NODEID", "orderer2"},
                                  {"ORDERER_ETCD_KEYPREFIX", "/net1/"},
                                  {"ORDERER_ETCD_CLEANUPINTERVAL", "200ms"},
                                  {"ORDERER_ETCD_NODETTL", "30s"}}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_TRUE(c->etcd.tls_enabled);
  EXPECT_EQ(c->etcd.tls_private_key, dir.path() + "/tls/server.key");
  EXPECT_EQ(c->etcd.tls_root_cas, std::vector<std::string>{dir.path() + "/tls/ca.crt"});
  EXPECT_EQ(c->etcd.endpoints, (std::vector<std::string>{"127.0.0.1:2379", "127.0.0.1:2479"}));
  EXPECT_EQ(c->etcd.request_timeout, std::chrono::seconds(3));
  EXPECT_EQ(c->etcd.node_id, "orderer2");
  EXPECT_EQ(c->etcd.key_prefix, "/net1/");
  EXPECT_EQ(c->etcd.cleanup_interval, std::chrono::milliseconds(200));
  EXPECT_EQ(c->etcd.node_ttl, std::chrono::seconds(30));

  auto missing =
      LoadConfig("", MapEnv({{"FABRIC_CFG_PATH", dir.path()}, {"ORDERER_ETCD_TLS_ROOTCAS", "[]"}}));
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(), HasSubstr("ORDERER_ETCD_TLS_ROOTCAS"));
}

TEST(OrdererConfigFileTest, YamlPreferredOverJsonWithTheOtherNamed) {
  const std::string settings = "General:\n  LocalMSPDir: /msp\n  LocalMSPID: ";
  ConfigDir both(
      Files{{"orderer.yaml", settings + "YamlMSP\n"},
            {"orderer.json", R"({"General":{"LocalMSPDir":"/msp","LocalMSPID":"JsonMSP"}})"}});
  localconfig::Report report;
  auto c = LoadConfig("", MapEnv({{"FABRIC_CFG_PATH", both.path()}}), &report);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->local_msp_id, "YamlMSP");
  ASSERT_EQ(report.notices.size(), 1u);
  EXPECT_THAT(report.notices[0], HasSubstr("orderer.json: not read"));
}

TEST(OrdererConfigFileTest, BootstrapMethodNoneReadsNoGenesisBlock) {
  ConfigDir dir(
      Yaml("General:\n  BootstrapMethod: none\n  BootstrapFile: genesis.block\n"
           "  LocalMSPDir: /msp\n  LocalMSPID: O\n"));
  auto c = LoadConfig("", MapEnv({{"FABRIC_CFG_PATH", dir.path()}}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->bootstrap_files, std::vector<std::string>{});
  auto file = LoadConfig(
      "", MapEnv({{"FABRIC_CFG_PATH", dir.path()}, {"ORDERER_GENERAL_BOOTSTRAPMETHOD", "file"}}));
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->bootstrap_files, std::vector<std::string>{dir.path() + "/genesis.block"});
  auto bad = LoadConfig(
      "", MapEnv({{"FABRIC_CFG_PATH", dir.path()}, {"ORDERER_GENERAL_BOOTSTRAPMETHOD", "kafka"}}));
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()),
              HasSubstr("ORDERER_GENERAL_BOOTSTRAPMETHOD: General.BootstrapMethod: unknown"));
}

TEST(OrdererConfigFileTest, JsonStillAcceptedAndYamlPreferred) {
  ConfigDir json(
      Files{{"orderer.json", R"({"General": {"LocalMSPDir": "/msp", "LocalMSPID": "JsonMSP"}})"}});
  auto c = LoadConfig("", MapEnv({{"ORDERER_CFG_PATH", json.path()}}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->local_msp_id, "JsonMSP");
  std::ofstream(json.path() + "/orderer.yaml")
      << "General:\n  LocalMSPDir: /msp\n  LocalMSPID: YamlMSP\n";
  auto y = LoadConfig("", MapEnv({{"ORDERER_CFG_PATH", json.path()}}));
  ASSERT_TRUE(y.ok()) << y.status();
  EXPECT_EQ(y->local_msp_id, "YamlMSP");
}

TEST(OrdererConfigFileTest, WrongTypesNameFileLineAndKey) {
  ConfigDir port(Yaml("General:\n  LocalMSPDir: msp\n  ListenPort: seventy\n"));
  auto p = LoadConfig("", MapEnv({{"FABRIC_CFG_PATH", port.path()}}));
  ASSERT_FALSE(p.ok());
  EXPECT_EQ(p.status().message(), port.path() +
                                      "/orderer.yaml:3: General.ListenPort: \"seventy\" is not "
                                      "a whole number");
  ConfigDir tls(Yaml("General:\n  TLS: true\n"));
  auto t = LoadConfig("", MapEnv({{"FABRIC_CFG_PATH", tls.path()}}));
  ASSERT_TRUE(t.status().IsInvalidArgument());
  ConfigDir section(Yaml("General:\n  TLS:\n    Enabled:\n      really: yes\n"));
  auto s = LoadConfig("", MapEnv({{"FABRIC_CFG_PATH", section.path()}}));
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(std::string(s.status().message()),
              HasSubstr("orderer.yaml:3: General.TLS.Enabled: expected a value, found a section"));
  ConfigDir window(Yaml("General:\n  Authentication:\n    TimeWindow: [15m]\n"));
  auto w = LoadConfig("", MapEnv({{"FABRIC_CFG_PATH", window.path()}}));
  ASSERT_FALSE(w.ok());
  EXPECT_THAT(std::string(w.status().message()),
              HasSubstr("orderer.yaml:3: General.Authentication.TimeWindow: expected one value"));
}

TEST(OrdererConfigFileTest, SyntaxErrorNamesFileAndLine) {
  ConfigDir dir(Yaml("General:\n  ListenPort: 7050\n  TLS: [\n"));
  auto c = LoadConfig("", MapEnv({{"FABRIC_CFG_PATH", dir.path()}}));
  ASSERT_FALSE(c.ok());
  EXPECT_THAT(std::string(c.status().message()), HasSubstr(dir.path() + "/orderer.yaml:"));
}

TEST(OrdererConfigFileTest, UnknownKeysAreReportedNotRefused) {
  localconfig::Report report;
  auto c = ParseConfig("General:\n  Bogus: 1\n  LedgerType: ram\nKafka:\n  Verbose: true\n", "",
                       &report);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(report.ignored, (std::vector<std::string>{"General.Bogus", "Kafka.*"}));
  ASSERT_EQ(report.notices.size(), 1u);
  EXPECT_THAT(report.notices[0], HasSubstr("General.LedgerType is \"ram\""));
}

}  // namespace
}  // namespace fabric::orderer
