// SPDX-License-Identifier: Apache-2.0
//
// The Endorser gRPC service on 127.0.0.1:0 with the real ChaincodeSupport, the process
// launcher and the abstore sample chaincode: install, deploy (Init a=100 b=200), invoke and
// query over the wire; refused proposals come back as gRPC UNKNOWN with Fabric's message and
// the server keeps serving.

#include <gmock/gmock.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "common/msp/testing/status_testing.h"
#include "launcher/process_launcher.h"
#include "peer/chaincode/chaincode_server.h"
#include "peer/endorser/chaincode_support_executor.h"
#include "peer/endorser/endorser_service.h"
#include "peer/endorser/testing/endorser_server.h"
#include "peer/endorser/testing/test_peer.h"

namespace fabric::endorser {
namespace {

using ::testing::HasSubstr;
using testing::kChannel;
using testing::TestPeer;

class EndorserGrpcTest : public ::testing::Test {
 protected:
  void SetUp() override {
    launcher::ChaincodePackage pkg;
    pkg.ccid = "mycc:1.0";
    pkg.executable = ABSTORE_PATH;
    packages_.Add(pkg);
    chaincode::ChaincodeSupportOptions options;
    options.startup_timeout = std::chrono::seconds(20);
    options.execute_timeout = std::chrono::seconds(10);
    support_ = std::make_unique<chaincode::ChaincodeSupport>(options, launcher_, packages_);
    chaincode::ChaincodeServer::Options so;
    so.listen_address = "127.0.0.1:0";
    auto ccserver = chaincode::ChaincodeServer::Start(so, *support_);
    ASSERT_OK(ccserver);
    ccserver_ = std::move(ccserver).value();
    support_->SetPeerAddress(ccserver_->address());
    executor_ = std::make_unique<ChaincodeSupportExecutor>(*support_);
    auto peer = TestPeer::Create(executor_.get());
    ASSERT_OK(peer);
    peer_ = std::move(peer).value();
    service_ = std::make_unique<EndorserService>(peer_->endorser());
    server_ = std::make_unique<testing::EndorserServer>(*service_);
    ASSERT_NE(server_->server(), nullptr);
  }

  void TearDown() override {
    server_.reset();
    if (ccserver_) {
      ccserver_->Shutdown();
    }
    (void)launcher_.Stop("mycc:1.0");
    support_.reset();
  }

  grpc::Status Call(const protos::SignedProposal& sp, protos::ProposalResponse* out) {
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
    return server_->stub().ProcessProposal(&ctx, sp, out);
  }

  launcher::MapPackageProvider packages_;
  launcher::ProcessLauncher launcher_;
  std::unique_ptr<chaincode::ChaincodeSupport> support_;
  std::unique_ptr<chaincode::ChaincodeServer> ccserver_;
  std::unique_ptr<ChaincodeSupportExecutor> executor_;
  std::unique_ptr<TestPeer> peer_;
  std::unique_ptr<EndorserService> service_;
  std::unique_ptr<testing::EndorserServer> server_;
};

TEST_F(EndorserGrpcTest, AbstoreDeployInvokeQueryOverGrpc) {
  ASSERT_OK(peer_->InstallAndDeploy("mycc", "1.0", {"init", "a", "100", "b", "200"}));
  protos::ProposalResponse resp;
  protos::Proposal invoke =
      TestPeer::MakeProposal(peer_->org1_user(), kChannel, "mycc", {"invoke", "a", "b", "10"});
  grpc::Status s = Call(TestPeer::Sign(invoke, peer_->org1_user()), &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_EQ(resp.response().status(), 200) << resp.response().message();
  ASSERT_TRUE(resp.has_endorsement());
  ASSERT_OK(peer_->CommitTx(invoke, peer_->org1_user(), {resp}));

  s = Call(TestPeer::MakeSigned(peer_->org1_user(), kChannel, "mycc", {"query", "a"}), &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.response().status(), 200) << resp.response().message();
  EXPECT_EQ(resp.response().payload(), "90");

  // A chaincode error is gRPC OK with status 500 and no endorsement.
  s = Call(TestPeer::MakeSigned(peer_->org1_user(), kChannel, "mycc", {"nosuchfn"}), &resp);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(resp.response().status(), 500);
  EXPECT_FALSE(resp.has_endorsement());
}

TEST_F(EndorserGrpcTest, RefusedProposalsAreGrpcUnknownAndServerKeepsServing) {
  protos::SignedProposal garbage;
  garbage.set_proposal_bytes("\x0a\xff\xff");
  protos::ProposalResponse resp;
  grpc::Status s = Call(garbage, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNKNOWN);
  EXPECT_THAT(s.error_message(), HasSubstr("failed parsing proposal"));

  auto sp = TestPeer::MakeSigned(peer_->org1_user(), kChannel, "mycc", {"invoke"});
  std::string sig = sp.signature();
  sig[sig.size() - 3] ^= 1;
  sp.set_signature(sig);
  s = Call(sp, &resp);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNKNOWN);
  EXPECT_EQ(s.error_message(), "access denied: channel [mychannel] creator org [Org1MSP]");

  s = Call(TestPeer::MakeSigned(peer_->org1_user(), kChannel, "nocc", {"invoke"}), &resp);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(resp.response().status(), 500);
  EXPECT_THAT(resp.response().message(), HasSubstr("make sure the chaincode nocc"));
}

}  // namespace
}  // namespace fabric::endorser
