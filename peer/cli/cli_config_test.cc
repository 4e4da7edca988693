// SPDX-License-Identifier: Apache-2.0
//
// The CLI's configuration: core.yaml in FABRIC_CFG_PATH, CORE_* variables over it, paths
// relative to the file, and the endpoints and errors the commands get from it.

#include "peer/cli/cli_config.h"

#include <stdlib.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

#include <gtest/gtest.h>

#include "common/localconfig/testing/config_dir.h"
#include "common/msp/testing/test_org.h"
#include "peer/cli/cli.h"
#include "peer/cli/command.h"

namespace fabric::cli {
namespace {

namespace fs = std::filesystem;
using localconfig::testing::ConfigDir;
using Files = std::map<std::string, std::string>;

EnvLookup MapEnv(std::map<std::string, std::string> vars) {
  return [vars = std::move(vars)](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    return it == vars.end() ? std::nullopt : std::optional<std::string>(it->second);
  };
}

constexpr char kCoreYaml[] = R"(peer:
  address: peer0.org1.example.com:7051
  localMspId: Org1MSP
  mspConfigPath: crypto/msp
  tls:
    enabled: true
    clientAuthRequired: yes
    rootcert:
      file: tls/ca.crt
    clientCert:
      file: /etc/client/tls.crt
    clientKey:
      file: ./tls/../tls/client.key
    serverhostoverride: peer0.org1.example.com
  gossip:
    bootstrap: 127.0.0.1:7051
)";

TEST(CliConfigTest, ReadsCoreYamlInFabricCfgPathWithPathsRelativeToIt) {
  ConfigDir dir(Files{{"core.yaml", kCoreYaml}});
  auto c = LoadCliConfig(MapEnv({{"FABRIC_CFG_PATH", dir.path()}}));
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->file, dir.path() + "/core.yaml");
  EXPECT_EQ(c->peer_address, "peer0.org1.example.com:7051");
  EXPECT_TRUE(c->tls_enabled);
  EXPECT_TRUE(c->tls_client_auth_required);
  EXPECT_EQ(c->tls_root_cert_file, dir.path() + "/tls/ca.crt");
  EXPECT_EQ(c->tls_client_cert_file, "/etc/client/tls.crt");
  EXPECT_EQ(c->tls_client_key_file, dir.path() + "/tls/client.key");
  EXPECT_EQ(c->tls_server_host_override, "peer0.org1.example.com");
  EXPECT_EQ(c->local_msp_id, "Org1MSP");
  EXPECT_EQ(c->msp_config_path, dir.path() + "/crypto/msp");
}

TEST(CliConfigTest, EnvWinsOverTheFileAndItsRelativePathsResolveAgainstTheFile) {
  ConfigDir dir(Files{{"core.yaml", kCoreYaml}});
  auto c = LoadCliConfig(MapEnv({{"FABRIC_CFG_PATH", dir.path()},
                                 {"CORE_PEER_ADDRESS", "127.0.0.1:9051"},
                                 {"CORE_PEER_TLS_ENABLED", "false"},
                                 {"CORE_PEER_TLS_ROOTCERT_FILE", "other/ca.crt"},
                                 {"CORE_PEER_MSPCONFIGPATH", "/abs/msp"},
                                 {"CORE_PEER_LOCALMSPID", ""}}));  // empty: unset, as in Viper
  ASSERT_TRUE(c.ok()) << c.status();
  EXPECT_EQ(c->peer_address, "127.0.0.1:9051");
  EXPECT_FALSE(c->tls_enabled);
  EXPECT_EQ(c->tls_root_cert_file, dir.path() + "/other/ca.crt");
  EXPECT_EQ(c->msp_config_path, "/abs/msp");
  EXPECT_EQ(c->local_msp_id, "Org1MSP");
}

TEST(CliConfigTest, WithoutCoreYamlUsesTheEnvironmentAndDefaultsAsGiven) {
  ConfigDir dir(Files{});
  auto d = LoadCliConfig(MapEnv({{"FABRIC_CFG_PATH", dir.path()}}));
  ASSERT_TRUE(d.ok()) << d.status();
  EXPECT_EQ(d->file, "");
  EXPECT_EQ(d->peer_address, "0.0.0.0:7051");
  EXPECT_FALSE(d->tls_enabled);
  EXPECT_EQ(d->local_msp_id, "SampleOrg");
  EXPECT_EQ(d->msp_config_path, dir.path() + "/msp");

  auto e = LoadCliConfig(MapEnv({{"FABRIC_CFG_PATH", dir.path()},
                                 {"CORE_PEER_TLS_ENABLED", "true"},
                                 {"CORE_PEER_TLS_ROOTCERT_FILE", "tls/ca.crt"},
                                 {"CORE_PEER_MSPCONFIGPATH", "my/msp"}}));
  ASSERT_TRUE(e.ok()) << e.status();
  EXPECT_TRUE(e->tls_enabled);
  EXPECT_EQ(e->tls_root_cert_file, "tls/ca.crt");  // relative to the working directory
  EXPECT_EQ(e->msp_config_path, "my/msp");
  EXPECT_EQ(e->TranslatePath("ca.pem"), "ca.pem");
}

