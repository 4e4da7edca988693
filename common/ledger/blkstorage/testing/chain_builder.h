// SPDX-License-Identifier: Apache-2.0
//
// Test helpers for the block store: a ChainBuilder that makes hash-chained, sealed blocks of
// signed endorser-transaction envelopes, and a TempDir removed at scope exit.
//
// Thread-safety: none; one test thread uses a builder.

#pragma once

#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/common.pb.h"
#include "common/protoutil/blockutils.h"
#include "common/protoutil/testing/test_signer.h"
#include "common/protoutil/txutils.h"
#include "peer/transaction.pb.h"

// gtest helpers: the status is printed on failure.
#define BLK_ASSERT_OK(expr)                 \
  do {                                      \
    const ::fabric::Status blk_s_ = (expr); \
    ASSERT_TRUE(blk_s_.ok()) << blk_s_;     \
  } while (false)
#define BLK_EXPECT_OK(expr)                 \
  do {                                      \
    const ::fabric::Status blk_s_ = (expr); \
    EXPECT_TRUE(blk_s_.ok()) << blk_s_;     \
  } while (false)

namespace fabric::ledger::blkstorage::testing {

// A fresh directory under the system temp dir, removed (recursively) when destroyed.
class TempDir {
 public:
  TempDir() {
    std::string tmpl = (std::filesystem::temp_directory_path() / "blkstore-XXXXXX").string();
    path_ = ::mkdtemp(tmpl.data()) != nullptr ? tmpl : "";
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

class ChainBuilder {
 public:
  explicit ChainBuilder(std::string channel = "mychannel") : channel_(std::move(channel)) {}

  // A signed ENDORSER_TRANSACTION envelope with a fresh nonce and txid.
  common::Envelope NewEnvelope() {
    protos::Transaction tx;
    tx.add_actions()->set_payload(std::string(64, 'p'));
    return protoutil::CreateSignedEnvelope(common::ENDORSER_TRANSACTION, channel_, signer_, tx)
        .value();
  }

  // A signed CONFIG envelope whose channel header has no txid.
  common::Envelope NewEnvelopeWithoutTxId() {
    common::ChannelHeader ch = protoutil::MakeChannelHeader(common::CONFIG, 0, channel_, 0);
    common::SignatureHeader sh = protoutil::MakeSignatureHeader(signer_.Serialize(), "nonce");
    return protoutil::SignPayload(protoutil::MakePayload(ch, sh, "config"), signer_).value();
  }

  static std::string TxId(const common::Envelope& envelope) {
    return protoutil::ParseEnvelope(envelope).value().channel_header.tx_id();
  }

  // The next block of the chain holding `envelopes`, sealed, with TRANSACTIONS_FILTER =
  // `filter` when non-empty.
  common::Block NextBlock(const std::vector<common::Envelope>& envelopes,
                          const std::vector<uint8_t>& filter = {}) {
    common::Block block = protoutil::NewBlock(next_number_, prev_hash_);
    for (const common::Envelope& env : envelopes) {
      block.mutable_data()->add_data(env.SerializeAsString());
    }
    if (!filter.empty()) {
      block.mutable_metadata()->set_metadata(common::TRANSACTIONS_FILTER,
                                             std::string(filter.begin(), filter.end()));
    }
    protoutil::SealBlock(block);
    ++next_number_;
    prev_hash_ = protoutil::BlockHeaderHash(block.header());
    return block;
  }

  // The next block with `n` fresh envelopes.
  common::Block NextBlock(int n) {
    std::vector<common::Envelope> envs;
    for (int i = 0; i < n; ++i) {
      envs.push_back(NewEnvelope());
    }
    return NextBlock(envs);
  }

  uint64_t next_number() const { return next_number_; }

 private:
  std::string channel_;
  protoutil::testing::TestSigner signer_;
  uint64_t next_number_ = 0;
  std::string prev_hash_;
};

}  // namespace fabric::ledger::blkstorage::testing
