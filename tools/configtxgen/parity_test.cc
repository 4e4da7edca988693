// SPDX-License-Identifier: Apache-2.0
//
// Output parity with Fabric 1.4.12's configtxgen: testdata/parity/configtx.yaml (Fabric's
// format) with the fixed crypto material next to it went through Fabric's configtxgen once; its
// outputs are in testdata/parity/fabric-1.4.12/. These tests run this configtxgen on the same
// inputs and compare the decoded artifacts, apart from what is fresh per run (timestamps, nonces,
// the tx ids and data hashes derived from them).

#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/common.pb.h"
#include "common/crypto/file_util.h"
#include "common/msp/testing/test_org.h"
#include "tools/configtxgen/inspect.h"
#include "tools/configtxgen/test_network.h"

namespace fabric::configtxgen {
namespace {

using nlohmann::json;
using testing::RunConfigtxgen;

const std::string kParityDir = CONFIGTXGEN_PARITY_DIR;

// Replaces the per-run fields with a marker, recursively.
void ClearFreshFields(json& value) {
  if (value.is_object()) {
    for (auto& [key, child] : value.items()) {
      if (key == "timestamp" || key == "nonce" || key == "tx_id" || key == "data_hash") {
        child = "<fresh>";
      } else {
        ClearFreshFields(child);
      }
    }
  } else if (value.is_array()) {
    for (json& child : value) {
      ClearFreshFields(child);
    }
  }
}

json Decoded(const std::string& file, bool block) {
  StatusOr<std::string> bytes = crypto::ReadFile(file);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  StatusOr<std::string> text = block ? InspectBlock(*bytes) : InspectEnvelope(*bytes);
  EXPECT_TRUE(text.ok()) << file << ": " << text.status();
  json tree = json::parse(text.ok() ? *text : "null");
  ClearFreshFields(tree);
  return tree;
}

struct ParityCase {
  std::string fabric_file;  // Under fabric-1.4.12/.
  std::vector<std::string> args;
};

class ParityTest : public ::testing::TestWithParam<ParityCase> {};

TEST_P(ParityTest, MatchesFabric) {
  const ParityCase& c = GetParam();
  msp::testing::TempDir out;
  const std::string ours = out.path() + "/" + c.fabric_file;
  std::vector<std::string> args = {"-configPath", kParityDir};
  args.insert(args.end(), c.args.begin(), c.args.end());
  args.push_back(ours);
  testing::CliResult result = RunConfigtxgen(args);
  ASSERT_EQ(result.code, kExitOk) << result.err;
  const bool block = c.fabric_file.ends_with(".block");
  const std::string fabric = kParityDir + "/fabric-1.4.12/" + c.fabric_file;
  EXPECT_EQ(Decoded(ours, block).dump(1), Decoded(fabric, block).dump(1));
  if (block) {
    // Header and metadata slots byte for byte (the data hash aside).
    common::Block a;
    common::Block b;
    ASSERT_TRUE(a.ParseFromString(crypto::ReadFile(ours).value()));
    ASSERT_TRUE(b.ParseFromString(crypto::ReadFile(fabric).value()));
    EXPECT_EQ(a.header().number(), b.header().number());
    EXPECT_EQ(a.header().previous_hash(), b.header().previous_hash());
    EXPECT_EQ(a.metadata().SerializeAsString(), b.metadata().SerializeAsString());
  }
}

// The fixture says what its configtx.yaml says (so the comparison above is not vacuous).
TEST(ParityFixtureTest, FabricRaftBlockHoldsTheConfiguredCluster) {
  json tree = Decoded(kParityDir + "/fabric-1.4.12/RaftSystemChannel.block", true);
  const json& orderer =
      tree["data"]["data"][0]["payload"]["data"]["config"]["channel_group"]["groups"]["Orderer"];
  const json& consensus = orderer["values"]["ConsensusType"]["value"];
  EXPECT_EQ(consensus["type"], "etcdraft");
  ASSERT_EQ(consensus["metadata"]["consenters"].size(), 3u);
  EXPECT_EQ(consensus["metadata"]["consenters"][2]["host"], "orderer3.example.com");
  EXPECT_EQ(consensus["metadata"]["consenters"][2]["port"], 9050);
  EXPECT_EQ(consensus["metadata"]["options"]["tick_interval"], "250ms");
  EXPECT_EQ(consensus["metadata"]["options"]["snapshot_interval_size"], 8 * 1024 * 1024);
  EXPECT_EQ(orderer["values"]["BatchSize"]["value"]["preferred_max_bytes"], 768 * 1024);
}

INSTANTIATE_TEST_SUITE_P(
    Fabric1412, ParityTest,
    ::testing::Values(
        ParityCase{"SoloSystemChannel.block",
                   {"-profile", "SoloSystemChannel", "-channelID", "syschannel", "-outputBlock"}},
        ParityCase{"KafkaSystemChannel.block",
                   {"-profile", "KafkaSystemChannel", "-channelID", "syschannel", "-outputBlock"}},
        ParityCase{"RaftSystemChannel.block",
                   {"-profile", "RaftSystemChannel", "-channelID", "syschannel", "-outputBlock"}},
        ParityCase{"ShadowedKafka.block",
                   {"-profile", "ShadowedKafka", "-channelID", "syschannel", "-outputBlock"}},
        ParityCase{"DefaultsChannel.block",
                   {"-profile", "DefaultsChannel", "-channelID", "appchannel", "-outputBlock"}},
        ParityCase{
            "channel.tx",
            {"-profile", "TwoOrgsChannel", "-channelID", "mychannel", "-outputCreateChannelTx"}},
        ParityCase{"anchors-Org1.tx",
                   {"-profile", "TwoOrgsChannel", "-channelID", "mychannel", "-asOrg", "Org1",
                    "-outputAnchorPeersUpdate"}},
        ParityCase{"anchors-Org2.tx",
                   {"-profile", "TwoOrgsChannel", "-channelID", "mychannel", "-asOrg", "Org2",
                    "-outputAnchorPeersUpdate"}}),
    [](const ::testing::TestParamInfo<ParityCase>& param_info) {
      std::string name = param_info.param.fabric_file;
      for (char& ch : name) {
        ch = std::isalnum(static_cast<unsigned char>(ch)) ? ch : '_';
      }
      return name;
    });

}  // namespace
}  // namespace fabric::configtxgen
