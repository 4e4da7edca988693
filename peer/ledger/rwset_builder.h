// SPDX-License-Identifier: Apache-2.0
//
// RWSetBuilder collects a simulation's reads, range queries, writes and metadata writes and
// emits Fabric's TxReadWriteSet (kvledger/txmgmt/rwsetutil/rwset_builder.go): one
// NsReadWriteSet per namespace, namespaces sorted, each holding a marshalled KVRWSet whose
// reads, writes and metadata writes are sorted by key; range query infos keep the order in
// which they were added (duplicates dropped). The bytes are deterministic, so endorsers that
// simulate the same thing produce the same rwset.
//
// Also: parsing a TxReadWriteSet back into per-namespace KVRWSets.
//
// Thread-safety: RWSetBuilder is not thread-safe (TxSimulator serialises access).

#pragma once

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <tuple>
#include <vector>

#include "fabric/base/status.h"
#include "ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "ledger/rwset/rwset.pb.h"
#include "peer/ledger/statedb.h"
#include "peer/ledger/version.h"

namespace fabric::ledger {

class RWSetBuilder {
 public:
  // Records a read of `key` at `version` (nullopt: the key was absent). A later read of the
  // same key replaces the earlier one.
  void AddToReadSet(const std::string& ns, const std::string& key, std::optional<Height> version);
  // Records a write; an empty value is a delete (KVWrite.is_delete). The last write wins.
  void AddToWriteSet(const std::string& ns, const std::string& key, std::string value);
  // Records a metadata write; empty `metadata` deletes the key's metadata. Entries are
  // emitted sorted by name.
  void AddToMetadataWriteSet(const std::string& ns, const std::string& key,
                             const Metadata& metadata);
  // Records a range query; an identical (start, end, exhausted) query is recorded once.
  void AddToRangeQuerySet(const std::string& ns, kvrwset::RangeQueryInfo info);

  // The TxReadWriteSet (data_model KV) of everything recorded.
  rwset::TxReadWriteSet GetTxSimulationResults() const;

 private:
  struct NsBuilder {
    std::map<std::string, kvrwset::KVRead> reads;
    std::map<std::string, kvrwset::KVWrite> writes;
    std::map<std::string, kvrwset::KVMetadataWrite> metadata_writes;
    std::vector<kvrwset::RangeQueryInfo> range_queries;
    std::set<std::tuple<std::string, std::string, bool>> range_query_keys;
  };
  std::map<std::string, NsBuilder> namespaces_;
};

// One namespace of a parsed TxReadWriteSet.
// One private-data collection's hashed reads and writes within a namespace.
struct CollHashedRwSet {
  std::string collection;
  kvrwset::HashedRWSet hashed;
};

struct NsRwSet {
  std::string ns;
  kvrwset::KVRWSet kv;
  std::vector<CollHashedRwSet> collections;
};

// Parses TxReadWriteSet bytes, each namespace's KVRWSet and each collection's HashedRWSet (as
// Fabric's rwsetutil.TxRwSet.FromProtoBytes does). InvalidArgument when any layer is malformed.
StatusOr<std::vector<NsRwSet>> ParseTxRwSet(std::string_view bytes);

}  // namespace fabric::ledger
