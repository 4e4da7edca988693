// SPDX-License-Identifier: Apache-2.0
//
// The byte layout of one block inside a block file, as Fabric's fsblkstorage writes it (not the
// protobuf Block encoding):
//
//   varint(header.number)
//   varint(len) data_hash
//   varint(len) previous_hash
//   varint(#transactions)  then per transaction: varint(len) envelope bytes
//   varint(#metadata)      then per entry:       varint(len) metadata bytes
//
// Varints are protobuf base-128 varints. Each transaction's envelope bytes sit at a known offset
// inside this body, so the index can point at a single transaction and a read by txid costs one
// pread of the envelope.
//
// All functions are stateless and thread-safe.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/common.pb.h"
#include "fabric/base/status.h"

namespace fabric::ledger::blkstorage {

// Where one transaction's envelope bytes sit, relative to the start of the serialized body
// (`offset` points past the envelope's own length prefix).
struct TxLocation {
  std::string txid;  // the channel header's tx_id; empty when absent or unparseable
  uint64_t offset = 0;
  uint64_t length = 0;
};

struct SerializedBlock {
  std::string bytes;
  std::vector<TxLocation> txs;  // one per block.data entry, in order
};

// Serializes `block` (a missing header, data or metadata serializes as empty).
SerializedBlock SerializeBlock(const common::Block& block);

// Parses a serialized body back into a Block. When `txs` is non-null it receives the location
// and txid of every transaction. Returns DataLoss when the bytes are truncated, have trailing
// garbage, or a length runs past the end; the message says which part failed.
StatusOr<common::Block> DeserializeBlock(std::string_view bytes,
                                         std::vector<TxLocation>* txs = nullptr);

// The channel header's tx_id of a serialized Envelope; empty when the envelope, payload, header
// or channel header does not parse or carries no tx_id. Never fails.
std::string ExtractTxId(std::string_view envelope_bytes);

// The block's TRANSACTIONS_FILTER metadata entry (one TxValidationCode byte per transaction);
// empty when the block has no such entry.
std::string_view TransactionsFilter(const common::Block& block);

// Protobuf base-128 varints.
void AppendVarint(std::string& out, uint64_t value);
// Decodes a varint from `in` at `*pos` and advances `*pos`. Returns false (leaving `*pos`
// unchanged) when the input ends first or the varint is longer than 10 bytes.
bool DecodeVarint(std::string_view in, size_t* pos, uint64_t* value);
// Number of bytes AppendVarint writes for `value`.
size_t VarintSize(uint64_t value);

}  // namespace fabric::ledger::blkstorage
