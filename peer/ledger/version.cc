// SPDX-License-Identifier: Apache-2.0

#include "peer/ledger/version.h"

#include <absl/strings/str_format.h>

#include "fabric/base/status_macros.h"

namespace fabric::ledger {

void AppendOrderPreservingVarUint64(std::string* out, uint64_t n) {
  int size = 0;
  for (uint64_t v = n; v != 0; v >>= 8) {
    ++size;
  }
  out->push_back(static_cast<char>(size));
  for (int i = size - 1; i >= 0; --i) {
    out->push_back(static_cast<char>((n >> (8 * i)) & 0xff));
  }
}

StatusOr<uint64_t> DecodeOrderPreservingVarUint64(std::string_view in, size_t* consumed) {
  if (in.empty()) {
    return InvalidArgumentError("decode order-preserving varint: empty input");
  }
  const size_t size = static_cast<uint8_t>(in[0]);
  if (size > 8 || in.size() < 1 + size) {
    return InvalidArgumentError(absl::StrFormat(
        "decode order-preserving varint: bad length %d for %d bytes", size, in.size()));
  }
  uint64_t n = 0;
  for (size_t i = 0; i < size; ++i) {
    n = (n << 8) | static_cast<uint8_t>(in[1 + i]);
  }
  *consumed = 1 + size;
  return n;
}

std::string Height::ToBytes() const {
  std::string out;
  out.reserve(18);
  AppendOrderPreservingVarUint64(&out, block_num);
  AppendOrderPreservingVarUint64(&out, tx_num);
  return out;
}

StatusOr<Height> Height::FromBytes(std::string_view bytes, size_t* consumed) {
  size_t n1 = 0;
  size_t n2 = 0;
  ASSIGN_OR_RETURN(uint64_t block, DecodeOrderPreservingVarUint64(bytes, &n1));
  ASSIGN_OR_RETURN(uint64_t tx, DecodeOrderPreservingVarUint64(bytes.substr(n1), &n2));
  if (consumed != nullptr) {
    *consumed = n1 + n2;
  }
  return Height{block, tx};
}

kvrwset::Version Height::ToProto() const {
  kvrwset::Version v;
  v.set_block_num(block_num);
  v.set_tx_num(tx_num);
  return v;
}

std::string Height::ToString() const { return absl::StrFormat("(%d,%d)", block_num, tx_num); }

}  // namespace fabric::ledger
