// SPDX-License-Identifier: Apache-2.0
#include "common/ledger/blkstorage/block_serialization.h"

#include <absl/strings/str_format.h>

namespace fabric::ledger::blkstorage {
namespace {

void AppendBytes(std::string& out, std::string_view bytes) {
  AppendVarint(out, bytes.size());
  out.append(bytes.data(), bytes.size());
}

// Reads a length-prefixed byte string at `*pos`.
bool DecodeBytes(std::string_view in, size_t* pos, std::string_view* out) {
  size_t p = *pos;
  uint64_t len = 0;
  if (!DecodeVarint(in, &p, &len) || len > in.size() - p) {
    return false;
  }
  *out = in.substr(p, len);
  *pos = p + len;
  return true;
}

Status Truncated(std::string_view part, size_t pos, size_t size) {
  return DataLossError(
      absl::StrFormat("deserialize block: %s truncated at byte %d of %d", part, pos, size));
}

Status DecodeHeader(std::string_view in, size_t* pos, common::BlockHeader* header) {
  uint64_t number = 0;
  std::string_view data_hash;
  std::string_view previous_hash;
  if (!DecodeVarint(in, pos, &number)) {
    return Truncated("header number", *pos, in.size());
  }
  if (!DecodeBytes(in, pos, &data_hash) || !DecodeBytes(in, pos, &previous_hash)) {
    return Truncated("header hashes", *pos, in.size());
  }
  header->set_number(number);
  header->set_data_hash(std::string(data_hash));
  header->set_previous_hash(std::string(previous_hash));
  return Status::OK();
}

Status DecodeData(std::string_view in, size_t* pos, common::BlockData* data,
                  std::vector<TxLocation>* txs) {
  uint64_t count = 0;
  if (!DecodeVarint(in, pos, &count) || count > in.size() - *pos) {
    return Truncated("transaction count", *pos, in.size());
  }
  data->mutable_data()->Reserve(static_cast<int>(count));
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view env;
    if (!DecodeBytes(in, pos, &env)) {
      return Truncated(absl::StrFormat("transaction %d", i), *pos, in.size());
    }
    data->add_data(std::string(env));
    if (txs != nullptr) {
      txs->push_back(TxLocation{ExtractTxId(env), *pos - env.size(), env.size()});
    }
  }
  return Status::OK();
}

Status DecodeMetadata(std::string_view in, size_t* pos, common::BlockMetadata* metadata) {
  uint64_t count = 0;
  if (!DecodeVarint(in, pos, &count) || count > in.size() - *pos) {
    return Truncated("metadata count", *pos, in.size());
  }
  for (uint64_t i = 0; i < count; ++i) {
    std::string_view entry;
    if (!DecodeBytes(in, pos, &entry)) {
      return Truncated(absl::StrFormat("metadata entry %d", i), *pos, in.size());
    }
    metadata->add_metadata(std::string(entry));
  }
  return Status::OK();
}

}  // namespace

void AppendVarint(std::string& out, uint64_t value) {
  while (value >= 0x80) {
    out.push_back(static_cast<char>((value & 0x7f) | 0x80));
    value >>= 7;
  }
  out.push_back(static_cast<char>(value));
}

bool DecodeVarint(std::string_view in, size_t* pos, uint64_t* value) {
  uint64_t result = 0;
  size_t p = *pos;
  for (int shift = 0; shift < 64; shift += 7) {
    if (p >= in.size()) {
      return false;
    }
    uint8_t byte = static_cast<uint8_t>(in[p++]);
    if (shift == 63 && byte > 1) {
      return false;  // overflows 64 bits
    }
    result |= static_cast<uint64_t>(byte & 0x7f) << shift;
    if ((byte & 0x80) == 0) {
      *value = result;
      *pos = p;
      return true;
    }
  }
  return false;
}

size_t VarintSize(uint64_t value) {
  size_t n = 1;
  while (value >= 0x80) {
    value >>= 7;
    ++n;
  }
  return n;
}

std::string_view TransactionsFilter(const common::Block& block) {
  if (block.metadata().metadata_size() > common::TRANSACTIONS_FILTER) {
    return block.metadata().metadata(common::TRANSACTIONS_FILTER);
  }
  return {};
}

std::string ExtractTxId(std::string_view envelope_bytes) {
  common::Envelope envelope;
  if (!envelope.ParseFromArray(envelope_bytes.data(), static_cast<int>(envelope_bytes.size()))) {
    return "";
  }
  common::Payload payload;
  if (!payload.ParseFromString(envelope.payload()) || !payload.has_header()) {
    return "";
  }
  common::ChannelHeader channel_header;
  if (!channel_header.ParseFromString(payload.header().channel_header())) {
    return "";
  }
  return channel_header.tx_id();
}

SerializedBlock SerializeBlock(const common::Block& block) {
  SerializedBlock out;
  size_t estimate = 64;
  for (const std::string& env : block.data().data()) {
    estimate += env.size() + 5;
  }
  for (const std::string& entry : block.metadata().metadata()) {
    estimate += entry.size() + 5;
  }
  out.bytes.reserve(estimate);
  AppendVarint(out.bytes, block.header().number());
  AppendBytes(out.bytes, block.header().data_hash());
  AppendBytes(out.bytes, block.header().previous_hash());
  AppendVarint(out.bytes, static_cast<uint64_t>(block.data().data_size()));
  out.txs.reserve(static_cast<size_t>(block.data().data_size()));
  for (const std::string& env : block.data().data()) {
    AppendVarint(out.bytes, env.size());
    out.txs.push_back(TxLocation{ExtractTxId(env), out.bytes.size(), env.size()});
    out.bytes += env;
  }
  AppendVarint(out.bytes, static_cast<uint64_t>(block.metadata().metadata_size()));
  for (const std::string& entry : block.metadata().metadata()) {
    AppendBytes(out.bytes, entry);
  }
  return out;
}

StatusOr<common::Block> DeserializeBlock(std::string_view bytes, std::vector<TxLocation>* txs) {
  common::Block block;
  size_t pos = 0;
  Status s = DecodeHeader(bytes, &pos, block.mutable_header());
  if (s.ok()) {
    s = DecodeData(bytes, &pos, block.mutable_data(), txs);
  }
  if (s.ok()) {
    s = DecodeMetadata(bytes, &pos, block.mutable_metadata());
  }
  if (!s.ok()) {
    return s;
  }
  if (pos != bytes.size()) {
    return DataLossError(absl::StrFormat("deserialize block %d: %d trailing bytes",
                                         block.header().number(), bytes.size() - pos));
  }
  return block;
}

}  // namespace fabric::ledger::blkstorage
