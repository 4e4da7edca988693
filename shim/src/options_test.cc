// SPDX-License-Identifier: Apache-2.0

#include <stdlib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>

#include <gtest/gtest.h>

#include "fabric/shim/server.h"
#include "fabric/shim/start.h"
#include "src/base64.h"

namespace fabric::shim {
namespace {

constexpr char kPem[] = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";

// A private folder for files the options name.
class FilesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() / ("shim-options-" + std::to_string(::getpid()));
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string WriteFile(const std::string& name, const std::string& content) {
    std::string path = (dir_ / name).string();
    std::ofstream(path) << content;
    return path;
  }

  std::filesystem::path dir_;
};

class OptionsTest : public FilesTest {
 protected:
  void SetUp() override {
    FilesTest::SetUp();
    for (const char* v : {"CORE_CHAINCODE_ID_NAME", "CORE_PEER_ADDRESS", "CORE_PEER_TLS_ENABLED",
                          "CORE_PEER_TLS_ROOTCERT_FILE", "CORE_TLS_CLIENT_KEY_PATH",
                          "CORE_TLS_CLIENT_CERT_PATH", "CORE_CHAINCODE_BATCHSCHEDULING",
                          "CORE_CHAINCODE_EXECUTION", "CORE_PEER_CHAINCODESOCKET"}) {
      unsetenv(v);
    }
    setenv("CORE_CHAINCODE_ID_NAME", "mycc:1.0", 1);
  }

  StatusOr<StartOptions> Load(std::vector<std::string> args,
                              const StartOptions& defaults = StartOptions()) {
    args.insert(args.begin(), "chaincode");
    std::vector<char*> argv;
    for (std::string& a : args) {
      argv.push_back(a.data());
    }
    argv.push_back(nullptr);
    return LoadStartOptions(static_cast<int>(args.size()), argv.data(), defaults);
  }
};

TEST_F(OptionsTest, PeerAddressFromEitherFlagFormOrEnvironment) {
  setenv("CORE_PEER_ADDRESS", "env:7052", 1);
  EXPECT_EQ(Load({})->peer_address, "env:7052");
  EXPECT_EQ(Load({"-peer.address=a:1"})->peer_address, "a:1");
  EXPECT_EQ(Load({"--peer.address=b:2"})->peer_address, "b:2");
  EXPECT_EQ(Load({"--peer.address", "c:3"})->peer_address, "c:3");
  EXPECT_EQ(Load({"-peer.address", "grpcs://d:4"})->peer_address, "d:4");
  EXPECT_EQ(Load({})->chaincode_id_name, "mycc:1.0");
  EXPECT_FALSE(Load({})->tls.enabled);
}

TEST_F(OptionsTest, PeerSocketFromTheEnvironment) {
  setenv("CORE_PEER_ADDRESS", "env:7052", 1);
  EXPECT_EQ(Load({})->peer_socket, "");
  setenv("CORE_PEER_CHAINCODESOCKET", "/var/p/chaincode.sock", 1);
  EXPECT_EQ(Load({})->peer_socket, "/var/p/chaincode.sock");
  EXPECT_EQ(Load({})->peer_address, "env:7052") << "the fallback stays";
}

TEST_F(OptionsTest, ProcessTuningIsOptInAndTheEnvironmentDecidesBatchScheduling) {
  setenv("CORE_PEER_ADDRESS", "env:7052", 1);
  const StartOptions::ProcessTuning untouched = Load({})->tuning;
  EXPECT_FALSE(untouched.batch_scheduling);
  EXPECT_FALSE(untouched.server_malloc);
  EXPECT_FALSE(untouched.skip_mutex_deadlock_checks);
  StartOptions servers;
  servers.tuning = StartOptions::ProcessTuning::ForServers();
  EXPECT_TRUE(Load({}, servers)->tuning.batch_scheduling);
  EXPECT_TRUE(Load({}, servers)->tuning.server_malloc);
  setenv("CORE_CHAINCODE_BATCHSCHEDULING", "false", 1);
  EXPECT_FALSE(Load({}, servers)->tuning.batch_scheduling);
  EXPECT_TRUE(Load({}, servers)->tuning.server_malloc) << "only batch scheduling has a variable";
  setenv("CORE_CHAINCODE_BATCHSCHEDULING", "true", 1);
  EXPECT_TRUE(Load({})->tuning.batch_scheduling);
  setenv("CORE_CHAINCODE_BATCHSCHEDULING", "sometimes", 1);
  auto bad = Load({});
  ASSERT_FALSE(bad.ok());
  EXPECT_NE(std::string(bad.status().message()).find("CORE_CHAINCODE_BATCHSCHEDULING"),
            std::string::npos);
}

TEST_F(OptionsTest, ExecutionFromTheProgramUnlessTheEnvironmentSaysOtherwise) {
  using Execution = StartOptions::Execution;
  setenv("CORE_PEER_ADDRESS", "env:7052", 1);
  EXPECT_EQ(Load({})->execution, Execution::kThreads);
  StartOptions coroutines;
  coroutines.execution = Execution::kCoroutines;
  coroutines.max_concurrent_transactions = 7;
  auto loaded = Load({}, coroutines);
  EXPECT_EQ(loaded->execution, Execution::kCoroutines);
  EXPECT_EQ(loaded->max_concurrent_transactions, 7);  // Defaults the environment does not set.
  setenv("CORE_CHAINCODE_EXECUTION", "threads", 1);
  EXPECT_EQ(Load({}, coroutines)->execution, Execution::kThreads);
  setenv("CORE_CHAINCODE_EXECUTION", "coroutines", 1);
  EXPECT_EQ(Load({})->execution, Execution::kCoroutines);
  setenv("CORE_CHAINCODE_EXECUTION", "fibers", 1);
  auto bad = Load({});
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().IsInvalidArgument());
  EXPECT_NE(std::string(bad.status().message()).find("CORE_CHAINCODE_EXECUTION"),
            std::string::npos);
}

