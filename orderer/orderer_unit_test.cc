// SPDX-License-Identifier: Apache-2.0
//
// Unit tests of the orderer's parts without gRPC: block cutter, local config, message checks.
#include <map>
#include <string>

#include <gtest/gtest.h>

#include "common/msp/testing/status_testing.h"
#include "orderer/blockcutter.h"
#include "orderer/config.h"
#include "orderer/msgprocessor.h"

namespace fabric::orderer {
namespace {

common::Envelope Msg(size_t bytes) {
  common::Envelope env;
  env.set_payload(std::string(bytes, 'p'));
  return env;
}

channelconfig::BatchSize Sizes(uint32_t count, uint32_t preferred) {
  channelconfig::BatchSize size;
  size.max_message_count = count;
  size.preferred_max_bytes = preferred;
  size.absolute_max_bytes = 10 * preferred;
  return size;
}

TEST(BlockCutterTest, CutsAtMaxMessageCount) {
  BlockCutter cutter;
  auto size = Sizes(2, 1000);
  auto r1 = cutter.Ordered(Msg(10), size);
  EXPECT_TRUE(r1.batches.empty());
  EXPECT_TRUE(r1.pending);
  auto r2 = cutter.Ordered(Msg(10), size);
  ASSERT_EQ(r2.batches.size(), 1u);
  EXPECT_EQ(r2.batches[0].size(), 2u);
  EXPECT_FALSE(r2.pending);
  EXPECT_TRUE(cutter.Cut().empty());
}

TEST(BlockCutterTest, OversizedMessageIsCutAloneAfterThePendingBatch) {
  BlockCutter cutter;
  auto size = Sizes(10, 100);
  cutter.Ordered(Msg(10), size);
  auto r = cutter.Ordered(Msg(500), size);
  ASSERT_EQ(r.batches.size(), 2u);
  EXPECT_EQ(r.batches[0].size(), 1u);
  EXPECT_EQ(r.batches[1].size(), 1u);
  EXPECT_EQ(r.batches[1][0].payload().size(), 500u);
  EXPECT_FALSE(r.pending);
}

TEST(BlockCutterTest, MessageThatOverflowsPreferredBytesCutsPendingFirst) {
  BlockCutter cutter;
  auto size = Sizes(10, 100);
  cutter.Ordered(Msg(60), size);
  auto r = cutter.Ordered(Msg(60), size);
  ASSERT_EQ(r.batches.size(), 1u);
  EXPECT_EQ(r.batches[0].size(), 1u);
  EXPECT_TRUE(r.pending);
  EXPECT_EQ(cutter.Cut().size(), 1u);
}

// A small envelope carrying a large unknown field is as large as what the block would store.
TEST(BlockCutterTest, MessageSizeCountsWhatIsStored) {
  common::Envelope env;
  env.set_payload("payload");
  env.set_signature("signature");
  EXPECT_GE(MessageSizeBytes(env), env.payload().size() + env.signature().size());
  // Field 99 (not an Envelope field), length-delimited, 20 MiB: kept as an unknown field.
  std::string bytes = env.SerializeAsString() + "\x9a\x06";
  for (uint64_t n = uint64_t{20} << 20;; n >>= 7) {
    if (n < 0x80) {
      bytes.push_back(static_cast<char>(n));
      break;
    }
    bytes.push_back(static_cast<char>((n & 0x7f) | 0x80));
  }
  bytes.append(size_t{20} << 20, 'x');
  ASSERT_TRUE(env.ParseFromString(bytes));
  EXPECT_EQ(env.payload(), "payload");
  EXPECT_EQ(MessageSizeBytes(env), env.SerializeAsString().size());
  EXPECT_GT(MessageSizeBytes(env), size_t{20} << 20);
}

TEST(OrdererConfigTest, ParsesFileAndEnvironmentOverrides) {
  ASSERT_OK_AND_ASSIGN(OrdererConfig config,
                       ParseConfig(R"({"General": {"ListenAddress": "0.0.0.0", "ListenPort": 7050,
                         "BootstrapFile": "genesis.block", "LocalMSPDir": "msp",
                         "LocalMSPID": "OrdererMSP",
                         "TLS": {"Enabled": true, "PrivateKey": "tls/server.key",
                                 "Certificate": "tls/server.crt", "RootCAs": ["tls/ca.crt"],
                                 "ClientRootCAs": ["clients/ca.crt"]}},
                         "FileLedger": {"Location": "/var/ledger"}})",
                                   "/etc/orderer"));
  EXPECT_EQ(config.listen_address, "0.0.0.0");
  EXPECT_EQ(config.bootstrap_files, std::vector<std::string>{"/etc/orderer/genesis.block"});
  EXPECT_EQ(config.local_msp_dir, "/etc/orderer/msp");
  EXPECT_EQ(config.tls.private_key, "/etc/orderer/tls/server.key");
  EXPECT_TRUE(config.tls.enabled);
  EXPECT_EQ(config.tls.client_root_cas, std::vector<std::string>{"/etc/orderer/clients/ca.crt"});
  std::map<std::string, std::string> env = {
      {"ORDERER_GENERAL_LISTENPORT", "7150"},
      {"ORDERER_GENERAL_BOOTSTRAPFILE", "[a.block, b.block]"},
      {"ORDERER_GENERAL_TLS_ENABLED", "false"},
      {"ORDERER_FILELEDGER_LOCATION", "/tmp/l"},
      {"ORDERER_GENERAL_TLS_CLIENTROOTCAS", "[/c1.pem, /c2.pem]"},
  };
  auto lookup = [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  ASSERT_OK(ApplyEnvOverrides(lookup, &config));
  EXPECT_EQ(config.listen_port, 7150);
  EXPECT_EQ(config.bootstrap_files, (std::vector<std::string>{"a.block", "b.block"}));
  EXPECT_FALSE(config.tls.enabled);
  EXPECT_EQ(config.file_ledger_location, "/tmp/l");
  EXPECT_EQ(config.tls.client_root_cas, (std::vector<std::string>{"/c1.pem", "/c2.pem"}));
  EXPECT_OK(Validate(config));
}

