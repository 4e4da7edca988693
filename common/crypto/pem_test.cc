// SPDX-License-Identifier: Apache-2.0
#include "common/crypto/pem.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fabric::crypto {
namespace {

using ::testing::HasSubstr;

TEST(PemTest, EncodeDecodeRoundTripsSeveralBlocksInOrder) {
  std::string der1(100, '\x01');
  std::string der2("\x00\xff\x7f", 3);
  std::string pem = "leading text\n" + EncodePem("CERTIFICATE", der1) + "between\n" +
                    EncodePem("PRIVATE KEY", der2);
  StatusOr<std::vector<PemBlock>> blocks = DecodePem(pem);
  ASSERT_TRUE(blocks.ok()) << blocks.status();
  ASSERT_EQ(blocks->size(), 2u);
  EXPECT_EQ((*blocks)[0].type, "CERTIFICATE");
  EXPECT_EQ((*blocks)[0].der, der1);
  EXPECT_EQ((*blocks)[1].type, "PRIVATE KEY");
  EXPECT_EQ((*blocks)[1].der, der2);
  EXPECT_THAT(EncodePem("X", der1), HasSubstr("-----BEGIN X-----\n"));
  EXPECT_EQ(EncodePem("EMPTY", ""), "-----BEGIN EMPTY-----\n-----END EMPTY-----\n");
}

TEST(PemTest, RejectsInputWithoutBlocks) {
  for (std::string input : {std::string(), std::string("garbage"), std::string(5000, '\0')}) {
    StatusOr<std::vector<PemBlock>> blocks = DecodePem(input);
    ASSERT_FALSE(blocks.ok());
    EXPECT_TRUE(blocks.status().IsInvalidArgument());
    EXPECT_EQ(blocks.status().message(), "no pem block found");
  }
}

TEST(PemTest, RejectsMalformedBlocks) {
  std::string good = EncodePem("CERTIFICATE", std::string(300, 'a'));
  // Missing END line.
  StatusOr<std::vector<PemBlock>> truncated = DecodePem(good.substr(0, good.size() / 2));
  ASSERT_FALSE(truncated.ok());
  EXPECT_THAT(truncated.status().message(), HasSubstr("malformed pem block 1"));
  // Bad base64.
  StatusOr<std::vector<PemBlock>> bad =
      DecodePem("-----BEGIN CERTIFICATE-----\n!!!!\n-----END CERTIFICATE-----\n");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().IsInvalidArgument());
}

TEST(PemTest, RejectsLegacyEncryptedHeaders) {
  std::string pem =
      "-----BEGIN EC PRIVATE KEY-----\nProc-Type: 4,ENCRYPTED\n"
      "DEK-Info: AES-128-CBC,00000000000000000000000000000000\n\nAAAA\n"
      "-----END EC PRIVATE KEY-----\n";
  StatusOr<std::vector<PemBlock>> blocks = DecodePem(pem);
  ASSERT_FALSE(blocks.ok());
  EXPECT_THAT(blocks.status().message(), HasSubstr("encrypted pem is not supported"));
}

}  // namespace
}  // namespace fabric::crypto