TEST_F(OptionsTest, MissingNameOrAddressIsAnError) {
  EXPECT_TRUE(Load({}).status().IsInvalidArgument());  // No address.
  unsetenv("CORE_CHAINCODE_ID_NAME");
  EXPECT_TRUE(Load({"--peer.address=a:1"}).status().IsInvalidArgument());
}

TEST_F(OptionsTest, TlsFilesMayBeRawPemOrBase64Pem) {
  setenv("CORE_PEER_TLS_ENABLED", "true", 1);
  setenv("CORE_PEER_TLS_ROOTCERT_FILE", WriteFile("peer.crt", kPem).c_str(), 1);
  setenv("CORE_TLS_CLIENT_KEY_PATH", WriteFile("client.key", internal::Base64Encode(kPem)).c_str(),
         1);
  setenv("CORE_TLS_CLIENT_CERT_PATH", WriteFile("client.crt", kPem).c_str(), 1);
  auto o = Load({"--peer.address=p:7052"});
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->tls.enabled);
  EXPECT_EQ(o->tls.root_cert_pem, kPem);
  EXPECT_EQ(o->tls.client_key_pem, kPem);
  EXPECT_EQ(o->tls.client_cert_pem, kPem);
}

TEST_F(OptionsTest, TlsErrorsAreReported) {
  setenv("CORE_PEER_TLS_ENABLED", "maybe", 1);
  EXPECT_TRUE(Load({"--peer.address=p:1"}).status().IsInvalidArgument());
  setenv("CORE_PEER_TLS_ENABLED", "TRUE", 1);
  EXPECT_TRUE(Load({"--peer.address=p:1"}).status().IsInvalidArgument());  // No root cert.
  setenv("CORE_PEER_TLS_ROOTCERT_FILE", (dir_ / "missing.crt").c_str(), 1);
  EXPECT_TRUE(Load({"--peer.address=p:1"}).status().IsNotFound());
  setenv("CORE_PEER_TLS_ROOTCERT_FILE", WriteFile("junk.crt", "not a cert").c_str(), 1);
  EXPECT_TRUE(Load({"--peer.address=p:1"}).status().IsInvalidArgument());
}

}  // namespace
}  // namespace fabric::shim

