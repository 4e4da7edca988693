// SPDX-License-Identifier: Apache-2.0
//
// configtxgen reading Fabric's configtx.yaml: the shipped sampleconfig/configtx.yaml, Fabric's
// semantics (no implicit defaults, Fabric's zero-means-unset), etcdraft and kafka sections,
// ignored and unknown fields, and errors naming file and line.

#include <filesystem>
#include <string>

#include <gmock/gmock.h>
#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include "common/crypto/file_util.h"
#include "common/msp/testing/status_testing.h"
#include "fabric/base/status_macros.h"
#include "orderer/cluster/cluster.pb.h"
#include "orderer/configuration.pb.h"
#include "tools/common/yaml_json.h"
#include "tools/configtxgen/encoder.h"
#include "tools/configtxgen/profile.h"
#include "tools/configtxgen/test_network.h"

namespace fabric::configtxgen {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using testing::NetworkDir;
using testing::RunConfigtxgen;

StatusOr<Profile> LoadYaml(std::string_view text, std::string_view profile,
                           const std::string& dir = "/cfg") {
  ASSIGN_OR_RETURN(nlohmann::json root, tools::ParseYaml(text, "configtx.yaml"));
  return LoadProfileFromDocument(root, profile, ConfigStyle::kFabric, dir, "configtx.yaml");
}

// A folder `name` of the test network holding the shipped sampleconfig/configtx.yaml.
std::string SampleYamlDir(const std::string& name) {
  const std::string dir = NetworkDir() + "/" + name;
  std::filesystem::create_directories(dir);
  std::error_code ec;
  std::filesystem::create_symlink(NetworkDir() + "/crypto-config", dir + "/crypto-config", ec);
  std::filesystem::copy_file(CONFIGTXGEN_SAMPLE_YAML, dir + "/configtx.yaml",
                             std::filesystem::copy_options::overwrite_existing);
  return dir;
}

// The shipped YAML sample says what the built-in configtx.json says.
TEST(YamlConfigTest, SampleConfigMatchesBuiltInJson) {
  const std::string dir = SampleYamlDir("sample-yaml");
  for (const char* name :
       {"TwoOrgsOrdererGenesis", "TwoOrgsChannel", "TwoOrgsApplicationGenesis"}) {
    SCOPED_TRACE(name);
    ASSERT_OK_AND_ASSIGN(Profile yaml, LoadProfileFile(dir + "/configtx.yaml", name));
    ASSERT_OK_AND_ASSIGN(Profile json, LoadProfile(DefaultConfigJson(), name, NetworkDir()));
    EXPECT_TRUE(yaml.ignored_keys.empty());
    ASSERT_OK_AND_ASSIGN(common::ConfigGroup from_yaml, NewChannelGroup(yaml));
    ASSERT_OK_AND_ASSIGN(common::ConfigGroup from_json, NewChannelGroup(json));
    EXPECT_TRUE(google::protobuf::util::MessageDifferencer::Equals(from_yaml, from_json));
  }
}

constexpr char kOrgs[] = R"(
Organizations:
  - &A
    Name: A
    ID: AMSP
    MSPDir: msp/a
    SkipAsForeign: false
  - &B
    Name: B
    ID: BMSP
    MSPDir: /abs/msp/b
    AdminPrincipal: Role.MEMBER
    SkipAsForeign: true
Capabilities:
  Channel: &ChannelCaps
    V1_4_3: true
    V1_3: false
)";

TEST(YamlConfigTest, FabricDefaultsFillUnsetAndZeroFields) {
  ASSERT_OK_AND_ASSIGN(Profile p, LoadYaml(std::string(kOrgs) + R"(
Profiles:
  P:
    Orderer:
      Addresses:
      BatchTimeout: 0s
      BatchSize: {MaxMessageCount: 0, AbsoluteMaxBytes: 0}
      Organizations:
        - *A
    Application:
      Organizations:
)",
                                           "P"));
  ASSERT_TRUE(p.orderer.has_value());
  EXPECT_EQ(p.orderer->orderer_type, "solo");
  EXPECT_THAT(p.orderer->addresses, ElementsAre("127.0.0.1:7050"));
  EXPECT_EQ(p.orderer->batch_timeout, std::chrono::seconds(2));
  EXPECT_EQ(p.orderer->batch_size.max_message_count, 500u);
  EXPECT_EQ(p.orderer->batch_size.absolute_max_bytes, 10u * 1024 * 1024);
  EXPECT_EQ(p.orderer->organizations[0].msp_dir, "/cfg/msp/a");
  EXPECT_TRUE(p.orderer->organizations[0].policies.empty());
  EXPECT_TRUE(p.application->organizations.empty());
  // Fabric style: nothing comes from the top-level sections implicitly.
  EXPECT_TRUE(p.capabilities.empty());
  EXPECT_TRUE(p.policies.empty());
}

