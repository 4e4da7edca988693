// SPDX-License-Identifier: Apache-2.0
//
// The orderer cluster's faults on real processes: three `orderer` binaries ordering a channel of
// consensus type etcd from three real etcd members (common/etcd/testing), under Broadcast load
// from clients that fail over between the nodes (orderer/testing/broadcast_load.h). After each
// fault every node's chain must be the same and hold every transaction a client saw accepted,
// once. The catch-up of a node that lost its place in the log runs in plaintext and with mutual
// TLS (cryptogen's TLS key pairs, client certificates required, Deliver requests bound to them).
// Skipped without /usr/bin/etcd (failed with FABRIC_REQUIRE_ETCD=1). ctest labels integration
// and cluster.

#include <filesystem>
#include <fstream>
#include <functional>
#include <thread>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/etcd/testing/etcd_cluster.h"
#include "common/msp/testing/status_testing.h"
#include "fabric/base/testing/free_port.h"
#include "fabric/base/testing/tcp_proxy.h"
#include "fabric/base/testing/wait_until.h"
#include "orderer/testing/broadcast_load.h"
#include "orderer/testing/orderer_process.h"
#include "orderer/testing/test_network.h"

namespace fabric::orderer {
namespace {

using etcd::testing::EtcdCluster;
using fabric::testing::TcpProxy;
using msp::testing::TempDir;
using testing::BroadcastLoad;
using testing::OrdererProcess;

constexpr char kChannel[] = "mychannel";
constexpr int kNodes = 3;
// Etcd settings under which a node down for 3 s loses its place in the log.
constexpr char kShortNodeTtl[] = R"(, "CleanupInterval": "100ms", "NodeTTL": "2s")";

struct ClusterOptions {
  // The last node reaches the etcd members through proxies (its Etcd.Endpoints) that the test
  // cuts.
  bool partitionable = false;
  // The orderer config's Etcd section beyond RequestTimeout.
  std::string etcd_settings{};
  // Mutual TLS: the nodes serve with the orderer's cryptogen TLS key pair and require client
  // certificates; the test's clients present Org1 User1's and bind their Deliver requests to it.
  bool tls = false;
};

class OrdererClusterTest : public ::testing::Test {
 protected:
  // Three etcd members and three orderer nodes.
  void Start(const ClusterOptions& options = {}) {
    FABRIC_SKIP_WITHOUT_ETCD();
    ASSERT_OK_AND_ASSIGN(etcd_, EtcdCluster::Start({.members = 3}));
    // Fixed ports, so that a node restarts on the address its clients know.
    ports_ = fabric::testing::FreeLoopbackPorts(kNodes);
    ASSERT_EQ(ports_.size(), static_cast<size_t>(kNodes));
    for (int port : ports_) {
      addresses_.push_back("127.0.0.1:" + std::to_string(port));
    }
    ASSERT_NO_FATAL_FAILURE(WriteConfig(options));
    user_ = testing::LoadUser(1, "User1");
    if (options.tls) {
      credentials_ = testing::OrdererClientCredentials(testing::UserTlsDir(1, "User1"));
      tls_cert_hash_ = testing::ClientCertHash(testing::UserTlsDir(1, "User1"));
    }
    if (options.partitionable) {
      std::string endpoints;
      for (int m = 0; m < etcd_->size(); ++m) {
        int port = std::stoi(etcd_->endpoint(m).substr(etcd_->endpoint(m).rfind(':') + 1));
        proxies_.push_back(std::make_unique<TcpProxy>(port));
        endpoints += (m == 0 ? "" : ",") + std::string("127.0.0.1:") +
                     std::to_string(proxies_.back()->port());
      }
      partitioned_endpoints_ = endpoints;
    }
    for (int i = 0; i < kNodes; ++i) {
      nodes_.emplace_back();
      ASSERT_NO_FATAL_FAILURE(StartNode(i));
    }
  }

