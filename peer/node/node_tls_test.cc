// SPDX-License-Identifier: Apache-2.0
//
// A peer with TLS and client authentication, in process over real gRPC on 127.0.0.1, with the
// solo orderer (TLS, client authentication) in process: the peer trusts peer.tls.rootcert.file
// from the start, the application orgs of a channel once it joins it (cscc JoinChain), and an
// org added by a config update once its deliver client has pulled and committed that block
// from the orderer over mutual TLS; other clients are refused at the handshake.

#include <absl/strings/str_format.h>
#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "common/comm/testing/connects.h"
#include "common/crypto/hash.h"
#include "common/logging/testing/log_capture.h"
#include "common/msp/testing/status_testing.h"
#include "common/msp/testing/test_org.h"
#include "common/protoutil/proputils.h"
#include "fabric/base/testing/wait_until.h"
#include "orderer/node.h"
#include "orderer/testing/test_network.h"
#include "peer/events.grpc.pb.h"
#include "peer/node/node.h"
#include "peer/peer.grpc.pb.h"

namespace fabric::node {
namespace {

namespace ot = ::fabric::orderer::testing;
using comm::testing::Connects;

constexpr char kChannel[] = "peertls";

std::string Peer0TlsDir(int org) {
  return absl::StrFormat(
      "%s/crypto-config/peerOrganizations/org%d.example.com/peers/peer0.org%d.example.com/tls",
      ot::NetworkDir(), org, org);
}

// TLS credentials trusting Org1's TLS CA (the peer's), presenting the key pair of `tls_dir`.
std::shared_ptr<grpc::ChannelCredentials> ToPeer(const std::string& tls_dir) {
  grpc::SslCredentialsOptions options;
  options.pem_root_certs = crypto::ReadFile(Peer0TlsDir(1) + "/ca.crt").value();
  options.pem_cert_chain = crypto::ReadFile(tls_dir + "/client.crt").value();
  options.pem_private_key = crypto::ReadFile(tls_dir + "/client.key").value();
  return grpc::SslCredentials(options);
}

class PeerTlsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(genesis_, ot::MakeGenesis("TwoOrgsApplicationGenesis", kChannel));
    const std::string path = tmp_.path() + "/genesis.block";
    ASSERT_OK(ot::WriteBlock(path, genesis_));
    orderer::OrdererConfig oc = ot::TestConfig(tmp_.path() + "/orderer", {path});
    oc.tls = ot::OrdererTls(/*client_auth_required=*/true);
    ASSERT_OK_AND_ASSIGN(orderer_, orderer::Orderer::Start(oc));
    ASSERT_OK_AND_ASSIGN(peer_, PeerNode::Start(PeerTlsConfig()));
    target_ = absl::StrFormat("127.0.0.1:%d", peer_->port());
  }
  void TearDown() override {
    if (peer_ != nullptr) {
      peer_->Stop();
    }
    if (orderer_ != nullptr) {
      orderer_->Stop();
    }
  }

  PeerConfig PeerTlsConfig() {
    PeerConfig c;
    c.peer_id = "peer0.org1.example.com";
    c.local_msp_id = "Org1MSP";
    c.msp_config_path = Peer0TlsDir(1) + "/../msp";
    c.file_system_path = tmp_.path() + "/peer";
    c.listen_address = "127.0.0.1:0";
    c.address = "127.0.0.1:0";
    c.chaincode_listen_address = "127.0.0.1:0";
    c.chaincode_listen_socket = "none";
    c.operations_listen_address = "127.0.0.1:0";
    c.launcher = LauncherKind::kDev;
    c.batch_scheduling = false;
    c.tls_enabled = true;
    c.tls_client_auth_required = true;
    c.tls_cert_file = Peer0TlsDir(1) + "/server.crt";
    c.tls_key_file = Peer0TlsDir(1) + "/server.key";
    c.tls_root_cert_file = Peer0TlsDir(1) + "/ca.crt";
    c.orderer_address = absl::StrFormat("127.0.0.1:%d", orderer_->port());
    return c;
  }

  // cscc JoinChain with the channel's genesis block, sent by Org1's admin over TLS.
  void Join() {
    auto admin = ot::LoadUser(1, "Admin");
    protos::ChaincodeInvocationSpec spec;
    spec.mutable_chaincode_spec()->set_type(protos::ChaincodeSpec::GOLANG);
    spec.mutable_chaincode_spec()->mutable_chaincode_id()->set_name("cscc");
    auto* args = spec.mutable_chaincode_spec()->mutable_input()->mutable_args();
    args->Add("JoinChain");
    args->Add(genesis_.SerializeAsString());
    ASSERT_OK_AND_ASSIGN(auto proposal, protoutil::CreateChaincodeProposal(common::CONFIG, "", spec,
                                                                           admin->Serialize()));
    ASSERT_OK_AND_ASSIGN(protos::SignedProposal signed_proposal,
                         protoutil::SignProposal(proposal.proposal, *admin));
    auto stub =
        protos::Endorser::NewStub(grpc::CreateChannel(target_, ToPeer(ot::UserTlsDir(1, "Admin"))));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(20));
    protos::ProposalResponse response;
    grpc::Status status = stub->ProcessProposal(&context, signed_proposal, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    ASSERT_EQ(response.response().status(), 200) << response.response().message();
  }