TEST(OrdererConfigTest, BatchSchedulingIsOnUnlessTurnedOff) {
  EXPECT_TRUE(OrdererConfig().batch_scheduling);
  auto from_file = ParseConfig(R"({"General": {"BatchScheduling": false}})", "");
  ASSERT_TRUE(from_file.ok()) << from_file.status();
  EXPECT_FALSE(from_file->batch_scheduling);
  OrdererConfig config;
  auto on = [](const char* name) -> const char* {
    return std::string(name) == "ORDERER_GENERAL_BATCHSCHEDULING" ? "true" : nullptr;
  };
  config.batch_scheduling = false;
  ASSERT_OK(ApplyEnvOverrides(on, &config));
  EXPECT_TRUE(config.batch_scheduling);
  auto bad = [](const char* name) -> const char* {
    return std::string(name) == "ORDERER_GENERAL_BATCHSCHEDULING" ? "sometimes" : nullptr;
  };
  Status s = ApplyEnvOverrides(bad, &config);
  EXPECT_TRUE(s.IsInvalidArgument());
  EXPECT_NE(std::string(s.message()).find("ORDERER_GENERAL_BATCHSCHEDULING"), std::string::npos);
  EXPECT_TRUE(
      ParseConfig(R"({"General": {"BatchScheduling": "no"}})", "").status().IsInvalidArgument());
}

TEST(OrdererConfigTest, RejectsBadInput) {
  EXPECT_TRUE(ParseConfig("{", "").status().IsInvalidArgument());
  EXPECT_TRUE(ParseConfig(R"({"General": {"ListenPort": "x"}})", "").status().IsInvalidArgument());
  OrdererConfig config;
  auto lookup = [](const char* name) -> const char* {
    return std::string(name) == "ORDERER_GENERAL_LISTENPORT" ? "seventy" : nullptr;
  };
  EXPECT_TRUE(ApplyEnvOverrides(lookup, &config).IsInvalidArgument());
  EXPECT_TRUE(Validate(OrdererConfig()).IsInvalidArgument());  // No MSP dir.
  auto none = [](const char*) -> const char* { return nullptr; };
  EXPECT_TRUE(LoadConfig("/no/such/orderer.json", none).status().IsNotFound());
}

TEST(MsgProcessorTest, ClassifiesHeaderTypes) {
  common::ChannelHeader chdr;
  chdr.set_type(common::ENDORSER_TRANSACTION);
  EXPECT_EQ(ClassifyMsg(chdr), MsgClass::kNormal);
  chdr.set_type(common::CONFIG_UPDATE);
  EXPECT_EQ(ClassifyMsg(chdr), MsgClass::kConfigUpdate);
  chdr.set_type(common::CONFIG);
  EXPECT_EQ(ClassifyMsg(chdr), MsgClass::kRejected);
  chdr.set_type(common::ORDERER_TRANSACTION);
  EXPECT_EQ(ClassifyMsg(chdr), MsgClass::kRejected);
  chdr.set_type(77);
  EXPECT_EQ(ClassifyMsg(chdr), MsgClass::kRejected);
}

TEST(MsgProcessorTest, ValidatesChannelIds) {
  EXPECT_OK(ValidateChannelId("mychannel"));
  EXPECT_OK(ValidateChannelId("a.b-c9"));
  EXPECT_FALSE(ValidateChannelId("").ok());
  EXPECT_FALSE(ValidateChannelId("MyChannel").ok());
  EXPECT_FALSE(ValidateChannelId("9abc").ok());
  EXPECT_FALSE(ValidateChannelId("a/b").ok());
  EXPECT_FALSE(ValidateChannelId(std::string(250, 'a')).ok());
}

TEST(MsgProcessorTest, ParseEnvelopeHeadersRejectsGarbage) {
  common::Envelope env;
  env.set_payload("\x0a\xff garbage");
  EXPECT_TRUE(ParseEnvelopeHeaders(env).status().IsInvalidArgument());
  EXPECT_TRUE(ParseEnvelopeHeaders(common::Envelope()).status().IsInvalidArgument());
}

}  // namespace
}  // namespace fabric::orderer
