// SPDX-License-Identifier: Apache-2.0
#include "common/ledger/blkstorage/block_store.h"

#include <filesystem>
#include <system_error>
#include <vector>

#include <absl/strings/str_format.h>
#include <leveldb/write_batch.h>

#include "common/crypto/hash.h"
#include "common/ledger/blkstorage/block_file.h"
#include "common/ledger/blkstorage/block_index.h"
#include "common/ledger/blkstorage/block_serialization.h"
#include "common/protoutil/blockutils.h"
#include "fabric/base/status_macros.h"

namespace fabric::ledger::blkstorage {
namespace {

// Any block number: ReadBlock skips the number check.
constexpr uint64_t kAnyNumber = UINT64_MAX;

}  // namespace

BlockStore::BlockStore(const BlockStoreOptions& options, std::unique_ptr<BlockIndex> index)
    : options_(options), index_(std::move(index)) {}

BlockStore::~BlockStore() {
  std::lock_guard<std::mutex> lock(mu_);
  // Iterators borrow the store: destroying it under them is a programming error.
  FABRIC_CHECK(live_iterators_ == 0);
}

StatusOr<std::unique_ptr<BlockStore>> BlockStore::Open(const BlockStoreOptions& options) {
  if (options.block_dir.empty()) {
    return InvalidArgumentError("open block store: block_dir is empty");
  }
  if (options.max_file_size == 0) {
    return InvalidArgumentError("open block store: max_file_size is 0");
  }
  BlockStoreOptions opts = options;
  if (opts.index_dir.empty()) {
    opts.index_dir = opts.block_dir + "/index";
  }
  for (const std::string& dir : {opts.block_dir, opts.index_dir}) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return InternalError(absl::StrFormat("open block store: create %s: %s", dir, ec.message()));
    }
  }
  ASSIGN_OR_RETURN(std::unique_ptr<BlockIndex> index, BlockIndex::Open(opts.index_dir));
  std::unique_ptr<BlockStore> store(new BlockStore(opts, std::move(index)));
  RETURN_IF_ERROR(store->Recover().Annotate("open block store " + opts.block_dir));
  return store;
}

common::BlockchainInfo BlockStore::GetBlockchainInfo() const {
  std::lock_guard<std::mutex> lock(mu_);
  return info_;
}

uint64_t BlockStore::Height() const {
  std::lock_guard<std::mutex> lock(mu_);
  return info_.height();
}

Status BlockStore::AddBlock(const common::Block& block) {
  return Add(block, nullptr, AddOptions{});
}

Status BlockStore::AddBlock(std::shared_ptr<const common::Block> block, AddOptions options) {
  if (block == nullptr) {
    return InvalidArgumentError("add block: no block");
  }
  const common::Block& ref = *block;
  return Add(ref, std::move(block), options);
}

Status BlockStore::Add(const common::Block& block, std::shared_ptr<const common::Block> shared,
                       AddOptions options) {
  std::lock_guard<std::mutex> write_lock(write_mu_);
  if (!failed_.ok()) {
    return FailedPreconditionError(absl::StrFormat(
        "block store refuses writes after an earlier failure (reopen to recover): %s",
        failed_.message()));
  }
  RETURN_IF_ERROR(CheckNextBlock(block, options.data_hash_checked));
  Status s = AppendAndIndex(block, std::move(shared));
  if (!s.ok()) {
    failed_ = s;
  }
  return s;
}

Status BlockStore::CheckNextBlock(const common::Block& block, bool data_hash_checked) const {
  if (!block.has_header()) {
    return InvalidArgumentError("add block: block has no header");
  }
  const common::BlockHeader& header = block.header();
  common::BlockchainInfo info = GetBlockchainInfo();
  if (header.number() != info.height()) {
    return FailedPreconditionError(
        absl::StrFormat("block number %d but next expected is %d", header.number(), info.height()));
  }
  if (header.previous_hash() != info.currentblockhash()) {
    return FailedPreconditionError(absl::StrFormat(
        "previous hash mismatch at block %d: block has %s, last block hash is %s", header.number(),
        crypto::HexEncode(header.previous_hash()), crypto::HexEncode(info.currentblockhash())));
  }
  if (data_hash_checked) {
    return Status::OK();
  }
  std::string data_hash = protoutil::BlockDataHash(block.data());
  if (header.data_hash() != data_hash) {
    return InvalidArgumentError(absl::StrFormat(
        "data hash mismatch at block %d: header has %s, data hashes to %s", header.number(),
        crypto::HexEncode(header.data_hash()), crypto::HexEncode(data_hash)));
  }
  return Status::OK();
}

