// SPDX-License-Identifier: Apache-2.0
//
// Small helpers shared by the ledger's LevelDB databases (state, history): opening a database
// with the ledger's tuning, converting leveldb::Status to fabric::Status, and the
// "<ledger id> 0x00" key prefix that lets several channels share one database, as Fabric's
// leveldbhelper does.
//
// Thread-safety: stateless functions.

#pragma once

#include <memory>
#include <string>
#include <string_view>

#include <leveldb/cache.h>
#include <leveldb/db.h>
#include <leveldb/filter_policy.h>
#include <leveldb/status.h>

#include "fabric/base/status.h"

namespace fabric::ledger {

struct LevelDBOptions {
  size_t block_cache_bytes = 64 << 20;
  size_t write_buffer_bytes = 32 << 20;
  // For tests: an in-memory or fault-injecting Env; not owned, must outlive the database.
  leveldb::Env* env = nullptr;
};

// An open LevelDB with the block cache and filter policy its options point to. The database
// is closed before they are freed. Thread-safe as leveldb::DB is.
class LevelDBHandle {
 public:
  LevelDBHandle(std::unique_ptr<leveldb::Cache> cache,
                std::unique_ptr<const leveldb::FilterPolicy> filter,
                std::unique_ptr<leveldb::DB> db)
      : cache_(std::move(cache)), filter_(std::move(filter)), db_(std::move(db)) {}
  leveldb::DB* db() const { return db_.get(); }

 private:
  std::unique_ptr<leveldb::Cache> cache_;
  std::unique_ptr<const leveldb::FilterPolicy> filter_;
  std::unique_ptr<leveldb::DB> db_;  // declared last: destroyed first
};

// Opens (creating if missing) the LevelDB at `path`; missing parent directories are created.
// Returns Internal (or DataLoss for corruption) with the path in the message.
StatusOr<std::unique_ptr<LevelDBHandle>> OpenLevelDB(const std::string& path,
                                                     const LevelDBOptions& options = {});

// OK stays OK; NotFound -> NotFound; Corruption -> DataLoss; others -> Internal. `what` prefixes
// the message.
Status FromLevelDBStatus(const leveldb::Status& s, std::string_view what);

// "<ledger_id>\x00": every key of a channel in a shared database starts with it.
inline std::string LedgerPrefix(std::string_view ledger_id) {
  std::string p(ledger_id);
  p.push_back('\0');
  return p;
}

}  // namespace fabric::ledger