  // The genesis block and orderer.json the nodes share.
  void WriteConfig(const ClusterOptions& options) {
    ASSERT_OK_AND_ASSIGN(configtxgen::Profile profile,
                         testing::LoadTestProfile("TwoOrgsApplicationGenesis"));
    profile.orderer->orderer_type = "etcd";
    profile.orderer->etcd.endpoints = etcd_->endpoints();
    // Where a node that fell behind the compacted log pulls blocks from.
    profile.orderer->addresses = addresses_;
    for (configtxgen::OrganizationSpec& org : profile.orderer->organizations) {
      org.orderer_endpoints.clear();
    }
    profile.orderer->batch_timeout = std::chrono::milliseconds(200);
    ASSERT_OK_AND_ASSIGN(common::Block genesis, configtxgen::MakeGenesisBlock(profile, kChannel));
    ASSERT_OK(testing::WriteBlock(tmp_.path() + "/genesis.block", genesis));
    // No General.TLS.RootCAs: a node pulling blocks trusts the others' TLS certificates through
    // the channel config's orderer org TLS CA.
    const std::string tls =
        options.tls ? absl::StrFormat(R"(, "TLS": {"Enabled": true, "ClientAuthRequired": true,
                                               "Certificate": "%s/server.crt",
                                               "PrivateKey": "%s/server.key"})",
                                      testing::OrdererTlsDir(), testing::OrdererTlsDir())
                    : "";
    std::ofstream(tmp_.path() + "/orderer.json")
        << R"({"General": {"ListenAddress": "127.0.0.1", "BootstrapFile": "genesis.block",
                "LocalMSPID": "OrdererMSP")"
        << tls << R"(}, "Etcd": {"RequestTimeout": "3s")" << options.etcd_settings << "}}";
  }

  // Starts node i (again) on its port and ledger, with a log file of its own per run;
  // `settings`: more ORDERER_* variables.
  void StartNode(int i, const std::vector<std::string>& settings = {}) {
    std::vector<std::string> env = settings;
    env.insert(env.end(),
               {"ORDERER_GENERAL_LISTENPORT=" + std::to_string(ports_[i]),
                "ORDERER_GENERAL_LOCALMSPDIR=" + testing::OrdererMspDir(),
                "ORDERER_FILELEDGER_LOCATION=" + tmp_.path() + "/node" + std::to_string(i),
                "ORDERER_ETCD_NODEID=node" + std::to_string(i), "FABRIC_LOGGING_SPEC=info"});
    if (i == kNodes - 1 && !partitioned_endpoints_.empty()) {
      env.push_back("ORDERER_ETCD_ENDPOINTS=" + partitioned_endpoints_);
    }
    const std::string log =
        tmp_.path() + "/node" + std::to_string(i) + "." + std::to_string(++runs_) + ".log";
    nodes_[i] = std::make_unique<OrdererProcess>(
        ORDERER_BIN, std::vector<std::string>{"start", "--config", tmp_.path() + "/orderer.json"},
        env, log);
    ASSERT_EQ(nodes_[i]->WaitForPort(), ports_[i]) << nodes_[i]->log();
  }

  void KillNode(int i) { nodes_[i]->Stop(SIGKILL); }

  BroadcastLoad::Options Load(const std::string& tag = "") {
    return {.addresses = addresses_,
            .credentials = credentials_,
            .channel = kChannel,
            .signer = user_.get(),
            .clients = kNodes,
            .tag = tag};
  }

  // Waits until `load` has `more` acceptances beyond `from`.
  ::testing::AssertionResult Progress(const BroadcastLoad& load, size_t from, size_t more) {
    if (WaitUntil([&] { return load.accepted_count() >= from + more; }, std::chrono::seconds(30))) {
      return ::testing::AssertionSuccess();
    }
    return ::testing::AssertionFailure() << "stuck at " << load.accepted_count() << " accepted ("
                                         << from << " + " << more << " wanted)\n"
                                         << Logs();
  }

  std::string Logs() {
    std::string out;
    for (int i = 0; i < kNodes; ++i) {
      std::string log = nodes_[i]->log();
      out += "---- node" + std::to_string(i) + "\n" +
             log.substr(log.size() > 1500 ? log.size() - 1500 : 0);
    }
    return out;
  }

  // Every node's chain the same, with every accepted transaction once.
  void ExpectConsistent(const BroadcastLoad& load) {
    std::vector<std::vector<common::Block>> chains;
    EXPECT_TRUE(WaitUntil(
        [&] {
          chains.clear();
          for (const std::string& address : addresses_) {
            chains.push_back(Chain(address));
          }
          return testing::CheckChains(chains, load.accepted()).empty();
        },
        std::chrono::seconds(20)))
        << testing::CheckChains(chains, load.accepted()) << "\n"
        << Logs();
  }

  // Every block of the node at `address`.
  std::vector<common::Block> Chain(const std::string& address) {
    return testing::ReadChain(address, credentials_, kChannel, *user_, tls_cert_hash_);
  }

  // One Broadcast to node i: its status and how long the answer took.
  std::pair<common::Status, std::chrono::milliseconds> BroadcastTo(int i, std::string* info) {
    testing::Client client(ports_[i], credentials_);
    const auto start = std::chrono::steady_clock::now();
    common::Status status = client.BroadcastOne(testing::MakeTx(kChannel, *user_), info);
    return {status, std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - start)};
  }

  // Under load, keeps the last node down past its NodeTTL (kShortNodeTtl) while the others go
  // on, restarts it, and checks that it pulled the blocks it missed and orders again.
  // `before_restart` runs while the node is down, past the TTL.
  void CatchUpAfterTheTtl(const std::function<void()>& before_restart = {}) {
    BroadcastLoad load(Load());
    load.Start();
    ASSERT_TRUE(Progress(load, 0, 50));
    KillNode(kNodes - 1);
    ASSERT_TRUE(Progress(load, load.accepted_count(), 100));
    // The dead node's lease expires; then the others' clean-up deletes entries it never read
    // and compacts etcd past its position.
    std::this_thread::sleep_for(std::chrono::seconds(3));
    ASSERT_TRUE(Progress(load, load.accepted_count(), 100));
    if (before_restart) {
      ASSERT_NO_FATAL_FAILURE(before_restart());
    }
    ASSERT_NO_FATAL_FAILURE(StartNode(kNodes - 1));
    ASSERT_TRUE(WaitUntil(
        [&] { return nodes_[kNodes - 1]->log().find("pulled blocks") != std::string::npos; },
        std::chrono::seconds(30)))
        << Logs();
    ASSERT_TRUE(Progress(load, load.accepted_count(), 50));
    load.Stop();
    ExpectConsistent(load);
    std::string info;
    EXPECT_EQ(BroadcastTo(kNodes - 1, &info).first, common::SUCCESS) << info;
  }

  // Starts the last node with a TLS key pair of a CA the channel does not know; the others
  // refuse it at the handshake, and the logs on both sides say so. Then stops it.
  void ExpectCatchUpRefusedToAForeignTlsCertificate() {
    const std::string dir = tmp_.path() + "/foreign-tls";
    ASSERT_NO_FATAL_FAILURE(WriteForeignTlsKeyPair(dir));
    ASSERT_NO_FATAL_FAILURE(
        StartNode(kNodes - 1, {"ORDERER_GENERAL_TLS_CERTIFICATE=" + dir + "/server.crt",
                               "ORDERER_GENERAL_TLS_PRIVATEKEY=" + dir + "/server.key"}));
    OrdererProcess& node = *nodes_[kNodes - 1];
    ASSERT_TRUE(WaitUntil([&] { return node.log().find("cannot catch up") != std::string::npos; },
                          std::chrono::seconds(30)))
        << Logs();
    EXPECT_THAT(node.log(), ::testing::HasSubstr("TLS client certificate "
                                                 "CN=orderer.elsewhere.example.com"));
    // The first source tried is node 0.
    EXPECT_THAT(nodes_[0]->log(), ::testing::HasSubstr("TLS client certificate refused: "
                                                       "certificate signed by unknown authority"));
    EXPECT_THAT(node.log(), ::testing::Not(::testing::HasSubstr("pulled blocks")));
    KillNode(kNodes - 1);
  }

  // Writes server.crt and server.key to `dir`: a TLS key pair for 127.0.0.1 issued by a CA of
  // its own.
  static void WriteForeignTlsKeyPair(const std::string& dir) {
    const auto now = std::chrono::system_clock::now();
    const auto not_before = now - std::chrono::hours(1);
    const auto not_after = now + std::chrono::hours(1);
    ASSERT_OK_AND_ASSIGN(msp::testing::TestCa ca,
                         msp::testing::MakeCa("tlsca.elsewhere.example.com",
                                              "elsewhere.example.com", not_before, not_after));
    ASSERT_OK_AND_ASSIGN(msp::testing::TestIdentity node,
                         msp::testing::IssueTlsIdentity(ca, "orderer.elsewhere.example.com",
                                                        {"127.0.0.1"}, not_before, not_after));
    std::filesystem::create_directories(dir);
    ASSERT_OK(crypto::WriteFileAtomic(dir + "/server.crt", node.cert_pem, 0644));
    ASSERT_OK(crypto::WriteFileAtomic(dir + "/server.key", node.key.ToPem(), 0600));
  }

  TempDir tmp_;
  std::unique_ptr<EtcdCluster> etcd_;
  std::unique_ptr<msp::X509SigningIdentity> user_;
  // The clients' TLS (none without ClusterOptions::tls) and the hash their requests carry.
  std::shared_ptr<grpc::ChannelCredentials> credentials_ = grpc::InsecureChannelCredentials();
  std::string tls_cert_hash_;
  std::vector<std::unique_ptr<TcpProxy>> proxies_;
  std::string partitioned_endpoints_;
  std::vector<int> ports_;
  std::vector<std::string> addresses_;
  std::vector<std::unique_ptr<OrdererProcess>> nodes_;
  int runs_ = 0;
};