Status BlockStore::AppendAndIndex(const common::Block& block,
                                  std::shared_ptr<const common::Block> shared) {
  SerializedBlock ser = SerializeBlock(block);
  std::string record;
  record.reserve(ser.bytes.size() + 10);
  AppendVarint(record, ser.bytes.size());
  const uint64_t prefix_size = record.size();
  record += ser.bytes;

  if (writer_ == nullptr) {
    ASSIGN_OR_RETURN(writer_, BlockFileWriter::Open(options_.block_dir, current_file_));
  }
  if (writer_->size() > 0 && writer_->size() + record.size() > options_.max_file_size) {
    ASSIGN_OR_RETURN(writer_, BlockFileWriter::Open(options_.block_dir, current_file_ + 1));
    ++current_file_;
  }
  const uint64_t offset = writer_->size();
  Status s = writer_->Append(record, options_.sync);
  if (!s.ok()) {
    (void)writer_->Truncate(offset);  // best effort; Open truncates a torn tail anyway
    return s;
  }

  const common::BlockHeader& header = block.header();
  std::string hash = protoutil::BlockHeaderHash(header);
  IndexedBlock indexed{header.number(),
                       hash,
                       FileLoc{current_file_, offset + prefix_size, ser.bytes.size()},
                       &ser.txs,
                       TransactionsFilter(block),
                       options_.index_transactions};
  Checkpoint cp{current_file_, writer_->size(), header.number(), hash, header.previous_hash()};
  leveldb::WriteBatch batch;
  BlockIndex::AddBlock(indexed, cp, &batch);
  // Not synced: the record is, and Open re-indexes what the index lost (see the header).
  RETURN_IF_ERROR(index_->Write(&batch, /*sync=*/false));
  std::vector<std::function<void()>> woken;
  {
    std::lock_guard<std::mutex> lock(mu_);
    info_.set_height(header.number() + 1);
    info_.set_currentblockhash(hash);
    info_.set_previousblockhash(header.previous_hash());
    for (auto it = waiters_.begin(); it != waiters_.end();) {
      if (it->second.first <= header.number()) {
        woken.push_back(std::move(it->second.second));
        it = waiters_.erase(it);
      } else {
        ++it;
      }
    }
  }
  // Before the readers waiting for it are woken. Last use of `block`: it may be `*shared`.
  RememberBlock(block, std::move(shared), ser.bytes.size());
  cv_.notify_all();
  for (std::function<void()>& added : woken) {
    added();
  }
  return Status::OK();
}

StatusOr<common::Block> BlockStore::ReadBlock(uint64_t expected_number,
                                              const StatusOr<FileLoc>& loc) const {
  if (!loc.ok()) {
    return loc.status();
  }
  std::string path = BlockFilePath(options_.block_dir, loc->file);
  ASSIGN_OR_RETURN(std::string body, ReadFileRange(path, loc->offset, loc->length));
  StatusOr<common::Block> block = DeserializeBlock(body);
  if (!block.ok()) {
    return block.status().Annotate(absl::StrFormat("%s offset %d", path, loc->offset));
  }
  if (expected_number != kAnyNumber && block->header().number() != expected_number) {
    return DataLossError(absl::StrFormat("%s offset %d holds block %d, index says block %d", path,
                                         loc->offset, block->header().number(), expected_number));
  }
  return block;
}

