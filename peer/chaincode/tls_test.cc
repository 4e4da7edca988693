// SPDX-License-Identifier: Apache-2.0
//
// Chaincode TLS end to end (Fabric 1.4 core/chaincode/accesscontrol): the listener serves TLS
// with a certificate from the peer's ephemeral chaincode CA and requires client certificates
// from it; each launch gets its own client certificate, and REGISTER is accepted only for the
// ccid that certificate was issued for. Real gRPC on 127.0.0.1, real certificates, the real
// C++ shim (abstore) through the process launcher.

#include <chrono>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "launcher/process_launcher.h"
#include "peer/chaincode/authenticator.h"
#include "peer/chaincode/testing/chaincode_test_env.h"
#include "peer/chaincode_shim.grpc.pb.h"

namespace fabric::chaincode {
namespace {

using namespace std::chrono_literals;
using Msg = protos::ChaincodeMessage;

class ChaincodeTlsTest : public testing::ChaincodeTestEnv {
 protected:
  void SetUp() override {
    testing::ChaincodeTestEnv::SetUp();
    auto auth = Authenticator::Create();
    ASSERT_TRUE(auth.ok()) << auth.status();
    auth_ = std::move(*auth);
    options_.tls_enabled = true;
    options_.authenticator = auth_.get();
    options_.startup_timeout = 10s;
  }

  // Dials the listener over TLS trusting the chaincode CA, with `client` as the client
  // certificate (none when null), sends REGISTER for `ccid` and returns the first reply
  // (type NOT_DEFINED when none came) and the stream's final status.
  struct Outcome {
    Msg reply;
    grpc::Status status;
  };
  Outcome RegisterWith(const CertKeyPair* client, const std::string& ccid) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = auth_->ca_cert_pem();
    if (client != nullptr) {
      ssl.pem_private_key = client->key_pem;
      ssl.pem_cert_chain = client->cert_pem;
    }
    return RegisterOver(grpc::SslCredentials(ssl), ccid);
  }
  Outcome RegisterOver(std::shared_ptr<grpc::ChannelCredentials> creds, const std::string& ccid) {
    auto channel = grpc::CreateChannel(server_->address(), creds);
    auto stub = protos::ChaincodeSupport::NewStub(channel);
    grpc::ClientContext ctx;
    ctx.set_deadline(std::chrono::system_clock::now() + 5s);
    auto stream = stub->Register(&ctx);
    Msg reg;
    reg.set_type(Msg::REGISTER);
    protos::ChaincodeID id;
    id.set_name(ccid);
    reg.set_payload(id.SerializeAsString());
    Outcome out;
    if (stream->Write(reg)) {
      (void)stream->Read(&out.reply);
    }
    stream->WritesDone();
    Msg more;
    while (out.reply.type() == Msg::REGISTERED && stream->Read(&more)) {
      if (more.type() == Msg::READY) {
        ctx.TryCancel();
      }
    }
    out.status = stream->Finish();
    return out;
  }

