// SPDX-License-Identifier: Apache-2.0
//
// The Admin service on a real gRPC server on 127.0.0.1:0, called as `peer node status` and
// `peer logging ...` call it.

#include "peer/node/admin_service.h"

#include <cstdlib>
#include <sstream>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "common/logging/logging.h"
#include "common/msp/config_builder.h"
#include "common/msp/testing/test_org.h"
#include "common/msp/x509_signing_identity.h"
#include "common/protoutil/txutils.h"
#include "peer/cli/cli.h"

namespace fabric::node {
namespace {

class AdminServiceTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(logging::SetSpec("info").ok());
    auto org = msp::testing::MakeTestOrg(dir_.path() + "/org1", "Org1MSP", "org1.example.com");
    ASSERT_TRUE(org.ok()) << org.status();
    auto config = msp::LoadMspConfigFromDir(org->peer.msp_dir, "Org1MSP");
    ASSERT_TRUE(config.ok()) << config.status();
    auto local = msp::Msp::Create(*config);
    ASSERT_TRUE(local.ok()) << local.status();
    local_msp_ = std::move(local).value();
    admin_msp_dir_ = org->admin.msp_dir;
    client_msp_dir_ = org->client.msp_dir;
    admin_ = msp::LoadSigningIdentity(org->admin.msp_dir, "Org1MSP").value();
    client_ = msp::LoadSigningIdentity(org->client.msp_dir, "Org1MSP").value();
    auto service = AdminService::Create(*local_msp_, [this] { return now_; });
    ASSERT_TRUE(service.ok()) << service.status();
    service_ = std::move(service).value();
    grpc::ServerBuilder builder;
    int port = 0;
    builder.AddListeningPort("127.0.0.1:0", grpc::InsecureServerCredentials(), &port);
    builder.RegisterService(service_.get());
    server_ = builder.BuildAndStart();
    ASSERT_NE(port, 0);
    address_ = absl::StrFormat("127.0.0.1:%d", port);
    stub_ = protos::Admin::NewStub(grpc::CreateChannel(absl::StrFormat("127.0.0.1:%d", port),
                                                       grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (server_) {
      server_->Shutdown();
    }
    ASSERT_TRUE(logging::SetSpec("info").ok());
  }

  common::Envelope Request(const protos::AdminOperation& op, const msp::SigningIdentity* signer,
                           common::HeaderType type = common::PEER_ADMIN_OPERATION) {
    return protoutil::CreateSignedEnvelope(type, "", signer ? *signer : *admin_, op).value();
  }
  static protos::AdminOperation LevelOp(const std::string& module, const std::string& level) {
    protos::AdminOperation op;
    op.mutable_logreq()->set_log_module(module);
    op.mutable_logreq()->set_log_level(level);
    return op;
  }

  msp::testing::TempDir dir_;
  std::string admin_msp_dir_, client_msp_dir_, address_;
  std::unique_ptr<msp::Msp> local_msp_;
  std::unique_ptr<msp::X509SigningIdentity> admin_, client_;
  std::chrono::system_clock::time_point now_ = std::chrono::system_clock::now();
  std::unique_ptr<AdminService> service_;
  std::unique_ptr<grpc::Server> server_;
  std::unique_ptr<protos::Admin::Stub> stub_;
};

TEST_F(AdminServiceTest, StatusIsStartedForALocalAdmin) {
  grpc::ClientContext ctx;
  protos::ServerStatus status;
  grpc::Status s = stub_->GetStatus(&ctx, Request({}, nullptr), &status);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(status.status(), protos::ServerStatus::STARTED);
}

// Fabric's validator: a non-admin, a stale timestamp and a wrong header type are refused with
// the same words Fabric's peer sends, as gRPC UNKNOWN.
TEST_F(AdminServiceTest, RefusesNonAdminsStaleRequestsAndOtherTypes) {
  protos::ServerStatus status;
  {
    grpc::ClientContext ctx;
    grpc::Status s = stub_->GetStatus(&ctx, Request({}, client_.get()), &status);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNKNOWN);
    EXPECT_EQ(s.error_message(), "access denied");
  }
  {
    common::Envelope stale = Request({}, nullptr);
    now_ += std::chrono::minutes(16);
    grpc::ClientContext ctx;
    grpc::Status s = stub_->GetStatus(&ctx, stale, &status);
    EXPECT_EQ(s.error_message(), "access denied");
    now_ -= std::chrono::minutes(16);
  }
  {
    grpc::ClientContext ctx;
    grpc::Status s = stub_->GetStatus(&ctx, Request({}, nullptr, common::CONFIG), &status);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::UNKNOWN);
    EXPECT_EQ(s.error_message(), "bad request: invalid type CONFIG, expected PEER_ADMIN_OPERATION");
  }
  {
    common::Envelope tampered = Request({}, nullptr);
    tampered.set_signature("not a signature");
    grpc::ClientContext ctx;
    EXPECT_EQ(stub_->GetStatus(&ctx, tampered, &status).error_message(), "access denied");
  }
}

