// SPDX-License-Identifier: Apache-2.0
//
// StateDB: the versioned world state of one channel, Fabric's VersionedDB over LevelDB
// (kvledger/txmgmt/statedb/stateleveldb). Several channels may share one LevelDB; each
// channel's keys start with "<ledger id> 0x00":
//   state entry   <ledger> 0x00 <namespace> 0x00 <key>  -> 0x00 || VersionedValueProto bytes
//   savepoint     <ledger> 0x00 0x00                    -> Height bytes of the last block
// VersionedValueProto is {version_bytes = 1, value = 2, metadata = 3}, as Fabric 1.3+ writes
// it; metadata is the marshalled KVMetadataWrite{entries} (empty when the key has none).
//
// Reads go through a StateSnapshot: a consistent view (a leveldb::Snapshot) that commits
// proceeding in parallel do not change. StateDB's own read methods read the latest state.
//
// Thread-safety: StateDB and StateSnapshot are safe for concurrent use. A StateIterator is
// used by one thread at a time; it keeps its snapshot alive.

#pragma once

#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <leveldb/db.h>

#include "fabric/base/status.h"
#include "peer/ledger/version.h"

namespace fabric::ledger {

// A key's metadata: entry name -> value (Fabric's map[string][]byte), sorted by name.
using Metadata = std::map<std::string, std::string>;

struct VersionedValue {
  std::string value;
  std::string metadata;  // marshalled KVMetadataWrite entries; empty when none
  Height version;
};

// One result of a range scan.
struct VersionedKV {
  std::string key;
  VersionedValue value;
};

// The 0x00-prefixed value encoding and its inverse. Decode returns DataLoss when malformed.
std::string EncodeVersionedValue(const VersionedValue& vv);
StatusOr<VersionedValue> DecodeVersionedValue(std::string_view bytes);

// Metadata <-> the marshalled KVMetadataWrite{entries} form kept in VersionedValue::metadata.
std::string SerializeMetadata(const Metadata& metadata);
StatusOr<Metadata> DeserializeMetadata(std::string_view bytes);

// The pending state updates of one block: for each namespace and key, the last write of a
// valid transaction (a value with its version, or a delete). Not thread-safe.
class UpdateBatch {
 public:
  struct Entry {
    bool is_delete = false;
    VersionedValue value;  // value.version is set for deletes too
  };
  using NamespaceUpdates = std::map<std::string, Entry>;

  void Put(const std::string& ns, const std::string& key, VersionedValue value);
  void Delete(const std::string& ns, const std::string& key, Height version);
  // The pending entry for (ns, key), or nullptr.
  const Entry* Get(const std::string& ns, const std::string& key) const;
  // The pending entries of `ns` (sorted by key), or nullptr when it has none.
  const NamespaceUpdates* GetNamespace(const std::string& ns) const;
  const std::map<std::string, NamespaceUpdates>& updates() const { return updates_; }
  size_t size() const { return size_; }

 private:
  std::map<std::string, NamespaceUpdates> updates_;
  size_t size_ = 0;
};

class StateSnapshot;

// The namespaces in which some key has (or had) metadata. Persisted as marker keys
// "<ledger> 0x00 0x01 <ns>" written in the same batch as the first metadata of a namespace, so
// that commits can skip reading a key's current metadata in namespaces that have none (the
// common case). Only grows. Thread-safe.
class MetadataNamespaces {
 public:
  bool Contains(std::string_view ns) const;
  void Add(const std::string& ns);

 private:
  mutable std::mutex mu_;
  std::set<std::string, std::less<>> namespaces_;  // guarded by mu_
};

// Iterates the keys of one namespace in [start_key, end_key) of one snapshot, in key order.
// An empty start_key means the first key of the namespace, an empty end_key its last.
class StateIterator {
 public:
  StateIterator(std::shared_ptr<const StateSnapshot> snapshot, std::string ns,
                std::string_view start_key, std::string_view end_key);
  ~StateIterator();
  StateIterator(const StateIterator&) = delete;
  StateIterator& operator=(const StateIterator&) = delete;

