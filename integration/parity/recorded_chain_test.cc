// SPDX-License-Identifier: Apache-2.0
//
// Chains recorded from a Fabric 1.4.12 peer (testdata/*_chain.json, see README.md there),
// replayed through a whole fabric-cpp peer: the blocks, exactly as Fabric's orderer delivered
// them, come from a fake orderer to the peer's deliver client; the ProbeChaincode runs in dev
// mode under every name the recording used; each recorded SignedProposal is sent to the peer's
// Endorser over gRPC when the peer's ledger has the height Fabric's had when it endorsed it.
// Every ProposalResponse must equal Fabric's (status, message, payload bytes, whether it is
// endorsed), and every committed block must carry Fabric's TRANSACTIONS_FILTER and
// COMMIT_HASH.

#include <filesystem>
#include <fstream>
#include <thread>

#include <absl/strings/escaping.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "common/protoutil/blockutils.h"
#include "fabric/base/testing/wait_until.h"
#include "fabric/shim/start.h"
#include "integration/parity/probe_chaincode.h"
#include "integration/parity/testdata.h"
#include "ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "ledger/rwset/rwset.pb.h"
#include "peer/deliverclient/testing/fake_orderer.h"
#include "peer/ledger/ledger_manager.h"
#include "peer/ledger/testing/temp_dir.h"
#include "peer/node/node.h"
#include "peer/peer.grpc.pb.h"
#include "peer/proposal_response.pb.h"
#include "peer/scc/package_store.h"

namespace fabric {
namespace {

using namespace std::chrono_literals;

using parity::LoadTestdata;
using parity::Unbase64;

void WriteMsp(const std::string& dir, const nlohmann::json& files) {
  for (const auto& [path, content] : files.items()) {
    const std::filesystem::path p = std::filesystem::path(dir) / path;
    std::filesystem::create_directories(p.parent_path());
    std::ofstream(p, std::ios::binary) << Unbase64(content);
  }
}

// The installed package as the recording peer had it, without code: what Fabric's endorser
// checks when it runs an instantiated chaincode (one is installed under the name and version; a
// CDS package carries no instantiation policy) and what lscc lists (path, input).
std::string InstalledCds(const nlohmann::json& cc) {
  protos::ChaincodeDeploymentSpec cds;
  protos::ChaincodeSpec* spec = cds.mutable_chaincode_spec();
  spec->set_type(protos::ChaincodeSpec::GOLANG);
  spec->mutable_chaincode_id()->set_name(cc["name"]);
  spec->mutable_chaincode_id()->set_version(cc["version"]);
  spec->mutable_chaincode_id()->set_path(cc.value("path", ""));
  spec->mutable_input();
  return cds.SerializeAsString();
}

// The namespaces of a ProposalResponsePayload's simulation results, for failure messages.
std::string Describe(const std::string& prp_bytes) {
  protos::ProposalResponsePayload prp;
  protos::ChaincodeAction action;
  rwset::TxReadWriteSet rw;
  if (!prp.ParseFromString(prp_bytes) || !action.ParseFromString(prp.extension())) {
    return "(undecodable)";
  }
  std::string out = "proposal_hash=" + absl::BytesToHexString(prp.proposal_hash()) + "\n";
  rw.ParseFromString(action.results());
  for (const auto& ns : rw.ns_rwset()) {
    kvrwset::KVRWSet kv;
    kv.ParseFromString(ns.rwset());
    out += "ns " + ns.namespace_() + ": " + kv.ShortDebugString() + "\n";
  }
  action.clear_results();
  return out + action.ShortDebugString();
}

class RecordedChainTest : public ::testing::TestWithParam<std::string> {
 protected:
  void SetUp() override {
    rec_ = LoadTestdata(GetParam());
    for (const auto& b : rec_["blocks"]) {
      common::Block block;
      ASSERT_TRUE(block.ParseFromString(Unbase64(b["orderer_block_b64"])));
      blocks_.push_back(std::move(block));
    }
    ASSERT_FALSE(blocks_.empty());
    WriteMsp(dir_.Sub("msp"), rec_["replay_msp"]["files"]);
    JoinAndInstall();
    ASSERT_NE(orderer_.Start(), 0);
    orderer_.Add(blocks_[0]);
    StartPeer();
  }

  void TearDown() override {
    if (node_ != nullptr) {
      node_->Stop();  // ends the chaincode streams: the shims return
    }
    shims_.clear();
    node_.reset();
    orderer_.Stop();
  }

  // The ledger created from the genesis block, as `peer channel join` does, and the chaincodes
  // installed.
  void JoinAndInstall() {
    ledger::LedgerManager::Options options;
    options.root_dir = dir_.Sub("fs/ledgersData");
    auto ledgers = ledger::LedgerManager::Open(options);
    ASSERT_TRUE(ledgers.ok()) << ledgers.status();
    ASSERT_TRUE((*ledgers)->CreateLedger(blocks_[0]).ok());
    scc::PackageStore packages(dir_.Sub("fs"));
    for (const auto& cc : rec_["chaincodes"]) {
      ASSERT_TRUE(packages.Put(cc["name"], cc["version"], InstalledCds(cc)).ok());
    }
  }

