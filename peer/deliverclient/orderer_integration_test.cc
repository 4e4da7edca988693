// SPDX-License-Identifier: Apache-2.0
//
// The deliver client and committer against the real solo orderer (orderer/), in process over
// gRPC on 127.0.0.1: an lscc deploy and then an invoke are broadcast, cut into orderer-signed
// blocks, pulled, verified, validated and committed by the peer; in plaintext, and with TLS and
// client authentication required by the orderer (the peer trusting the orderer org's TLS CA from
// the channel config and presenting its TLS key pair).

#include <thread>

#include <absl/strings/str_format.h>
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "common/channelconfig/testing/test_channel.h"
#include "common/comm/tls.h"
#include "common/logging/testing/log_capture.h"
#include "common/msp/testing/status_testing.h"
#include "common/msp/testing/test_org.h"
#include "common/msp/x509_signing_identity.h"
#include "common/policies/builder.h"
#include "fabric/base/status_macros.h"
#include "fabric/base/testing/wait_until.h"
#include "msp/msp_config.pb.h"
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
    fabric::orderer::OrdererConfig config = ot::TestConfig(tmp_.path(), {genesis_path});
    if (tls_) {
      config.tls = ot::OrdererTls(/*client_auth_required=*/true);
    }
    ASSERT_OK_AND_ASSIGN(orderer_, fabric::orderer::Orderer::Start(config));
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
    if (tls_) {
      options.tls = PeerTls(1);
    }
    client_ = std::make_unique<DeliverClient>(options, *committer_, *peer1_);
    client_->Start();
    stub_ = ::orderer::AtomicBroadcast::NewStub(grpc::CreateChannel(
        options.addresses[0], tls_ ? ot::OrdererClientCredentials(ot::UserTlsDir(1, "User1"))
                                   : grpc::InsecureChannelCredentials()));
  }
  // Org<org>'s peer0 with TLS: its server key pair as client identity, as Fabric's peer does
  // without peer.tls.clientCert.file.
  static DeliverClient::Options::Tls PeerTls(int org) {
    const std::string dir = absl::StrFormat(
        "%s/crypto-config/peerOrganizations/org%d.example.com/peers/peer0.org%d.example.com/tls",
        ot::NetworkDir(), org, org);
    DeliverClient::Options::Tls tls;
    tls.enabled = true;
    auto identity = comm::LoadKeyPair(dir + "/server.crt", dir + "/server.key", "test");
    EXPECT_TRUE(identity.ok()) << identity.status();
    tls.client_identity = *identity;
    return tls;
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

  // The block store shows a block before its state is written: wait for the whole commit of
  // everything below height `h` (the genesis block is not counted by the client).
  bool WaitHeight(uint64_t h) {
    return WaitUntil([&] { return client_->blocks_committed() >= h - 1; });
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

  bool tls_ = false;
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

class OrdererTlsIntegrationTest : public OrdererIntegrationTest {
 protected:
  void SetUp() override {
    tls_ = true;
    OrdererIntegrationTest::SetUp();
  }

  // A config update of the channel adding `ca` to the orderer org's TLS root CAs, signed by the
  // orderer org's admin.
  StatusOr<common::Envelope> AddOrdererTlsCa(const crypto::Certificate& ca) {
    const common::Config current = orderer_->registrar().GetChain(kChannel)->bundle()->config();
    common::Config edited = current;
    common::ConfigValue& value = channelconfig::testing::GroupAt(edited, {"Orderer", "OrdererOrg"})
                                     .mutable_values()
                                     ->at("MSP");
    ::msp::MSPConfig msp_config;
    ::msp::FabricMSPConfig fabric_config;
    if (!msp_config.ParseFromString(value.value()) ||
        !fabric_config.ParseFromString(msp_config.config())) {
      return InvalidArgumentError("orderer org MSP value does not parse");
    }
    fabric_config.add_tls_root_certs(ca.ToPem());
    msp_config.set_config(fabric_config.SerializeAsString());
    value.set_value(msp_config.SerializeAsString());
    ASSIGN_OR_RETURN(common::ConfigUpdate update,
                     channelconfig::testing::ComputeUpdate(kChannel, current, edited));
    auto admin = msp::LoadSigningIdentity(
        ot::NetworkDir() +
            "/crypto-config/ordererOrganizations/example.com/users/Admin@example.com/msp",
        "OrdererMSP");
    RETURN_IF_ERROR(admin.status());
    return channelconfig::testing::MakeConfigUpdateEnvelope(kChannel, update, {admin->get()});
  }
};

TEST_F(OrdererTlsIntegrationTest, BlocksArePulledOverMutualTls) {
  ASSERT_OK_AND_ASSIGN(common::Envelope deploy_tx, DeployTx());
  Broadcast(*stub_, deploy_tx);
  (void)WaitUntil([&] { return client_->blocks_committed() >= 1; });
  ASSERT_EQ(client_->blocks_committed(), 1u) << client_->last_error().ToString();
  ASSERT_OK_AND_ASSIGN(common::Envelope invoke_tx, InvokeTx("a", "100"));
  Broadcast(*stub_, invoke_tx);
  (void)WaitUntil([&] { return client_->blocks_committed() >= 2; });
  ASSERT_EQ(client_->blocks_committed(), 2u) << client_->last_error().ToString();
  ExpectOneValidTx(1);
  ExpectOneValidTx(2);
  EXPECT_EQ(CommittedValue("a"), "100");
}

// The orderer's TLS CA is rotated: the channel config first adds the new CA to the orderer
// org's MSP, then the orderer restarts with a certificate from it; the deliver client trusts it
// from its next connection, without a restart.
TEST_F(OrdererTlsIntegrationTest, RotatedOrdererCaIsTrustedOnceTheConfigNamesIt) {
  const auto now = std::chrono::system_clock::now();
  ASSERT_OK_AND_ASSIGN(
      msp::testing::TestCa new_ca,
      msp::testing::MakeCa("tlsca2.example.com", "example.com", now - std::chrono::hours(1),
                           now + std::chrono::hours(24)));
  ASSERT_OK_AND_ASSIGN(
      msp::testing::TestIdentity new_server,
      msp::testing::IssueTlsIdentity(new_ca, "orderer.example.com", {"127.0.0.1", "localhost"},
                                     now - std::chrono::hours(1), now + std::chrono::hours(12)));
  ASSERT_OK(msp::testing::WriteTestFile(tmp_.path() + "/tls2/server.crt", new_server.cert_pem));
  ASSERT_OK(msp::testing::WriteTestFile(tmp_.path() + "/tls2/server.key", new_server.key.ToPem()));

  ASSERT_OK_AND_ASSIGN(common::Envelope update, AddOrdererTlsCa(new_ca.cert));
  Broadcast(*stub_, update);
  (void)WaitUntil([&] { return client_->blocks_committed() >= 1; });
  ASSERT_EQ(client_->blocks_committed(), 1u) << client_->last_error().ToString();

  // The same orderer (ledger, port) with the new certificate.
  const int port = orderer_->port();
  stub_.reset();
  orderer_->Stop();
  orderer_.reset();
  fabric::orderer::OrdererConfig config =
      ot::TestConfig(tmp_.path(), {tmp_.path() + "/genesis.block"});
  config.listen_port = port;
  config.tls = ot::OrdererTls(/*client_auth_required=*/true);
  config.tls.certificate = tmp_.path() + "/tls2/server.crt";
  config.tls.private_key = tmp_.path() + "/tls2/server.key";
  ASSERT_OK_AND_ASSIGN(orderer_, fabric::orderer::Orderer::Start(config));

  grpc::SslCredentialsOptions options;
  options.pem_root_certs = new_ca.cert.ToPem();
  options.pem_cert_chain = *crypto::ReadFile(ot::UserTlsDir(1, "User1") + "/client.crt");
  options.pem_private_key = *crypto::ReadFile(ot::UserTlsDir(1, "User1") + "/client.key");
  stub_ = ::orderer::AtomicBroadcast::NewStub(
      grpc::CreateChannel(absl::StrFormat("127.0.0.1:%d", port), grpc::SslCredentials(options)));
  ASSERT_OK_AND_ASSIGN(common::Envelope deploy_tx, DeployTx());
  Broadcast(*stub_, deploy_tx);
  (void)WaitUntil([&] { return client_->blocks_committed() >= 2; }, std::chrono::seconds(20));
  ASSERT_EQ(client_->blocks_committed(), 2u) << client_->last_error().ToString();
  ExpectOneValidTx(2);
}

TEST_F(OrdererTlsIntegrationTest, PlaintextOrUntrustedClientsGetNoBlocks) {
  client_->Stop();
  ASSERT_OK_AND_ASSIGN(common::Envelope deploy_tx, DeployTx());
  Broadcast(*stub_, deploy_tx);  // block 1, for the clients below to miss
  logging::testing::LogCapture logs;
  // Without TLS, the orderer does not answer.
  DeliverClient::Options options;
  options.addresses = {absl::StrFormat("127.0.0.1:%d", orderer_->port())};
  options.initial_backoff = std::chrono::milliseconds(50);
  DeliverClient plain(options, *committer_, *peer1_);
  plain.Start();
  // With TLS but a client certificate from a CA no channel org has, the handshake is refused.
  msp::testing::TempDir other;
  ASSERT_OK_AND_ASSIGN(msp::testing::TestOrg org3,
                       msp::testing::MakeTestOrg(other.path(), "Org3MSP", "org3.example.com"));
  const auto now = std::chrono::system_clock::now();
  ASSERT_OK_AND_ASSIGN(
      msp::testing::TestIdentity stranger,
      msp::testing::IssueTlsIdentity(org3.tls_ca, "peer0.org3.example.com", {},
                                     now - std::chrono::hours(1), now + std::chrono::hours(1)));
  options.tls = PeerTls(1);
  options.tls.client_identity = comm::KeyPair{stranger.cert_pem, stranger.key.ToPem()};
  DeliverClient untrusted(options, *committer_, *peer1_);
  untrusted.Start();
  ASSERT_TRUE(WaitUntil(
      [&] { return plain.connection_attempts() >= 2 && untrusted.connection_attempts() >= 2; }));
  plain.Stop();
  untrusted.Stop();
  EXPECT_EQ(plain.blocks_committed() + untrusted.blocks_committed(), 0u);
  EXPECT_EQ(committer_->Height(), 1u);
  EXPECT_FALSE(untrusted.last_error().ok());
  std::vector<std::string> refused = logs.Lines("TLS client certificate refused");
  ASSERT_FALSE(refused.empty());
  EXPECT_THAT(refused[0], ::testing::HasSubstr("client CN=peer0.org3.example.com"));
}

}  // namespace
}  // namespace fabric::deliverclient
