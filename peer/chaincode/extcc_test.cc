// SPDX-License-Identifier: Apache-2.0
//
// Chaincode as an external service end to end: the peer's ChaincodeSupport with the
// ExternalLauncher dials chaincode servers over loopback gRPC: the abstore sample in server mode
// as a child process (mutual TLS), and in-process shim servers for the failure cases.

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <thread>

#include <absl/strings/numbers.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/archive/archive.h"
#include "fabric/shim/chaincode_stub.h"
#include "fabric/shim/server.h"
#include "launcher/external/external_launcher.h"
#include "launcher/process_launcher.h"
#include "peer/chaincode/authenticator.h"
#include "peer/chaincode/testing/chaincode_test_env.h"

namespace fabric::chaincode {
namespace {

using namespace std::chrono_literals;
using ::testing::HasSubstr;

// A CA with a server certificate for 127.0.0.1 and a client certificate for the peer.
struct Pki {
  std::unique_ptr<Authenticator> ca;
  CertKeyPair server;
  CertKeyPair client;
  static Pki Make() {
    Pki pki;
    pki.ca = std::move(*Authenticator::Create());
    pki.server = *pki.ca->NewServerCertKeyPair({"127.0.0.1", "localhost"});
    pki.client = *pki.ca->Generate("peer0");
    return pki;
  }
};

std::string Connection(const std::string& address, const Pki* tls, const Pki* client = nullptr,
                       const std::string& dial_timeout = "5s") {
  nlohmann::json c{{"address", address}, {"dial_timeout", dial_timeout}};
  if (tls != nullptr) {
    c["tls_required"] = true;
    c["root_cert"] = tls->ca->ca_cert_pem();
    if (client != nullptr) {
      c["client_auth_required"] = true;
      c["client_cert"] = client->client.cert_pem;
      c["client_key"] = client->client.key_pem;
    }
  }
  return c.dump();
}

// Waits while `stall` is called until the test lets it go.
class Staller : public shim::Chaincode {
 public:
  shim::Response Init(shim::ChaincodeStub&) override { return shim::Success(); }
  shim::Response Invoke(shim::ChaincodeStub& stub) override {
    if (stub.GetFunctionAndParameters().first == "stall") {
      started.set_value();
      release.get_future().wait_for(10s);
      return shim::Success("late");
    }
    return shim::Success("ok");
  }
  std::promise<void> started;
  std::promise<void> release;
};

class ExternalServiceTest : public testing::ChaincodeTestEnv {
 protected:
  void SetUp() override {
    ChaincodeTestEnv::SetUp();
    auto launcher = launcher::external::ExternalLauncher::Create({}, nullptr);
    ASSERT_TRUE(launcher.ok());
    launcher_ = std::move(*launcher);
    options_.startup_timeout = 10s;
    options_.execute_timeout = 10s;
    StartSupport(*launcher_);
  }
  void TearDown() override {
    ChaincodeTestEnv::TearDown();
    (void)processes_.Stop("abstore-server");
  }

  void Install(const std::string& ccid, const std::string& connection_json) {
    launcher::ChaincodePackage p;
    p.ccid = ccid;
    p.type = "EXTERNAL";
    p.code_package =
        archive::Write({archive::File("connection.json", connection_json)}, {.gzip = true}).value();
    packages_.Add(p);
  }

  // Starts the abstore sample as a server registering as `ccid`; returns its port.
  int StartAbstoreServer(const std::string& ccid, const Pki& pki) {
    launcher::StartRequest r;
    r.ccid = "abstore-server";
    r.package.executable = ABSTORE_PATH;
    r.env = {"CHAINCODE_SERVER_ADDRESS=127.0.0.1:0", "CORE_CHAINCODE_ID=" + ccid,
             "CORE_CHAINCODE_TLS_CERT_FILE=/tls/server.crt",
             "CORE_CHAINCODE_TLS_KEY_FILE=/tls/server.key",
             "CORE_CHAINCODE_TLS_CLIENT_CACERT_FILE=/tls/clientca.crt"};
    r.files = {{"/tls/server.crt", pki.server.cert_pem},
               {"/tls/server.key", pki.server.key_pem},
               {"/tls/clientca.crt", pki.ca->ca_cert_pem()}};
    EXPECT_TRUE(processes_.Start(r).ok());
    for (int i = 0; i < 200; ++i) {
      for (const std::string& line : processes_.LastLogLines(r.ccid)) {
        const std::string marker = "listening on 127.0.0.1:";
        if (size_t at = line.find(marker); at != std::string::npos) {
          int port = 0;
          std::string rest = line.substr(at + marker.size());
          EXPECT_TRUE(absl::SimpleAtoi(rest.substr(0, rest.find(' ')), &port)) << line;
          return port;
        }
      }
      std::this_thread::sleep_for(50ms);
    }
    ADD_FAILURE() << "the abstore server did not start";
    return 0;
  }