TEST(YamlConfigTest, MergedSectionsAndOrgOverrides) {
  ASSERT_OK_AND_ASSIGN(Profile p, LoadYaml(std::string(kOrgs) + R"(
Channel: &ChannelDefaults
  Capabilities:
    <<: *ChannelCaps
Profiles:
  P:
    <<: *ChannelDefaults
    Consortium: C
    Application:
      Organizations:
        - <<: *B
          AnchorPeers: [{Host: peer0.b, Port: 9051}]
)",
                                           "P"));
  EXPECT_THAT(p.capabilities, ElementsAre("V1_4_3"));
  ASSERT_EQ(p.application->organizations.size(), 1u);
  const OrganizationSpec& b = p.application->organizations[0];
  EXPECT_EQ(b.msp_dir, "/abs/msp/b");
  EXPECT_EQ(b.admin_principal, "Role.MEMBER");
  ASSERT_EQ(b.anchor_peers.size(), 1u);
  EXPECT_EQ(b.anchor_peers[0].port, 9051);
  // SkipAsForeign appears twice; it is reported once, at its first place.
  EXPECT_THAT(p.ignored_keys, ElementsAre("Organizations[0].SkipAsForeign"));
}

TEST(YamlConfigTest, EtcdRaftSectionResolvesCertPathsAndChecksTicks) {
  const std::string raft = std::string(kOrgs) + R"(
Profiles:
  P:
    Orderer:
      OrdererType: etcdraft
      EtcdRaft:
        Consenters:
          - {Host: o1, Port: 7050, ClientTLSCert: tls/c.pem, ServerTLSCert: /abs/s.pem}
        Options: {TickInterval: 100ms, ElectionTick: 5, SnapshotIntervalSize: 1 MB}
)";
  ASSERT_OK_AND_ASSIGN(Profile p, LoadYaml(raft, "P"));
  const EtcdRaftSpec& spec = p.orderer->etcd_raft;
  ASSERT_EQ(spec.consenters.size(), 1u);
  EXPECT_EQ(spec.consenters[0].client_tls_cert, "/cfg/tls/c.pem");
  EXPECT_EQ(spec.consenters[0].server_tls_cert, "/abs/s.pem");
  EXPECT_EQ(spec.tick_interval, "100ms");
  EXPECT_EQ(spec.election_tick, 5u);
  EXPECT_EQ(spec.heartbeat_tick, 1u);
  EXPECT_EQ(spec.max_inflight_blocks, 5u);
  EXPECT_EQ(spec.snapshot_interval_size, 1024u * 1024);

  std::string bad_ticks = raft;
  bad_ticks.replace(bad_ticks.find("ElectionTick: 5"), 15, "ElectionTick: 1");
  EXPECT_THAT(LoadYaml(bad_ticks, "P").status().message(),
              HasSubstr("ElectionTick must be greater than HeartbeatTick"));
  EXPECT_THAT(LoadYaml(std::string(kOrgs) + "Profiles:\n  P:\n    Orderer:\n"
                                            "      OrdererType: etcdraft\n"
                                            "      EtcdRaft:\n        Consenters:\n",
                       "P")
                  .status()
                  .message(),
              HasSubstr("Profiles.P.Orderer.EtcdRaft.Consenters: must list at least one"));
}

TEST(YamlConfigTest, EtcdSectionNeedsEndpoints) {
  const std::string etcd = std::string(kOrgs) + R"(
Profiles:
  P:
    Orderer:
      OrdererType: etcd
      Etcd:
        Endpoints: [10.0.0.1:2379, 10.0.0.2:2379]
        TLS: true
)";
  ASSERT_OK_AND_ASSIGN(Profile p, LoadYaml(etcd, "P"));
  EXPECT_EQ(p.orderer->orderer_type, "etcd");
  EXPECT_THAT(p.orderer->etcd.endpoints, ElementsAre("10.0.0.1:2379", "10.0.0.2:2379"));
  EXPECT_TRUE(p.orderer->etcd.tls);

  const std::string no_section =
      std::string(kOrgs) + "Profiles:\n  P:\n    Orderer:\n      OrdererType: etcd\n";
  EXPECT_THAT(LoadYaml(no_section, "P").status().message(),
              HasSubstr("OrdererType etcd needs an Etcd section with Endpoints"));
  EXPECT_THAT(LoadYaml(no_section + "      Etcd:\n        Endpoints: []\n", "P").status().message(),
              HasSubstr("Profiles.P.Orderer.Etcd.Endpoints: must list at least one etcd endpoint"));
  EXPECT_THAT(
      LoadYaml(no_section + "      Etcd:\n        Endpoints: [nohost]\n", "P").status().message(),
      HasSubstr("\"nohost\" is not host:port"));
}

