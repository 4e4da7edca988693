// SPDX-License-Identifier: Apache-2.0
//
// Crash recovery at Open: torn tails, a lagging or missing index, and damaged committed data.

#include <filesystem>
#include <mutex>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/crypto/file_util.h"
#include "common/ledger/blkstorage/block_file.h"
#include "common/ledger/blkstorage/block_store.h"
#include "common/ledger/blkstorage/testing/chain_builder.h"
#include "common/logging/logging.h"
#include "common/logging/testing/log_capture.h"
#include "common/protoutil/blockutils.h"

namespace fabric::ledger::blkstorage {
namespace {

using logging::testing::LogCapture;

namespace fs = std::filesystem;
using testing::ChainBuilder;
using ::testing::HasSubstr;
using testing::TempDir;

class RecoveryTest : public ::testing::Test {
 protected:
  std::string BlockDir() const { return dir_.path() + "/chains/mychannel"; }
  std::string IndexDir() const { return BlockDir() + "/index"; }
  std::string File(uint32_t n) const { return BlockFilePath(BlockDir(), n); }

  StatusOr<std::unique_ptr<BlockStore>> Open(bool verify_all = false) {
    BlockStoreOptions options;
    options.block_dir = BlockDir();
    options.max_file_size = max_file_size_;
    options.verify_all_files_on_open = verify_all;
    return BlockStore::Open(options);
  }

  // Appends `n` blocks of 2 transactions through a store opened and closed here.
  void AddBlocks(int n) {
    std::unique_ptr<BlockStore> store = Open().value();
    for (int i = 0; i < n; ++i) {
      blocks_.push_back(chain_.NextBlock(2));
      BLK_ASSERT_OK(store->AddBlock(blocks_.back()));
    }
  }

  void SaveIndex() {
    fs::remove_all(dir_.path() + "/saved-index");
    fs::copy(IndexDir(), dir_.path() + "/saved-index", fs::copy_options::recursive);
  }
  void RestoreIndex() {
    fs::remove_all(IndexDir());
    fs::copy(dir_.path() + "/saved-index", IndexDir(), fs::copy_options::recursive);
  }

  // The offset of each record in block file `n`.
  std::vector<uint64_t> RecordOffsets(uint32_t n) {
    std::string bytes = crypto::ReadFile(File(n)).value();
    std::vector<uint64_t> out;
    for (uint64_t pos = 0; pos < bytes.size(); pos = ParseRecord(bytes, pos).end) {
      out.push_back(pos);
    }
    return out;
  }

  void AppendToFile(uint32_t n, std::string_view data) {
    std::string bytes = crypto::ReadFile(File(n)).value();
    BLK_ASSERT_OK(crypto::WriteFileAtomic(File(n), bytes + std::string(data), 0644));
  }

  void FlipByte(uint32_t n, uint64_t offset) {
    std::string bytes = crypto::ReadFile(File(n)).value();
    bytes[offset] = static_cast<char>(bytes[offset] ^ 0x5a);
    BLK_ASSERT_OK(crypto::WriteFileAtomic(File(n), bytes, 0644));
  }

  void ExpectAllBlocks(const BlockStore& store) {
    EXPECT_EQ(store.Height(), blocks_.size());
    for (const common::Block& b : blocks_) {
      StatusOr<common::Block> got =
          store.RetrieveBlockByHash(protoutil::BlockHeaderHash(b.header()));
      ASSERT_TRUE(got.ok()) << got.status();
      EXPECT_EQ(got->header().number(), b.header().number());
      common::Envelope env;
      ASSERT_TRUE(env.ParseFromString(b.data().data(1)));
      EXPECT_TRUE(store.TxIdExists(ChainBuilder::TxId(env)).value());
    }
  }