TEST(CliConfigTest, MalformedFileOrValueNamesFileLineAndKey) {
  ConfigDir syntax(Files{{"core.yaml", "peer:\n  address: 127.0.0.1:7051\n   bad: x\n"}});
  auto s = LoadCliConfig(MapEnv({{"FABRIC_CFG_PATH", syntax.path()}}));
  ASSERT_FALSE(s.ok());
  EXPECT_TRUE(s.status().IsInvalidArgument());
  EXPECT_EQ(s.status().message().rfind(
                "error when reading core config file: " + syntax.path() + "/core.yaml:3:", 0),
            0u)
      << s.status();

  ConfigDir value(Files{{"core.yaml", "peer:\n  tls:\n    enabled: maybe\n"}});
  auto v = LoadCliConfig(MapEnv({{"FABRIC_CFG_PATH", value.path()}}));
  ASSERT_FALSE(v.ok());
  EXPECT_NE(v.status().message().find(value.path() + "/core.yaml:3: peer.tls.enabled: \"maybe\" "
                                                     "is not a boolean"),
            std::string::npos)
      << v.status();

  auto env = LoadCliConfig(MapEnv({{"FABRIC_CFG_PATH", value.path() + "/none"},
                                   {"CORE_PEER_TLS_CLIENTAUTHREQUIRED", "sometimes"}}));
  ASSERT_FALSE(env.ok());
  EXPECT_NE(env.status().message().find("CORE_PEER_TLS_CLIENTAUTHREQUIRED: "), std::string::npos)
      << env.status();
}

TEST(CliConfigTest, CommandEndpointsComeFromTheConfiguration) {
  ConfigDir dir(Files{{"core.yaml", kCoreYaml}});
  auto c = LoadCliConfig(MapEnv({{"FABRIC_CFG_PATH", dir.path()}}));
  ASSERT_TRUE(c.ok()) << c.status();
  std::ostringstream out, err;
  Command cmd("test", out, err);
  cmd.AddOrdererFlags();
  ASSERT_TRUE(cmd.flags()
                  .Parse({"-o", "orderer:7050", "--tls", "--cafile", "orderer/ca.crt",
                          "--clientauth", "--certfile", "/abs/c.crt", "--keyfile", "c.key"})
                  .ok());
  cmd.set_config(*c);

  Endpoint peer = cmd.DefaultPeerEndpoint();
  EXPECT_EQ(peer.address, "peer0.org1.example.com:7051");
  EXPECT_TRUE(peer.tls);
  EXPECT_EQ(peer.root_cert_file, dir.path() + "/tls/ca.crt");
  EXPECT_EQ(peer.client_cert_file, "/etc/client/tls.crt");
  EXPECT_EQ(peer.client_key_file, dir.path() + "/tls/client.key");
  EXPECT_EQ(peer.server_name_override, "peer0.org1.example.com");

  // Fabric reads the orderer flags through config.GetPath: relative to core.yaml's directory.
  Endpoint orderer = cmd.OrdererEndpoint();
  EXPECT_EQ(orderer.address, "orderer:7050");
  EXPECT_TRUE(orderer.tls);
  EXPECT_EQ(orderer.root_cert_file, dir.path() + "/orderer/ca.crt");
  EXPECT_EQ(orderer.client_cert_file, "/abs/c.crt");
  EXPECT_EQ(orderer.client_key_file, dir.path() + "/c.key");
}

// The process's FABRIC_CFG_PATH, set for one test.
class ScopedCfgPath {
 public:
  explicit ScopedCfgPath(const std::string& dir) { setenv("FABRIC_CFG_PATH", dir.c_str(), 1); }
  ~ScopedCfgPath() { unsetenv("FABRIC_CFG_PATH"); }
};

TEST(CliConfigTest, RunCliExitsWithFabricsFatalErrorOnAMalformedFile) {
  ConfigDir dir(Files{{"core.yaml", "peer:\n  tls: [\n"}});
  ScopedCfgPath cfg(dir.path());
  std::ostringstream out, err;
  EXPECT_EQ(RunCli({"channel", "list"}, out, err), 1);
  EXPECT_NE(err.str().find(" UTC [main] ERRO Fatal error when initializing core config : error "
                           "when reading core config file: " +
                           dir.path() + "/core.yaml:"),
            std::string::npos)
      << err.str();
  EXPECT_EQ(out.str(), "");
}

TEST(CliConfigTest, RunCliSignsWithTheMspOfCoreYamlAndDialsItsPeerWithTls) {
  ConfigDir dir(Files{});
  auto org = msp::testing::MakeTestOrg(dir.path() + "/org", "Org1MSP", "org1.example.com");
  ASSERT_TRUE(org.ok()) << org.status();
  const std::string msp = fs::relative(org->admin.msp_dir, dir.path()).string();
  std::ofstream(dir.path() + "/core.yaml")
      << "peer:\n  address: 127.0.0.1:1\n  localMspId: Org1MSP\n  mspConfigPath: " << msp
      << "\n  tls:\n    enabled: true\n    rootcert:\n      file: tls/missing-ca.crt\n";
  ScopedCfgPath cfg(dir.path());
  std::ostringstream out, err;
  EXPECT_EQ(RunCli({"chaincode", "list", "--installed"}, out, err), 1);
  EXPECT_NE(err.str().find("cannot read TLS root cert " + dir.path() + "/tls/missing-ca.crt"),
            std::string::npos)
      << err.str();
}

}  // namespace
}  // namespace fabric::cli
