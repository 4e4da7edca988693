// SPDX-License-Identifier: Apache-2.0
//
// The deliver client and committer against the real solo orderer (orderer/), in process over
// gRPC on 127.0.0.1: an lscc deploy and then an invoke are broadcast, cut into orderer-signed
// blocks, pulled, verified, validated and committed by the peer.

#include <thread>

#include <absl/strings/str_format.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "common/msp/testing/status_testing.h"
#include "common/msp/x509_signing_identity.h"
#include "common/policies/builder.h"
#include "fabric/base/testing/wait_until.h"
#include "orderer/ab.grpc.pb.h"
#include "orderer/node.h"
#include "orderer/testing/test_network.h"
#include "peer/chaincode.pb.h"
#include "peer/committer/committer.h"
#include "peer/committer/testing/test_network.h"
#include "peer/deliverclient/deliver_client.h"
#include "peer/ledger/block_parser.h"
#include "peer/ledger/ledger_manager.h"
#include "peer/ledger/rwset_builder.h"

namespace fabric::deliverclient {
namespace {

namespace ot = ::fabric::orderer::testing;
constexpr char kChannel[] = "intchannel";

std::unique_ptr<msp::X509SigningIdentity> LoadPeer(int org) {
  auto id = msp::LoadSigningIdentity(
      absl::StrFormat("%s/crypto-config/peerOrganizations/org%d.example.com/peers/"
                      "peer0.org%d.example.com/msp",
                      ot::NetworkDir(), org, org),
      absl::StrFormat("Org%dMSP", org));
  EXPECT_TRUE(id.ok()) << id.status();
  return id.ok() ? *std::move(id) : nullptr;
}

void Broadcast(::orderer::AtomicBroadcast::Stub& stub, const common::Envelope& env) {
  grpc::ClientContext ctx;
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
  auto stream = stub.Broadcast(&ctx);
  ASSERT_TRUE(stream->Write(env));
  ::orderer::BroadcastResponse r;
  ASSERT_TRUE(stream->Read(&r));
  EXPECT_EQ(r.status(), common::SUCCESS) << r.info();
  stream->WritesDone();
  (void)stream->Finish();
}

// A solo orderer and one peer's ledger, committer and deliver client on the channel.
class OrdererIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_NO_FATAL_FAILURE(StartOrderer());
    ASSERT_NO_FATAL_FAILURE(JoinPeer());
    StartDeliverClient();
  }
  void TearDown() override {
    if (client_ != nullptr) {
      client_->Stop();
    }
    if (orderer_ != nullptr) {
      orderer_->Stop();
    }
  }

  void StartOrderer() {
    ASSERT_OK_AND_ASSIGN(genesis_, ot::MakeGenesis("TwoOrgsApplicationGenesis", kChannel,
                                                   {.absolute_max_bytes = 99 * 1024 * 1024,
                                                    .preferred_max_bytes = 512 * 1024}));
    const std::string genesis_path = tmp_.path() + "/genesis.block";
    ASSERT_OK(ot::WriteBlock(genesis_path, genesis_));
    ASSERT_OK_AND_ASSIGN(
        orderer_, fabric::orderer::Orderer::Start(ot::TestConfig(tmp_.path(), {genesis_path})));
  }
  void JoinPeer() {
    ledger::LedgerManager::Options lm;
    lm.root_dir = tmp_.path() + "/peer/ledgersData";
    ASSERT_OK_AND_ASSIGN(ledgers_, ledger::LedgerManager::Open(lm));
    ASSERT_OK_AND_ASSIGN(ledger_, ledgers_->CreateLedger(genesis_));
    ASSERT_OK_AND_ASSIGN(auto config, committer::LoadChannelConfig(*ledger_));
    committer_ =
        std::make_unique<committer::Committer>(committer::TxValidator::Options{}, *ledger_, config);
  }
  void StartDeliverClient() {
    DeliverClient::Options options;
    options.addresses = {absl::StrFormat("127.0.0.1:%d", orderer_->port())};
    options.initial_backoff = std::chrono::milliseconds(50);
    client_ = std::make_unique<DeliverClient>(options, *committer_, *peer1_);
    client_->Start();
    stub_ = ::orderer::AtomicBroadcast::NewStub(
        grpc::CreateChannel(options.addresses[0], grpc::InsecureChannelCredentials()));
  }

