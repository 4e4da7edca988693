// SPDX-License-Identifier: Apache-2.0
//
// BlockStore::Recover: reconciles the block files (the truth) with the index checkpoint at Open.
//
//  1. The block files must be blockfile_000000 .. blockfile_N with no gap.
//  2. The checkpoint's file is verified from its start up to the checkpoint's end offset
//     (every record whole, data hash, hash chain, last block = checkpoint's block); any fault
//     there is DataLoss: those blocks were acknowledged to a caller.
//  3. Records after the checkpoint (in that file and any later one) are verified against the
//     chain tip and indexed. A fault in the last file that looks like a torn write (partial
//     record, or a bad record that ends exactly at the end of the file, or zeros to the end) is
//     truncated away with a WARN; any other fault is DataLoss.

#include <optional>

#include <absl/strings/str_format.h>
#include <leveldb/write_batch.h>

#include "common/crypto/hash.h"
#include "common/ledger/blkstorage/block_file.h"
#include "common/ledger/blkstorage/block_index.h"
#include "common/ledger/blkstorage/block_serialization.h"
#include "common/ledger/blkstorage/block_store.h"
#include "common/logging/logging.h"
#include "common/protoutil/blockutils.h"
#include "fabric/base/status_macros.h"

namespace fabric::ledger::blkstorage {

// The newest block seen so far while scanning.
struct ChainTip {
  uint64_t height = 0;
  std::string hash;
  std::string previous_hash;
};

namespace {

logging::Logger& Log() {
  static logging::Logger logger("blkstorage");
  return logger;
}

Status DataLossAt(const std::string& path, uint64_t offset, std::string_view what) {
  return DataLossError(absl::StrFormat("%s offset %d: %s", path, offset, what));
}

// Checks the block's data hash and, when `tip` is set, that it extends `tip`.
Status VerifyBlock(const common::Block& block, const std::optional<ChainTip>& tip) {
  const common::BlockHeader& h = block.header();
  if (protoutil::BlockDataHash(block.data()) != h.data_hash()) {
    return DataLossError(absl::StrFormat("block %d: data hash mismatch", h.number()));
  }
  if (tip.has_value() && h.number() != tip->height) {
    return DataLossError(
        absl::StrFormat("block %d where block %d was expected", h.number(), tip->height));
  }
  if (tip.has_value() && h.previous_hash() != tip->hash) {
    return DataLossError(absl::StrFormat("block %d: previous hash does not match block %d",
                                         h.number(), tip->height - 1));
  }
  return Status::OK();
}

ChainTip Advance(const common::Block& block) {
  return ChainTip{block.header().number() + 1, protoutil::BlockHeaderHash(block.header()),
                  block.header().previous_hash()};
}

// Verifies the whole records in [0, end) of a file.
StatusOr<std::optional<ChainTip>> VerifyRegion(const std::string& path, std::string_view bytes,
                                               uint64_t end) {
  if (bytes.size() < end) {
    return DataLossError(absl::StrFormat("%s is %d bytes but %d bytes of it hold committed blocks",
                                         path, bytes.size(), end));
  }
  std::optional<ChainTip> tip;
  uint64_t pos = 0;
  while (pos < end) {
    RecordSpan span = ParseRecord(bytes.substr(0, end), pos);
    if (span.kind != RecordSpan::Kind::kOk) {
      return DataLossAt(path, pos, "partial record inside committed blocks");
    }
    StatusOr<common::Block> block =
        DeserializeBlock(bytes.substr(span.body_offset, span.end - span.body_offset));
    if (!block.ok()) {
      return DataLossAt(path, pos, block.status().message());
    }
    Status s = VerifyBlock(*block, tip);
    if (!s.ok()) {
      return DataLossAt(path, pos, s.message());
    }
    tip = Advance(*block);
    pos = span.end;
  }
  return tip;
}

// Checks that the checkpoint's file holds whole, valid records up to the checkpoint's offset,
// the last of them being the checkpoint's block.
Status VerifyCommitted(const std::string& path, std::string_view bytes, const Checkpoint& cp) {
  ASSIGN_OR_RETURN(std::optional<ChainTip> seen, VerifyRegion(path, bytes, cp.end_offset));
  if (!seen.has_value() || seen->hash != cp.last_hash) {
    return DataLossError(absl::StrFormat(
        "%s does not end its committed bytes with block %d (hash %s) as the index records", path,
        cp.last_block, crypto::HexEncode(cp.last_hash)));
  }
  return Status::OK();
}

// A fault `why` at `pos` of the last file: a torn write (partial record, a bad record that ends
// exactly at the end of the file, or zeros up to the end) is cut off with one WARN; anything
// else is DataLoss.
Status TruncateTornTail(const std::string& path, std::string_view bytes, uint64_t pos,
                        const RecordSpan& span, const Status& why) {
  bool torn = span.kind == RecordSpan::Kind::kPartial || span.end == bytes.size() ||
              bytes.substr(pos).find_first_not_of('\0') == std::string_view::npos;
  if (!torn) {
    return DataLossAt(path, pos, why.message());
  }
  RETURN_IF_ERROR(TruncateFile(path, pos));
  FLOG_WARN(Log(), "truncated torn tail of %s at offset %d: dropped %d bytes (%s)", path, pos,
            bytes.size() - pos, why.message());
  return Status::OK();
}

// The block files of `dir`; DataLoss when one is missing between 0 and the newest.
StatusOr<std::vector<uint32_t>> ListContiguousBlockFiles(const std::string& dir) {
  ASSIGN_OR_RETURN(std::vector<uint32_t> files, ListBlockFiles(dir));
  for (size_t i = 0; i < files.size(); ++i) {
    if (files[i] != i) {
      return DataLossError(absl::StrFormat("missing block file %s", BlockFilePath(dir, i)));
    }
  }
  return files;
}

}  // namespace

Status BlockStore::Recover() {
  ASSIGN_OR_RETURN(std::vector<uint32_t> files, ListContiguousBlockFiles(options_.block_dir));
  ASSIGN_OR_RETURN(std::optional<Checkpoint> cp, index_->GetCheckpoint());
  const uint32_t start = cp.has_value() ? cp->file : 0;
  if (cp.has_value() && start >= files.size()) {
    return DataLossError(
        absl::StrFormat("the index records blocks up to %d in %s, which is missing", cp->last_block,
                        BlockFilePath(options_.block_dir, start)));
  }
  ChainTip tip;
  if (cp.has_value()) {
    tip = ChainTip{cp->last_block + 1, cp->last_hash, cp->previous_hash};
  }
  for (uint32_t f = options_.verify_all_files_on_open ? 0 : start; f < files.size(); ++f) {
    std::string path = BlockFilePath(options_.block_dir, f);
    ASSIGN_OR_RETURN(MappedBlockFile file, MappedBlockFile::Open(path));
    const std::string_view bytes = file.bytes();
    if (f < start) {
      RETURN_IF_ERROR(VerifyRegion(path, bytes, bytes.size()).status());
      continue;
    }
    uint64_t committed = 0;
    if (f == start && cp.has_value()) {
      RETURN_IF_ERROR(VerifyCommitted(path, bytes, *cp));
      committed = cp->end_offset;
    }
    RETURN_IF_ERROR(IndexFileTail(f, path, bytes, committed, f + 1 == files.size(), &tip));
  }
  current_file_ = files.empty() ? 0 : files.back();
  std::lock_guard<std::mutex> lock(mu_);
  info_.set_height(tip.height);
  info_.set_currentblockhash(tip.hash);
  info_.set_previousblockhash(tip.previous_hash);
  return Status::OK();
}

Status BlockStore::IndexFileTail(uint32_t file, const std::string& path, std::string_view bytes,
                                 uint64_t pos, bool last_file, ChainTip* tip) {
  uint64_t indexed = 0;
  for (RecordSpan span = ParseRecord(bytes, pos); span.kind != RecordSpan::Kind::kEnd;
       span = ParseRecord(bytes, pos)) {
    std::vector<TxLocation> txs;
    StatusOr<common::Block> block = DataLossError("partial record");
    if (span.kind == RecordSpan::Kind::kOk) {
      block = DeserializeBlock(bytes.substr(span.body_offset, span.end - span.body_offset), &txs);
    }
    Status s = block.ok() ? VerifyBlock(*block, *tip) : block.status();
    if (!s.ok()) {
      return last_file ? TruncateTornTail(path, bytes, pos, span, s)
                       : DataLossAt(path, pos, s.message());
    }
    ChainTip next = Advance(*block);
    const common::BlockHeader& h = block->header();
    IndexedBlock ib{h.number(),
                    next.hash,
                    FileLoc{file, span.body_offset, span.end - span.body_offset},
                    &txs,
                    TransactionsFilter(*block),
                    options_.index_transactions};
    leveldb::WriteBatch batch;
    BlockIndex::AddBlock(ib, Checkpoint{file, span.end, h.number(), next.hash, h.previous_hash()},
                         &batch);
    RETURN_IF_ERROR(index_->Write(&batch, /*sync=*/false));
    *tip = std::move(next);
    pos = span.end;
    ++indexed;
  }
  if (indexed > 0) {
    leveldb::WriteBatch empty;
    RETURN_IF_ERROR(index_->Write(&empty, /*sync=*/true));
    FLOG_INFO(Log(), "re-indexed %d blocks from %s; height is now %d", indexed, path, tip->height);
  }
  return Status::OK();
}

}  // namespace fabric::ledger::blkstorage