  // An in-process shim server registering as `ccid`.
  std::unique_ptr<shim::ChaincodeServer> StartShimServer(shim::Chaincode& cc,
                                                         const std::string& ccid) {
    shim::ServerOptions o;
    o.address = "127.0.0.1:0";
    o.chaincode_id = ccid;
    auto server = shim::ChaincodeServer::Start(cc, o);
    EXPECT_TRUE(server.ok()) << server.status();
    return server.ok() ? std::move(*server) : nullptr;
  }

  std::string ErrorOf(const std::string& ccid) {
    auto tx = NewTx("tx-" + ccid);
    auto r = Invoke(*tx, ccid, {"query", "a"});
    EXPECT_FALSE(r.ok());
    return r.ok() ? "" : std::string(r.status().message());
  }

  std::unique_ptr<launcher::external::ExternalLauncher> launcher_;
  launcher::ProcessLauncher processes_;
};

TEST_F(ExternalServiceTest, AbstoreServerWithMutualTlsIsInstantiatedInvokedAndQueried) {
  Pki pki = Pki::Make();
  const int port = StartAbstoreServer("abstore:1.0", pki);
  ASSERT_GT(port, 0);
  Install("abstore:1.0", Connection("127.0.0.1:" + std::to_string(port), &pki, &pki));
  ExpectAbstoreTransferAndQuery("abstore:1.0");
}

TEST_F(ExternalServiceTest, ServerDownIsAClearErrorAndThePeerKeepsServing) {
  Install("down:1.0", Connection("127.0.0.1:1", nullptr, nullptr, "1s"));
  EXPECT_THAT(ErrorOf("down:1.0"),
              HasSubstr("cannot connect to chaincode server of down:1.0 at 127.0.0.1:1 within 1s"));
  Staller cc;
  auto server = StartShimServer(cc, "up:1.0");
  Install("up:1.0", Connection("127.0.0.1:" + std::to_string(server->port()), nullptr));
  auto tx = NewTx("after");
  auto r = Invoke(*tx, "up:1.0", {"ping"});
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(r->payload(), "ok");
}

TEST_F(ExternalServiceTest, ServerThatDoesNotAnswerFailsAfterTheDialTimeout) {
  // Accepts TCP connections but never speaks HTTP/2.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)), 0);
  ASSERT_EQ(::listen(fd, 8), 0);
  socklen_t len = sizeof(addr);
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  const std::string address = "127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  Install("slow:1.0", Connection(address, nullptr, nullptr, "700ms"));
  const auto start = std::chrono::steady_clock::now();
  EXPECT_THAT(ErrorOf("slow:1.0"), HasSubstr("cannot connect to chaincode server of slow:1.0 at " +
                                             address + " within 700ms"));
  EXPECT_LT(std::chrono::steady_clock::now() - start, 5s);
  ::close(fd);
}

TEST_F(ExternalServiceTest, ServerCertificateFromAnotherCaIsRefused) {
  Pki pki = Pki::Make();
  Pki other = Pki::Make();
  const int port = StartAbstoreServer("abstore:1.0", pki);
  ASSERT_GT(port, 0);
  Install("abstore:1.0", Connection("127.0.0.1:" + std::to_string(port), &other, &pki, "1s"));
  EXPECT_THAT(ErrorOf("abstore:1.0"),
              HasSubstr("cannot connect to chaincode server of abstore:1.0"));
}

TEST_F(ExternalServiceTest, PeerClientCertificateFromAnotherCaIsRefused) {
  Pki pki = Pki::Make();
  Pki other = Pki::Make();
  const int port = StartAbstoreServer("abstore:1.0", pki);
  ASSERT_GT(port, 0);
  Install("abstore:1.0", Connection("127.0.0.1:" + std::to_string(port), &pki, &other, "1s"));
  EXPECT_THAT(ErrorOf("abstore:1.0"), HasSubstr("chaincode server of abstore:1.0"));
}

TEST_F(ExternalServiceTest, ServerRegisteringAnotherIdIsRefused) {
  Staller cc;
  auto server = StartShimServer(cc, "other:2.0");
  Install("mine:1.0", Connection("127.0.0.1:" + std::to_string(server->port()), nullptr));
  EXPECT_THAT(ErrorOf("mine:1.0"),
              HasSubstr("chaincode server dialed for mine:1.0 registered as other:2.0"));
}

TEST_F(ExternalServiceTest, ServerClosingMidTransactionFailsItAndTheNextCallRedials) {
  Staller cc;
  auto server = StartShimServer(cc, "stall:1.0");
  const std::string address = "127.0.0.1:" + std::to_string(server->port());
  Install("stall:1.0", Connection(address, nullptr));
  auto tx = NewTx("stalled");
  auto pending =
      std::async(std::launch::async, [&] { return Invoke(*tx, "stall:1.0", {"stall"}); });
  ASSERT_EQ(cc.started.get_future().wait_for(10s), std::future_status::ready);
  std::thread stopper([&] { server->Shutdown(); });
  auto r = pending.get();
  cc.release.set_value();
  stopper.join();
  ASSERT_FALSE(r.ok());
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("chaincode stream terminated"));
  // A server back at another address after reinstalling: the peer dials again.
  Staller again;
  auto second = StartShimServer(again, "stall:1.0");
  Install("stall:1.0", Connection("127.0.0.1:" + std::to_string(second->port()), nullptr));
  auto tx2 = NewTx("again");
  auto r2 = Invoke(*tx2, "stall:1.0", {"ping"});
  ASSERT_TRUE(r2.ok()) << r2.status();
  EXPECT_EQ(r2->payload(), "ok");
}

// An external builder whose bin/run starts the abstore sample, which dials the peer.
class ExternalBuilderRunTest : public testing::ChaincodeTestEnv {
 protected:
  void SetUp() override {
    ChaincodeTestEnv::SetUp();
    const std::string builder = dir_.Sub("builder");
    WriteScript(builder + "/bin/detect", "[ -f \"$1/chaincode.path\" ]\n");
    WriteScript(builder + "/bin/build", "cp \"$(cat \"$1/chaincode.path\")\" \"$3/chaincode\"\n");
    WriteScript(builder + "/bin/run", "exec \"$1/chaincode\"\n");
    launcher::external::ExternalLauncherOptions o;
    o.builders = {{"cpp-runner", builder, {}}};
    o.durable_path = dir_.Sub("builds");
    auto launcher = launcher::external::ExternalLauncher::Create(o, nullptr);
    ASSERT_TRUE(launcher.ok()) << launcher.status();
    launcher_ = std::move(*launcher);
    options_.startup_timeout = 20s;
    StartSupport(*launcher_);
  }
  static void WriteScript(const std::string& path, const std::string& body) {
    std::filesystem::create_directories(std::filesystem::path(path).parent_path());
    std::ofstream(path) << "#!/bin/sh\nset -e\n" << body;
    std::filesystem::permissions(path, std::filesystem::perms::owner_all);
  }
  std::unique_ptr<launcher::external::ExternalLauncher> launcher_;
};

TEST_F(ExternalBuilderRunTest, BuilderRunStartsAChaincodeThatDialsThePeer) {
  launcher::ChaincodePackage p;
  p.ccid = "abstore:1.0";
  p.type = "CPP";
  p.code_package =
      archive::Write({archive::File("chaincode.path", ABSTORE_PATH)}, {.gzip = true}).value();
  packages_.Add(p);
  ExpectAbstoreTransferAndQuery("abstore:1.0");
  EXPECT_TRUE(launcher_->IsRunning("abstore:1.0"));
  EXPECT_TRUE(std::filesystem::exists(dir_.Sub("builds") + "/abstore-1.0/bld/chaincode"));
}

}  // namespace
}  // namespace fabric::chaincode
