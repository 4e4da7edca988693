// SPDX-License-Identifier: Apache-2.0
//
// Interop (label `interop`): Hyperledger Fabric's Node shim (npm fabric-shim 2.5.8, run by
// interop/run.sh) registers with fabric-cpp's chaincode support in dev mode and serves Init
// and Invoke with GetState, PutState and range queries, against a real ledger on disk; and its
// ChaincodeServer (server.js) serves the same chaincode as an external service the peer dials.
// The chaincode process is started the way a dev-mode user would (CORE_CHAINCODE_ID_NAME,
// --peer.address), through ProcessLauncher so its output lands in the test log.

#include <stdlib.h>

#include <chrono>
#include <string>
#include <thread>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/archive/archive.h"
#include "fabric/base/testing/free_port.h"
#include "launcher/external/external_launcher.h"
#include "launcher/process_launcher.h"
#include "peer/chaincode/authenticator.h"
#include "peer/chaincode/testing/chaincode_test_env.h"

namespace fabric::chaincode {
namespace {

using namespace std::chrono_literals;

class NodeInteropTest : public testing::ChaincodeTestEnv {
 protected:
  void SetUp() override {
    ChaincodeTestEnv::SetUp();
    const char* dir = getenv("NODE_INTEROP_DIR");
    ASSERT_NE(dir, nullptr) << "run through interop/run.sh (sets NODE_INTEROP_DIR)";
    dir_ = dir;
    options_.startup_timeout = 30s;
    StartSupport(dev_);
  }
  void TearDown() override {
    (void)node_.Stop("nodecc:1.0");
    ChaincodeTestEnv::TearDown();
  }

  void StartNode() {
    launcher::StartRequest r;
    r.ccid = "nodecc:1.0";
    r.package = launcher::ChaincodePackage::ForExecutable("nodecc:1.0", "/usr/bin/env");
    r.package.args = {"node", dir_ + "/chaincode.js", "--peer.address", server_->address()};
    r.package.working_dir = dir_;
    r.env = {"CORE_CHAINCODE_ID_NAME=nodecc:1.0", "CORE_PEER_TLS_ENABLED=false",
             "CORE_PEER_LOCALMSPID=Org1MSP"};
    ASSERT_TRUE(node_.Start(r).ok());
  }

  std::string dir_;
  launcher::DevModeLauncher dev_;
  launcher::ProcessLauncher node_{launcher::ProcessLauncher::Options{2000ms}};
};

TEST_F(NodeInteropTest, NodeShimRegistersInDevModeAndServesInitInvokeAndRangeQueries) {
  StartNode();
  Status launched = support_->Launch("nodecc:1.0");
  ASSERT_TRUE(launched.ok()) << launched;

  auto init = NewTx("init-tx");
  auto m =
      support_->Execute(init->params, "nodecc:1.0",
                        Input({"init", "a", "100", "b", "200", "c", "300"}), ExecuteType::kInit);
  ASSERT_TRUE(m.ok()) << m.status();
  protos::Response r;
  r.ParseFromString(m->payload());
  EXPECT_EQ(r.status(), 200);
  EXPECT_EQ(r.payload(), "init ok");
  auto init_rw = init->sim->GetTxSimulationResults();
  ASSERT_TRUE(init_rw.ok()) << init_rw.status();
  ASSERT_EQ(init_rw->ns_rwset_size(), 1);
  kvrwset::KVRWSet init_kv;
  init_kv.ParseFromString(init_rw->ns_rwset(0).rwset());
  EXPECT_EQ(init_kv.writes_size(), 3);
  Commit({ledger::testing::FastEndorserTx(kChannel, "init-tx", *init_rw)});

  auto tx = NewTx("transfer-tx");
  auto t = Invoke(*tx, "nodecc:1.0", {"transfer", "a", "b", "10"});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->status(), 200);
  EXPECT_EQ(t->payload(), "90,210");
  kvrwset::KVRWSet rw = RwSet(*tx->sim, "nodecc");
  EXPECT_EQ(rw.reads_size(), 2);
  ASSERT_EQ(rw.writes_size(), 2);
  EXPECT_EQ(rw.writes(0).value(), "90");

  auto q = NewTx("range-tx");
  auto range = Invoke(*q, "nodecc:1.0", {"range", "", ""});
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_EQ(range->payload(), "a=100;b=200;c=300");

  // More than one batch (QUERY_STATE_NEXT) and several transactions in flight.
  std::map<std::string, std::string> many;
  for (int i = 0; i < 150; ++i) {
    many[absl::StrFormat("k%03d", i)] = "v";
  }
  Seed("nodecc", many, "seed-many");
  std::vector<std::unique_ptr<Tx>> txs;
  for (int i = 0; i < 8; ++i) {
    txs.push_back(NewTx("r" + std::to_string(i)));
  }
  std::vector<std::jthread> threads;
  std::atomic<int> ok{0};
  for (int i = 0; i < 8; ++i) {
    threads.emplace_back([&, i] {
      auto rr = Invoke(*txs[i], "nodecc:1.0", {"range", "k000", "k999"});
      if (rr.ok() && rr->payload() == "k000=v;k001=v;k002=v...150")
        ++ok;
    });
  }
  threads.clear();
  EXPECT_EQ(ok.load(), 8);