#define START_CLUSTER(...)                     \
  ASSERT_NO_FATAL_FAILURE(Start(__VA_ARGS__)); \
  if (IsSkipped()) {                           \
    return;                                    \
  }

TEST_F(OrdererClusterTest, KillingAnOrdererNodeUnderLoadLosesAndDuplicatesNothing) {
  START_CLUSTER();
  BroadcastLoad load(Load());
  load.Start();
  ASSERT_TRUE(Progress(load, 0, 100));
  KillNode(1);
  ASSERT_TRUE(Progress(load, load.accepted_count(), 100)) << "the clients fail over";
  EXPECT_GT(load.failovers(), 0);
  ASSERT_NO_FATAL_FAILURE(StartNode(1));
  ASSERT_TRUE(Progress(load, load.accepted_count(), 50));
  load.Stop();
  EXPECT_LE(load.in_doubt().size(), static_cast<size_t>(kNodes));
  ExpectConsistent(load);
}

TEST_F(OrdererClusterTest, OneEtcdMemberLostOrderingGoesOnTwoLostRefusedPromptlyThenResumes) {
  START_CLUSTER();
  BroadcastLoad load(Load());
  load.Start();
  ASSERT_TRUE(Progress(load, 0, 50));
  ASSERT_OK(etcd_->Kill(0));
  ASSERT_TRUE(Progress(load, load.accepted_count(), 100)) << "two members are a quorum";
  load.Stop();

  ASSERT_OK(etcd_->Kill(1));
  std::string info;
  auto [status, took] = BroadcastTo(0, &info);
  EXPECT_EQ(status, common::SERVICE_UNAVAILABLE) << info;
  EXPECT_LT(took, std::chrono::seconds(8)) << "Etcd.RequestTimeout is 3s";
  EXPECT_NE(info.find("log"), std::string::npos) << info;

  ASSERT_OK(etcd_->Restart(1));
  BroadcastLoad after(Load("after-"));
  after.Start();
  ASSERT_TRUE(Progress(after, 0, 50)) << "ordering resumes with a quorum again";
  after.Stop();
  ExpectConsistent(after);
  ExpectConsistent(load);
}

