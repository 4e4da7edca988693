// SPDX-License-Identifier: Apache-2.0
//
// An ad-hoc AddBlock throughput measurement, disabled by default (bench/ledger owns the real
// benchmarks). Run with:
//   fabric_blkstorage_test --gtest_also_run_disabled_tests --gtest_filter='*Throughput*'

#include <chrono>
#include <cstdio>
#include <filesystem>

#include <absl/strings/str_format.h>
#include <gtest/gtest.h>

#include "common/ledger/blkstorage/block_file.h"
#include "common/ledger/blkstorage/block_store.h"
#include "common/ledger/blkstorage/testing/chain_builder.h"
#include "common/protoutil/blockutils.h"
#include "common/protoutil/txutils.h"

namespace fabric::ledger::blkstorage {
namespace {

constexpr int kTxPerBlock = 500;
constexpr int kBlocks = 33;             // about one full 64 MiB block file
constexpr size_t kEnvelopeBody = 3000;  // about an endorser tx with one endorsement

// An envelope of realistic size with a unique txid (unsigned: signing is not what is measured).
std::string FakeEnvelope(uint64_t block, int tx) {
  common::ChannelHeader ch = protoutil::MakeChannelHeader(
      common::ENDORSER_TRANSACTION, 0, "mychannel", 0, absl::StrFormat("%064x", block * 1000 + tx));
  common::SignatureHeader sh = protoutil::MakeSignatureHeader(std::string(800, 'c'), "nonce");
  common::Envelope env;
  env.set_payload(
      protoutil::MakePayload(ch, sh, std::string(kEnvelopeBody, 'd')).SerializeAsString());
  env.set_signature(std::string(71, 's'));
  return env.SerializeAsString();
}

// Single-thread TxIdExists rate, half hits and half misses.
void MeasureTxIdExists(const BlockStore& store) {
  constexpr int kLookups = 200000;
  int found = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < kLookups; ++i) {
    uint64_t id = (i % 2 == 0) ? (i / 2 % kBlocks) * 1000 + i % kTxPerBlock : 999999999 - i;
    found += store.TxIdExists(absl::StrFormat("%064x", id)).value() ? 1 : 0;
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  EXPECT_EQ(found, kLookups / 2);
  std::printf("blkstorage_txidexists: %.0f lookups/s (one thread)\n", kLookups / secs);
}

void Measure(bool sync) {
  testing::TempDir dir;
  BlockStoreOptions options;
  options.block_dir = dir.path() + "/chains/mychannel";
  options.sync = sync;
  std::unique_ptr<BlockStore> store = BlockStore::Open(options).value();
  std::vector<common::Block> blocks;
  std::string prev;
  for (uint64_t n = 0; n < kBlocks; ++n) {
    common::Block b = protoutil::NewBlock(n, prev);
    for (int t = 0; t < kTxPerBlock; ++t) {
      b.mutable_data()->add_data(FakeEnvelope(n, t));
    }
    b.mutable_metadata()->set_metadata(common::TRANSACTIONS_FILTER, std::string(kTxPerBlock, '\0'));
    protoutil::SealBlock(b);
    prev = protoutil::BlockHeaderHash(b.header());
    blocks.push_back(std::move(b));
  }
  auto start = std::chrono::steady_clock::now();
  for (const common::Block& b : blocks) {
    BLK_ASSERT_OK(store->AddBlock(b));
  }
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf(
      "blkstorage_addblock sync=%d blocks=%d tx_per_block=%d block_bytes=%zu: "
      "%.1f blocks/s, %.0f tx/s, %.2f ms/block\n",
      sync, kBlocks, kTxPerBlock, blocks[0].ByteSizeLong(), kBlocks / secs,
      kBlocks * kTxPerBlock / secs, secs * 1000 / kBlocks);
  MeasureTxIdExists(*store);
  store.reset();
  start = std::chrono::steady_clock::now();
  store = BlockStore::Open(options).value();
  secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  std::printf("blkstorage_reopen: %.0f ms (verifies the %zu-byte last block file)\n", secs * 1000,
              static_cast<size_t>(std::filesystem::file_size(BlockFilePath(options.block_dir, 0))));
}

TEST(BlockStoreThroughputTest, DISABLED_AddBlockWith500TxBlocks) {
  Measure(/*sync=*/true);
  Measure(/*sync=*/false);
}

}  // namespace
}  // namespace fabric::ledger::blkstorage
