// SPDX-License-Identifier: Apache-2.0

#include "peer/ledger/statedb.h"

#include <absl/strings/str_format.h>
#include <leveldb/write_batch.h>

#include "common/ledger/blkstorage/block_serialization.h"
#include "fabric/base/status_macros.h"
#include "ledger/rwset/kvrwset/kv_rwset.pb.h"
#include "peer/ledger/leveldb_util.h"

namespace fabric::ledger {
namespace {

constexpr char kValueFormatByte = '\x00';

bool ReadVarint(std::string_view* in, uint64_t* v) {
  *v = 0;
  for (int shift = 0; shift < 64 && !in->empty(); shift += 7) {
    const uint8_t b = static_cast<uint8_t>(in->front());
    in->remove_prefix(1);
    *v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) {
      return true;
    }
  }
  return false;
}

// Appends a proto3 bytes field (omitted when empty, as proto3 marshalling does).
void AppendBytesField(std::string* out, int field, std::string_view bytes) {
  if (bytes.empty()) {
    return;
  }
  out->push_back(static_cast<char>((field << 3) | 2));
  blkstorage::AppendVarint(*out, bytes.size());
  out->append(bytes);
}

}  // namespace

std::string EncodeVersionedValue(const VersionedValue& vv) {
  std::string out;
  out.reserve(vv.value.size() + vv.metadata.size() + 24);
  out.push_back(kValueFormatByte);
  AppendBytesField(&out, 1, vv.version.ToBytes());
  AppendBytesField(&out, 2, vv.value);
  AppendBytesField(&out, 3, vv.metadata);
  return out;
}

StatusOr<VersionedValue> DecodeVersionedValue(std::string_view bytes) {
  if (bytes.empty() || bytes[0] != kValueFormatByte) {
    return DataLossError("decode state value: unknown format byte");
  }
  bytes.remove_prefix(1);
  VersionedValue vv;
  bool have_version = false;
  while (!bytes.empty()) {
    uint64_t tag = 0;
    uint64_t len = 0;
    if (!ReadVarint(&bytes, &tag) || (tag & 7) != 2 || !ReadVarint(&bytes, &len) ||
        len > bytes.size()) {
      return DataLossError("decode state value: malformed VersionedValueProto");
    }
    std::string_view field = bytes.substr(0, len);
    bytes.remove_prefix(len);
    if (tag >> 3 == 1) {
      auto h = Height::FromBytes(field);
      if (!h.ok()) {
        return DataLossError("decode state value: " + std::string(h.status().message()));
      }
      vv.version = *h;
      have_version = true;
    } else if (tag >> 3 == 2) {
      vv.value.assign(field);
    } else if (tag >> 3 == 3) {
      vv.metadata.assign(field);
    }
  }
  if (!have_version) {
    return DataLossError("decode state value: no version");
  }
  return vv;
}

std::string SerializeMetadata(const Metadata& metadata) {
  if (metadata.empty()) {
    return {};
  }
  kvrwset::KVMetadataWrite w;
  for (const auto& [name, value] : metadata) {
    auto* e = w.add_entries();
    e->set_name(name);
    e->set_value(value);
  }
  return w.SerializeAsString();
}

StatusOr<Metadata> DeserializeMetadata(std::string_view bytes) {
  Metadata m;
  if (bytes.empty()) {
    return m;
  }
  kvrwset::KVMetadataWrite w;
  if (!w.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return DataLossError("decode state metadata: malformed KVMetadataWrite");
  }
  for (const auto& e : w.entries()) {
    m[e.name()] = e.value();
  }
  return m;
}

std::string StateKey(std::string_view prefix, std::string_view ns, std::string_view key) {
  std::string k;
  k.reserve(prefix.size() + ns.size() + key.size() + 1);
  k.append(prefix);
  k.append(ns);
  k.push_back('\0');
  k.append(key);
  return k;
}

// ---- UpdateBatch ----

void UpdateBatch::Put(const std::string& ns, const std::string& key, VersionedValue value) {
  auto [it, inserted] = updates_[ns].insert_or_assign(key, Entry{false, std::move(value)});
  (void)it;
  size_ += inserted ? 1 : 0;
}