StatusOr<common::Envelope> BlockStore::ReadTx(const StatusOr<FileLoc>& loc) const {
  if (!loc.ok()) {
    return loc.status();
  }
  std::string path = BlockFilePath(options_.block_dir, loc->file);
  ASSIGN_OR_RETURN(std::string bytes, ReadFileRange(path, loc->offset, loc->length));
  common::Envelope envelope;
  if (!envelope.ParseFromString(bytes)) {
    return DataLossError(
        absl::StrFormat("%s offset %d: malformed transaction envelope", path, loc->offset));
  }
  return envelope;
}

void BlockStore::RememberBlock(const common::Block& block,
                               std::shared_ptr<const common::Block> shared,
                               uint64_t serialized_bytes) {
  if (options_.recent_blocks == 0 || serialized_bytes > options_.recent_block_bytes) {
    return;
  }
  if (shared == nullptr) {
    shared = std::make_shared<const common::Block>(block);
  }
  std::lock_guard<std::mutex> lock(recent_mu_);
  recent_.emplace_back(std::move(shared), serialized_bytes);
  recent_bytes_ += serialized_bytes;
  while (recent_.size() > options_.recent_blocks || recent_bytes_ > options_.recent_block_bytes) {
    recent_bytes_ -= recent_.front().second;
    recent_.pop_front();
  }
}

std::shared_ptr<const common::Block> BlockStore::RecentBlock(uint64_t number) const {
  // kLastBlock (UINT64_MAX) is never among them: it reads the newest block from its file.
  std::lock_guard<std::mutex> lock(recent_mu_);
  if (recent_.empty()) {
    return nullptr;
  }
  // Consecutive numbers: the position follows from the first one.
  const uint64_t first = recent_.front().first->header().number();
  if (number < first || number - first >= recent_.size()) {
    return nullptr;
  }
  return recent_[number - first].first;
}

StatusOr<std::shared_ptr<const common::Block>> BlockStore::RetrieveSharedBlockByNumber(
    uint64_t number) const {
  if (std::shared_ptr<const common::Block> recent = RecentBlock(number)) {
    return recent;
  }
  ASSIGN_OR_RETURN(common::Block block, ReadBlockByNumber(number));
  return std::make_shared<const common::Block>(std::move(block));
}

StatusOr<common::Block> BlockStore::RetrieveBlockByNumber(uint64_t number) const {
  if (std::shared_ptr<const common::Block> recent = RecentBlock(number)) {
    return *recent;
  }
  return ReadBlockByNumber(number);
}

StatusOr<common::Block> BlockStore::ReadBlockByNumber(uint64_t number) const {
  uint64_t height = Height();
  if (number == kLastBlock) {
    if (height == 0) {
      return NotFoundError("last block not found: the block store is empty");
    }
    number = height - 1;
  }
  if (number >= height) {
    return NotFoundError(absl::StrFormat("block %d not found (height %d)", number, height));
  }
  return ReadBlock(number, index_->BlockLocByNumber(number));
}

StatusOr<common::Block> BlockStore::RetrieveBlockByHash(std::string_view header_hash) const {
  ASSIGN_OR_RETURN(common::Block block, ReadBlock(kAnyNumber, index_->BlockLocByHash(header_hash)));
  if (protoutil::BlockHeaderHash(block.header()) != header_hash) {
    return DataLossError(absl::StrFormat("block %d found by hash %s has another hash",
                                         block.header().number(), crypto::HexEncode(header_hash)));
  }
  return block;
}

StatusOr<common::Block> BlockStore::RetrieveBlockByTxId(std::string_view txid) const {
  ASSIGN_OR_RETURN(TxIdValue v, index_->TxIdLookup(txid));
  return ReadBlock(v.block_num, v.block_loc);
}

StatusOr<common::Envelope> BlockStore::RetrieveTxByTxId(std::string_view txid) const {
  ASSIGN_OR_RETURN(TxIdValue v, index_->TxIdLookup(txid));
  return ReadTx(v.tx_loc);
}

