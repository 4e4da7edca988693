// SPDX-License-Identifier: Apache-2.0
//
// HistoryDB: for each write or delete of a valid endorser transaction, an index row naming the
// block and transaction (Fabric's historyleveldb). Values are read back from the block store
// by HistoryQueryExecutor. Rows share one LevelDB between channels:
//   row        <ledger> 0x00 <ns> 0x00 <key> 0x00 OPVarUint(block) OPVarUint(tx) -> ""
//   savepoint  <ledger> 0x00 0x00                                        -> Height bytes
// A key containing 0x00 (composite keys) could make another key's rows share a prefix; a row
// is only taken when the suffix decodes exactly as a height, and the query double-checks the
// transaction's writes.
//
// Thread-safety: safe for concurrent use; a HistoryScanner is used by one thread at a time.

#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include <leveldb/db.h>

#include "fabric/base/status.h"
#include "peer/ledger/block_parser.h"
#include "peer/ledger/version.h"

namespace fabric::ledger {

// The (block, tx) heights at which one key was written, oldest first, over a snapshot taken
// at creation.
class HistoryScanner {
 public:
  HistoryScanner(leveldb::DB* db, std::string prefix);
  ~HistoryScanner();
  HistoryScanner(const HistoryScanner&) = delete;
  HistoryScanner& operator=(const HistoryScanner&) = delete;

  // The next height, or nullopt at the end. Internal on LevelDB errors.
  StatusOr<std::optional<Height>> Next();

 private:
  leveldb::DB* const db_;
  const std::string prefix_;  // ... <key> 0x00
  const leveldb::Snapshot* snapshot_;
  std::unique_ptr<leveldb::Iterator> it_;
};

class HistoryDB {
 public:
  // `db` is shared between channels, not owned, and must outlive this object.
  HistoryDB(leveldb::DB* db, std::string ledger_id);

  // Writes one row per write (and delete) of each VALID endorser transaction in `txs`, plus
  // the savepoint Height{block_num, last tx}, as one LevelDB batch (not synced: recovery
  // replays from the block store). Internal on error.
  Status Commit(uint64_t block_num, const std::vector<ParsedTx>& txs);
  // The height of the last block committed, or nullopt for a new ledger. DataLoss if corrupt.
  StatusOr<std::optional<Height>> GetLastSavepoint() const;
  // The rows of (ns, key).
  std::unique_ptr<HistoryScanner> Scan(const std::string& ns, const std::string& key) const;

 private:
  leveldb::DB* const db_;
  const std::string ledger_id_;
  const std::string prefix_;
};

}  // namespace fabric::ledger