TEST_F(AdminServiceTest, LogLevelsAndSpecs) {
  protos::LogLevelResponse level;
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(
        stub_->SetModuleLogLevel(&ctx, Request(LevelOp("gossip", "debug"), nullptr), &level).ok());
    EXPECT_EQ(level.log_module(), "gossip");
    EXPECT_EQ(level.log_level(), "DEBUG");
  }
  EXPECT_EQ(logging::GetSpec(), "gossip=debug:info");
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(
        stub_->GetModuleLogLevel(&ctx, Request(LevelOp("gossip.state", ""), nullptr), &level).ok());
    EXPECT_EQ(level.log_level(), "DEBUG");
  }
  {
    grpc::ClientContext ctx;
    grpc::Status s =
        stub_->SetModuleLogLevel(&ctx, Request(LevelOp("gossip", "loud"), nullptr), &level);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(
        s.error_message().rfind("error setting log spec to 'gossip=debug:info:gossip=loud': ", 0),
        0u)
        << s.error_message();
  }
  protos::LogSpecResponse spec;
  {
    protos::AdminOperation op;
    op.mutable_logspecreq()->set_log_spec("warning:endorser=debug");
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->SetLogSpec(&ctx, Request(op, nullptr), &spec).ok());
    EXPECT_EQ(spec.log_spec(), "warning:endorser=debug");
    EXPECT_TRUE(spec.error().empty());
  }
  {
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->GetLogSpec(&ctx, Request({}, nullptr), &spec).ok());
    EXPECT_EQ(spec.log_spec(), "endorser=debug:warn");
  }
  {
    protos::AdminOperation op;
    op.mutable_logspecreq()->set_log_spec("info:x=nope");
    grpc::ClientContext ctx;
    ASSERT_TRUE(stub_->SetLogSpec(&ctx, Request(op, nullptr), &spec).ok());
    EXPECT_EQ(spec.error().rfind("invalid logging specification 'info:x=nope': ", 0), 0u)
        << spec.error();
  }
  {
    grpc::ClientContext ctx;
    google::protobuf::Empty empty;
    ASSERT_TRUE(stub_->RevertLogLevels(&ctx, Request({}, nullptr), &empty).ok());
    EXPECT_EQ(logging::GetSpec(), "info");
  }
  {
    grpc::ClientContext ctx;
    EXPECT_EQ(stub_->GetModuleLogLevel(&ctx, Request({}, nullptr), &level).error_message(),
              "request is nil");
  }
}

// The CLI against the service, as a user types it: `peer node status`, `peer logging ...`
// print what Fabric's CLI prints (the status on stdout, the rest as INFO lines on stderr).
class AdminCliTest : public AdminServiceTest {
 protected:
  int Peer(const std::vector<std::string>& args, const std::string& msp_dir) {
    setenv("CORE_PEER_ADDRESS", address_.c_str(), 1);
    setenv("CORE_PEER_MSPCONFIGPATH", msp_dir.c_str(), 1);
    setenv("CORE_PEER_LOCALMSPID", "Org1MSP", 1);
    std::ostringstream out, err;
    int rc = cli::RunCli(args, out, err);
    out_ = out.str();
    err_ = err.str();
    unsetenv("CORE_PEER_ADDRESS");
    unsetenv("CORE_PEER_MSPCONFIGPATH");
    unsetenv("CORE_PEER_LOCALMSPID");
    return rc;
  }
  bool ErrHas(const std::string& text) const { return err_.find(text) != std::string::npos; }
  std::string out_, err_;
};

TEST_F(AdminCliTest, NodeStatusAndLoggingCommands) {
  ASSERT_EQ(Peer({"node", "status"}, admin_msp_dir_), 0) << err_;
  EXPECT_EQ(out_, "status:STARTED \n");
  ASSERT_EQ(Peer({"logging", "setlevel", "gossip", "debug"}, admin_msp_dir_), 0) << err_;
  EXPECT_TRUE(ErrHas("[cli.logging] INFO Log level set for logger name/prefix 'gossip': DEBUG\n"))
      << err_;
  ASSERT_EQ(Peer({"logging", "getlevel", "gossip"}, admin_msp_dir_), 0) << err_;
  EXPECT_TRUE(ErrHas("INFO Current log level for logger 'gossip': DEBUG\n")) << err_;
  ASSERT_EQ(Peer({"logging", "getlogspec"}, admin_msp_dir_), 0) << err_;
  EXPECT_TRUE(ErrHas("INFO Current logging spec: gossip=debug:info\n")) << err_;
  ASSERT_EQ(Peer({"logging", "setlogspec", "warn:ledger=debug"}, admin_msp_dir_), 0) << err_;
  EXPECT_TRUE(ErrHas("INFO Current logging spec set to: warn:ledger=debug\n")) << err_;
  EXPECT_EQ(Peer({"logging", "setlogspec", "ledger=nope"}, admin_msp_dir_), 1);
  EXPECT_EQ(err_.rfind("Error: invalid logging specification 'ledger=nope': ", 0), 0u) << err_;
  ASSERT_EQ(Peer({"logging", "revertlevels"}, admin_msp_dir_), 0) << err_;
  EXPECT_TRUE(ErrHas("INFO Logging spec reverted to the peer's spec at startup.\n")) << err_;
  EXPECT_EQ(logging::GetSpec(), "info");
}

TEST_F(AdminCliTest, NonAdminIsDeniedAsFabricSaysIt) {
  EXPECT_EQ(Peer({"node", "status"}, client_msp_dir_), 1);
  EXPECT_EQ(out_, "status:UNKNOWN \n");
  EXPECT_EQ(err_,
            "Error: Error trying to connect to local peer: rpc error: code = Unknown desc = "
            "access denied\n");
  EXPECT_EQ(Peer({"logging", "getlogspec"}, client_msp_dir_), 1);
  EXPECT_EQ(err_, "Error: rpc error: code = Unknown desc = access denied\n");
}

}  // namespace
}  // namespace fabric::node