StatusOr<common::Envelope> BlockStore::RetrieveTxByBlockNumTranNum(uint64_t block_num,
                                                                   uint64_t tx_num) const {
  return ReadTx(index_->TxLocByBlockTx(block_num, tx_num));
}

StatusOr<TxIdInfo> BlockStore::RetrieveTxIdInfo(std::string_view txid) const {
  ASSIGN_OR_RETURN(TxIdValue v, index_->TxIdLookup(txid));
  return TxIdInfo{v.block_num, v.tx_num, static_cast<protos::TxValidationCode>(v.validation_code)};
}

StatusOr<protos::TxValidationCode> BlockStore::RetrieveTxValidationCodeByTxId(
    std::string_view txid) const {
  ASSIGN_OR_RETURN(TxIdInfo info, RetrieveTxIdInfo(txid));
  return info.validation_code;
}

StatusOr<bool> BlockStore::TxIdExists(std::string_view txid) const {
  return index_->TxIdExists(txid);
}

StatusOr<std::unique_ptr<BlocksIterator>> BlockStore::RetrieveBlocks(uint64_t start) {
  std::lock_guard<std::mutex> lock(mu_);
  ++live_iterators_;
  return std::unique_ptr<BlocksIterator>(new BlocksIterator(this, start));
}

uint64_t BlockStore::WaitForBlockAsync(uint64_t number, std::function<void()> added) {
  uint64_t id = 0;
  {
    std::lock_guard<std::mutex> lock(mu_);
    id = next_waiter_++;
    if (info_.height() <= number) {
      waiters_.emplace(id, std::make_pair(number, std::move(added)));
      return id;
    }
  }
  added();
  return id;
}

void BlockStore::CancelWaiter(uint64_t id) {
  std::function<void()> dropped;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = waiters_.find(id);
    if (it == waiters_.end()) {
      return;
    }
    dropped = std::move(it->second.second);
    waiters_.erase(it);
  }
  // Destroyed outside the lock: a callback may own what calls back into the store.
}

Status BlockStore::WaitForBlock(uint64_t number, const bool* closed,
                                std::chrono::steady_clock::time_point deadline) const {
  std::unique_lock<std::mutex> lock(mu_);
  auto ready = [&] { return *closed || info_.height() > number; };
  bool in_time = true;
  ++waiting_iterators_;
  if (deadline == std::chrono::steady_clock::time_point::max()) {
    cv_.wait(lock, ready);
  } else {
    in_time = cv_.wait_until(lock, deadline, ready);
  }
  --waiting_iterators_;
  if (!in_time) {
    return DeadlineExceededError(absl::StrFormat("block %d not added before the deadline", number));
  }
  if (*closed) {
    return Status(StatusCode::kCancelled, "blocks iterator closed");
  }
  return Status::OK();
}

int BlockStore::waiting_readers() const {
  std::lock_guard<std::mutex> lock(mu_);
  return waiting_iterators_ + static_cast<int>(waiters_.size());
}

BlocksIterator::~BlocksIterator() {
  std::lock_guard<std::mutex> lock(store_->mu_);
  --store_->live_iterators_;
}

StatusOr<common::Block> BlocksIterator::Next(std::chrono::steady_clock::time_point deadline) {
  RETURN_IF_ERROR(store_->WaitForBlock(next_, &closed_, deadline));
  ASSIGN_OR_RETURN(common::Block block, store_->RetrieveBlockByNumber(next_));
  ++next_;
  return block;
}

StatusOr<std::shared_ptr<const common::Block>> BlocksIterator::NextShared(
    std::chrono::steady_clock::time_point deadline) {
  RETURN_IF_ERROR(store_->WaitForBlock(next_, &closed_, deadline));
  ASSIGN_OR_RETURN(std::shared_ptr<const common::Block> block,
                   store_->RetrieveSharedBlockByNumber(next_));
  ++next_;
  return block;
}

void BlocksIterator::Close() {
  {
    std::lock_guard<std::mutex> lock(store_->mu_);
    closed_ = true;
  }
  store_->cv_.notify_all();
}

}  // namespace fabric::ledger::blkstorage
