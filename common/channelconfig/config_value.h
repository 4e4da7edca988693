// SPDX-License-Identifier: Apache-2.0
//
// Internal helpers of fabric_channelconfig: decoding the ConfigValues of a group with errors
// that name the config path. Not part of the public API.

#pragma once

#include <string>
#include <string_view>

#include <absl/strings/str_format.h>

#include "common/configtx.pb.h"
#include "fabric/base/status.h"

namespace fabric::channelconfig::internal {

// Decodes value `key` of `group`, whose path is `path` ("/Channel/Orderer"), into `out`.
// Returns false when the group has no such value, true when decoded, and InvalidArgument
// ("/Channel/Orderer/BatchSize: malformed orderer.BatchSize protobuf") when the bytes do not
// unmarshal.
template <typename T>
StatusOr<bool> DecodeValue(const common::ConfigGroup& group, std::string_view path,
                           std::string_view key, T* out) {
  auto it = group.values().find(std::string(key));
  if (it == group.values().end()) {
    return false;
  }
  if (!out->ParseFromString(it->second.value())) {
    return InvalidArgumentError(
        absl::StrFormat("%s/%s: malformed %s protobuf", path, key, out->GetTypeName()));
  }
  return true;
}

// Like DecodeValue, but a missing value is InvalidArgument ("/Channel/Orderer/BatchSize: missing
// orderer.BatchSize value").
template <typename T>
Status RequireValue(const common::ConfigGroup& group, std::string_view path, std::string_view key,
                    T* out) {
  StatusOr<bool> found = DecodeValue(group, path, key, out);
  if (!found.ok()) {
    return found.status();
  }
  if (!found.value()) {
    return InvalidArgumentError(
        absl::StrFormat("%s/%s: missing %s value", path, key, out->GetTypeName()));
  }
  return Status::OK();
}

}  // namespace fabric::channelconfig::internal
