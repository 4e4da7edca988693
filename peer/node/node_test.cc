// SPDX-License-Identifier: Apache-2.0
//
// Unit tests of peer/node: `peer node` flags, config (file + env overrides) and metrics
// rendering. The operations listener's are in operations_test.cc.

#include "peer/node/node.h"

#include <filesystem>
#include <fstream>
#include <map>

#include <gtest/gtest.h>

#include "peer/node/config.h"
#include "peer/node/metrics.h"

namespace fabric::node {
namespace {

EnvLookup MapEnv(std::map<std::string, std::string> m) {
  return [m](const std::string& name) -> std::optional<std::string> {
    auto it = m.find(name);
    return it == m.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

TEST(PeerConfigTest, DefaultsAreFabrics) {
  auto c = LoadPeerConfig(MapEnv({{"FABRIC_CFG_PATH", "/nonexistent"}}), false);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->listen_address, "0.0.0.0:7051");
  EXPECT_EQ(c->chaincode_listen_address, "0.0.0.0:7052");
  EXPECT_EQ(c->operations_listen_address, "127.0.0.1:9443");
  EXPECT_EQ(c->msp_config_path, "/nonexistent/msp");
  EXPECT_EQ(c->launcher, LauncherKind::kDocker);
  EXPECT_EQ(c->execute_timeout, std::chrono::seconds(30));
}

TEST(PeerConfigTest, FileThenEnvOverrides) {
  std::string dir =
      std::filesystem::path(::testing::TempDir() + "/peer_cfg_test").lexically_normal().string();
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/core.json") << R"({"peer":{"id":"peer9","listenAddress":"1.2.3.4:1",
      "localMspId":"FileMSP","mspConfigPath":"crypto/msp","tls":{"enabled":true}},
      "chaincode":{"executetimeout":"5s","launcher":"process"}})";
  auto c = LoadPeerConfig(MapEnv({{"FABRIC_CFG_PATH", dir},
                                  {"CORE_PEER_LISTENADDRESS", "127.0.0.1:7051"},
                                  {"CORE_PEER_LOCALMSPID", "Org1MSP"},
                                  {"CORE_PEER_TLS_ENABLED", "false"},
                                  {"CORE_CHAINCODE_STARTUPTIMEOUT", "1m"},
                                  {"CORE_OPERATIONS_LISTENADDRESS", "127.0.0.1:0"}}),
                          false);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->peer_id, "peer9");
  EXPECT_EQ(c->listen_address, "127.0.0.1:7051");
  EXPECT_EQ(c->local_msp_id, "Org1MSP");
  EXPECT_EQ(c->msp_config_path, dir + "/crypto/msp");
  EXPECT_FALSE(c->tls_enabled);
  EXPECT_EQ(c->execute_timeout, std::chrono::seconds(5));
  EXPECT_EQ(c->startup_timeout, std::chrono::minutes(1));
  EXPECT_EQ(c->launcher, LauncherKind::kProcess);
  EXPECT_EQ(c->operations_listen_address, "127.0.0.1:0");
  std::filesystem::remove_all(dir);
}

TEST(PeerConfigTest, ClientTlsListsFromFileAndEnvironment) {
  std::string dir = std::filesystem::path(::testing::TempDir() + "/peer_cfg_list_test")
                        .lexically_normal()
                        .string();
  std::filesystem::create_directories(dir);
  std::ofstream(dir + "/core.json") << R"({"peer":{"tls":{"clientRootCAs":{"files":
      ["cas/a.pem", "/abs/b.pem"]}, "clientCert":{"file":"tls/client.crt"}}}})";
  auto file = LoadPeerConfig(MapEnv({{"FABRIC_CFG_PATH", dir}}), false);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->tls_client_root_ca_files,
            (std::vector<std::string>{dir + "/cas/a.pem", "/abs/b.pem"}));
  EXPECT_EQ(file->tls_client_cert_file, dir + "/tls/client.crt");
  EXPECT_EQ(file->tls_client_key_file, "");
  EXPECT_FALSE(file->deliveryclient_static_roots_enabled);
  auto roots = LoadPeerConfig(
      MapEnv({{"FABRIC_CFG_PATH", dir}, {"CORE_PEER_DELIVERYCLIENT_STATICROOTSENABLED", "true"}}),
      false);
  ASSERT_TRUE(roots.ok()) << roots.status();
  EXPECT_TRUE(roots->deliveryclient_static_roots_enabled);
  for (const char* form : {"[/x.pem, /y.pem]", "/x.pem,/y.pem", "/x.pem /y.pem"}) {
    auto env = LoadPeerConfig(
        MapEnv({{"FABRIC_CFG_PATH", dir}, {"CORE_PEER_TLS_CLIENTROOTCAS_FILES", form}}), false);
    ASSERT_TRUE(env.ok()) << env.status();
    EXPECT_EQ(env->tls_client_root_ca_files, (std::vector<std::string>{"/x.pem", "/y.pem"}))
        << form;
  }
  std::filesystem::remove_all(dir);
}

