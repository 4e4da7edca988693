// SPDX-License-Identifier: Apache-2.0

#include "peer/ledger/leveldb_util.h"

#include <filesystem>
#include <system_error>

#include <absl/strings/str_format.h>
#include <leveldb/options.h>

namespace fabric::ledger {

Status FromLevelDBStatus(const leveldb::Status& s, std::string_view what) {
  if (s.ok()) {
    return Status();
  }
  std::string msg = absl::StrFormat("%s: %s", what, s.ToString());
  if (s.IsNotFound()) {
    return NotFoundError(msg);
  }
  if (s.IsCorruption()) {
    return Status(StatusCode::kDataLoss, msg);
  }
  return InternalError(msg);
}

StatusOr<std::unique_ptr<LevelDBHandle>> OpenLevelDB(const std::string& path,
                                                     const LevelDBOptions& options) {
  std::error_code ec;
  if (options.env == nullptr) {
    std::filesystem::create_directories(path, ec);
    if (ec) {
      return InternalError(absl::StrFormat("create dir %s: %s", path, ec.message()));
    }
  }
  leveldb::Options o;
  o.create_if_missing = true;
  o.write_buffer_size = options.write_buffer_bytes;
  std::unique_ptr<leveldb::Cache> cache(leveldb::NewLRUCache(options.block_cache_bytes));
  std::unique_ptr<const leveldb::FilterPolicy> filter(leveldb::NewBloomFilterPolicy(10));
  o.block_cache = cache.get();
  o.filter_policy = filter.get();
  if (options.env != nullptr) {
    o.env = options.env;
  }
  leveldb::DB* raw = nullptr;
  leveldb::Status s = leveldb::DB::Open(o, path, &raw);
  if (!s.ok()) {
    return FromLevelDBStatus(s, absl::StrFormat("open leveldb %s", path));
  }
  return std::make_unique<LevelDBHandle>(std::move(cache), std::move(filter),
                                         std::unique_ptr<leveldb::DB>(raw));
}

}  // namespace fabric::ledger
