// SPDX-License-Identifier: Apache-2.0
#include "common/ledger/blkstorage/block_store.h"

#include <atomic>
#include <filesystem>
#include <functional>
#include <thread>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <leveldb/db.h>
#include <leveldb/write_batch.h>

#include "common/ledger/blkstorage/block_file.h"
#include "common/ledger/blkstorage/testing/chain_builder.h"
#include "common/protoutil/blockutils.h"
#include "fabric/base/testing/wait_until.h"

namespace fabric::ledger::blkstorage {
namespace {

using testing::ChainBuilder;
using ::testing::HasSubstr;
using testing::TempDir;

// The store of channel "mychannel" under `dir`, with 4 KiB block files and then whatever
// `adjust` changes; null (with a test failure) when it does not open.
std::unique_ptr<BlockStore> OpenStoreWith(const std::string& dir,
                                          const std::function<void(BlockStoreOptions&)>& adjust) {
  BlockStoreOptions options;
  options.block_dir = dir + "/chains/mychannel";
  options.max_file_size = 4096;
  adjust(options);
  StatusOr<std::unique_ptr<BlockStore>> store = BlockStore::Open(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(store).value() : nullptr;
}

std::unique_ptr<BlockStore> OpenStore(const std::string& dir, uint64_t max_file_size = 4096) {
  return OpenStoreWith(dir,
                       [max_file_size](BlockStoreOptions& o) { o.max_file_size = max_file_size; });
}

std::string Hash(const common::Block& block) { return protoutil::BlockHeaderHash(block.header()); }

void ExpectSameBlock(const StatusOr<common::Block>& got, const common::Block& want) {
  ASSERT_TRUE(got.ok()) << got.status();
  EXPECT_EQ(got->SerializeAsString(), want.SerializeAsString());
}

// Checks every read path for `blocks` (block i has number i).
void ExpectReadable(const BlockStore& store, const std::vector<common::Block>& blocks) {
  for (const common::Block& b : blocks) {
    uint64_t n = b.header().number();
    ExpectSameBlock(store.RetrieveBlockByNumber(n), b);
    ExpectSameBlock(store.RetrieveBlockByHash(Hash(b)), b);
    for (int t = 0; t < b.data().data_size(); ++t) {
      common::Envelope env;
      ASSERT_TRUE(env.ParseFromString(b.data().data(t)));
      std::string txid = ChainBuilder::TxId(env);
      ExpectSameBlock(store.RetrieveBlockByTxId(txid), b);
      StatusOr<common::Envelope> by_id = store.RetrieveTxByTxId(txid);
      ASSERT_TRUE(by_id.ok()) << by_id.status();
      EXPECT_EQ(by_id->SerializeAsString(), b.data().data(t));
      StatusOr<common::Envelope> by_num = store.RetrieveTxByBlockNumTranNum(n, t);
      ASSERT_TRUE(by_num.ok()) << by_num.status();
      EXPECT_EQ(by_num->SerializeAsString(), b.data().data(t));
      EXPECT_TRUE(store.TxIdExists(txid).value());
    }
  }
  ExpectSameBlock(store.RetrieveBlockByNumber(BlockStore::kLastBlock), blocks.back());
  common::BlockchainInfo info = store.GetBlockchainInfo();
  EXPECT_EQ(info.height(), blocks.size());
  EXPECT_EQ(info.currentblockhash(), Hash(blocks.back()));
  EXPECT_EQ(info.previousblockhash(), blocks.back().header().previous_hash());
}

TEST(BlockStoreTest, AppendsAndReadsBackAcrossFileRolloverAndReopen) {
  TempDir dir;
  ChainBuilder chain;
  std::vector<common::Block> blocks;
  {
    std::unique_ptr<BlockStore> store = OpenStore(dir.path());
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 25; ++i) {
      blocks.push_back(chain.NextBlock(i % 4));
      BLK_ASSERT_OK(store->AddBlock(blocks.back()));
    }
    ExpectReadable(*store, blocks);
  }
  std::vector<uint32_t> files = ListBlockFiles(dir.path() + "/chains/mychannel").value();
  EXPECT_GT(files.size(), 3u) << "blocks should roll over 4 KiB files";
  std::unique_ptr<BlockStore> store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  ExpectReadable(*store, blocks);
  blocks.push_back(chain.NextBlock(2));
  BLK_ASSERT_OK(store->AddBlock(blocks.back()));
  ExpectReadable(*store, blocks);
}

TEST(BlockStoreTest, EmptyStoreAnswersNotFoundNamingWhat) {
  TempDir dir;
  std::unique_ptr<BlockStore> store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  common::BlockchainInfo info = store->GetBlockchainInfo();
  EXPECT_EQ(info.height(), 0u);
  EXPECT_TRUE(info.currentblockhash().empty());
  EXPECT_TRUE(info.previousblockhash().empty());
  StatusOr<common::Block> b = store->RetrieveBlockByNumber(0);
  EXPECT_TRUE(b.status().IsNotFound());
  EXPECT_THAT(std::string(b.status().message()), HasSubstr("block 0 not found (height 0)"));
  EXPECT_TRUE(store->RetrieveBlockByNumber(BlockStore::kLastBlock).status().IsNotFound());
  StatusOr<common::Envelope> tx = store->RetrieveTxByTxId("abc123");
  EXPECT_TRUE(tx.status().IsNotFound());
  EXPECT_THAT(std::string(tx.status().message()), HasSubstr("abc123"));
  EXPECT_TRUE(store->RetrieveBlockByHash("nohash").status().IsNotFound());
  EXPECT_TRUE(store->RetrieveTxByBlockNumTranNum(0, 0).status().IsNotFound());
  EXPECT_TRUE(store->RetrieveTxValidationCodeByTxId("abc123").status().IsNotFound());
  EXPECT_FALSE(store->TxIdExists("abc123").value());
  EXPECT_FALSE(store->TxIdExists("").value());
}

TEST(BlockStoreTest, ValidationCodesComeFromTransactionsFilter) {
  TempDir dir;
  ChainBuilder chain;
  std::unique_ptr<BlockStore> store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  std::vector<common::Envelope> envs = {chain.NewEnvelope(), chain.NewEnvelope(),
                                        chain.NewEnvelope()};
  BLK_ASSERT_OK(store->AddBlock(chain.NextBlock(
      envs, {protos::VALID, protos::MVCC_READ_CONFLICT, protos::ENDORSEMENT_POLICY_FAILURE})));
  // No TRANSACTIONS_FILTER entry at all: VALID.
  common::Envelope unfiltered = chain.NewEnvelope();
  common::Block block = protoutil::NewBlock(1, Hash(store->RetrieveBlockByNumber(0).value()));
  block.mutable_metadata()->clear_metadata();
  block.mutable_data()->add_data(unfiltered.SerializeAsString());
  protoutil::SealBlock(block);
  BLK_ASSERT_OK(store->AddBlock(block));

  EXPECT_EQ(store->RetrieveTxValidationCodeByTxId(ChainBuilder::TxId(envs[0])).value(),
            protos::VALID);
  EXPECT_EQ(store->RetrieveTxValidationCodeByTxId(ChainBuilder::TxId(envs[1])).value(),
            protos::MVCC_READ_CONFLICT);
  TxIdInfo info = store->RetrieveTxIdInfo(ChainBuilder::TxId(envs[2])).value();
  EXPECT_EQ(info.block_num, 0u);
  EXPECT_EQ(info.tx_num, 2u);
  EXPECT_EQ(info.validation_code, protos::ENDORSEMENT_POLICY_FAILURE);
  EXPECT_EQ(store->RetrieveTxValidationCodeByTxId(ChainBuilder::TxId(unfiltered)).value(),
            protos::VALID);
}

TEST(BlockStoreTest, DuplicateTxIdKeepsTheFirstOccurrence) {
  TempDir dir;
  ChainBuilder chain;
  std::unique_ptr<BlockStore> store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  common::Envelope env = chain.NewEnvelope();
  std::string txid = ChainBuilder::TxId(env);
  common::Block first = chain.NextBlock({env}, {protos::VALID});
  BLK_ASSERT_OK(store->AddBlock(first));
  common::Block second =
      chain.NextBlock({chain.NewEnvelope(), env, env},
                      {protos::VALID, protos::DUPLICATE_TXID, protos::DUPLICATE_TXID});
  BLK_ASSERT_OK(store->AddBlock(second));

  EXPECT_EQ(store->RetrieveTxValidationCodeByTxId(txid).value(), protos::VALID);
  ExpectSameBlock(store->RetrieveBlockByTxId(txid), first);
  TxIdInfo info = store->RetrieveTxIdInfo(txid).value();
  EXPECT_EQ(info.block_num, 0u);
  EXPECT_EQ(info.tx_num, 0u);
  // The duplicates stay reachable by position.
  EXPECT_EQ(store->RetrieveTxByBlockNumTranNum(1, 2).value().SerializeAsString(),
            env.SerializeAsString());
}

TEST(BlockStoreTest, EmptyTxIdIsNotIndexed) {
  TempDir dir;
  ChainBuilder chain;
  std::unique_ptr<BlockStore> store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  common::Envelope config = chain.NewEnvelopeWithoutTxId();
  ASSERT_TRUE(ChainBuilder::TxId(config).empty());
  BLK_ASSERT_OK(store->AddBlock(chain.NextBlock({config})));
  EXPECT_FALSE(store->TxIdExists("").value());
  EXPECT_TRUE(store->RetrieveTxByTxId("").status().IsNotFound());
  EXPECT_EQ(store->RetrieveTxByBlockNumTranNum(0, 0).value().SerializeAsString(),
            config.SerializeAsString());
}

TEST(BlockStoreTest, RefusesWrongNumberPreviousHashAndDataHash) {
  TempDir dir;
  ChainBuilder chain;
  std::unique_ptr<BlockStore> store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  for (int i = 0; i < 5; ++i) {
    BLK_ASSERT_OK(store->AddBlock(chain.NextBlock(1)));
  }
  common::Block next = chain.NextBlock(1);  // block 5

  common::Block wrong_number = next;
  wrong_number.mutable_header()->set_number(7);
  Status s = store->AddBlock(wrong_number);
  EXPECT_TRUE(s.IsFailedPrecondition()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("block number 7 but next expected is 5"));

  common::Block wrong_prev = next;
  wrong_prev.mutable_header()->set_previous_hash(std::string(32, 'x'));
  s = store->AddBlock(wrong_prev);
  EXPECT_TRUE(s.IsFailedPrecondition()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("previous hash mismatch at block 5"));

  common::Block bad_data = next;
  bad_data.mutable_data()->add_data("extra");
  s = store->AddBlock(bad_data);
  EXPECT_TRUE(s.IsInvalidArgument()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("data hash mismatch at block 5"));

  EXPECT_TRUE(store->AddBlock(common::Block()).IsInvalidArgument());
  EXPECT_EQ(store->Height(), 5u);
  BLK_EXPECT_OK(store->AddBlock(next));
  EXPECT_EQ(store->Height(), 6u);
}

// A shared block is kept as it is (no copy). Its data hash is checked unless the caller says it
// checked it; number and previous hash are checked either way.
TEST(BlockStoreTest, SharedBlockIsKeptWithoutACopy) {
  TempDir dir;
  ChainBuilder chain;
  std::unique_ptr<BlockStore> store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  EXPECT_TRUE(store->AddBlock(nullptr, {}).IsInvalidArgument());

  auto genesis = std::make_shared<const common::Block>(chain.NextBlock(1));
  BLK_ASSERT_OK(store->AddBlock(genesis, {}));
  EXPECT_EQ(store->RetrieveSharedBlockByNumber(0).value().get(), genesis.get());

  common::Block next = chain.NextBlock(1);
  common::Block bad_data = next;
  bad_data.mutable_data()->add_data("extra");
  Status s = store->AddBlock(std::make_shared<const common::Block>(bad_data), {});
  EXPECT_TRUE(s.IsInvalidArgument()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("data hash mismatch at block 1"));
  common::Block wrong_prev = next;
  wrong_prev.mutable_header()->set_previous_hash(std::string(32, 'x'));
  s = store->AddBlock(std::make_shared<const common::Block>(wrong_prev),
                      {.data_hash_checked = true});
  EXPECT_TRUE(s.IsFailedPrecondition()) << s;
  EXPECT_EQ(store->Height(), 1u);

  auto shared = std::make_shared<const common::Block>(next);
  BLK_ASSERT_OK(store->AddBlock(shared, {.data_hash_checked = true}));
  EXPECT_EQ(store->RetrieveSharedBlockByNumber(1).value().get(), shared.get());
  ExpectReadable(*store, {*genesis, next});
}

TEST(BlockStoreTest, GenesisBlockMustHaveEmptyPreviousHash) {
  TempDir dir;
  std::unique_ptr<BlockStore> store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  common::Block genesis = protoutil::NewBlock(0, "not-empty");
  protoutil::SealBlock(genesis);
  EXPECT_TRUE(store->AddBlock(genesis).IsFailedPrecondition());
}

TEST(BlockStoreTest, IteratorWaitsForAddBlockAndWakesOnClose) {
  TempDir dir;
  ChainBuilder chain;
  std::unique_ptr<BlockStore> store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  BLK_ASSERT_OK(store->AddBlock(chain.NextBlock(1)));
  std::unique_ptr<BlocksIterator> it = store->RetrieveBlocks(0).value();
  EXPECT_EQ(it->Next().value().header().number(), 0u);

  auto soon = std::chrono::steady_clock::now() + std::chrono::milliseconds(20);
  EXPECT_TRUE(it->Next(soon).status().IsDeadlineExceeded());

  std::atomic<bool> got{false};
  std::thread reader([&] {
    StatusOr<common::Block> b = it->Next();
    got = b.ok() && b->header().number() == 1;
  });
  EXPECT_TRUE(WaitUntil([&] { return store->waiting_readers() == 1; }));
  EXPECT_FALSE(got.load());
  BLK_ASSERT_OK(store->AddBlock(chain.NextBlock(1)));
  reader.join();
  EXPECT_TRUE(got.load());

  std::atomic<int> code{-1};
  std::thread waiter([&] { code = static_cast<int>(it->Next().status().code()); });
  EXPECT_TRUE(WaitUntil([&] { return store->waiting_readers() == 1; }));
  it->Close();
  waiter.join();
  EXPECT_EQ(code.load(), static_cast<int>(StatusCode::kCancelled));
  EXPECT_EQ(it->Next().status().code(), StatusCode::kCancelled);
}

TEST(BlockStoreTest, IteratorStartingPastHeightWaits) {
  TempDir dir;
  ChainBuilder chain;
  std::unique_ptr<BlockStore> store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  std::unique_ptr<BlocksIterator> it = store->RetrieveBlocks(2).value();
  for (int i = 0; i < 3; ++i) {
    BLK_ASSERT_OK(store->AddBlock(chain.NextBlock(1)));
  }
  EXPECT_EQ(it->Next().value().header().number(), 2u);
  EXPECT_EQ(it->next_block_number(), 3u);
}

TEST(BlockStoreTest, AsyncWaitersAreCalledOnceWhenTheirBlockIsAdded) {
  TempDir dir;
  ChainBuilder chain;
  std::unique_ptr<BlockStore> store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  BLK_ASSERT_OK(store->AddBlock(chain.NextBlock(1)));

  // Already there: called before WaitForBlockAsync returns.
  int now_calls = 0;
  store->WaitForBlockAsync(0, [&] { ++now_calls; });
  EXPECT_EQ(now_calls, 1);

  // Block 2: not woken by block 1, woken (once) by block 2, readable by then.
  int calls = 0;
  uint64_t seen_height = 0;
  store->WaitForBlockAsync(2, [&] {
    ++calls;
    seen_height = store->Height();
  });
  int cancelled_calls = 0;
  const uint64_t cancelled = store->WaitForBlockAsync(2, [&] { ++cancelled_calls; });
  store->CancelWaiter(cancelled);
  BLK_ASSERT_OK(store->AddBlock(chain.NextBlock(1)));
  EXPECT_EQ(calls, 0);
  BLK_ASSERT_OK(store->AddBlock(chain.NextBlock(1)));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(seen_height, 3u);
  BLK_ASSERT_OK(store->AddBlock(chain.NextBlock(1)));
  EXPECT_EQ(calls, 1);
  EXPECT_EQ(cancelled_calls, 0);
  store->CancelWaiter(cancelled);  // already forgotten: no-op

  // Destroyed with a waiter still registered: dropped uncalled, what it owns released.
  auto owned = std::make_shared<int>(7);
  std::weak_ptr<int> watch = owned;
  store->WaitForBlockAsync(100, [owned = std::move(owned)] { ADD_FAILURE() << "called"; });
  store.reset();
  EXPECT_TRUE(watch.expired());
}

// Reads the newest block as a concurrent reader would and checks it against `blocks`.
bool NewestBlockIsConsistent(const BlockStore& store, const std::vector<common::Block>& blocks) {
  common::BlockchainInfo info = store.GetBlockchainInfo();
  if (info.height() == 0) {
    return true;
  }
  uint64_t n = info.height() - 1;
  StatusOr<common::Block> b = store.RetrieveBlockByNumber(n);
  common::Envelope env;
  return b.ok() && Hash(*b) == Hash(blocks[n]) && Hash(*b) == info.currentblockhash() &&
         env.ParseFromString(b->data().data(1)) &&
         store.TxIdExists(ChainBuilder::TxId(env)).value();
}

TEST(BlockStoreTest, ConcurrentReadersSeeConsistentBlocksDuringAppends) {
  TempDir dir;
  ChainBuilder chain;
  std::unique_ptr<BlockStore> store = OpenStore(dir.path(), 16 * 1024);
  ASSERT_NE(store, nullptr);
  constexpr int kBlocks = 60;
  std::vector<common::Block> blocks;
  for (int i = 0; i < kBlocks; ++i) {
    blocks.push_back(chain.NextBlock(2));
  }
  std::atomic<bool> done{false};
  std::atomic<int> errors{0};
  std::atomic<int> reads{0};
  auto reader = [&] {
    while (!done.load()) {
      if (!NewestBlockIsConsistent(*store, blocks)) {
        ++errors;
      }
      ++reads;
    }
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < 3; ++i) {
    readers.emplace_back(reader);
  }
  for (const common::Block& b : blocks) {
    Status s = store->AddBlock(b);
    EXPECT_TRUE(s.ok()) << s;
  }
  done = true;
  for (std::thread& t : readers) {
    t.join();
  }
  EXPECT_EQ(errors.load(), 0);
  EXPECT_GT(reads.load(), 0);
  EXPECT_EQ(store->Height(), static_cast<uint64_t>(kBlocks));
}

TEST(BlockStoreTest, IoFailureStopsWritesButNotReads) {
  TempDir dir;
  ChainBuilder chain;
  std::unique_ptr<BlockStore> store = OpenStore(dir.path(), 1024);
  ASSERT_NE(store, nullptr);
  common::Block first = chain.NextBlock(2);
  BLK_ASSERT_OK(store->AddBlock(first));
  // The next block must roll over to blockfile_000001, which cannot be opened as a file.
  std::filesystem::create_directory(BlockFilePath(dir.path() + "/chains/mychannel", 1));
  Status s = store->AddBlock(chain.NextBlock(2));
  EXPECT_TRUE(s.IsInternal()) << s;
  s = store->AddBlock(chain.NextBlock(2));
  EXPECT_TRUE(s.IsFailedPrecondition()) << s;
  EXPECT_THAT(std::string(s.message()), HasSubstr("reopen to recover"));
  EXPECT_EQ(store->Height(), 1u);
  ExpectSameBlock(store->RetrieveBlockByNumber(0), first);
}

TEST(BlockStoreTest, SecondOpenOfTheSameStoreFails) {
  TempDir dir;
  std::unique_ptr<BlockStore> store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  BlockStoreOptions options;
  options.block_dir = dir.path() + "/chains/mychannel";
  StatusOr<std::unique_ptr<BlockStore>> second = BlockStore::Open(options);
  EXPECT_TRUE(second.status().IsInternal()) << second.status();
}

TEST(BlockStoreTest, BadOptionsAreInvalidArgument) {
  EXPECT_TRUE(BlockStore::Open(BlockStoreOptions()).status().IsInvalidArgument());
  BlockStoreOptions options;
  options.block_dir = "/tmp/x";
  options.max_file_size = 0;
  EXPECT_TRUE(BlockStore::Open(options).status().IsInvalidArgument());
}

TEST(BlockStoreTest, GarbageEnvelopesAreStoredButNotIndexedByTxId) {
  TempDir dir;
  std::unique_ptr<BlockStore> store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  common::Block block = protoutil::NewBlock(0, "");
  block.mutable_data()->add_data("\xff\xff garbage");
  block.mutable_data()->add_data("");
  protoutil::SealBlock(block);
  BLK_ASSERT_OK(store->AddBlock(block));
  ExpectSameBlock(store->RetrieveBlockByNumber(0), block);
  EXPECT_TRUE(store->RetrieveTxByBlockNumTranNum(0, 0).status().IsDataLoss());
  EXPECT_TRUE(store->RetrieveTxByBlockNumTranNum(0, 1).ok());
  EXPECT_TRUE(store->RetrieveTxByBlockNumTranNum(0, 2).status().IsNotFound());
}

// An index written before the txid markers (format 1: no 'x' keys) is upgraded when opened:
// TxIdExists and every read path answer as before, and the index says format 2 afterwards.
TEST(BlockStoreTest, IndexWithoutTxIdMarkersIsUpgradedWhenOpened) {
  TempDir dir;
  ChainBuilder chain;
  std::vector<common::Block> blocks;
  {
    std::unique_ptr<BlockStore> store = OpenStore(dir.path());
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 6; ++i) {
      blocks.push_back(chain.NextBlock(3));
      BLK_ASSERT_OK(store->AddBlock(blocks.back()));
    }
  }
  const std::string index_dir = dir.path() + "/chains/mychannel/index";
  auto open_index = [&] {
    leveldb::Options options;
    leveldb::DB* raw = nullptr;
    EXPECT_TRUE(leveldb::DB::Open(options, index_dir, &raw).ok());
    return std::unique_ptr<leveldb::DB>(raw);
  };
  size_t markers = 0;
  {
    // Turn it into a format-1 index: drop the markers, write the old version.
    std::unique_ptr<leveldb::DB> db = open_index();
    ASSERT_NE(db, nullptr);
    leveldb::WriteBatch batch;
    std::unique_ptr<leveldb::Iterator> it(db->NewIterator(leveldb::ReadOptions()));
    for (it->Seek("x"); it->Valid() && it->key().starts_with("x"); it->Next()) {
      batch.Delete(it->key());
      ++markers;
    }
    batch.Put("blkFormat", "1");
    ASSERT_TRUE(db->Write(leveldb::WriteOptions(), &batch).ok());
  }
  EXPECT_EQ(markers, 6u * 3u);  // one per transaction
  {
    std::unique_ptr<BlockStore> store = OpenStore(dir.path());
    ASSERT_NE(store, nullptr);
    ExpectReadable(*store, blocks);
    EXPECT_FALSE(store->TxIdExists("never-seen").value());
    EXPECT_TRUE(store->RetrieveTxByTxId("never-seen").status().IsNotFound());
    // New blocks index their txids with markers too.
    blocks.push_back(chain.NextBlock(2));
    BLK_ASSERT_OK(store->AddBlock(blocks.back()));
    ExpectReadable(*store, blocks);
  }
  std::unique_ptr<leveldb::DB> db = open_index();
  ASSERT_NE(db, nullptr);
  std::string format;
  ASSERT_TRUE(db->Get(leveldb::ReadOptions(), "blkFormat", &format).ok());
  EXPECT_EQ(format, "2");
}

TEST(BlockStoreTest, IndexOfAnUnknownFormatIsRefused) {
  TempDir dir;
  { ASSERT_NE(OpenStore(dir.path()), nullptr); }
  {
    leveldb::DB* raw = nullptr;
    ASSERT_TRUE(
        leveldb::DB::Open(leveldb::Options(), dir.path() + "/chains/mychannel/index", &raw).ok());
    std::unique_ptr<leveldb::DB> db(raw);
    ASSERT_TRUE(db->Put(leveldb::WriteOptions(), "blkFormat", "3").ok());
  }
  BlockStoreOptions options;
  options.block_dir = dir.path() + "/chains/mychannel";
  StatusOr<std::unique_ptr<BlockStore>> store = BlockStore::Open(options);
  EXPECT_EQ(store.status().code(), StatusCode::kFailedPrecondition);
  EXPECT_THAT(std::string(store.status().message()), HasSubstr("format version 3, expected 2"));
}

// The newest blocks are shared from memory; older ones (and all after a reopen) come from the
// files, with the same contents either way.
TEST(BlockStoreTest, RecentBlocksAreSharedFromMemory) {
  TempDir dir;
  ChainBuilder chain;
  std::vector<common::Block> blocks;
  {
    std::unique_ptr<BlockStore> store =
        OpenStoreWith(dir.path(), [](BlockStoreOptions& o) { o.recent_blocks = 3; });
    ASSERT_NE(store, nullptr);
    std::unique_ptr<BlocksIterator> it = store->RetrieveBlocks(0).value();
    for (int i = 0; i < 10; ++i) {
      blocks.push_back(chain.NextBlock(2));
      BLK_ASSERT_OK(store->AddBlock(blocks.back()));
      // A reader following the tip gets the block just added, shared.
      StatusOr<std::shared_ptr<const common::Block>> next = it->NextShared();
      ASSERT_TRUE(next.ok()) << next.status();
      EXPECT_EQ((*next)->SerializeAsString(), blocks.back().SerializeAsString());
      EXPECT_EQ(next->get(), store->RetrieveSharedBlockByNumber(i).value().get());
    }
    for (uint64_t n = 0; n < 10; ++n) {
      auto a = store->RetrieveSharedBlockByNumber(n).value();
      auto b = store->RetrieveSharedBlockByNumber(n).value();
      EXPECT_EQ(a->SerializeAsString(), blocks[n].SerializeAsString()) << n;
      EXPECT_EQ(a.get() == b.get(), n >= 7) << n;  // only the last three are held
    }
    ExpectReadable(*store, blocks);
  }
  std::unique_ptr<BlockStore> store = OpenStore(dir.path());
  ASSERT_NE(store, nullptr);
  ExpectReadable(*store, blocks);
  EXPECT_NE(store->RetrieveSharedBlockByNumber(9).value().get(),
            store->RetrieveSharedBlockByNumber(9).value().get());  // nothing in memory yet
}

TEST(BlockStoreTest, RecentBlockCacheCanBeOffOrTooSmallForABlock) {
  for (auto adjust : {+[](BlockStoreOptions& o) { o.recent_blocks = 0; },
                      +[](BlockStoreOptions& o) { o.recent_block_bytes = 100; }}) {
    TempDir dir;
    ChainBuilder chain;
    std::unique_ptr<BlockStore> store = OpenStoreWith(dir.path(), adjust);
    ASSERT_NE(store, nullptr);
    std::vector<common::Block> blocks = {chain.NextBlock(2), chain.NextBlock(1)};
    for (const auto& b : blocks) {
      BLK_ASSERT_OK(store->AddBlock(b));
    }
    EXPECT_NE(store->RetrieveSharedBlockByNumber(1).value().get(),
              store->RetrieveSharedBlockByNumber(1).value().get());
    ExpectReadable(*store, blocks);
  }
}

// The orderer's store: blocks by number and hash, no transaction index (as Fabric's orderer),
// also for blocks indexed again at open.
TEST(BlockStoreTest, StoreWithoutTransactionIndex) {
  TempDir dir;
  ChainBuilder chain;
  std::vector<common::Block> blocks;
  auto no_tx_index = [](BlockStoreOptions& o) { o.index_transactions = false; };
  std::string txid;
  {
    std::unique_ptr<BlockStore> store = OpenStoreWith(dir.path(), no_tx_index);
    ASSERT_NE(store, nullptr);
    for (int i = 0; i < 4; ++i) {
      blocks.push_back(chain.NextBlock(2));
      BLK_ASSERT_OK(store->AddBlock(blocks.back()));
    }
    common::Envelope env;
    ASSERT_TRUE(env.ParseFromString(blocks[1].data().data(0)));
    txid = ChainBuilder::TxId(env);
  }
  // Without its index the store indexes the files again when opened.
  std::filesystem::remove_all(dir.path() + "/chains/mychannel/index");
  std::unique_ptr<BlockStore> store = OpenStoreWith(dir.path(), no_tx_index);
  ASSERT_NE(store, nullptr);
  for (const common::Block& b : blocks) {
    ExpectSameBlock(store->RetrieveBlockByNumber(b.header().number()), b);
    ExpectSameBlock(store->RetrieveBlockByHash(Hash(b)), b);
  }
  EXPECT_FALSE(store->TxIdExists(txid).value());
  EXPECT_TRUE(store->RetrieveTxByTxId(txid).status().IsNotFound());
  EXPECT_TRUE(store->RetrieveTxByBlockNumTranNum(1, 0).status().IsNotFound());
}

}  // namespace
}  // namespace fabric::ledger::blkstorage
