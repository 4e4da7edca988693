// SPDX-License-Identifier: Apache-2.0
//
// BlockStore: the block storage of one channel (Fabric's fsblkstorage blockfileMgr).
//
// Blocks are appended to block files `<block_dir>/blockfile_NNNNNN` (a new file when the next
// record would pass max_file_size), in Fabric's block serialization (block_serialization.h);
// each record is varint(length) + body. A per-channel LevelDB at `index_dir` maps block number,
// header hash, txid and (block, tx) to file locations, and holds the checkpoint (last file, its
// end offset, last block number and hash) in the same batch as the block's index entries
// (block_index.h). The conventional layout is block_dir =
// `<fs>/ledgersData/chains/chains/<channel>` and index_dir = `<block_dir>/index`.
//
// Durability: AddBlock writes the record, fdatasyncs the file, then writes the index entries +
// checkpoint as one LevelDB batch, and only then returns OK and makes the block visible. The
// index batch is not synced: block files are the truth and the index is rebuilt from them, so
// one disk sync per block is enough. Open reconciles the files with the checkpoint:
//  - records past the checkpoint (a crash before the index reached the disk, or a deleted
//    index) are verified and re-indexed;
//  - a partial record at the tail of the last file (torn write) is truncated away with one WARN
//    line naming the file, offset and bytes dropped;
//  - damage inside committed data (before the checkpoint, or followed by more records, or in a
//    file that is not the last) fails Open with DataLoss naming the file and offset. The
//    checkpoint's file is verified record by record at each Open (structure, data hash, hash
//    chain); older files only when Options::verify_all_files_on_open.
//
// Thread-safety: one writer (AddBlock calls are serialized internally) and any number of
// concurrent readers; every method may be called from any thread. Readers see a block once
// AddBlock has made it durable.
//
// Ownership: the store owns its files and its index LevelDB. Iterators from RetrieveBlocks
// borrow the store and must be destroyed before it (like LevelDB iterators; the destructor
// aborts if one is still alive).

#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

#include "common/common.pb.h"
#include "common/ledger.pb.h"
#include "fabric/base/status.h"
#include "peer/transaction.pb.h"

namespace fabric::ledger::blkstorage {

class BlockIndex;
class BlockFileWriter;
class BlocksIterator;
struct FileLoc;
struct ChainTip;  // block_store_recovery.cc

inline constexpr uint64_t kDefaultMaxBlockFileSize = 64ull << 20;

struct BlockStoreOptions {
  // Directory of the block files; created (with parents) if missing. Required.
  std::string block_dir;
  // Directory of the index LevelDB; empty means `<block_dir>/index`.
  std::string index_dir;
  // A record that would make the current file larger starts a new file (a block bigger than
  // this gets a file of its own).
  uint64_t max_file_size = kDefaultMaxBlockFileSize;
  // fdatasync the block file before AddBlock returns. Only tests and benchmarks that
  // measure something else turn this off.
  bool sync = true;
  // Also verify every older block file at Open (reads the whole ledger).
  bool verify_all_files_on_open = false;
  // Index transactions (txid and block/transaction number) as well as blocks. The orderer does
  // not look transactions up, and, as Fabric's orderer, indexes block numbers and hashes only;
  // the transaction lookups then answer NotFound.
  bool index_transactions = true;
  // The newest blocks added are kept in memory (at most this many, and at most
  // recent_block_bytes serialized), so that the readers that follow the tip (deliver streams:
  // the orderer's peers, a peer's event listeners) do not each read back and parse every new
  // block from its file. 0 turns the cache off.
  size_t recent_blocks = 8;
  uint64_t recent_block_bytes = 32ull << 20;
};

// Where a transaction is, and its validation code (from the block's TRANSACTIONS_FILTER).
struct TxIdInfo {
  uint64_t block_num = 0;
  uint64_t tx_num = 0;
  protos::TxValidationCode validation_code = protos::VALID;
};

class BlockStore {
 public:
  // RetrieveBlockByNumber(kLastBlock) returns the newest block, as Fabric's math.MaxUint64.
  static constexpr uint64_t kLastBlock = UINT64_MAX;

