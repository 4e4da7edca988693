// SPDX-License-Identifier: Apache-2.0
#include "launcher/external/connection_info.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fabric::launcher::external {
namespace {

using ::testing::HasSubstr;

constexpr char kPem[] = "-----BEGIN CERTIFICATE-----\\nMIIB\\n-----END CERTIFICATE-----\\n";
constexpr char kKey[] = "-----BEGIN PRIVATE KEY-----\\nMIIE\\n-----END PRIVATE KEY-----\\n";

std::string ErrorOf(const std::string& json) {
  auto info = ParseConnectionInfo(json, "connection.json of mycc:1.0");
  EXPECT_FALSE(info.ok()) << json;
  if (info.ok()) {
    return "";
  }
  EXPECT_EQ(info.status().code(), StatusCode::kInvalidArgument);
  return std::string(info.status().message());
}

TEST(ConnectionInfoTest, ParsesPlainConnectionWithDefaultDialTimeout) {
  auto info = ParseConnectionInfo(R"({"address": "cc.example.com:9999"})", "x");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->address, "cc.example.com:9999");
  EXPECT_EQ(info->dial_timeout, std::chrono::seconds(3));
  EXPECT_FALSE(info->tls_required);
  EXPECT_FALSE(info->client_auth_required);
}

TEST(ConnectionInfoTest, ParsesMutualTlsConnection) {
  const std::string json = std::string(R"({"address": "127.0.0.1:7777", "dial_timeout": "1m30s",
    "tls_required": true, "client_auth_required": true, "root_cert": ")") +
                           kPem + R"(", "client_cert": ")" + kPem + R"(", "client_key": ")" + kKey +
                           R"(", "unknown_field": 1})";
  auto info = ParseConnectionInfo(json, "x");
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_EQ(info->dial_timeout, std::chrono::seconds(90));
  EXPECT_TRUE(info->tls_required);
  EXPECT_TRUE(info->client_auth_required);
  EXPECT_THAT(info->root_cert, HasSubstr("BEGIN CERTIFICATE-----\nMIIB"));
  EXPECT_THAT(info->client_key, HasSubstr("BEGIN PRIVATE KEY"));
}

TEST(ConnectionInfoTest, DialTimeoutAcceptsGoDurationsAndNanoseconds) {
  auto ms = ParseConnectionInfo(R"({"address": "h:1", "dial_timeout": "250ms"})", "x");
  ASSERT_TRUE(ms.ok());
  EXPECT_EQ(ms->dial_timeout, std::chrono::milliseconds(250));
  auto ns = ParseConnectionInfo(R"({"address": "h:1", "dial_timeout": 2000000000})", "x");
  ASSERT_TRUE(ns.ok());
  EXPECT_EQ(ns->dial_timeout, std::chrono::seconds(2));
  auto zero = ParseConnectionInfo(R"({"address": "h:1", "dial_timeout": "0s"})", "x");
  ASSERT_TRUE(zero.ok());
  EXPECT_EQ(zero->dial_timeout, std::chrono::seconds(3));
}

TEST(ConnectionInfoTest, TlsMaterialIsIgnoredWithoutTlsRequired) {
  auto info = ParseConnectionInfo(R"({"address": "h:1", "root_cert": "not pem"})", "x");
  ASSERT_TRUE(info.ok()) << info.status();
}

TEST(ConnectionInfoTest, RefusesMalformedDocuments) {
  EXPECT_THAT(ErrorOf("{"), HasSubstr("connection.json of mycc:1.0: not valid JSON"));
  EXPECT_THAT(ErrorOf("[1]"), HasSubstr("must be a JSON object"));
}

TEST(ConnectionInfoTest, RefusesMissingOrMalformedAddress) {
  EXPECT_THAT(ErrorOf("{}"), HasSubstr("address is missing: set it to the chaincode server's"));
  EXPECT_THAT(ErrorOf(R"({"address": 9999})"), HasSubstr("address must be a string"));
  EXPECT_THAT(ErrorOf(R"({"address": "localhost"})"), HasSubstr("is not host:port"));
  EXPECT_THAT(ErrorOf(R"({"address": "h:99999"})"), HasSubstr("is not host:port"));
  EXPECT_THAT(ErrorOf(R"({"address": ":80"})"), HasSubstr("is not host:port"));
}

TEST(ConnectionInfoTest, RefusesBadDialTimeout) {
  EXPECT_THAT(ErrorOf(R"({"address": "h:1", "dial_timeout": "10 seconds"})"),
              HasSubstr("dial_timeout \"10 seconds\" is not a duration: write it as \"10s\""));
  EXPECT_THAT(ErrorOf(R"({"address": "h:1", "dial_timeout": "-1s"})"),
              HasSubstr("dial_timeout must not be negative"));
  EXPECT_THAT(ErrorOf(R"({"address": "h:1", "dial_timeout": true})"),
              HasSubstr("dial_timeout must be a duration string"));
}

TEST(ConnectionInfoTest, RefusesWrongFlagTypes) {
  EXPECT_THAT(ErrorOf(R"({"address": "h:1", "tls_required": "yes"})"),
              HasSubstr("tls_required must be true or false"));
  EXPECT_THAT(ErrorOf(R"({"address": "h:1", "client_auth_required": 1})"),
              HasSubstr("client_auth_required must be true or false"));
}

TEST(ConnectionInfoTest, TlsNeedsRootCertAndClientAuthNeedsKeyPair) {
  EXPECT_THAT(ErrorOf(R"({"address": "h:1", "tls_required": true})"),
              HasSubstr("root_cert is missing: tls_required needs the PEM CA certificate"));
  EXPECT_THAT(ErrorOf(R"({"address": "h:1", "tls_required": true, "root_cert": "abc"})"),
              HasSubstr("root_cert is not PEM"));
  const std::string root = std::string(R"("root_cert": ")") + kPem + "\"";
  EXPECT_THAT(ErrorOf(R"({"address": "h:1", "tls_required": true, "client_auth_required": true, )" +
                      root + "}"),
              HasSubstr("client_key is missing: client_auth_required needs the PEM private key"));
  EXPECT_THAT(ErrorOf(R"({"address": "h:1", "tls_required": true, "client_auth_required": true, )" +
                      root + R"(, "client_key": ")" + kKey + "\"}"),
              HasSubstr("client_cert is missing"));
}

TEST(ConnectionInfoTest, ReadReportsMissingFile) {
  auto info = ReadConnectionInfo("/no/such/connection.json", "release of mycc:1.0");
  EXPECT_EQ(info.status().code(), StatusCode::kNotFound);
}

}  // namespace
}  // namespace fabric::launcher::external