  // An lscc deploy of mycc (endorsed by Org1's peer, created by Org1's admin).
  StatusOr<common::Envelope> DeployTx() {
    protos::ChaincodeDeploymentSpec cds;
    cds.mutable_chaincode_spec()->set_type(protos::ChaincodeSpec::GOLANG);
    cds.mutable_chaincode_spec()->mutable_chaincode_id()->set_name("mycc");
    cds.mutable_chaincode_spec()->mutable_chaincode_id()->set_version("1.0");
    committer::testing::TxSpec deploy;
    deploy.channel = kChannel;
    deploy.chaincode = "lscc";
    deploy.args = {"deploy", kChannel, cds.SerializeAsString()};
    deploy.creator = admin_.get();
    deploy.endorsers = {peer1_.get()};
    ledger::RWSetBuilder rw;
    rw.AddToWriteSet("lscc", "mycc",
                     committer::testing::ChaincodeDataBytes(
                         "mycc", "1.0", policies::SignedByAnyMember({"Org1MSP", "Org2MSP"}),
                         policies::SignedByAnyAdmin({"Org1MSP", "Org2MSP"})));
    deploy.rwset = rw.GetTxSimulationResults();
    return committer::testing::MakeEndorserTx(deploy);
  }
  // An invocation of mycc that writes `value` to `key`.
  StatusOr<common::Envelope> InvokeTx(const std::string& key, const std::string& value) {
    committer::testing::TxSpec invoke;
    invoke.channel = kChannel;
    invoke.creator = admin_.get();
    invoke.endorsers = {peer1_.get()};
    ledger::RWSetBuilder rw;
    rw.AddToWriteSet("mycc", key, value);
    invoke.rwset = rw.GetTxSimulationResults();
    return committer::testing::MakeEndorserTx(invoke);
  }

  bool WaitHeight(uint64_t h) {
    return WaitUntil([&] { return ledger_->GetBlockchainInfo().height() >= h; });
  }
  // Block `n` holds one transaction, and it is valid.
  void ExpectOneValidTx(uint64_t n) {
    ASSERT_OK_AND_ASSIGN(common::Block block, ledger_->GetBlockByNumber(n));
    EXPECT_EQ(ledger::TxFilterFromBlock(block),
              std::vector<protos::TxValidationCode>{protos::VALID})
        << "block " << n;
  }
  std::string CommittedValue(const std::string& key) {
    auto qe = ledger_->NewQueryExecutor();
    std::string value = qe->GetState("mycc", key).value();
    qe->Done();
    return value;
  }

  msp::testing::TempDir tmp_;
  common::Block genesis_;
  std::unique_ptr<fabric::orderer::Orderer> orderer_;
  std::unique_ptr<ledger::LedgerManager> ledgers_;
  ledger::KvLedger* ledger_ = nullptr;
  std::unique_ptr<committer::Committer> committer_;
  std::unique_ptr<msp::X509SigningIdentity> peer1_ = LoadPeer(1);
  std::unique_ptr<msp::X509SigningIdentity> admin_ = ot::LoadUser(1, "Admin");
  std::unique_ptr<DeliverClient> client_;
  std::unique_ptr<::orderer::AtomicBroadcast::Stub> stub_;
};

TEST_F(OrdererIntegrationTest, BlocksFromTheSoloOrdererAreVerifiedAndCommitted) {
  ASSERT_OK_AND_ASSIGN(common::Envelope deploy_tx, DeployTx());
  Broadcast(*stub_, deploy_tx);
  ASSERT_TRUE(WaitHeight(2));
  ASSERT_OK_AND_ASSIGN(common::Envelope invoke_tx, InvokeTx("a", "100"));
  Broadcast(*stub_, invoke_tx);
  ASSERT_TRUE(WaitHeight(3));

  for (uint64_t n = 1; n <= 2; ++n) {
    ExpectOneValidTx(n);
  }
  EXPECT_EQ(CommittedValue("a"), "100");

  // Transactions above gRPC's default 4 MiB receive limit, up to Fabric's 100 MiB message
  // limit: the orderer (AbsoluteMaxBytes 99 MB) orders each into its own block, and the deliver
  // client must receive that block.
  uint64_t height = 3;
  for (size_t mib : {5, 90}) {
    const std::string key = absl::StrFormat("big%d", mib);
    ASSERT_OK_AND_ASSIGN(common::Envelope big_tx, InvokeTx(key, std::string(mib << 20, 'x')));
    Broadcast(*stub_, big_tx);
    ++height;
    // The block store shows the height before state is written: wait for the whole commit.
    (void)WaitUntil([&] { return client_->blocks_committed() >= height - 1; },
                    std::chrono::seconds(60));
    ASSERT_EQ(client_->blocks_committed(), height - 1)
        << mib << " MiB transaction not committed: " << client_->last_error().ToString();
    ExpectOneValidTx(height - 1);
    EXPECT_EQ(CommittedValue(key).size(), mib << 20);
  }
}

}  // namespace
}  // namespace fabric::deliverclient
