// SPDX-License-Identifier: Apache-2.0
//
// Height: the version of a state entry, Fabric's (block number, tx number in the block), and
// the order-preserving byte encoding Fabric stores it in (kvledger/txmgmt/version and
// common/ledger/util): each number is one length byte (count of significant big-endian bytes)
// followed by those bytes, so that comparing encodings bytewise compares the numbers.
//
// Thread-safety: values; the free functions are stateless.

#pragma once

#include <compare>
#include <cstdint>
#include <string>
#include <string_view>

#include "fabric/base/status.h"
#include "ledger/rwset/kvrwset/kv_rwset.pb.h"

namespace fabric::ledger {

// Appends the order-preserving encoding of `n` to `out` (1 to 9 bytes; 0 encodes as "\x00").
void AppendOrderPreservingVarUint64(std::string* out, uint64_t n);

// Decodes one number from the front of `in`; sets `*consumed` to the bytes used. Returns
// InvalidArgument when the length byte exceeds 8 or the input is short.
StatusOr<uint64_t> DecodeOrderPreservingVarUint64(std::string_view in, size_t* consumed);

struct Height {
  uint64_t block_num = 0;
  uint64_t tx_num = 0;

  friend auto operator<=>(const Height&, const Height&) = default;

  // OPVarUint64(block_num) || OPVarUint64(tx_num).
  std::string ToBytes() const;
  // Parses ToBytes() output; `*consumed` (if non-null) gets the bytes used. InvalidArgument
  // when malformed.
  static StatusOr<Height> FromBytes(std::string_view bytes, size_t* consumed = nullptr);

  kvrwset::Version ToProto() const;
  static Height FromProto(const kvrwset::Version& v) { return {v.block_num(), v.tx_num()}; }
  // "(block,tx)" for messages.
  std::string ToString() const;
};

}  // namespace fabric::ledger