// The sample's etcd profile: ConsensusType etcd with its endpoints as EtcdConfigMetadata.
TEST(YamlConfigTest, SampleEtcdProfileEncodesEtcdConsensusType) {
  const std::string dir = SampleYamlDir("sample-etcd");
  for (const char* name : {"EtcdOrdererGenesis", "EtcdApplicationGenesis"}) {
    SCOPED_TRACE(name);
    ASSERT_OK_AND_ASSIGN(Profile profile, LoadProfileFile(dir + "/configtx.yaml", name));
    ASSERT_OK_AND_ASSIGN(common::ConfigGroup group, NewChannelGroup(profile));
    ::orderer::ConsensusType consensus;
    ASSERT_TRUE(consensus.ParseFromString(
        group.groups().at("Orderer").values().at("ConsensusType").value()));
    EXPECT_EQ(consensus.type(), "etcd");
    fabric::orderer::cluster::EtcdConfigMetadata metadata;
    ASSERT_TRUE(metadata.ParseFromString(consensus.metadata()));
    EXPECT_THAT(metadata.endpoints(),
                ElementsAre("127.0.0.1:2379", "127.0.0.1:2479", "127.0.0.1:2579"));
    EXPECT_FALSE(metadata.tls());
  }
}

TEST(YamlConfigTest, UnknownFieldsAndBadValuesNameTheirPlace) {
  EXPECT_THAT(LoadYaml("Profiles:\n  P:\n    Orderer:\n      Bogus: 1\n", "P").status().message(),
              HasSubstr("configtx.yaml: Profiles.P.Orderer: unknown field \"Bogus\""));
  EXPECT_THAT(LoadYaml("Bogus: 1\nProfiles:\n  P: {}\n", "P").status().message(),
              HasSubstr("unknown field \"Bogus\""));
  EXPECT_THAT(
      LoadYaml(std::string(kOrgs) + "Profiles:\n  P:\n    Application:\n      Organizations:\n"
                                    "        - {Name: X, ID: X, MSPDir: m, AdminPrincipal: R}\n",
               "P")
          .status()
          .message(),
      HasSubstr("AdminPrincipal: \"R\" is neither Role.ADMIN nor Role.MEMBER"));
  EXPECT_EQ(LoadYaml("Profiles:\n  P: {}\n", "Q").status().code(), StatusCode::kNotFound);
}

TEST(YamlConfigTest, CliReportsBadYamlWithFileAndLine) {
  msp::testing::TempDir dir;
  ASSERT_OK(crypto::WriteFileAtomic(dir.path() + "/configtx.yaml",
                                    "Profiles:\n  P:\n    Orderer: [1, 2\n  Q: 1\n", 0644));
  testing::CliResult result =
      RunConfigtxgen({"-configPath", dir.path(), "-profile", "P", "-channelID", "c", "-outputBlock",
                      dir.path() + "/b.block"});
  EXPECT_EQ(result.code, kExitError);
  EXPECT_THAT(result.err, HasSubstr(dir.path() + "/configtx.yaml:4:"));
}

// configtx.yaml is preferred over configtx.json; ignored fields are reported on stderr once.
TEST(YamlConfigTest, CliPrefersYamlAndWarnsAboutIgnoredFields) {
  const std::string dir = NetworkDir() + "/warn";
  std::filesystem::create_directories(dir);
  std::error_code ec;
  std::filesystem::create_symlink(NetworkDir() + "/crypto-config", dir + "/crypto-config", ec);
  ASSERT_OK_AND_ASSIGN(std::string sample, crypto::ReadFile(CONFIGTXGEN_SAMPLE_YAML));
  for (size_t at = sample.find("        ID: "); at != std::string::npos;
       at = sample.find("        ID: ", at + 30)) {
    sample.insert(at, "        SkipAsForeign: false\n");
  }
  ASSERT_OK(crypto::WriteFileAtomic(dir + "/configtx.yaml", sample, 0644));
  ASSERT_OK(crypto::WriteFileAtomic(dir + "/configtx.json", "not json", 0644));
  testing::CliResult result =
      RunConfigtxgen({"-configPath", dir, "-profile", "TwoOrgsChannel", "-channelID", "c",
                      "-outputCreateChannelTx", dir + "/c.tx"});
  ASSERT_EQ(result.code, kExitOk) << result.err;
  EXPECT_THAT(result.err, HasSubstr("ignoring Organizations[0].SkipAsForeign"));
  EXPECT_EQ(result.err.find("SkipAsForeign"), result.err.rfind("SkipAsForeign"));
}

}  // namespace
}  // namespace fabric::configtxgen
