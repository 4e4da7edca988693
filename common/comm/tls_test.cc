// SPDX-License-Identifier: Apache-2.0
//
// TLS servers and clients over real gRPC on 127.0.0.1, with certificates made by the test CA
// helpers: server-only TLS, client authentication against a TrustPool (accepted, refused with
// one log line naming the reason, updated without a restart), and the channel-config sources.

#include "common/comm/tls.h"

#include <chrono>
#include <mutex>
#include <string>
#include <vector>

#include <absl/strings/str_format.h>
#include <gmock/gmock.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "common/channelconfig/testing/test_channel.h"
#include "common/comm/testing/connects.h"
#include "common/logging/logging.h"
#include "common/logging/testing/log_capture.h"
#include "common/msp/testing/status_testing.h"
#include "common/msp/testing/test_org.h"
#include "fabric/base/testing/wait_until.h"

namespace fabric::comm {
namespace {

using msp::testing::TestCa;
using msp::testing::TestIdentity;
using std::chrono::hours;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::SizeIs;

using logging::testing::LogCapture;

constexpr char kRefused[] = "TLS client certificate refused";

crypto::TimePoint Now() { return std::chrono::system_clock::now(); }

TestCa Ca(const std::string& name) {
  StatusOr<TestCa> ca = msp::testing::MakeCa(name, name, Now() - hours(1), Now() + hours(24));
  EXPECT_TRUE(ca.ok()) << ca.status();
  return *std::move(ca);
}

TestIdentity Tls(const TestCa& ca, const std::string& cn, crypto::TimePoint not_before,
                 crypto::TimePoint not_after) {
  StatusOr<TestIdentity> id =
      msp::testing::IssueTlsIdentity(ca, cn, {"127.0.0.1", "localhost"}, not_before, not_after);
  EXPECT_TRUE(id.ok()) << id.status();
  return *std::move(id);
}

TestIdentity Tls(const TestCa& ca, const std::string& cn) {
  return Tls(ca, cn, Now() - hours(1), Now() + hours(12));
}

KeyPair Pair(const TestIdentity& id) { return {id.cert_pem, id.key.ToPem()}; }

// A TLS server on 127.0.0.1:0 with one generic service (any call gets UNIMPLEMENTED: the tests
// look at the transport only).
class Server {
 public:
  explicit Server(std::shared_ptr<grpc::ServerCredentials> creds) {
    grpc::ServerBuilder builder;
    builder.AddListeningPort("127.0.0.1:0", std::move(creds), &port_);
    builder.RegisterCallbackGenericService(&service_);
    server_ = builder.BuildAndStart();
  }
  ~Server() {
    if (server_ != nullptr) {
      server_->Shutdown(std::chrono::system_clock::now());
    }
  }
  int port() const { return port_; }