TEST_F(OrdererClusterTest, RestartingTheWholeClusterLosesNoBlockAndDuplicatesNone) {
  START_CLUSTER();
  BroadcastLoad load(Load());
  load.Start();
  ASSERT_TRUE(Progress(load, 0, 150));
  load.Stop();
  for (int i = 0; i < kNodes; ++i) {
    KillNode(i);
  }
  ASSERT_OK(etcd_->RestartAll());
  for (int i = 0; i < kNodes; ++i) {
    ASSERT_NO_FATAL_FAILURE(StartNode(i));
  }
  ExpectConsistent(load);
  const size_t height = Chain(addresses_[0]).size();
  BroadcastLoad more(Load("more-"));
  more.Start();
  ASSERT_TRUE(Progress(more, 0, 50));
  more.Stop();
  ExpectConsistent(more);
  ExpectConsistent(load);
  EXPECT_GT(Chain(addresses_[0]).size(), height);
}

TEST_F(OrdererClusterTest, APartitionedNodeRefusesWhatItCannotOrderThenCatchesUp) {
  START_CLUSTER({.partitionable = true});
  BroadcastLoad load(Load());
  load.Start();
  ASSERT_TRUE(Progress(load, 0, 50));

  for (auto& proxy : proxies_) {
    proxy->Cut();
  }
  std::string info;
  auto [status, took] = BroadcastTo(kNodes - 1, &info);
  EXPECT_EQ(status, common::SERVICE_UNAVAILABLE) << info;
  EXPECT_LT(took, std::chrono::seconds(8)) << "Etcd.RequestTimeout is 3s";
  ASSERT_TRUE(Progress(load, load.accepted_count(), 100)) << "the other nodes go on";

  for (auto& proxy : proxies_) {
    proxy->Restore();
  }
  ASSERT_TRUE(WaitUntil([&] { return BroadcastTo(kNodes - 1, &info).first == common::SUCCESS; },
                        std::chrono::seconds(30)))
      << info << "\n"
      << Logs();
  load.Stop();
  ExpectConsistent(load);
}

// A node down longer than Etcd.NodeTTL stops holding the log's clean-up back: the others delete
// and compact what they wrote. Restarted, it finds its entries compacted away and pulls the
// blocks it missed from another node's Deliver, then orders from the log again.
TEST_F(OrdererClusterTest, ANodeDownLongerThanItsTtlCatchesUpFromAnotherNodesBlocks) {
  START_CLUSTER({.etcd_settings = kShortNodeTtl});
  CatchUpAfterTheTtl();
}

// The same with mutual TLS: the node pulls over TLS, presenting its TLS certificate, trusting the
// others' through the channel config's orderer org TLS CA, and binding its request to its
// certificate as the others require.
TEST_F(OrdererClusterTest, WithMutualTlsANodeDownLongerThanItsTtlCatchesUpOverTls) {
  START_CLUSTER({.etcd_settings = kShortNodeTtl, .tls = true});
  CatchUpAfterTheTtl([&] { ExpectCatchUpRefusedToAForeignTlsCertificate(); });
}

}  // namespace
}  // namespace fabric::orderer
