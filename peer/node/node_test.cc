// SPDX-License-Identifier: Apache-2.0
//
// Unit tests of peer/node: `peer node` flags, config (file + env overrides), metrics rendering,
// and the operations listener over real HTTP on 127.0.0.1:0.

#include "peer/node/node.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <map>

#include <gtest/gtest.h>

#include "peer/node/config.h"
#include "peer/node/metrics.h"
#include "peer/node/operations.h"

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

std::string HttpGet(int port, const std::string& request) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    close(fd);
    return "";
  }
  (void)!write(fd, request.data(), request.size());
  std::string out;
  char buf[4096];
  ssize_t n;
  while ((n = read(fd, buf, sizeof(buf))) > 0) {
    out.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return out;
}

TEST(OperationsServerTest, ServesHealthzAndMetricsOverHttp) {
  MetricsRegistry r;
  r.NewCounter("endorser_proposals_received", "Proposals.").Inc();
  OperationsServer ops(r);
  bool docker_up = true;
  ops.AddHealthCheck("docker", [&docker_up]() {
    return docker_up ? Status::OK() : UnavailableError("docker engine unreachable");
  });
  ASSERT_TRUE(ops.Start("127.0.0.1:0").ok());
  ASSERT_GT(ops.port(), 0);

  std::string ok = HttpGet(ops.port(), "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_EQ(ok.rfind("HTTP/1.1 200 OK\r\n", 0), 0u) << ok;
  EXPECT_NE(ok.find("\"status\":\"OK\""), std::string::npos);

  docker_up = false;
  std::string bad = HttpGet(ops.port(), "GET /healthz HTTP/1.1\r\n\r\n");
  EXPECT_EQ(bad.rfind("HTTP/1.1 503 Service Unavailable\r\n", 0), 0u) << bad;
  EXPECT_NE(bad.find("\"component\":\"docker\""), std::string::npos);
  EXPECT_NE(bad.find("docker engine unreachable"), std::string::npos);

  std::string metrics = HttpGet(ops.port(), "GET /metrics HTTP/1.1\r\n\r\n");
  EXPECT_NE(metrics.find("text/plain; version=0.0.4"), std::string::npos);
  EXPECT_NE(metrics.find("endorser_proposals_received 1"), std::string::npos);

  EXPECT_NE(HttpGet(ops.port(), "GET /nope HTTP/1.1\r\n\r\n").find("404"), std::string::npos);
  EXPECT_NE(HttpGet(ops.port(), "POST /metrics HTTP/1.1\r\n\r\n").find("405"), std::string::npos);
  EXPECT_NE(HttpGet(ops.port(), "garbage\r\n\r\n").find("400"), std::string::npos);
  // A client that connects and sends nothing does not wedge the server for others for long.
  ops.Stop();
  EXPECT_EQ(HttpGet(ops.port(), "GET /healthz HTTP/1.1\r\n\r\n"), "");
}

// Twenty clients that connect and trickle a partial request (an orchestrator's probes stuck
// behind them would restart a healthy peer) do not delay anyone else's /healthz.
TEST(OperationsServerTest, SlowClientsDoNotDelayOthers) {
  MetricsRegistry r;
  OperationsServer ops(r);
  ASSERT_TRUE(ops.Start("127.0.0.1:0").ok());
  std::vector<int> slow;
  for (int i = 0; i < 20; ++i) {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(ops.port()));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    ASSERT_EQ(connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
    ASSERT_EQ(write(fd, "GE", 2), 2);
    slow.push_back(fd);
  }
  // The old one-connection-at-a-time loop took 5 s per slow client before answering this.
  std::future<std::string> answer = std::async(
      std::launch::async, [&] { return HttpGet(ops.port(), "GET /healthz HTTP/1.1\r\n\r\n"); });
  ASSERT_EQ(answer.wait_for(std::chrono::seconds(3)), std::future_status::ready);
  EXPECT_EQ(answer.get().rfind("HTTP/1.1 200 OK\r\n", 0), 0u);
  for (int fd : slow) {
    close(fd);
  }
}

TEST(OperationsServerTest, BindFailureIsClear) {
  MetricsRegistry r;
  OperationsServer a(r), b(r);
  ASSERT_TRUE(a.Start("127.0.0.1:0").ok());
  Status s = b.Start("127.0.0.1:" + std::to_string(a.port()));
  EXPECT_TRUE(s.IsUnavailable());
  EXPECT_NE(s.message().find("cannot bind"), std::string::npos);
}

}  // namespace
}  // namespace fabric::node