  TempDir dir_;
  ChainBuilder chain_;
  std::vector<common::Block> blocks_;
  uint64_t max_file_size_ = 64 << 20;
};

TEST_F(RecoveryTest, GarbageAfterTheLastBlockIsTruncatedWithOneWarning) {
  AddBlocks(5);
  uint64_t size = fs::file_size(File(0));
  AppendToFile(0, "\xff\xff\xff");
  LogCapture logs;
  std::unique_ptr<BlockStore> store = Open().value();
  std::vector<std::string> warns = logs.Lines("WARN");
  ASSERT_EQ(warns.size(), 1u);
  EXPECT_THAT(warns[0], HasSubstr(File(0)));
  EXPECT_THAT(warns[0], HasSubstr(absl::StrFormat("offset %d", size)));
  EXPECT_THAT(warns[0], HasSubstr("dropped 3 bytes"));
  EXPECT_EQ(fs::file_size(File(0)), size);
  ExpectAllBlocks(*store);
  blocks_.push_back(chain_.NextBlock(2));
  BLK_EXPECT_OK(store->AddBlock(blocks_.back()));
}

TEST_F(RecoveryTest, HalfWrittenRecordOfUnacknowledgedBlockIsTruncated) {
  AddBlocks(4);
  SaveIndex();  // the index as it was before block 4 was indexed
  AddBlocks(1);
  RestoreIndex();
  std::vector<uint64_t> offsets = RecordOffsets(0);
  uint64_t size = fs::file_size(File(0));
  fs::resize_file(File(0), offsets.back() + (size - offsets.back()) / 2);
  blocks_.pop_back();

  LogCapture logs;
  std::unique_ptr<BlockStore> store = Open().value();
  EXPECT_EQ(logs.Lines("truncated torn tail").size(), 1u);
  EXPECT_EQ(fs::file_size(File(0)), offsets.back());
  EXPECT_EQ(store->Height(), 4u);
  common::Block next = protoutil::NewBlock(4, protoutil::BlockHeaderHash(blocks_.back().header()));
  protoutil::SealBlock(next);
  BLK_EXPECT_OK(store->AddBlock(next));
}

TEST_F(RecoveryTest, LaggingIndexIsRebuiltFromTheFiles) {
  max_file_size_ = 4096;
  AddBlocks(3);
  SaveIndex();
  AddBlocks(12);  // crosses into later files
  RestoreIndex();
  ASSERT_GT(ListBlockFiles(BlockDir()).value().size(), 1u);
  LogCapture logs;
  std::unique_ptr<BlockStore> store = Open().value();
  EXPECT_FALSE(logs.Lines("re-indexed").empty());
  EXPECT_TRUE(logs.Lines("WARN").empty());
  ExpectAllBlocks(*store);
  blocks_.push_back(chain_.NextBlock(2));
  BLK_EXPECT_OK(store->AddBlock(blocks_.back()));
}

TEST_F(RecoveryTest, DeletedIndexIsRebuiltCompletely) {
  max_file_size_ = 4096;
  AddBlocks(10);
  fs::remove_all(IndexDir());
  std::unique_ptr<BlockStore> store = Open().value();
  ExpectAllBlocks(*store);
  EXPECT_EQ(store->GetBlockchainInfo().currentblockhash(),
            protoutil::BlockHeaderHash(blocks_.back().header()));
}

TEST_F(RecoveryTest, CorruptionInsideCommittedBlocksIsDataLoss) {
  AddBlocks(5);
  uint64_t victim = RecordOffsets(0)[2] + 40;  // inside block 2's envelopes
  FlipByte(0, victim);
  StatusOr<std::unique_ptr<BlockStore>> store = Open();
  ASSERT_TRUE(store.status().IsDataLoss()) << store.status();
  EXPECT_THAT(std::string(store.status().message()), HasSubstr(File(0)));
  EXPECT_THAT(std::string(store.status().message()),
              HasSubstr(absl::StrFormat("offset %d", RecordOffsets(0)[2])));
}

TEST_F(RecoveryTest, CutInsideAcknowledgedBlocksIsDataLossNotTruncation) {
  AddBlocks(5);
  uint64_t size = fs::file_size(File(0));
  fs::resize_file(File(0), size - 10);
  StatusOr<std::unique_ptr<BlockStore>> store = Open();
  ASSERT_TRUE(store.status().IsDataLoss()) << store.status();
  EXPECT_EQ(fs::file_size(File(0)), size - 10) << "committed data must not be truncated";
}

TEST_F(RecoveryTest, DamagedUnindexedRecordFollowedByMoreDataIsDataLoss) {
  AddBlocks(3);
  SaveIndex();
  AddBlocks(2);
  RestoreIndex();
  FlipByte(0, RecordOffsets(0)[3] + 40);  // block 3: not indexed, block 4 follows it
  StatusOr<std::unique_ptr<BlockStore>> store = Open();
  ASSERT_TRUE(store.status().IsDataLoss()) << store.status();
  EXPECT_THAT(std::string(store.status().message()),
              HasSubstr(absl::StrFormat("offset %d", RecordOffsets(0)[3])));
}

TEST_F(RecoveryTest, OlderFilesAreVerifiedOnRequest) {
  max_file_size_ = 4096;
  AddBlocks(25);
  ASSERT_GT(ListBlockFiles(BlockDir()).value().size(), 2u);
  FlipByte(0, RecordOffsets(0)[1] + 40);
  EXPECT_TRUE(Open(/*verify_all=*/false).ok());
  StatusOr<std::unique_ptr<BlockStore>> store = Open(/*verify_all=*/true);
  ASSERT_TRUE(store.status().IsDataLoss()) << store.status();
  EXPECT_THAT(std::string(store.status().message()), HasSubstr(File(0)));
}

TEST_F(RecoveryTest, MissingBlockFileIsDataLoss) {
  max_file_size_ = 4096;
  AddBlocks(25);
  ASSERT_GT(ListBlockFiles(BlockDir()).value().size(), 2u);
  fs::remove(File(1));
  StatusOr<std::unique_ptr<BlockStore>> store = Open();
  ASSERT_TRUE(store.status().IsDataLoss()) << store.status();
  EXPECT_THAT(std::string(store.status().message()), HasSubstr(File(1)));
}

TEST_F(RecoveryTest, IndexNamingDeletedFilesIsDataLoss) {
  AddBlocks(3);
  fs::remove(File(0));
  StatusOr<std::unique_ptr<BlockStore>> store = Open();
  ASSERT_TRUE(store.status().IsDataLoss()) << store.status();
  EXPECT_THAT(std::string(store.status().message()), HasSubstr("which is missing"));
}

TEST_F(RecoveryTest, ZeroFilledTailIsTruncated) {
  AddBlocks(3);
  AppendToFile(0, std::string(4096, '\0'));
  std::unique_ptr<BlockStore> store = Open().value();
  ExpectAllBlocks(*store);
}

}  // namespace
}  // namespace fabric::ledger::blkstorage