namespace fabric::shim {
namespace {

class ServerOptionsTest : public FilesTest {
 protected:
  void SetUp() override {
    FilesTest::SetUp();
    for (const char* v :
         {"CHAINCODE_SERVER_ADDRESS", "CORE_CHAINCODE_ADDRESS", "CORE_CHAINCODE_ID", "CHAINCODE_ID",
          "CORE_CHAINCODE_ID_NAME", "CORE_CHAINCODE_TLS_CERT_FILE", "CORE_CHAINCODE_TLS_KEY_FILE",
          "CORE_CHAINCODE_TLS_CLIENT_CACERT_FILE", "CORE_CHAINCODE_TLS_CERT_PATH",
          "CORE_CHAINCODE_TLS_KEY_PATH", "CORE_CHAINCODE_TLS_CLIENT_CACERT_PATH",
          "CORE_CHAINCODE_EXECUTION", "CORE_CHAINCODE_BATCHSCHEDULING"}) {
      unsetenv(v);
    }
  }
};

TEST_F(ServerOptionsTest, ServerModeIsSelectedByTheServerAddress) {
  EXPECT_FALSE(ServerModeRequested());
  setenv("CHAINCODE_SERVER_ADDRESS", "0.0.0.0:9999", 1);
  EXPECT_TRUE(ServerModeRequested());
  unsetenv("CHAINCODE_SERVER_ADDRESS");
  setenv("CORE_CHAINCODE_ADDRESS", "0.0.0.0:9999", 1);
  EXPECT_TRUE(ServerModeRequested());
}

TEST_F(ServerOptionsTest, ReadsAddressIdAndExecution) {
  setenv("CHAINCODE_SERVER_ADDRESS", "0.0.0.0:9999", 1);
  auto missing = LoadServerOptions();
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("'CORE_CHAINCODE_ID' must be set"), std::string::npos);
  setenv("CORE_CHAINCODE_ID_NAME", "old:1.0", 1);
  EXPECT_EQ(LoadServerOptions()->chaincode_id, "old:1.0");
  setenv("CORE_CHAINCODE_ID", "mycc:1.0", 1);
  setenv("CORE_CHAINCODE_EXECUTION", "coroutines", 1);
  StartOptions defaults;
  defaults.max_concurrent_transactions = 7;
  auto o = LoadServerOptions(defaults);
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_EQ(o->address, "0.0.0.0:9999");
  EXPECT_EQ(o->chaincode_id, "mycc:1.0");
  EXPECT_FALSE(o->tls.enabled);
  EXPECT_EQ(o->connection.execution, StartOptions::Execution::kCoroutines);
  EXPECT_EQ(o->connection.max_concurrent_transactions, 7);
}

TEST_F(ServerOptionsTest, ReadsTlsFilesAsPemOrBase64) {
  setenv("CHAINCODE_SERVER_ADDRESS", "0.0.0.0:9999", 1);
  setenv("CORE_CHAINCODE_ID", "mycc:1.0", 1);
  setenv("CORE_CHAINCODE_TLS_CERT_FILE", WriteFile("cert.pem", kPem).c_str(), 1);
  auto half = LoadServerOptions();
  ASSERT_FALSE(half.ok());
  EXPECT_NE(half.status().message().find("needs both"), std::string::npos);
  setenv("CORE_CHAINCODE_TLS_KEY_PATH",
         WriteFile("key.b64", internal::Base64Encode("-----BEGIN PRIVATE KEY-----\nK\n")).c_str(),
         1);
  setenv("CORE_CHAINCODE_TLS_CLIENT_CACERT_FILE", WriteFile("ca.pem", kPem).c_str(), 1);
  auto o = LoadServerOptions();
  ASSERT_TRUE(o.ok()) << o.status();
  EXPECT_TRUE(o->tls.enabled);
  EXPECT_EQ(o->tls.cert_pem, kPem);
  EXPECT_EQ(o->tls.key_pem, "-----BEGIN PRIVATE KEY-----\nK\n");
  EXPECT_EQ(o->tls.client_ca_pem, kPem);
  setenv("CORE_CHAINCODE_TLS_CLIENT_CACERT_FILE", "/no/such/ca.pem", 1);
  EXPECT_EQ(LoadServerOptions().status().code(), StatusCode::kNotFound);
}

TEST_F(ServerOptionsTest, ClientCaWithoutServerCertificateIsRefused) {
  setenv("CHAINCODE_SERVER_ADDRESS", "0.0.0.0:9999", 1);
  setenv("CORE_CHAINCODE_ID", "mycc:1.0", 1);
  setenv("CORE_CHAINCODE_TLS_CLIENT_CACERT_FILE", WriteFile("ca.pem", kPem).c_str(), 1);
  auto o = LoadServerOptions();
  ASSERT_FALSE(o.ok());
  EXPECT_NE(o.status().message().find("needs TLS"), std::string::npos);
}

}  // namespace
}  // namespace fabric::shim