  // The first answer of the peer's Deliver service to a request for block 0 by Org1's User1
  // whose channel header carries `tls_cert_hash`.
  protos::DeliverResponse DeliverGenesis(const std::string& tls_cert_hash) {
    auto user = ot::LoadUser(1, "User1");
    ::orderer::SeekInfo seek;
    *seek.mutable_start() = ot::Specified(0);
    *seek.mutable_stop() = ot::Specified(0);
    seek.set_behavior(::orderer::SeekInfo::BLOCK_UNTIL_READY);
    StatusOr<common::Envelope> env = protoutil::CreateSignedEnvelopeWithTlsBinding(
        common::DELIVER_SEEK_INFO, kChannel, *user, seek, tls_cert_hash);
    EXPECT_TRUE(env.ok()) << env.status();
    auto stub =
        protos::Deliver::NewStub(grpc::CreateChannel(target_, ToPeer(ot::UserTlsDir(1, "User1"))));
    grpc::ClientContext context;
    context.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    auto stream = stub->Deliver(&context);
    protos::DeliverResponse response;
    EXPECT_TRUE(stream->Write(*env) && stream->Read(&response));
    context.TryCancel();
    (void)stream->Finish();
    return response;
  }

  msp::testing::TempDir tmp_;
  common::Block genesis_;
  std::unique_ptr<orderer::Orderer> orderer_;
  std::unique_ptr<PeerNode> peer_;
  std::string target_;
};

TEST_F(PeerTlsTest, ClientAuthFollowsJoinedChannelsAndTheirConfigUpdates) {
  logging::testing::LogCapture logs;
  // Before any channel: Org1's clients through peer.tls.rootcert.file only.
  EXPECT_TRUE(Connects(target_, ToPeer(ot::UserTlsDir(1, "User1"))));
  EXPECT_FALSE(Connects(target_, ToPeer(ot::UserTlsDir(2, "User1"))));
  ASSERT_TRUE(WaitUntil([&] { return !logs.Lines("TLS client certificate refused").empty(); }));
  EXPECT_THAT(logs.Lines("TLS client certificate refused")[0],
              ::testing::HasSubstr("client CN=User1@org2.example.com"));

  // Joining the channel trusts its application orgs (Org2) at the next handshake.
  ASSERT_NO_FATAL_FAILURE(Join());
  EXPECT_TRUE(Connects(target_, ToPeer(ot::UserTlsDir(2, "User1"))));
  // The orderer org is not an application org: Fabric's peer does not trust it for clients.
  EXPECT_FALSE(Connects(
      target_, ToPeer(ot::NetworkDir() + "/crypto-config/ordererOrganizations/example.com/users/"
                                         "Admin@example.com/tls")));

  // With mutual TLS, Deliver requests must carry the hash of the connection's client certificate.
  EXPECT_EQ(DeliverGenesis("").status(), common::BAD_REQUEST);
  ASSERT_OK_AND_ASSIGN(crypto::Certificate user_cert,
                       crypto::Certificate::FromPem(
                           crypto::ReadFile(ot::UserTlsDir(1, "User1") + "/client.crt").value()));
  EXPECT_TRUE(DeliverGenesis(crypto::Sha256(user_cert.ToDer())).has_block());

  // A config update adding Org3 reaches the peer through its deliver client (mutual TLS to the
  // orderer); from then on Org3's clients are trusted without a restart.
  ASSERT_OK_AND_ASSIGN(
      msp::testing::TestOrg org3,
      msp::testing::MakeTestOrg(tmp_.path() + "/org3", "Org3MSP", "org3.example.com"));
  const std::string peer_ca = crypto::ReadFile(Peer0TlsDir(1) + "/ca.crt").value();
  auto org3_client = ot::TlsClientOf(org3, "User1@org3.example.com", peer_ca);
  EXPECT_FALSE(Connects(target_, org3_client));
  ot::Client broadcaster(orderer_->port(),
                         ot::OrdererClientCredentials(ot::UserTlsDir(1, "User1")));
  std::string info;
  ASSERT_EQ(ot::AddApplicationOrg(broadcaster, kChannel,
                                  orderer_->registrar().GetChain(kChannel)->bundle()->config(),
                                  org3, &info),
            common::SUCCESS)
      << info;
  EXPECT_TRUE(WaitUntil([&] { return Connects(target_, org3_client); }, std::chrono::seconds(20)));
}

}  // namespace
}  // namespace fabric::node