  auto bad = NewTx("bad-tx");
  auto e = Invoke(*bad, "nodecc:1.0", {"nope"});
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_EQ(e->status(), 500);
  EXPECT_EQ(e->message(), "unknown function nope");
}

// fabric-shim 2.5's ChaincodeServer as an external service: the peer (ExternalLauncher, an
// EXTERNAL package) dials it, over mutual TLS (the server's certificate and the peer's client
// certificate from one test CA, as connection.json and the server's TLS files name them).
class NodeServerInteropTest : public testing::ChaincodeTestEnv {
 protected:
  void SetUp() override {
    ChaincodeTestEnv::SetUp();
    const char* dir = getenv("NODE_INTEROP_DIR");
    ASSERT_NE(dir, nullptr) << "run through interop/run.sh (sets NODE_INTEROP_DIR)";
    auto launcher = launcher::external::ExternalLauncher::Create({}, nullptr);
    ASSERT_TRUE(launcher.ok());
    launcher_ = std::move(*launcher);
    options_.startup_timeout = 30s;
    StartSupport(*launcher_);
    auto ca = Authenticator::Create();
    ASSERT_TRUE(ca.ok()) << ca.status();
    ca_ = std::move(*ca);
    auto server_pair = ca_->NewServerCertKeyPair({"127.0.0.1", "localhost"});
    auto client_pair = ca_->Generate("peer0");
    ASSERT_TRUE(server_pair.ok() && client_pair.ok());
    client_ = *client_pair;
    address_ = "127.0.0.1:" + std::to_string(fabric::testing::FreeLoopbackPort());
    launcher::StartRequest r;
    r.ccid = "node-server";
    r.package = launcher::ChaincodePackage::ForExecutable(r.ccid, "/usr/bin/env");
    r.package.args = {"node", std::string(dir) + "/server.js"};
    r.package.working_dir = dir;
    r.env = {"CHAINCODE_SERVER_ADDRESS=" + address_, "CORE_CHAINCODE_ID=nodecc:1.0",
             "CORE_CHAINCODE_TLS_CERT_FILE=/tls/server.crt",
             "CORE_CHAINCODE_TLS_KEY_FILE=/tls/server.key",
             "CORE_CHAINCODE_TLS_CLIENT_CACERT_FILE=/tls/clientca.crt"};
    r.files = {{"/tls/server.crt", server_pair->cert_pem},
               {"/tls/server.key", server_pair->key_pem},
               {"/tls/clientca.crt", ca_->ca_cert_pem()}};
    ASSERT_TRUE(node_.Start(r).ok());
    for (int i = 0; i < 300 && !Listening(); ++i) {
      std::this_thread::sleep_for(100ms);
    }
    ASSERT_TRUE(Listening()) << "the node chaincode server did not start";
  }
  void TearDown() override {
    (void)node_.Stop("node-server");
    ChaincodeTestEnv::TearDown();
  }
  bool Listening() const {
    for (const std::string& line : node_.LastLogLines("node-server")) {
      if (line.find("node chaincode server listening") != std::string::npos) {
        return true;
      }
    }
    return false;
  }
  // connection.json for the server; `with_client_cert` false leaves the peer without one (and
  // the dial, refused in the handshake, gives up after 2 s).
  std::string Connection(bool with_client_cert) const {
    nlohmann::json c{{"address", address_},
                     {"dial_timeout", with_client_cert ? "10s" : "2s"},
                     {"tls_required", true},
                     {"root_cert", ca_->ca_cert_pem()}};
    if (with_client_cert) {
      c["client_auth_required"] = true;
      c["client_cert"] = client_.cert_pem;
      c["client_key"] = client_.key_pem;
    }
    return c.dump();
  }
  void Install(const std::string& connection_json) {
    launcher::ChaincodePackage p;
    p.ccid = "nodecc:1.0";
    p.type = "EXTERNAL";
    p.code_package =
        archive::Write({archive::File("connection.json", connection_json)}, {.gzip = true}).value();
    packages_.Add(p);
  }

  std::unique_ptr<launcher::external::ExternalLauncher> launcher_;
  launcher::ProcessLauncher node_{launcher::ProcessLauncher::Options{2000ms}};
  std::unique_ptr<Authenticator> ca_;
  CertKeyPair client_;
  std::string address_;
};

TEST_F(NodeServerInteropTest, NodeShimServerIsDialedOverMutualTlsAndServesInitInvokeAndQueries) {
  Install(Connection(/*with_client_cert=*/true));
  auto init = NewTx("init-tx");
  auto m = support_->Execute(init->params, "nodecc:1.0", Input({"init", "a", "100", "b", "200"}),
                             ExecuteType::kInit);
  ASSERT_TRUE(m.ok()) << m.status();
  Commit({ledger::testing::FastEndorserTx(kChannel, "init-tx",
                                          init->sim->GetTxSimulationResults().value())});
  auto tx = NewTx("transfer-tx");
  auto t = Invoke(*tx, "nodecc:1.0", {"transfer", "a", "b", "10"});
  ASSERT_TRUE(t.ok()) << t.status();
  EXPECT_EQ(t->payload(), "90,210");
  auto q = NewTx("get-tx");
  auto g = Invoke(*q, "nodecc:1.0", {"get", "b"});
  ASSERT_TRUE(g.ok()) << g.status();
  EXPECT_EQ(g->payload(), "200");
}

TEST_F(NodeServerInteropTest, APeerWithoutAClientCertificateIsRefusedByTheServer) {
  Install(Connection(/*with_client_cert=*/false));
  auto init = NewTx("init-tx");
  auto m =
      support_->Execute(init->params, "nodecc:1.0", Input({"init", "a", "1"}), ExecuteType::kInit);
  ASSERT_FALSE(m.ok());
  EXPECT_NE(m.status().message().find("nodecc:1.0"), std::string::npos) << m.status();
}

}  // namespace
}  // namespace fabric::chaincode
