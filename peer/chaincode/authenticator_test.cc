// SPDX-License-Identifier: Apache-2.0
#include "peer/chaincode/authenticator.h"

#include <chrono>

#include <gtest/gtest.h>

#include "common/crypto/x509.h"

namespace fabric::chaincode {
namespace {

using namespace std::chrono_literals;

TEST(AuthenticatorTest, IssuesServerAndClientCertificatesFromTheEphemeralCa) {
  auto auth = Authenticator::Create();
  ASSERT_TRUE(auth.ok()) << auth.status();
  auto ca = crypto::Certificate::FromPem((*auth)->ca_cert_pem());
  ASSERT_TRUE(ca.ok());
  EXPECT_TRUE(ca->IsCa());

  auto server = (*auth)->NewServerCertKeyPair({"peer0.org1.example.com", "127.0.0.1"});
  ASSERT_TRUE(server.ok()) << server.status();
  auto server_cert = crypto::Certificate::FromPem(server->cert_pem);
  ASSERT_TRUE(server_cert.ok());
  EXPECT_TRUE(crypto::VerifyChain(*server_cert, {*ca}, {}, std::chrono::system_clock::now()).ok());
  EXPECT_EQ(server_cert->DnsNames(), std::vector<std::string>{"peer0.org1.example.com"});
  EXPECT_EQ(server_cert->IpAddresses(), std::vector<std::string>{"127.0.0.1"});
  EXPECT_EQ(server_cert->ExtKeyUsageBits(), crypto::kExtKeyUsageServerAuth);

  auto client = (*auth)->Generate("mycc:1.0");
  ASSERT_TRUE(client.ok()) << client.status();
  auto client_cert = crypto::Certificate::FromPem(client->cert_pem);
  ASSERT_TRUE(client_cert.ok());
  EXPECT_TRUE(crypto::VerifyChain(*client_cert, {*ca}, {}, std::chrono::system_clock::now()).ok());
  EXPECT_EQ(client_cert->SubjectName().common_name, "mycc:1.0");
  EXPECT_EQ(client_cert->ExtKeyUsageBits(), crypto::kExtKeyUsageClientAuth);
  EXPECT_TRUE(crypto::PrivateKey::FromPem(client->key_pem).ok());
}

TEST(AuthenticatorTest, AcceptsACertificateOnlyForItsCcid) {
  auto auth = Authenticator::Create();
  ASSERT_TRUE(auth.ok());
  auto a = (*auth)->Generate("mycc:1.0");
  auto b = (*auth)->Generate("mycc:1.0");  // a relaunch: both stay valid until their TTL
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_TRUE((*auth)->Authenticate("mycc:1.0", a->cert_pem).ok());
  EXPECT_TRUE((*auth)->Authenticate("mycc:1.0", b->cert_pem).ok());
  Status other = (*auth)->Authenticate("mycc:2.0", a->cert_pem);
  EXPECT_TRUE(other.IsPermissionDenied()) << other;
  EXPECT_EQ(other.message(), "TLS client certificate does not belong to chaincode mycc:2.0");
  EXPECT_TRUE((*auth)->Authenticate("mycc:1.0", "").IsPermissionDenied());
  EXPECT_TRUE((*auth)->Authenticate("mycc:1.0", "garbage").IsPermissionDenied());
}

TEST(AuthenticatorTest, ForgetsCertificatesAfterTheTtl) {
  auto now = std::chrono::steady_clock::now();
  Authenticator::Options options;
  options.ttl = 10min;
  options.now = [&now] { return now; };
  auto auth = Authenticator::Create(options);
  ASSERT_TRUE(auth.ok());
  auto pair = (*auth)->Generate("mycc:1.0");
  ASSERT_TRUE(pair.ok());
  now += 9min;
  EXPECT_TRUE((*auth)->Authenticate("mycc:1.0", pair->cert_pem).ok());
  now += 2min;
  EXPECT_TRUE((*auth)->Authenticate("mycc:1.0", pair->cert_pem).IsPermissionDenied());
}

}  // namespace
}  // namespace fabric::chaincode
