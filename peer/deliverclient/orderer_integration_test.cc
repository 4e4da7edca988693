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

TEST(OrdererIntegrationTest, BlocksFromTheSoloOrdererAreVerifiedAndCommitted) {
  msp::testing::TempDir tmp;
  ASSERT_OK_AND_ASSIGN(
      common::Block genesis,
      ot::MakeGenesis("TwoOrgsApplicationGenesis", kChannel,
                      {.absolute_max_bytes = 99 * 1024 * 1024, .preferred_max_bytes = 512 * 1024}));
  const std::string genesis_path = tmp.path() + "/genesis.block";
  ASSERT_OK(ot::WriteBlock(genesis_path, genesis));
  ASSERT_OK_AND_ASSIGN(auto orderer,
                       fabric::orderer::Orderer::Start(ot::TestConfig(tmp.path(), {genesis_path})));

  ledger::LedgerManager::Options lm;
  lm.root_dir = tmp.path() + "/peer/ledgersData";
  ASSERT_OK_AND_ASSIGN(auto ledgers, ledger::LedgerManager::Open(lm));
  ASSERT_OK_AND_ASSIGN(ledger::KvLedger * ledger, ledgers->CreateLedger(genesis));
  ASSERT_OK_AND_ASSIGN(auto config, committer::LoadChannelConfig(*ledger));
  committer::Committer committer(committer::TxValidator::Options{}, *ledger, config);

  auto peer1 = LoadPeer(1);
  auto admin = ot::LoadUser(1, "Admin");
  DeliverClient::Options options;
  options.addresses = {absl::StrFormat("127.0.0.1:%d", orderer->port())};
  options.initial_backoff = std::chrono::milliseconds(50);
  DeliverClient client(options, committer, *peer1);
  client.Start();

  auto stub = ::orderer::AtomicBroadcast::NewStub(
      grpc::CreateChannel(options.addresses[0], grpc::InsecureChannelCredentials()));
  auto wait_height = [&](uint64_t h, int seconds = 10) {
    for (int i = 0; i < seconds * 100 && ledger->GetBlockchainInfo().height() < h; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    return ledger->GetBlockchainInfo().height() >= h;
  };

  // lscc deploy of mycc (endorsed by Org1's peer, created by Org1's admin).
  protos::ChaincodeDeploymentSpec cds;
  cds.mutable_chaincode_spec()->set_type(protos::ChaincodeSpec::GOLANG);
  cds.mutable_chaincode_spec()->mutable_chaincode_id()->set_name("mycc");
  cds.mutable_chaincode_spec()->mutable_chaincode_id()->set_version("1.0");
  committer::testing::TxSpec deploy;
  deploy.channel = kChannel;
  deploy.chaincode = "lscc";
  deploy.args = {"deploy", kChannel, cds.SerializeAsString()};
  deploy.creator = admin.get();
  deploy.endorsers = {peer1.get()};
  ledger::RWSetBuilder rw;
  rw.AddToWriteSet("lscc", "mycc",
                   committer::testing::ChaincodeDataBytes(
                       "mycc", "1.0", policies::SignedByAnyMember({"Org1MSP", "Org2MSP"}),
                       policies::SignedByAnyAdmin({"Org1MSP", "Org2MSP"})));
  deploy.rwset = rw.GetTxSimulationResults();
  ASSERT_OK_AND_ASSIGN(common::Envelope deploy_tx, committer::testing::MakeEndorserTx(deploy));
  Broadcast(*stub, deploy_tx);
  ASSERT_TRUE(wait_height(2));

  committer::testing::TxSpec invoke;
  invoke.channel = kChannel;
  invoke.creator = admin.get();
  invoke.endorsers = {peer1.get()};
  ledger::RWSetBuilder rw2;
  rw2.AddToWriteSet("mycc", "a", "100");
  invoke.rwset = rw2.GetTxSimulationResults();
  ASSERT_OK_AND_ASSIGN(common::Envelope invoke_tx, committer::testing::MakeEndorserTx(invoke));
  Broadcast(*stub, invoke_tx);
  ASSERT_TRUE(wait_height(3));

  for (uint64_t n = 1; n <= 2; ++n) {
    ASSERT_OK_AND_ASSIGN(common::Block block, ledger->GetBlockByNumber(n));
    EXPECT_EQ(ledger::TxFilterFromBlock(block),
              std::vector<protos::TxValidationCode>{protos::VALID})
        << "block " << n;
  }
  auto qe = ledger->NewQueryExecutor();
  EXPECT_EQ(qe->GetState("mycc", "a").value(), "100");
  qe->Done();

  // Transactions above gRPC's default 4 MiB receive limit, up to Fabric's 100 MiB message
  // limit: the orderer (AbsoluteMaxBytes 99 MB) orders each into its own block, and the deliver
  // client must receive that block.
  uint64_t height = 3;
  for (size_t mib : {5, 90}) {
    committer::testing::TxSpec big = invoke;
    ledger::RWSetBuilder rw3;
    rw3.AddToWriteSet("mycc", absl::StrFormat("big%d", mib), std::string(mib << 20, 'x'));
    big.rwset = rw3.GetTxSimulationResults();
    ASSERT_OK_AND_ASSIGN(common::Envelope big_tx, committer::testing::MakeEndorserTx(big));
    Broadcast(*stub, big_tx);
    ++height;
    // The block store shows the height before state is written: wait for the whole commit.
    for (int i = 0; i < 6000 && client.blocks_committed() < height - 1; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    ASSERT_EQ(client.blocks_committed(), height - 1)
        << mib << " MiB transaction not committed: " << client.last_error().ToString();
    ASSERT_OK_AND_ASSIGN(common::Block block, ledger->GetBlockByNumber(height - 1));
    EXPECT_EQ(ledger::TxFilterFromBlock(block),
              std::vector<protos::TxValidationCode>{protos::VALID});
    auto big_qe = ledger->NewQueryExecutor();
    EXPECT_EQ(big_qe->GetState("mycc", absl::StrFormat("big%d", mib)).value().size(), mib << 20);
    big_qe->Done();
  }
  client.Stop();
  orderer->Stop();
}

}  // namespace
}  // namespace fabric::deliverclient