TEST(PeerConfigTest, DevModeFromFlagOrEnv) {
  auto flag = LoadPeerConfig(MapEnv({}), true);
  ASSERT_TRUE(flag.ok());
  EXPECT_EQ(flag->launcher, LauncherKind::kDev);
  auto env = LoadPeerConfig(MapEnv({{"CORE_CHAINCODE_MODE", "dev"}}), false);
  ASSERT_TRUE(env.ok());
  EXPECT_EQ(env->launcher, LauncherKind::kDev);
}

// Every case ends before the node starts.
TEST(NodeCommandTest, HelpAndBadFlagsEndBeforeStarting) {
  EXPECT_EQ(RunNodeCommand({"start", "--help"}), 0);
  EXPECT_EQ(RunNodeCommand({"start", "-h"}), 0);
  EXPECT_EQ(RunNodeCommand({"--help"}), 0);
  EXPECT_EQ(RunNodeCommand({}), 1);
  EXPECT_EQ(RunNodeCommand({"stop"}), 1);
  EXPECT_EQ(RunNodeCommand({"start", "--bogus"}), 1);
  EXPECT_EQ(RunNodeCommand({"start", "--peer-chaincodedev=maybe"}), 1);
  EXPECT_EQ(RunNodeCommand({"start", "extra"}), 1);
}

TEST(PeerConfigTest, BadValuesNameTheKey) {
  auto b = LoadPeerConfig(MapEnv({{"CORE_PEER_TLS_ENABLED", "yes please"}}), false);
  ASSERT_FALSE(b.ok());
  EXPECT_NE(b.status().message().find("CORE_PEER_TLS_ENABLED"), std::string::npos);
  auto d = LoadPeerConfig(MapEnv({{"CORE_CHAINCODE_EXECUTETIMEOUT", "soon"}}), false);
  ASSERT_FALSE(d.ok());
  EXPECT_NE(d.status().message().find("CORE_CHAINCODE_EXECUTETIMEOUT"), std::string::npos);
  auto l = LoadPeerConfig(MapEnv({{"CORE_CHAINCODE_LAUNCHER", "k8s"}}), false);
  ASSERT_FALSE(l.ok());
  EXPECT_NE(l.status().message().find("unknown launcher"), std::string::npos);
  auto f = LoadPeerConfig(MapEnv({}), false, "/no/such/core.json");
  EXPECT_TRUE(f.status().IsNotFound());
  for (const char* bad : {"0", "-5", "lots", "12x"}) {
    auto c = LoadPeerConfig(MapEnv({{"CORE_PEER_LIMITS_CONCURRENCY_ENDORSERSERVICE", bad}}), false);
    ASSERT_FALSE(c.ok()) << bad;
    EXPECT_NE(c.status().message().find("not a positive whole number"), std::string::npos);
  }
}