  // The next entry, or nullopt when the range is exhausted. DataLoss on a corrupt value,
  // Internal on a LevelDB error.
  StatusOr<std::optional<VersionedKV>> Next();
  // The key that Next() would return, or "" when exhausted: Fabric's pagination bookmark.
  std::string PeekKey();

 private:
  bool Valid() const;

  std::shared_ptr<const StateSnapshot> snapshot_;
  std::unique_ptr<leveldb::Iterator> it_;
  const size_t prefix_len_;
  std::string end_;  // physical end key, exclusive
};

// A consistent read-only view of one channel's state. Created by StateDB; releases its
// leveldb::Snapshot when destroyed (a "latest" view holds none).
class StateSnapshot : public std::enable_shared_from_this<StateSnapshot> {
 public:
  StateSnapshot(leveldb::DB* db, std::string prefix, const leveldb::Snapshot* snapshot,
                std::shared_ptr<const MetadataNamespaces> metadata_namespaces);
  ~StateSnapshot();
  StateSnapshot(const StateSnapshot&) = delete;
  StateSnapshot& operator=(const StateSnapshot&) = delete;

  // The entry for (ns, key), or nullopt when absent. DataLoss on a corrupt value, Internal on
  // a LevelDB error.
  StatusOr<std::optional<VersionedValue>> GetState(std::string_view ns, std::string_view key) const;
  // GetState for each key, in the order given.
  StatusOr<std::vector<std::optional<VersionedValue>>> GetStateMultipleKeys(
      std::string_view ns, const std::vector<std::string>& keys) const;
  // A range iterator over this view (see StateIterator). The snapshot must be owned by a
  // shared_ptr (StateDB hands them out that way).
  std::unique_ptr<StateIterator> GetStateRangeScanIterator(std::string_view ns,
                                                           std::string_view start_key,
                                                           std::string_view end_key) const;

  // False when no key of `ns` can have metadata in this view.
  bool MayHaveMetadata(std::string_view ns) const { return metadata_ns_->Contains(ns); }

  leveldb::DB* db() const { return db_; }
  const std::string& prefix() const { return prefix_; }
  leveldb::ReadOptions read_options() const;

 private:
  leveldb::DB* const db_;
  const std::string prefix_;
  const leveldb::Snapshot* const snapshot_;
  const std::shared_ptr<const MetadataNamespaces> metadata_ns_;
};

class StateDB {
 public:
  // `db` is not owned and must outlive this object; `ledger_id` selects the channel's keys.
  StateDB(leveldb::DB* db, std::string ledger_id);

  // A consistent view of the state as of now.
  std::shared_ptr<const StateSnapshot> NewSnapshot() const;
  // A view that always reads the latest committed state (no snapshot).
  std::shared_ptr<const StateSnapshot> Latest() const { return latest_; }

  // Writes all of `batch` and the savepoint `height` in one atomic LevelDB write (not synced:
  // the block store is the durable record and recovery replays from it). Internal on error.
  Status ApplyUpdates(const UpdateBatch& batch, Height height);
  // The height of the last block applied, or nullopt for a new ledger. DataLoss if corrupt.
  StatusOr<std::optional<Height>> GetLatestSavePoint() const;
  // Loads the metadata namespace markers; called once by the owner after construction.
  // Internal on LevelDB errors.
  Status LoadMetadataNamespaces();

  const std::string& ledger_id() const { return ledger_id_; }

 private:
  // "<ledger> 0x00 0x01": the metadata namespace markers.
  std::string MetadataMarkerPrefix() const;

  leveldb::DB* const db_;
  const std::string ledger_id_;
  const std::string prefix_;
  const std::shared_ptr<MetadataNamespaces> metadata_ns_;
  std::shared_ptr<const StateSnapshot> latest_;
};

// <prefix> <ns> 0x00 <key>.
std::string StateKey(std::string_view prefix, std::string_view ns, std::string_view key);

}  // namespace fabric::ledger