  void StartPeer() {
    node::PeerConfig config;
    config.peer_id = "replay";
    config.listen_address = config.address = "127.0.0.1:0";
    config.chaincode_listen_address = "127.0.0.1:0";
    config.chaincode_listen_socket = "none";
    config.local_msp_id = rec_["replay_msp"]["mspid"];
    config.msp_config_path = dir_.Sub("msp");
    config.file_system_path = dir_.Sub("fs");
    config.launcher = node::LauncherKind::kDev;
    config.operations_listen_address = "127.0.0.1:0";
    config.batch_scheduling = false;
    config.orderer_address = orderer_.address();
    auto node = node::PeerNode::Start(config);
    ASSERT_TRUE(node.ok()) << node.status();
    node_ = std::move(*node);
    for (const auto& cc : rec_["chaincodes"]) {
      shim::StartOptions o;
      o.chaincode_id_name = cc["name"].get<std::string>() + ":" + cc["version"].get<std::string>();
      o.peer_address = "127.0.0.1:" + std::to_string(node_->chaincode_port());
      shims_.emplace_back([this, o] { (void)shim::Start(probe_, o); });
    }
    endorser_ = protos::Endorser::NewStub(grpc::CreateChannel(
        "127.0.0.1:" + std::to_string(node_->port()), grpc::InsecureChannelCredentials()));
  }

  uint64_t Height() {
    return 1 + node_->metrics().NewCounter("ledger_blocks_committed", "").Value();
  }

  // Hands the peer the recorded blocks below `height` and waits until it committed them.
  void ReleaseUpTo(uint64_t height) {
    while (released_ < height && released_ < blocks_.size()) {
      orderer_.Add(blocks_[released_++]);
    }
    (void)WaitUntil([&] { return Height() >= height; }, 60s);
    ASSERT_EQ(Height(), height) << "the peer did not commit block " << Height()
                                << "; the recorded Fabric peer did";
  }

  void ExpectFabricsResponse(const nlohmann::json& p) {
    SCOPED_TRACE("proposal " + p["label"].get<std::string>());
    if (p["label"] == "bad-json") {
      return;  // the Go probe answers with Go's JSON parser's error text, which is not the peer's
    }
    protos::SignedProposal sp;
    ASSERT_TRUE(sp.ParseFromString(Unbase64(p["signed_proposal_b64"])));
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 60s);
    protos::ProposalResponse got;
    grpc::Status status = endorser_->ProcessProposal(&ctx, sp, &got);
    const int fabric_code = p.value("grpc_code", 0);
    ASSERT_EQ(static_cast<int>(status.error_code()), fabric_code)
        << status.error_message() << " / Fabric: " << p.value("grpc_message", "");
    if (fabric_code != 0) {
      return;
    }
    protos::ProposalResponse want;
    ASSERT_TRUE(want.ParseFromString(Unbase64(p["fabric_response_b64"])));
    EXPECT_EQ(got.version(), want.version());
    EXPECT_EQ(got.response().status(), want.response().status());
    EXPECT_EQ(got.response().message(), want.response().message());
    EXPECT_EQ(got.response().payload(), want.response().payload());
    EXPECT_EQ(got.has_endorsement(), want.has_endorsement());
    EXPECT_EQ(got.payload(), want.payload()) << "fabric-cpp:\n"
                                             << Describe(got.payload()) << "\nFabric:\n"
                                             << Describe(want.payload());
  }

  void ExpectFabricsBlocks() {
    ledger::LedgerManager::Options options;
    options.root_dir = dir_.Sub("fs/ledgersData");
    auto ledgers = ledger::LedgerManager::Open(options);
    ASSERT_TRUE(ledgers.ok()) << ledgers.status();
    auto ledger = (*ledgers)->GetLedger(rec_["channel"]);
    ASSERT_TRUE(ledger.ok()) << ledger.status();
    for (size_t i = 1; i < blocks_.size(); ++i) {
      const nlohmann::json& b = rec_["blocks"][i];
      SCOPED_TRACE("block " + std::to_string(i) + ": " + b.value("description", ""));
      auto block = (*ledger)->GetBlockByNumber(i);
      ASSERT_TRUE(block.ok()) << block.status();
      const auto& md = block->metadata();
      EXPECT_EQ(absl::BytesToHexString(md.metadata(common::TRANSACTIONS_FILTER)),
                b["fabric_filter_hex"]);
      EXPECT_EQ(md.metadata_size() > common::COMMIT_HASH
                    ? absl::BytesToHexString(md.metadata(common::COMMIT_HASH))
                    : "",
                b["fabric_commit_hash_hex"]);
      EXPECT_EQ(absl::BytesToHexString(protoutil::BlockHeaderHash(block->header())),
                b["fabric_header_hash_hex"]);
    }
  }

  nlohmann::json rec_;
  std::vector<common::Block> blocks_;
  size_t released_ = 1;
  ledger::testing::TempDir dir_;
  deliverclient::testing::FakeOrderer orderer_;
  parity::ProbeChaincode probe_;
  std::unique_ptr<node::PeerNode> node_;
  std::vector<std::jthread> shims_;
  std::unique_ptr<protos::Endorser::Stub> endorser_;
};

TEST_P(RecordedChainTest, EndorsesAndCommitsAsFabricDid) {
  for (const auto& p : rec_["proposals"]) {
    ASSERT_NO_FATAL_FAILURE(ReleaseUpTo(p["height"].get<uint64_t>()));
    ExpectFabricsResponse(p);
  }
  ASSERT_NO_FATAL_FAILURE(ReleaseUpTo(blocks_.size()));
  node_->Stop();
  shims_.clear();
  node_.reset();
  ExpectFabricsBlocks();
}

INSTANTIATE_TEST_SUITE_P(Fabric1412, RecordedChainTest,
                         ::testing::Values("endorsement_chain.json", "crafted_chain.json"),
                         [](const auto& test_param) {
                           return test_param.param.substr(0, test_param.param.find('_'));
                         });

}  // namespace
}  // namespace fabric