  // Opens the store, creating it if missing, and recovers as described above. Returns
  // InvalidArgument for bad options, DataLoss for damaged committed data, Internal for I/O or
  // LevelDB errors (e.g. the index is already open in another store).
  static StatusOr<std::unique_ptr<BlockStore>> Open(const BlockStoreOptions& options);

  ~BlockStore();
  BlockStore(const BlockStore&) = delete;
  BlockStore& operator=(const BlockStore&) = delete;

  // Appends `block` durably and indexes it. Errors (the store is unchanged):
  //  - FailedPrecondition "block number 7 but next expected is 5";
  //  - FailedPrecondition "previous hash mismatch at block N: ..." when header.previous_hash is
  //    not the header hash of the current last block (empty for block 0);
  //  - InvalidArgument when the header is missing or data_hash does not match the data;
  //  - Internal on an I/O error; the store then refuses further AddBlock calls with
  //    FailedPrecondition until it is reopened (reads keep working).
  // The txid index takes each transaction's validation code from the TRANSACTIONS_FILTER
  // metadata (VALID when absent); so the committer sets that metadata before calling.
  Status AddBlock(const common::Block& block);

  struct AddOptions {
    // The caller has checked header.data_hash against the data (the peer's deliver client for
    // every block from the orderer; the orderer made the hash itself): not hashed again.
    bool data_hash_checked = false;
  };
  // As above for a block the caller shares: kept among the recent blocks without a copy.
  Status AddBlock(std::shared_ptr<const common::Block> block, AddOptions options);

  // {height, current_block_hash, previous_block_hash}; hashes are empty for an empty store.
  common::BlockchainInfo GetBlockchainInfo() const;
  // Number of blocks (= next block number).
  uint64_t Height() const;

  // Block reads. NotFound names what was not found ("block 12 not found (height 10)",
  // "transaction <txid> not found"); DataLoss when the file does not hold what the index says.
  StatusOr<common::Block> RetrieveBlockByNumber(uint64_t number) const;
  // As RetrieveBlockByNumber, shared and immutable: no copy when the block is among the recent
  // ones in memory.
  StatusOr<std::shared_ptr<const common::Block>> RetrieveSharedBlockByNumber(uint64_t number) const;
  StatusOr<common::Block> RetrieveBlockByHash(std::string_view header_hash) const;
  StatusOr<common::Block> RetrieveBlockByTxId(std::string_view txid) const;

  // Transaction reads. For a txid that occurs more than once, the first occurrence answers.
  StatusOr<common::Envelope> RetrieveTxByTxId(std::string_view txid) const;
  StatusOr<common::Envelope> RetrieveTxByBlockNumTranNum(uint64_t block_num, uint64_t tx_num) const;
  StatusOr<protos::TxValidationCode> RetrieveTxValidationCodeByTxId(std::string_view txid) const;
  StatusOr<TxIdInfo> RetrieveTxIdInfo(std::string_view txid) const;

  // True when a committed block holds a transaction with this txid (whatever its validation
  // code). One LevelDB seek; never reads block files. Internal on LevelDB errors.
  StatusOr<bool> TxIdExists(std::string_view txid) const;

  // An iterator over blocks start, start+1, ... that waits for blocks not yet added. `start`
  // may be >= Height(). Never fails today; StatusOr for future pruning (NotFound).
  StatusOr<std::unique_ptr<BlocksIterator>> RetrieveBlocks(uint64_t start);

  // The waiting of RetrieveBlocks without a thread (the deliver services' streams): calls
  // `added` once, when block `number` exists: before returning when it already does, else from
  // the thread whose AddBlock adds it, after the block is readable. `added` must be quick (hand
  // the work over) and must not call back into the store's waiter methods. Returns an id for
  // CancelWaiter.
  uint64_t WaitForBlockAsync(uint64_t number, std::function<void()> added);
  // Forgets a waiter that has not been called yet; a no-op once it has been (or is being)
  // called. Waiters still registered when the store is destroyed are dropped uncalled.
  void CancelWaiter(uint64_t id);

  // Readers waiting for a block not yet added: BlocksIterator::Next calls in progress and
  // WaitForBlockAsync callbacks not yet called (what a test that acts while a reader waits
  // waits for).
  int waiting_readers() const;

 private:
  friend class BlocksIterator;

