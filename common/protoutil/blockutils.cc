// SPDX-License-Identifier: Apache-2.0
#include "common/protoutil/blockutils.h"

#include <absl/strings/str_format.h>

#include "common/crypto/hash.h"
#include "common/protoutil/txutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"

namespace fabric::protoutil {
namespace {

// DER tag-length-value with a definite length (short form below 128, long form above).
void AppendTlv(std::string& out, uint8_t tag, std::string_view value) {
  out.push_back(static_cast<char>(tag));
  size_t len = value.size();
  if (len < 0x80) {
    out.push_back(static_cast<char>(len));
  } else {
    std::string len_bytes;
    for (size_t l = len; l > 0; l >>= 8) {
      len_bytes.insert(len_bytes.begin(), static_cast<char>(l & 0xff));
    }
    out.push_back(static_cast<char>(0x80 | len_bytes.size()));
    out += len_bytes;
  }
  out.append(value.data(), value.size());
}

// Minimal two's-complement big-endian bytes of a non-negative integer.
std::string DerUnsignedInteger(uint64_t v) {
  std::string bytes;
  do {
    bytes.insert(bytes.begin(), static_cast<char>(v & 0xff));
    v >>= 8;
  } while (v > 0);
  if (static_cast<uint8_t>(bytes[0]) & 0x80) {
    bytes.insert(bytes.begin(), '\0');  // keep it positive
  }
  return bytes;
}

constexpr uint8_t kDerInteger = 0x02;
constexpr uint8_t kDerOctetString = 0x04;
constexpr uint8_t kDerSequence = 0x30;

}  // namespace

common::Block NewBlock(uint64_t number, std::string_view previous_hash) {
  common::Block block;
  block.mutable_header()->set_number(number);
  block.mutable_header()->set_previous_hash(std::string(previous_hash));
  block.mutable_data();
  for (int i = common::BlockMetadataIndex_MIN; i <= common::BlockMetadataIndex_MAX; ++i) {
    block.mutable_metadata()->add_metadata();
  }
  return block;
}

std::string BlockDataHash(const common::BlockData& data) {
  crypto::Sha256Hasher hasher;
  for (const std::string& entry : data.data()) {
    hasher.Update(entry);
  }
  return hasher.Finish();
}

std::string BlockHeaderBytes(const common::BlockHeader& header) {
  std::string body;
  AppendTlv(body, kDerInteger, DerUnsignedInteger(header.number()));
  AppendTlv(body, kDerOctetString, header.previous_hash());
  AppendTlv(body, kDerOctetString, header.data_hash());
  std::string out;
  AppendTlv(out, kDerSequence, body);
  return out;
}

std::string BlockHeaderHash(const common::BlockHeader& header) {
  return crypto::Sha256(BlockHeaderBytes(header));
}

void SealBlock(common::Block& block) {
  block.mutable_header()->set_data_hash(BlockDataHash(block.data()));
}

StatusOr<common::Envelope> ExtractEnvelope(const common::Block& block, int index) {
  if (index < 0 || index >= block.data().data_size()) {
    return OutOfRangeError(absl::StrFormat("block %d has %d transactions, no index %d",
                                           block.header().number(), block.data().data_size(),
                                           index));
  }
  return Unmarshal<common::Envelope>(
      block.data().data(index),
      absl::StrFormat("envelope %d of block %d", index, block.header().number()));
}

StatusOr<std::string> ChannelIdFromBlock(const common::Block& block) {
  if (block.data().data_size() == 0) {
    return InvalidArgumentError("block has no transactions, so no channel id");
  }
  ASSIGN_OR_RETURN(common::Envelope envelope, ExtractEnvelope(block, 0));
  ASSIGN_OR_RETURN(ParsedEnvelope parsed, ParseEnvelope(envelope));
  return parsed.channel_header.channel_id();
}

bool IsConfigBlock(const common::Block& block) {
  if (block.data().data_size() != 1) {
    return false;
  }
  StatusOr<common::Envelope> envelope = ExtractEnvelope(block, 0);
  if (!envelope.ok()) {
    return false;
  }
  StatusOr<ParsedEnvelope> parsed = ParseEnvelope(*envelope);
  return parsed.ok() && parsed->channel_header.type() == common::CONFIG;
}

Status ValidateChannelId(const std::string& channel_id) {
  if (channel_id.empty() || channel_id.size() >= 250) {
    return InvalidArgumentError(
        absl::StrFormat("channel ID '%s' must be 1 to 249 characters long", channel_id));
  }
  if (channel_id[0] < 'a' || channel_id[0] > 'z') {
    return InvalidArgumentError(
        absl::StrFormat("channel ID '%s' must start with a lowercase letter", channel_id));
  }
  for (char c : channel_id) {
    bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-';
    if (!ok) {
      return InvalidArgumentError(absl::StrFormat(
          "channel ID '%s' contains illegal characters (allowed: [a-z0-9.-])", channel_id));
    }
  }
  return Status::OK();
}

}  // namespace fabric::protoutil