void UpdateBatch::Delete(const std::string& ns, const std::string& key, Height version) {
  Entry e;
  e.is_delete = true;
  e.value.version = version;
  auto [it, inserted] = updates_[ns].insert_or_assign(key, std::move(e));
  (void)it;
  size_ += inserted ? 1 : 0;
}

const UpdateBatch::Entry* UpdateBatch::Get(const std::string& ns, const std::string& key) const {
  auto n = updates_.find(ns);
  if (n == updates_.end()) {
    return nullptr;
  }
  auto k = n->second.find(key);
  return k == n->second.end() ? nullptr : &k->second;
}

const UpdateBatch::NamespaceUpdates* UpdateBatch::GetNamespace(const std::string& ns) const {
  auto n = updates_.find(ns);
  return n == updates_.end() ? nullptr : &n->second;
}

// ---- StateIterator ----

StateIterator::StateIterator(std::shared_ptr<const StateSnapshot> snapshot, std::string ns,
                             std::string_view start_key, std::string_view end_key)
    : snapshot_(std::move(snapshot)), prefix_len_(snapshot_->prefix().size() + ns.size() + 1) {
  leveldb::ReadOptions ro = snapshot_->read_options();
  ro.fill_cache = false;
  it_.reset(snapshot_->db()->NewIterator(ro));
  if (end_key.empty()) {
    end_ = snapshot_->prefix() + ns;
    end_.push_back('\x01');
  } else {
    end_ = StateKey(snapshot_->prefix(), ns, end_key);
  }
  it_->Seek(StateKey(snapshot_->prefix(), ns, start_key));
}

StateIterator::~StateIterator() = default;

bool StateIterator::Valid() const {
  return it_->Valid() && it_->key().compare(leveldb::Slice(end_)) < 0;
}

StatusOr<std::optional<VersionedKV>> StateIterator::Next() {
  if (!Valid()) {
    RETURN_IF_ERROR(FromLevelDBStatus(it_->status(), "state range scan"));
    return std::optional<VersionedKV>();
  }
  VersionedKV kv;
  const leveldb::Slice k = it_->key();
  kv.key.assign(k.data() + prefix_len_, k.size() - prefix_len_);
  const leveldb::Slice v = it_->value();
  ASSIGN_OR_RETURN(kv.value, DecodeVersionedValue(std::string_view(v.data(), v.size())));
  it_->Next();
  return std::optional<VersionedKV>(std::move(kv));
}

std::string StateIterator::PeekKey() {
  if (!Valid()) {
    return {};
  }
  const leveldb::Slice k = it_->key();
  return std::string(k.data() + prefix_len_, k.size() - prefix_len_);
}

// ---- MetadataNamespaces ----

bool MetadataNamespaces::Contains(std::string_view ns) const {
  std::lock_guard<std::mutex> lock(mu_);
  return namespaces_.find(ns) != namespaces_.end();
}

void MetadataNamespaces::Add(const std::string& ns) {
  std::lock_guard<std::mutex> lock(mu_);
  namespaces_.insert(ns);
}

// ---- StateSnapshot ----

StateSnapshot::StateSnapshot(leveldb::DB* db, std::string prefix, const leveldb::Snapshot* snapshot,
                             std::shared_ptr<const MetadataNamespaces> metadata_namespaces)
    : db_(db),
      prefix_(std::move(prefix)),
      snapshot_(snapshot),
      metadata_ns_(std::move(metadata_namespaces)) {}

StateSnapshot::~StateSnapshot() {
  if (snapshot_ != nullptr) {
    db_->ReleaseSnapshot(snapshot_);
  }
}

leveldb::ReadOptions StateSnapshot::read_options() const {
  leveldb::ReadOptions ro;
  ro.snapshot = snapshot_;
  return ro;
}

