// SPDX-License-Identifier: Apache-2.0
//
// The block index: one LevelDB per channel (Options::index_dir) mapping
//
//   'n' OPVarUint(block)                          -> FileLoc of the block body
//   'h' header hash                               -> FileLoc of the block body
//   't' OPVarUint(len) txid OPVarUint(block) OPVarUint(tx)
//                                                 -> TxIdValue {block loc, tx loc, validation code}
//   'a' OPVarUint(block) OPVarUint(tx)            -> FileLoc of the envelope
//   'x' txid                                      -> "" (the txid has a 't' entry)
//   "blkMgrInfo"                                  -> Checkpoint
//   "blkFormat"                                   -> "2"
//
// OPVarUint is Fabric's order-preserving encoding (one length byte, then the big-endian
// significant bytes), so txid keys of one txid sort by (block, tx) and a lookup takes the first:
// like Fabric 2.2, every occurrence of a txid is indexed and the earliest one answers (a later
// duplicate never replaces it). Empty txids are not indexed. Values are varint-encoded (not
// Fabric's protobuf TxIDIndexValue).
//
// The 'x' markers make TxIdExists, asked up to three times per transaction (endorsement, block
// validation, the ledger's duplicate check) and almost always answered "no", one LevelDB Get
// that its Bloom filters answer without reading a table; the 't' entries need a prefix seek
// through every level (~13 us of a peer's CPU per transaction in bench/commit's e2e run).
// Format 1 (no markers) is upgraded when opened: the markers are written for every indexed
// txid, then the version; an upgrade cut short is redone at the next open.
//
// The entries of one block and the checkpoint go into one WriteBatch, so the index and the
// checkpoint always agree.
//
// Thread-safety: all methods may be called concurrently (LevelDB's guarantees).

#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/write_batch.h>

#include "common/ledger/blkstorage/block_serialization.h"
#include "fabric/base/status.h"

namespace fabric::ledger::blkstorage {

// A byte range in a block file.
struct FileLoc {
  uint32_t file = 0;
  uint64_t offset = 0;
  uint64_t length = 0;
};

// What the writer has made durable: the block files up to `file`/`end_offset` hold blocks
// 0..last_block, all indexed.
struct Checkpoint {
  uint32_t file = 0;
  uint64_t end_offset = 0;
  uint64_t last_block = 0;
  std::string last_hash;      // header hash of last_block
  std::string previous_hash;  // last_block's previous_hash
};

struct TxIdValue {
  uint64_t block_num = 0;
  uint64_t tx_num = 0;
  FileLoc block_loc;
  FileLoc tx_loc;
  int32_t validation_code = 0;
};

// One block's index input.
struct IndexedBlock {
  uint64_t number = 0;
  std::string hash;
  FileLoc loc;                                   // the body
  const std::vector<TxLocation>* txs = nullptr;  // offsets relative to the body
  std::string_view tx_filter;                    // TRANSACTIONS_FILTER bytes; missing = VALID
  bool transactions = true;                      // false: the 'n' and 'h' entries only
};

class BlockIndex {
 public:
  // Opens (creating if missing) the LevelDB at `dir`. Internal when LevelDB fails (e.g. the
  // directory is locked by another store); FailedPrecondition for an unknown format version.
  static StatusOr<std::unique_ptr<BlockIndex>> Open(const std::string& dir);

  // The stored checkpoint, or nullopt when no block was ever indexed. DataLoss when malformed.
  StatusOr<std::optional<Checkpoint>> GetCheckpoint() const;

  // Adds `block`'s entries and `checkpoint` to `batch`.
  static void AddBlock(const IndexedBlock& block, const Checkpoint& checkpoint,
                       leveldb::WriteBatch* batch);

  // Applies `batch`; `sync` makes it durable before returning. Internal on failure.
  Status Write(leveldb::WriteBatch* batch, bool sync);

  // Lookups. NotFound (naming the key) when absent, DataLoss when a value is malformed.
  StatusOr<FileLoc> BlockLocByNumber(uint64_t number) const;
  StatusOr<FileLoc> BlockLocByHash(std::string_view hash) const;
  StatusOr<TxIdValue> TxIdLookup(std::string_view txid) const;
  StatusOr<FileLoc> TxLocByBlockTx(uint64_t block_num, uint64_t tx_num) const;
  // True when `txid` is indexed. Internal on LevelDB errors.
  StatusOr<bool> TxIdExists(std::string_view txid) const;

 private:
  BlockIndex(std::unique_ptr<const leveldb::FilterPolicy> filter, std::unique_ptr<leveldb::DB> db)
      : filter_(std::move(filter)), db_(std::move(db)) {}
  StatusOr<std::optional<std::string>> Get(const std::string& key) const;
  // Writes the 'x' marker of every txid with a 't' entry (format 1 -> 2).
  Status AddTxIdMarkers(const std::string& dir);

  const std::unique_ptr<const leveldb::FilterPolicy> filter_;  // used by db_
  const std::unique_ptr<leveldb::DB> db_;                      // declared last: closed first
};

// Fabric's order-preserving uint64 encoding (exposed for tests).
std::string EncodeOrderPreservingVarUint64(uint64_t value);

}  // namespace fabric::ledger::blkstorage