TEST(PeerConfigTest, EndorserConcurrencyLimitAsFabric2) {
  auto d = LoadPeerConfig(MapEnv({}), false);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->endorser_concurrency, 2500);
  EXPECT_EQ(d->deliver_concurrency, 2500);
  auto c = LoadPeerConfig(MapEnv({{"CORE_PEER_LIMITS_CONCURRENCY_ENDORSERSERVICE", "16"},
                                  {"CORE_PEER_LIMITS_CONCURRENCY_DELIVERSERVICE", "3"}}),
                          false);
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->endorser_concurrency, 16);
  EXPECT_EQ(c->deliver_concurrency, 3);
}

TEST(PeerConfigTest, BatchSchedulingOnUnlessTurnedOff) {
  auto d = LoadPeerConfig(MapEnv({}), false);
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_TRUE(d->batch_scheduling);
  auto off = LoadPeerConfig(MapEnv({{"CORE_PEER_BATCHSCHEDULING", "false"}}), false);
  ASSERT_TRUE(off.ok()) << off.status();
  EXPECT_FALSE(off->batch_scheduling);
}

TEST(PeerConfigTest, ChaincodeSocketUnderTheFileSystemPathForProcessLaunches) {
  auto docker = LoadPeerConfig(MapEnv({{"CORE_PEER_FILESYSTEMPATH", "/var/p"}}), false);
  ASSERT_TRUE(docker.ok()) << docker.status();
  EXPECT_EQ(docker->ChaincodeSocketPath(), "") << "containers do not see the peer's files";
  auto process = LoadPeerConfig(
      MapEnv({{"CORE_PEER_FILESYSTEMPATH", "/var/p"}, {"CORE_CHAINCODE_LAUNCHER", "process"}}),
      false);
  ASSERT_TRUE(process.ok()) << process.status();
  EXPECT_EQ(process->ChaincodeSocketPath(), "/var/p/chaincode.sock");
  auto chosen = LoadPeerConfig(MapEnv({{"CORE_CHAINCODE_LAUNCHER", "process"},
                                       {"CORE_PEER_CHAINCODELISTENSOCKET", "/run/cc.sock"}}),
                               false);
  ASSERT_TRUE(chosen.ok()) << chosen.status();
  EXPECT_EQ(chosen->ChaincodeSocketPath(), "/run/cc.sock");
  auto off = LoadPeerConfig(
      MapEnv({{"CORE_CHAINCODE_LAUNCHER", "process"}, {"CORE_PEER_CHAINCODELISTENSOCKET", "none"}}),
      false);
  ASSERT_TRUE(off.ok()) << off.status();
  EXPECT_EQ(off->ChaincodeSocketPath(), "");
}

TEST(MetricsTest, RendersPrometheusText) {
  MetricsRegistry r;
  r.NewCounter("endorser_proposals_received", "Proposals.").Inc(3);
  r.NewCounterVec("endorser_proposals_failed", "Failed.", "reason").With("timeout").Inc();
  Histogram& h = r.NewHistogram("chaincode_execute_duration", "Latency.", {0.01, 0.1});
  h.Observe(0.005);
  h.Observe(0.05);
  h.Observe(5);
  std::string text = r.Render();
  EXPECT_NE(text.find("# TYPE endorser_proposals_received counter\n"
                      "endorser_proposals_received 3\n"),
            std::string::npos);
  EXPECT_NE(text.find("endorser_proposals_failed{reason=\"timeout\"} 1\n"), std::string::npos);
  EXPECT_NE(text.find("chaincode_execute_duration_bucket{le=\"0.01\"} 1\n"
                      "chaincode_execute_duration_bucket{le=\"0.1\"} 2\n"
                      "chaincode_execute_duration_bucket{le=\"+Inf\"} 3\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("chaincode_execute_duration_count 3\n"), std::string::npos);
}

}  // namespace
}  // namespace fabric::node