StatusOr<std::optional<VersionedValue>> StateSnapshot::GetState(std::string_view ns,
                                                                std::string_view key) const {
  std::string raw;
  leveldb::Status s = db_->Get(read_options(), StateKey(prefix_, ns, key), &raw);
  if (s.IsNotFound()) {
    return std::optional<VersionedValue>();
  }
  RETURN_IF_ERROR(FromLevelDBStatus(s, absl::StrFormat("get state ns=%s key=%s", ns, key)));
  ASSIGN_OR_RETURN(VersionedValue vv, DecodeVersionedValue(raw));
  return std::optional<VersionedValue>(std::move(vv));
}

StatusOr<std::vector<std::optional<VersionedValue>>> StateSnapshot::GetStateMultipleKeys(
    std::string_view ns, const std::vector<std::string>& keys) const {
  std::vector<std::optional<VersionedValue>> out;
  out.reserve(keys.size());
  for (const auto& key : keys) {
    ASSIGN_OR_RETURN(auto vv, GetState(ns, key));
    out.push_back(std::move(vv));
  }
  return out;
}

std::unique_ptr<StateIterator> StateSnapshot::GetStateRangeScanIterator(
    std::string_view ns, std::string_view start_key, std::string_view end_key) const {
  return std::make_unique<StateIterator>(shared_from_this(), std::string(ns), start_key, end_key);
}

// ---- StateDB ----

StateDB::StateDB(leveldb::DB* db, std::string ledger_id)
    : db_(db),
      ledger_id_(std::move(ledger_id)),
      prefix_(LedgerPrefix(ledger_id_)),
      metadata_ns_(std::make_shared<MetadataNamespaces>()),
      latest_(std::make_shared<StateSnapshot>(db_, prefix_, nullptr, metadata_ns_)) {}

std::shared_ptr<const StateSnapshot> StateDB::NewSnapshot() const {
  return std::make_shared<StateSnapshot>(db_, prefix_, db_->GetSnapshot(), metadata_ns_);
}

Status StateDB::ApplyUpdates(const UpdateBatch& batch, Height height) {
  leveldb::WriteBatch wb;
  std::vector<std::string> new_metadata_ns;
  for (const auto& [ns, keys] : batch.updates()) {
    bool has_metadata = metadata_ns_->Contains(ns);
    for (const auto& [key, entry] : keys) {
      if (entry.is_delete) {
        wb.Delete(StateKey(prefix_, ns, key));
        continue;
      }
      wb.Put(StateKey(prefix_, ns, key), EncodeVersionedValue(entry.value));
      if (!has_metadata && !entry.value.metadata.empty()) {
        wb.Put(MetadataMarkerPrefix() + ns, leveldb::Slice());
        new_metadata_ns.push_back(ns);
        has_metadata = true;
      }
    }
  }
  wb.Put(prefix_ + std::string(1, '\0'), height.ToBytes());
  RETURN_IF_ERROR(FromLevelDBStatus(
      db_->Write(leveldb::WriteOptions(), &wb),
      absl::StrFormat("apply state updates ledger=%s block=%d", ledger_id_, height.block_num)));
  for (const auto& ns : new_metadata_ns) {
    metadata_ns_->Add(ns);
  }
  return Status();
}

std::string StateDB::MetadataMarkerPrefix() const {
  std::string p = prefix_;
  p.push_back('\0');
  p.push_back('\x01');
  return p;
}

Status StateDB::LoadMetadataNamespaces() {
  const std::string marker = MetadataMarkerPrefix();
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  for (it->Seek(marker); it->Valid() && it->key().starts_with(marker); it->Next()) {
    metadata_ns_->Add(
        std::string(it->key().data() + marker.size(), it->key().size() - marker.size()));
  }
  return FromLevelDBStatus(it->status(), "load state metadata namespaces");
}

StatusOr<std::optional<Height>> StateDB::GetLatestSavePoint() const {
  std::string raw;
  leveldb::Status s = db_->Get(leveldb::ReadOptions(), prefix_ + std::string(1, '\0'), &raw);
  if (s.IsNotFound()) {
    return std::optional<Height>();
  }
  RETURN_IF_ERROR(FromLevelDBStatus(s, "get state savepoint"));
  auto h = Height::FromBytes(raw);
  if (!h.ok()) {
    return DataLossError("state savepoint: " + std::string(h.status().message()));
  }
  return std::optional<Height>(*h);
}

}  // namespace fabric::ledger
