// SPDX-License-Identifier: Apache-2.0
//
// Start over mutual TLS with the files a Fabric 1.x launcher gives a chaincode: peer CA as PEM,
// client key and cert as base64 of PEM. Certificates are made here with OpenSSL (test only; the
// shim itself does not link OpenSSL directly).

#include <stdlib.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <functional>
#include <memory>

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "fabric/shim/start.h"
#include "src/base64.h"
#include "src/testing/fake_peer.h"
#include "src/testing/test_chaincode.h"

namespace fabric::shim {
namespace {

using protos::ChaincodeMessage;

struct KeyAndCert {
  std::shared_ptr<EVP_PKEY> key;
  std::shared_ptr<X509> cert;
};

void AddExtension(X509* cert, X509* issuer, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx(&ctx, issuer, cert, nullptr, nullptr, 0);
  X509_EXTENSION* ext = X509V3_EXT_conf_nid(nullptr, &ctx, nid, value);
  ASSERT_NE(ext, nullptr);
  X509_add_ext(cert, ext, -1);
  X509_EXTENSION_free(ext);
}

// A P-256 key and a certificate for `cn`, signed by `issuer` (self-signed CA when null).
KeyAndCert Issue(const char* cn, const KeyAndCert* issuer, long serial) {
  KeyAndCert out{std::shared_ptr<EVP_PKEY>(EVP_EC_gen("P-256"), EVP_PKEY_free),
                 std::shared_ptr<X509>(X509_new(), X509_free)};
  X509* x = out.cert.get();
  X509_set_version(x, 2);
  ASN1_INTEGER_set(X509_get_serialNumber(x), serial);
  X509_gmtime_adj(X509_getm_notBefore(x), -3600);
  X509_gmtime_adj(X509_getm_notAfter(x), 86400);
  X509_set_pubkey(x, out.key.get());
  X509_NAME* name = X509_get_subject_name(x);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn),
                             -1, -1, 0);
  X509* issuer_cert = issuer ? issuer->cert.get() : x;
  X509_set_issuer_name(x, X509_get_subject_name(issuer_cert));
  if (issuer == nullptr) {
    AddExtension(x, x, NID_basic_constraints, "critical,CA:TRUE");
    AddExtension(x, x, NID_key_usage, "critical,keyCertSign,cRLSign,digitalSignature");
  } else {
    AddExtension(x, issuer_cert, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost");
    AddExtension(x, issuer_cert, NID_ext_key_usage, "serverAuth,clientAuth");
  }
  X509_sign(x, issuer ? issuer->key.get() : out.key.get(), EVP_sha256());
  return out;
}

std::string Pem(const std::function<int(BIO*)>& write) {
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new(BIO_s_mem()), BIO_free);
  write(bio.get());
  char* data = nullptr;
  long n = BIO_get_mem_data(bio.get(), &data);
  return std::string(data, static_cast<size_t>(n));
}

std::string CertPem(const KeyAndCert& kc) {
  return Pem([&](BIO* b) { return PEM_write_bio_X509(b, kc.cert.get()); });
}

std::string KeyPem(const KeyAndCert& kc) {
  return Pem([&](BIO* b) {
    return PEM_write_bio_PrivateKey(b, kc.key.get(), nullptr, nullptr, 0, nullptr, nullptr);
  });
}

TEST(TlsTest, RegistersOverMutualTlsWithBase64ClientFiles) {
  KeyAndCert ca = Issue("peer-ca", nullptr, 1);
  KeyAndCert server = Issue("peer0", &ca, 2);
  KeyAndCert client = Issue("mycc-client", &ca, 3);
  testing::FakePeerTls tls{KeyPem(server), CertPem(server), CertPem(ca)};
  testing::FakePeer peer(&tls);

  auto dir = std::filesystem::temp_directory_path() / ("shim-tls-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  auto write = [&](const char* name, const std::string& content) {
    std::ofstream((dir / name).string()) << content;
    return (dir / name).string();
  };
  setenv("CORE_CHAINCODE_ID_NAME", "mycc:1.0", 1);
  setenv("CORE_PEER_ADDRESS", peer.address().c_str(), 1);
  setenv("CORE_PEER_TLS_ENABLED", "true", 1);
  setenv("CORE_PEER_TLS_ROOTCERT_FILE", write("peer.crt", CertPem(ca)).c_str(), 1);
  setenv("CORE_TLS_CLIENT_KEY_PATH",
         write("client.key", internal::Base64Encode(KeyPem(client))).c_str(), 1);
  setenv("CORE_TLS_CLIENT_CERT_PATH",
         write("client.crt", internal::Base64Encode(CertPem(client))).c_str(), 1);
  StatusOr<StartOptions> options = LoadStartOptions(0, nullptr);
  for (const char* v :
       {"CORE_CHAINCODE_ID_NAME", "CORE_PEER_ADDRESS", "CORE_PEER_TLS_ENABLED",
        "CORE_PEER_TLS_ROOTCERT_FILE", "CORE_TLS_CLIENT_KEY_PATH", "CORE_TLS_CLIENT_CERT_PATH"}) {
    unsetenv(v);
  }
  std::filesystem::remove_all(dir);
  ASSERT_TRUE(options.ok()) << options.status();
  options->dial_timeout = std::chrono::seconds(5);

  testing::TestChaincode cc;
  testing::RunningShim shim(cc, *options);
  ASSERT_TRUE(peer.Handshake("mycc:1.0"));
  ASSERT_TRUE(peer.Write(testing::Transaction("tx1", {"event", "e", "p"})));
  ChaincodeMessage done;
  ASSERT_TRUE(peer.Read(&done));
  EXPECT_EQ(done.type(), ChaincodeMessage::COMPLETED);
  peer.EndStream();
  EXPECT_EQ(shim.WaitExit(), 2);
}

TEST(TlsTest, ClientWithoutCertificateIsRefused) {
  KeyAndCert ca = Issue("peer-ca", nullptr, 1);
  KeyAndCert server = Issue("peer0", &ca, 2);
  testing::FakePeerTls tls{KeyPem(server), CertPem(server), CertPem(ca)};
  testing::FakePeer peer(&tls);
  StartOptions options = testing::OptionsFor(peer.address());
  options.tls.enabled = true;
  options.tls.root_cert_pem = CertPem(ca);
  options.dial_timeout = std::chrono::milliseconds(500);
  testing::TestChaincode cc;
  EXPECT_NE(Start(cc, options), 0);
}

}  // namespace
}  // namespace fabric::shim
