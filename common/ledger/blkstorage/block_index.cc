// SPDX-License-Identifier: Apache-2.0
#include "common/ledger/blkstorage/block_index.h"

#include <absl/strings/str_format.h>
#include <leveldb/options.h>

#include "common/crypto/hash.h"
#include "fabric/base/status_macros.h"

namespace fabric::ledger::blkstorage {
namespace {

constexpr char kBlockNumPrefix = 'n';
constexpr char kBlockHashPrefix = 'h';
constexpr char kTxIdPrefix = 't';
constexpr char kBlockTxPrefix = 'a';
constexpr char kTxIdMarkerPrefix = 'x';
constexpr std::string_view kCheckpointKey = "blkMgrInfo";
constexpr std::string_view kFormatKey = "blkFormat";
constexpr std::string_view kFormatVersion = "2";
constexpr std::string_view kFormatWithoutMarkers = "1";
constexpr size_t kMarkersPerBatch = 10000;  // format 1 -> 2 upgrade

std::string BlockNumKey(uint64_t n) {
  return std::string(1, kBlockNumPrefix) + EncodeOrderPreservingVarUint64(n);
}
std::string BlockHashKey(std::string_view hash) {
  return std::string(1, kBlockHashPrefix) + std::string(hash);
}
std::string TxIdPrefix(std::string_view txid) {
  return std::string(1, kTxIdPrefix) + EncodeOrderPreservingVarUint64(txid.size()) +
         std::string(txid);
}
std::string TxIdMarkerKey(std::string_view txid) {
  std::string key(1, kTxIdMarkerPrefix);
  key.append(txid);
  return key;
}
std::string BlockTxKey(uint64_t block, uint64_t tx) {
  return std::string(1, kBlockTxPrefix) + EncodeOrderPreservingVarUint64(block) +
         EncodeOrderPreservingVarUint64(tx);
}

void AppendLoc(std::string& out, const FileLoc& loc) {
  AppendVarint(out, loc.file);
  AppendVarint(out, loc.offset);
  AppendVarint(out, loc.length);
}

bool DecodeLoc(std::string_view in, size_t* pos, FileLoc* loc) {
  uint64_t file = 0;
  if (!DecodeVarint(in, pos, &file) || file > UINT32_MAX || !DecodeVarint(in, pos, &loc->offset) ||
      !DecodeVarint(in, pos, &loc->length)) {
    return false;
  }
  loc->file = static_cast<uint32_t>(file);
  return true;
}

// Reads one OPVarUint (a byte count, then that many big-endian bytes) at *pos.
bool DecodeOrderPreservingVarUint64(std::string_view in, size_t* pos, uint64_t* value) {
  if (*pos >= in.size()) {
    return false;
  }
  const size_t len = static_cast<uint8_t>(in[*pos]);
  if (len > 8 || len > in.size() - *pos - 1) {
    return false;
  }
  ++*pos;
  *value = 0;
  for (size_t i = 0; i < len; ++i) {
    *value = (*value << 8) | static_cast<uint8_t>(in[(*pos)++]);
  }
  return true;
}

bool DecodeBytes(std::string_view in, size_t* pos, std::string* out) {
  uint64_t len = 0;
  if (!DecodeVarint(in, pos, &len) || len > in.size() - *pos) {
    return false;
  }
  out->assign(in.substr(*pos, len));
  *pos += len;
  return true;
}

std::string EncodeCheckpoint(const Checkpoint& cp) {
  std::string out;
  AppendVarint(out, cp.file);
  AppendVarint(out, cp.end_offset);
  AppendVarint(out, cp.last_block);
  AppendVarint(out, cp.last_hash.size());
  out += cp.last_hash;
  AppendVarint(out, cp.previous_hash.size());
  out += cp.previous_hash;
  return out;
}

Status Malformed(std::string_view what, std::string_view key) {
  return DataLossError(
      absl::StrFormat("block index: malformed %s value at key %s", what, crypto::HexEncode(key)));
}

Status LevelDbError(std::string_view op, const leveldb::Status& s) {
  return InternalError(absl::StrFormat("block index %s: %s", op, s.ToString()));
}

}  // namespace

std::string EncodeOrderPreservingVarUint64(uint64_t value) {
  std::string be;
  for (int shift = 56; shift >= 0; shift -= 8) {
    uint8_t b = static_cast<uint8_t>(value >> shift);
    if (!be.empty() || b != 0) {
      be.push_back(static_cast<char>(b));
    }
  }
  std::string out;
  AppendVarint(out, be.size());
  return out + be;
}

StatusOr<std::unique_ptr<BlockIndex>> BlockIndex::Open(const std::string& dir) {
  std::unique_ptr<const leveldb::FilterPolicy> filter(leveldb::NewBloomFilterPolicy(10));
  leveldb::Options options;
  options.create_if_missing = true;
  options.filter_policy = filter.get();
  leveldb::DB* raw = nullptr;
  leveldb::Status s = leveldb::DB::Open(options, dir, &raw);
  if (!s.ok()) {
    return LevelDbError("open " + dir, s);
  }
  std::unique_ptr<BlockIndex> index(
      new BlockIndex(std::move(filter), std::unique_ptr<leveldb::DB>(raw)));
  ASSIGN_OR_RETURN(std::optional<std::string> format, index->Get(std::string(kFormatKey)));
  const bool upgrade = format.has_value() && *format == kFormatWithoutMarkers;
  if (upgrade) {
    RETURN_IF_ERROR(index->AddTxIdMarkers(dir));
  }
  if (upgrade || !format.has_value()) {
    leveldb::WriteOptions wo;
    wo.sync = true;
    s = index->db_->Put(wo, std::string(kFormatKey), std::string(kFormatVersion));
    if (!s.ok()) {
      return LevelDbError("write format version", s);
    }
  } else if (*format != kFormatVersion) {
    return FailedPreconditionError(absl::StrFormat(
        "block index %s has format version %s, expected %s", dir, *format, kFormatVersion));
  }
  return index;
}

Status BlockIndex::AddTxIdMarkers(const std::string& dir) {
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  leveldb::WriteBatch batch;
  size_t in_batch = 0;
  const std::string prefix(1, kTxIdPrefix);
  for (it->Seek(prefix); it->Valid() && it->key().starts_with(prefix); it->Next()) {
    // 't' OPVarUint(len) txid OPVarUint(block) OPVarUint(tx)
    std::string_view key(it->key().data(), it->key().size());
    size_t pos = 1;
    uint64_t len = 0;
    if (!DecodeOrderPreservingVarUint64(key, &pos, &len) || len > key.size() - pos) {
      return Malformed("txid key", key);
    }
    batch.Put(TxIdMarkerKey(key.substr(pos, len)), "");
    if (++in_batch == kMarkersPerBatch) {
      RETURN_IF_ERROR(Write(&batch, false));
      batch.Clear();
      in_batch = 0;
    }
  }
  if (!it->status().ok()) {
    return LevelDbError("scan txids of " + dir, it->status());
  }
  // Synced with the rest: the version is written only after this (synced) write.
  RETURN_IF_ERROR(Write(&batch, true));
  return Status::OK();
}

StatusOr<std::optional<std::string>> BlockIndex::Get(const std::string& key) const {
  std::string value;
  leveldb::Status s = db_->Get(leveldb::ReadOptions(), key, &value);
  if (s.IsNotFound()) {
    return std::optional<std::string>();
  }
  if (!s.ok()) {
    return LevelDbError("get", s);
  }
  return std::optional<std::string>(std::move(value));
}

StatusOr<std::optional<Checkpoint>> BlockIndex::GetCheckpoint() const {
  ASSIGN_OR_RETURN(std::optional<std::string> v, Get(std::string(kCheckpointKey)));
  if (!v.has_value()) {
    return std::optional<Checkpoint>();
  }
  Checkpoint cp;
  size_t pos = 0;
  uint64_t file = 0;
  if (!DecodeVarint(*v, &pos, &file) || file > UINT32_MAX ||
      !DecodeVarint(*v, &pos, &cp.end_offset) || !DecodeVarint(*v, &pos, &cp.last_block) ||
      !DecodeBytes(*v, &pos, &cp.last_hash) || !DecodeBytes(*v, &pos, &cp.previous_hash) ||
      pos != v->size()) {
    return Malformed("checkpoint", kCheckpointKey);
  }
  cp.file = static_cast<uint32_t>(file);
  return std::optional<Checkpoint>(std::move(cp));
}

void BlockIndex::AddBlock(const IndexedBlock& block, const Checkpoint& checkpoint,
                          leveldb::WriteBatch* batch) {
  std::string block_loc;
  AppendLoc(block_loc, block.loc);
  batch->Put(BlockNumKey(block.number), block_loc);
  batch->Put(BlockHashKey(block.hash), block_loc);
  const std::vector<TxLocation>& txs = *block.txs;
  for (size_t i = 0; block.transactions && i < txs.size(); ++i) {
    FileLoc tx_loc{block.loc.file, block.loc.offset + txs[i].offset, txs[i].length};
    std::string tx_value;
    AppendLoc(tx_value, tx_loc);
    batch->Put(BlockTxKey(block.number, i), tx_value);
    if (txs[i].txid.empty()) {
      continue;
    }
    uint8_t code = i < block.tx_filter.size() ? static_cast<uint8_t>(block.tx_filter[i]) : 0;
    std::string value = block_loc + tx_value;
    AppendVarint(value, code);
    batch->Put(TxIdPrefix(txs[i].txid) + EncodeOrderPreservingVarUint64(block.number) +
                   EncodeOrderPreservingVarUint64(i),
               value);
    batch->Put(TxIdMarkerKey(txs[i].txid), "");
  }
  batch->Put(std::string(kCheckpointKey), EncodeCheckpoint(checkpoint));
}

Status BlockIndex::Write(leveldb::WriteBatch* batch, bool sync) {
  leveldb::WriteOptions wo;
  wo.sync = sync;
  leveldb::Status s = db_->Write(wo, batch);
  if (!s.ok()) {
    return LevelDbError("write", s);
  }
  return Status::OK();
}

StatusOr<FileLoc> BlockIndex::BlockLocByNumber(uint64_t number) const {
  std::string key = BlockNumKey(number);
  ASSIGN_OR_RETURN(std::optional<std::string> v, Get(key));
  if (!v.has_value()) {
    return NotFoundError(absl::StrFormat("block %d not found in the block index", number));
  }
  FileLoc loc;
  size_t pos = 0;
  if (!DecodeLoc(*v, &pos, &loc) || pos != v->size()) {
    return Malformed("block location", key);
  }
  return loc;
}

StatusOr<FileLoc> BlockIndex::BlockLocByHash(std::string_view hash) const {
  std::string key = BlockHashKey(hash);
  ASSIGN_OR_RETURN(std::optional<std::string> v, Get(key));
  if (!v.has_value()) {
    return NotFoundError(absl::StrFormat("block with hash %s not found", crypto::HexEncode(hash)));
  }
  FileLoc loc;
  size_t pos = 0;
  if (!DecodeLoc(*v, &pos, &loc) || pos != v->size()) {
    return Malformed("block location", key);
  }
  return loc;
}

StatusOr<TxIdValue> BlockIndex::TxIdLookup(std::string_view txid) const {
  if (txid.empty()) {
    return NotFoundError("transaction with empty txid not found");
  }
  ASSIGN_OR_RETURN(std::optional<std::string> marker, Get(TxIdMarkerKey(txid)));
  if (!marker.has_value()) {
    return NotFoundError(absl::StrFormat("transaction %s not found", txid));
  }
  std::string prefix = TxIdPrefix(txid);
  std::unique_ptr<leveldb::Iterator> it(db_->NewIterator(leveldb::ReadOptions()));
  it->Seek(prefix);
  if (!it->status().ok()) {
    return LevelDbError("seek", it->status());
  }
  if (!it->Valid() || !it->key().starts_with(prefix)) {
    return NotFoundError(absl::StrFormat("transaction %s not found", txid));
  }
  std::string_view key(it->key().data(), it->key().size());
  std::string_view value(it->value().data(), it->value().size());
  TxIdValue out;
  size_t kpos = prefix.size();
  size_t vpos = 0;
  uint64_t code = 0;
  // The key suffix is two order-preserving numbers.
  if (!DecodeOrderPreservingVarUint64(key, &kpos, &out.block_num) ||
      !DecodeOrderPreservingVarUint64(key, &kpos, &out.tx_num)) {
    return Malformed("txid key", key);
  }
  if (!DecodeLoc(value, &vpos, &out.block_loc) || !DecodeLoc(value, &vpos, &out.tx_loc) ||
      !DecodeVarint(value, &vpos, &code) || code > 255 || vpos != value.size()) {
    return Malformed("txid", key);
  }
  out.validation_code = static_cast<int32_t>(code);
  return out;
}

StatusOr<bool> BlockIndex::TxIdExists(std::string_view txid) const {
  if (txid.empty()) {
    return false;
  }
  ASSIGN_OR_RETURN(std::optional<std::string> marker, Get(TxIdMarkerKey(txid)));
  return marker.has_value();
}

StatusOr<FileLoc> BlockIndex::TxLocByBlockTx(uint64_t block_num, uint64_t tx_num) const {
  std::string key = BlockTxKey(block_num, tx_num);
  ASSIGN_OR_RETURN(std::optional<std::string> v, Get(key));
  if (!v.has_value()) {
    return NotFoundError(
        absl::StrFormat("transaction %d of block %d not found", tx_num, block_num));
  }
  FileLoc loc;
  size_t pos = 0;
  if (!DecodeLoc(*v, &pos, &loc) || pos != v->size()) {
    return Malformed("transaction location", key);
  }
  return loc;
}

}  // namespace fabric::ledger::blkstorage