 private:
  grpc::CallbackGenericService service_;
  std::unique_ptr<grpc::Server> server_;
  int port_ = 0;
};

bool Connects(int port, const std::shared_ptr<grpc::ChannelCredentials>& creds) {
  return testing::Connects(absl::StrFormat("127.0.0.1:%d", port), creds);
}

std::shared_ptr<grpc::ChannelCredentials> Client(const TestCa& server_ca, const KeyPair* identity) {
  StatusOr<std::shared_ptr<grpc::ChannelCredentials>> creds =
      ClientCredentials({server_ca.cert}, identity);
  EXPECT_TRUE(creds.ok()) << creds.status();
  return *creds;
}

class TlsTest : public ::testing::Test {
 protected:
  TestCa server_ca_ = Ca("tlsca.server.example.com");
  KeyPair server_ = Pair(Tls(server_ca_, "server.example.com"));
  TestCa org1_ca_ = Ca("tlsca.org1.example.com");
  TestCa org2_ca_ = Ca("tlsca.org2.example.com");
  KeyPair org1_client_ = Pair(Tls(org1_ca_, "client.org1.example.com"));
  KeyPair org2_client_ = Pair(Tls(org2_ca_, "client.org2.example.com"));
};

TEST_F(TlsTest, ServerWithoutClientAuthAcceptsClientsWithoutCertificates) {
  Server server(ServerCredentials(server_, nullptr));
  ASSERT_NE(server.port(), 0);
  EXPECT_TRUE(Connects(server.port(), Client(server_ca_, nullptr)));
  EXPECT_TRUE(Connects(server.port(), Client(server_ca_, &org2_client_)));
  // The client checks the server: another CA's server certificate is refused.
  EXPECT_FALSE(Connects(server.port(), Client(org1_ca_, nullptr)));
}

TEST_F(TlsTest, ClientCredentialsNeedACa) {
  EXPECT_TRUE(ClientCredentials({}, nullptr).status().IsFailedPrecondition());
}

TEST_F(TlsTest, ClientAuthAcceptsTrustedClientsAndRefusesOthersWithOneLogLine) {
  auto pool = std::make_shared<TrustPool>();
  pool->Set("mychannel", {org1_ca_.cert});
  Server server(ServerCredentials(server_, pool));
  ASSERT_NE(server.port(), 0);
  LogCapture logs;

  EXPECT_TRUE(Connects(server.port(), Client(server_ca_, &org1_client_)));
  EXPECT_THAT(logs.Lines(kRefused), IsEmpty());

  // No certificate at all: the TLS handshake itself fails.
  EXPECT_FALSE(Connects(server.port(), Client(server_ca_, nullptr)));

  // A CA the pool does not hold.
  EXPECT_FALSE(Connects(server.port(), Client(server_ca_, &org2_client_)));
  ASSERT_TRUE(WaitUntil([&] { return logs.Lines(kRefused).size() == 1; }));
  EXPECT_THAT(logs.Lines(kRefused)[0],
              HasSubstr("TLS client certificate refused: certificate signed by unknown authority"));
  EXPECT_THAT(logs.Lines(kRefused)[0], HasSubstr("client CN=client.org2.example.com"));
  EXPECT_THAT(logs.Lines(kRefused)[0], HasSubstr("issuer CN=tlsca.org2.example.com"));

  // Expired, from the trusted CA.
  KeyPair expired = Pair(Tls(org1_ca_, "old.org1.example.com", Now() - hours(1), Now()));
  std::this_thread::sleep_for(std::chrono::seconds(1));
  EXPECT_FALSE(Connects(server.port(), Client(server_ca_, &expired)));
  ASSERT_TRUE(WaitUntil([&] { return logs.Lines(kRefused).size() == 2; }));
  EXPECT_THAT(logs.Lines(kRefused)[1], HasSubstr("refused: certificate has expired (notAfter"));
  EXPECT_THAT(logs.Lines(kRefused)[1], HasSubstr("client CN=old.org1.example.com"));

  // Garbage chain: a certificate naming the trusted CA as issuer, signed by another key that
  // calls itself the same name, sent with that impostor CA.
  StatusOr<TestCa> impostor = msp::testing::MakeCa(
      "tlsca.org1.example.com", "tlsca.org1.example.com", Now() - hours(1), Now() + hours(24));
  ASSERT_OK(impostor.status());
  KeyPair forged = Pair(Tls(*impostor, "forged.org1.example.com"));
  forged.cert_pem += impostor->cert.ToPem();
  EXPECT_FALSE(Connects(server.port(), Client(server_ca_, &forged)));
  ASSERT_TRUE(WaitUntil([&] { return logs.Lines(kRefused).size() == 3; }));
  EXPECT_THAT(logs.Lines(kRefused)[2],
              HasSubstr("refused: certificate signed by unknown authority"));
  EXPECT_THAT(logs.Lines(kRefused)[2], HasSubstr("client CN=forged.org1.example.com"));

  // Bad certificate: the trusted CA's certificate with its signature broken (the last DER byte
  // is the signature's last byte), presented with the matching key.
  TestIdentity broken = Tls(org1_ca_, "broken.org1.example.com");
  std::string der = broken.cert.ToDer();
  der.back() ^= 0x01;
  ASSERT_OK_AND_ASSIGN(crypto::Certificate tampered, crypto::Certificate::FromDer(der));
  KeyPair bad{tampered.ToPem(), broken.key.ToPem()};
  EXPECT_FALSE(Connects(server.port(), Client(server_ca_, &bad)));
  ASSERT_TRUE(WaitUntil([&] { return logs.Lines(kRefused).size() == 4; }));
  EXPECT_THAT(logs.Lines(kRefused)[3], HasSubstr("refused: certificate signature is invalid"));
  EXPECT_THAT(logs.Lines(kRefused)[3], HasSubstr("client CN=broken.org1.example.com"));

  // The server keeps serving trusted clients.
  EXPECT_TRUE(Connects(server.port(), Client(server_ca_, &org1_client_)));
  EXPECT_THAT(logs.Lines(kRefused), SizeIs(4));
}

TEST_F(TlsTest, PoolUpdatesTakeEffectAtTheNextHandshake) {
  auto pool = std::make_shared<TrustPool>();
  pool->Set("ch1", {org1_ca_.cert});
  Server server(ServerCredentials(server_, pool));
  ASSERT_NE(server.port(), 0);
  EXPECT_FALSE(Connects(server.port(), Client(server_ca_, &org2_client_)));

  pool->Set("ch2", {org2_ca_.cert});  // e.g. a channel with Org2 was joined
  EXPECT_TRUE(Connects(server.port(), Client(server_ca_, &org2_client_)));
  EXPECT_TRUE(Connects(server.port(), Client(server_ca_, &org1_client_)));

  pool->Set("ch1", {});  // Org1's only channel dropped it
  EXPECT_FALSE(Connects(server.port(), Client(server_ca_, &org1_client_)));
  EXPECT_TRUE(Connects(server.port(), Client(server_ca_, &org2_client_)));
}

TEST_F(TlsTest, TrustPoolMergesSourcesWithoutDuplicates) {
  TrustPool pool;
  EXPECT_THAT(*pool.Get(), IsEmpty());
  pool.Set("ch1", {org1_ca_.cert, org2_ca_.cert});
  pool.Set("ch2", {org2_ca_.cert});
  pool.Set(TrustPool::kStaticSource, {server_ca_.cert});
  TrustPool::Snapshot before = pool.Get();
  EXPECT_THAT(*before, SizeIs(3));
  pool.Set("ch1", {});
  EXPECT_THAT(*pool.Get(), SizeIs(2));
  EXPECT_THAT(*before, SizeIs(3));  // snapshots are immutable
}

TEST_F(TlsTest, VerifyClientEndsAtAnIntermediateAndChecksKeyUsage) {
  StatusOr<TestCa> ica = msp::testing::MakeCa("ica.org1.example.com", "org1", Now() - hours(1),
                                              Now() + hours(24), &org1_ca_);
  ASSERT_OK(ica.status());
  TestIdentity leaf = Tls(*ica, "peer0.org1.example.com");
  TrustPool pool;
  pool.Set("ch", {ica->cert});  // only the intermediate, as an MSP's TLS intermediate certs
  EXPECT_OK(pool.VerifyClient(leaf.cert_pem, "", Now()));
  pool.Set("ch", {org1_ca_.cert});  // only the root: the client must send the intermediate
  EXPECT_FALSE(pool.VerifyClient(leaf.cert_pem, "", Now()).ok());
  EXPECT_OK(pool.VerifyClient(leaf.cert_pem, ica->cert.ToPem(), Now()));

  // A server-only certificate cannot authenticate a client.
  StatusOr<crypto::PrivateKey> key = crypto::PrivateKey::Generate();
  ASSERT_OK(key.status());
  crypto::CertificateTemplate tmpl;
  tmpl.subject.common_name = "server-only";
  tmpl.not_before = Now() - hours(1);
  tmpl.not_after = Now() + hours(1);
  tmpl.ext_key_usage = crypto::kExtKeyUsageServerAuth;
  StatusOr<crypto::Certificate> server_only =
      crypto::CreateCertificate(tmpl, key->public_key(), &org1_ca_.cert, org1_ca_.key);
  ASSERT_OK(server_only.status());
  Status s = pool.VerifyClient(server_only->ToPem(), "", Now());
  EXPECT_TRUE(s.IsPermissionDenied());
  EXPECT_THAT(std::string(s.message()), HasSubstr("incompatible key usage"));
  EXPECT_TRUE(pool.VerifyClient("not a certificate", "", Now()).IsInvalidArgument());
}

TEST(TlsChannelConfigTest, PeerTrustsApplicationOrgsAndOrdererAlsoOrdererOrgs) {
  msp::testing::TempDir tmp;
  ASSERT_OK_AND_ASSIGN(auto orgs, channelconfig::testing::TestOrgs::Create(tmp.path()));
  ASSERT_OK_AND_ASSIGN(auto bundle,
                       channelconfig::Bundle::FromConfig(
                           "mychannel", channelconfig::testing::MakeApplicationConfig(*orgs)));
  std::vector<crypto::Certificate> peer = PeerClientCas(*bundle);
  EXPECT_EQ(peer,
            (std::vector<crypto::Certificate>{orgs->org1.tls_ca.cert, orgs->org2.tls_ca.cert}));
  std::vector<crypto::Certificate> orderer = OrdererClientCas(*bundle);
  EXPECT_THAT(orderer, SizeIs(3));
  EXPECT_NE(std::find(orderer.begin(), orderer.end(), orgs->orderer.tls_ca.cert), orderer.end());
}

TEST(TlsFilesTest, LoadErrorsNameTheFileAndTheSetting) {
  msp::testing::TempDir tmp;
  Status s =
      LoadCertificateFiles({tmp.path() + "/missing.pem"}, "peer.tls.clientRootCAs.files").status();
  EXPECT_THAT(std::string(s.message()), HasSubstr("peer.tls.clientRootCAs.files"));
  EXPECT_THAT(std::string(s.message()), HasSubstr("missing.pem"));
  ASSERT_OK(msp::testing::WriteTestFile(tmp.path() + "/key.pem", "junk"));
  ASSERT_OK(msp::testing::WriteTestFile(tmp.path() + "/cert.pem", Ca("x").cert.ToPem()));
  s = LoadKeyPair(tmp.path() + "/cert.pem", tmp.path() + "/key.pem", "peer.tls.key.file").status();
  EXPECT_THAT(std::string(s.message()), HasSubstr("holds no PEM private key"));
}

}  // namespace
}  // namespace fabric::comm