  std::unique_ptr<Authenticator> auth_;
};

TEST_F(ChaincodeTlsTest, AbstoreRegistersOverTlsWithItsLaunchCertificateAndServesInvoke) {
  launcher::ProcessLauncher launcher;
  packages_.Add(launcher::ChaincodePackage::ForExecutable("abstore:1.0", ABSTORE_PATH));
  StartSupport(launcher);
  auto tx = AbstoreInitThenTransfer("abstore:1.0");
  ASSERT_FALSE(HasFailure());
  kvrwset::KVRWSet rw = RwSet(*tx->sim, "abstore");
  ASSERT_EQ(rw.writes_size(), 2);
  EXPECT_EQ(rw.writes(0).value(), "90");
  server_->Shutdown();
  EXPECT_TRUE(launcher.Wait("abstore:1.0", 10s).ok());
}

TEST_F(ChaincodeTlsTest, AbstoreRegistersOverTlsOnTheLocalSocket) {
  launcher::ProcessLauncher launcher;
  packages_.Add(launcher::ChaincodePackage::ForExecutable("abstore:1.0", ABSTORE_PATH));
  StartSupport(launcher, dir_.Sub("cc.sock"));
  support_->SetPeerAddress("127.0.0.1:1");  // nothing there: the socket is the only way in
  auto tx = AbstoreInitThenTransfer("abstore:1.0");
  ASSERT_FALSE(HasFailure());
  EXPECT_EQ(RwSet(*tx->sim, "abstore").writes_size(), 2);
  server_->Shutdown();
  EXPECT_TRUE(launcher.Wait("abstore:1.0", 10s).ok());
}

TEST_F(ChaincodeTlsTest, ChaincodeLaunchedWithAnotherChaincodesCertificateIsRefused) {
  // The launched process says it is abstore:1.0, but the peer minted its certificate for
  // other:1.0: REGISTER is refused and the launch fails with the reason in its last output.
  launcher::ProcessLauncher launcher;
  launcher::ChaincodePackage impostor =
      launcher::ChaincodePackage::ForExecutable("other:1.0", "/bin/sh");
  impostor.args = {"-c", std::string("CORE_CHAINCODE_ID_NAME=abstore:1.0 exec ") + ABSTORE_PATH};
  packages_.Add(impostor);
  options_.startup_timeout = 5s;
  StartSupport(launcher);
  Status s = support_->Launch("other:1.0");
  EXPECT_FALSE(s.ok());
  EXPECT_NE(s.message().find("TLS client certificate does not belong to chaincode abstore:1.0"),
            std::string::npos)
      << s;
  EXPECT_EQ(support_->GetHandler("abstore:1.0"), nullptr);
}

TEST_F(ChaincodeTlsTest, RegisterIsAcceptedOnlyForTheCcidTheCertificateWasIssuedFor) {
  launcher::DevModeLauncher launcher;  // nothing launched; any launched ccid may register
  StartSupport(launcher);
  auto mycc = auth_->Generate("mycc:1.0");
  ASSERT_TRUE(mycc.ok()) << mycc.status();
  Outcome ok = RegisterWith(&*mycc, "mycc:1.0");
  EXPECT_EQ(ok.reply.type(), Msg::REGISTERED) << ok.reply.payload();

  auto other = auth_->Generate("other:1.0");
  ASSERT_TRUE(other.ok());
  Outcome refused = RegisterWith(&*other, "mycc:1.0");
  EXPECT_EQ(refused.reply.type(), Msg::ERROR);
  EXPECT_EQ(refused.reply.payload(),
            "TLS client certificate does not belong to chaincode mycc:1.0");
  EXPECT_EQ(refused.status.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(refused.status.error_message(),
            "TLS client certificate does not belong to chaincode mycc:1.0");
}

TEST_F(ChaincodeTlsTest, ClientWithoutCertificateCannotConnect) {
  launcher::DevModeLauncher launcher;
  StartSupport(launcher);
  Outcome out = RegisterWith(nullptr, "mycc:1.0");
  EXPECT_EQ(out.reply.type(), Msg::UNDEFINED);
  EXPECT_EQ(out.status.error_code(), grpc::StatusCode::UNAVAILABLE) << out.status.error_message();
}

TEST_F(ChaincodeTlsTest, CertificateFromAnotherCaIsRefusedInTheHandshake) {
  launcher::DevModeLauncher launcher;
  StartSupport(launcher);
  auto stranger_ca = Authenticator::Create();
  ASSERT_TRUE(stranger_ca.ok());
  auto forged = (*stranger_ca)->Generate("mycc:1.0");
  ASSERT_TRUE(forged.ok());
  Outcome out = RegisterWith(&*forged, "mycc:1.0");
  EXPECT_EQ(out.reply.type(), Msg::UNDEFINED);
  EXPECT_EQ(out.status.error_code(), grpc::StatusCode::UNAVAILABLE) << out.status.error_message();
}

TEST_F(ChaincodeTlsTest, PlaintextClientCannotConnectToTlsListener) {
  launcher::DevModeLauncher launcher;
  StartSupport(launcher);
  Outcome out = RegisterOver(grpc::InsecureChannelCredentials(), "mycc:1.0");
  EXPECT_EQ(out.reply.type(), Msg::UNDEFINED);
  EXPECT_NE(out.status.error_code(), grpc::StatusCode::OK);
}

TEST_F(ChaincodeTlsTest, LaunchWithoutChaincodeCaFailsClearly) {
  launcher::ProcessLauncher launcher;
  packages_.Add(launcher::ChaincodePackage::ForExecutable("abstore:1.0", ABSTORE_PATH));
  options_.authenticator = nullptr;
  StartSupport(launcher);
  Status s = support_->Launch("abstore:1.0");
  EXPECT_TRUE(s.IsFailedPrecondition()) << s;
}

}  // namespace
}  // namespace fabric::chaincode