  BlockStore(const BlockStoreOptions& options, std::unique_ptr<BlockIndex> index);
  // Open-time reconciliation of files and index (block_store_recovery.cc); sets info_ and
  // current_file_.
  Status Recover();
  // Verifies and indexes the records of block file `file` from `pos` on, extending `tip`.
  Status IndexFileTail(uint32_t file, const std::string& path, std::string_view bytes, uint64_t pos,
                       bool last_file, ChainTip* tip);
  Status Add(const common::Block& block, std::shared_ptr<const common::Block> shared,
             AddOptions options);
  Status CheckNextBlock(const common::Block& block, bool data_hash_checked) const;
  Status AppendAndIndex(const common::Block& block, std::shared_ptr<const common::Block> shared);
  // Reads the block body at `loc` and checks that it is block `expected_number`.
  StatusOr<common::Block> ReadBlock(uint64_t expected_number, const StatusOr<FileLoc>& loc) const;
  StatusOr<common::Envelope> ReadTx(const StatusOr<FileLoc>& loc) const;
  // RetrieveBlockByNumber from the block files, without the recent-blocks cache.
  StatusOr<common::Block> ReadBlockByNumber(uint64_t number) const;
  // The block from the recent-blocks cache; null when it is not there.
  std::shared_ptr<const common::Block> RecentBlock(uint64_t number) const;
  // `shared` is `block` when the caller shares it, else null (copied if kept).
  void RememberBlock(const common::Block& block, std::shared_ptr<const common::Block> shared,
                     uint64_t serialized_bytes);
  // Waits until block `number` exists, `*closed` is set or `deadline` passes.
  Status WaitForBlock(uint64_t number, const bool* closed,
                      std::chrono::steady_clock::time_point deadline) const;

  const BlockStoreOptions options_;
  const std::unique_ptr<BlockIndex> index_;

  // Serializes AddBlock. Guarded by write_mu_:
  std::mutex write_mu_;
  std::unique_ptr<BlockFileWriter> writer_;
  uint32_t current_file_ = 0;
  Status failed_;

  // Guarded by mu_:
  mutable std::mutex mu_;
  mutable std::condition_variable cv_;
  common::BlockchainInfo info_;
  int live_iterators_ = 0;
  mutable int waiting_iterators_ = 0;  // BlocksIterator::Next calls waiting in WaitForBlock
  // WaitForBlockAsync callbacks by id: {block number, callback}.
  std::map<uint64_t, std::pair<uint64_t, std::function<void()>>> waiters_;
  uint64_t next_waiter_ = 1;

  // The recent-blocks cache, oldest first. Guarded by recent_mu_:
  mutable std::mutex recent_mu_;
  std::deque<std::pair<std::shared_ptr<const common::Block>, uint64_t>> recent_;  // block, bytes
  uint64_t recent_bytes_ = 0;
};

// Blocks in order from a start number, waiting for blocks that are not there yet (the deliver
// service's cursor). Next() is called by one thread at a time; Close() from any thread.
class BlocksIterator {
 public:
  ~BlocksIterator();
  BlocksIterator(const BlocksIterator&) = delete;
  BlocksIterator& operator=(const BlocksIterator&) = delete;

  // Returns the next block, waiting until it is added. Cancelled once Close() was called
  // (before or during the wait); DeadlineExceeded when
  // `deadline` passes first (the iterator stays usable); read errors as RetrieveBlockByNumber.
  StatusOr<common::Block> Next(std::chrono::steady_clock::time_point deadline =
                                   std::chrono::steady_clock::time_point::max());
  // As Next, shared and immutable (see RetrieveSharedBlockByNumber).
  StatusOr<std::shared_ptr<const common::Block>> NextShared(
      std::chrono::steady_clock::time_point deadline =
          std::chrono::steady_clock::time_point::max());

  // Wakes a Next() blocked in another thread; later Next() calls return Cancelled.
  void Close();

  // The number of the block the next successful Next() returns.
  uint64_t next_block_number() const { return next_; }

 private:
  friend class BlockStore;
  BlocksIterator(BlockStore* store, uint64_t start) : store_(store), next_(start) {}

  BlockStore* const store_;
  uint64_t next_;
  bool closed_ = false;  // guarded by store_->mu_
};

}  // namespace fabric::ledger::blkstorage
