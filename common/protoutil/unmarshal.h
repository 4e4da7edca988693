// SPDX-License-Identifier: Apache-2.0
//
// Unmarshal<T>: parses untrusted bytes into a proto message with an error that names what was
// being parsed. Every parse of wire input in fabric-cpp goes through here.

#pragma once

#include <string>
#include <string_view>

#include <absl/strings/str_format.h>
#include <google/protobuf/message_lite.h>

#include "fabric/base/status.h"

namespace fabric::protoutil {

// Parses `bytes` as a T. `what` names the field for the error, e.g. "proposal header".
// Returns InvalidArgument "unmarshal <what>: malformed protobuf (<n> bytes)" on failure.
template <typename T>
StatusOr<T> Unmarshal(std::string_view bytes, std::string_view what) {
  T msg;
  if (!msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return InvalidArgumentError(absl::StrFormat("unmarshal %s: malformed %s protobuf (%d bytes)",
                                                what, msg.GetTypeName(), bytes.size()));
  }
  return msg;
}

// Serializes `msg` deterministically (map entries sorted), so that the same message always
// yields the same bytes: endorsements from different peers must match byte for byte.
std::string Marshal(const google::protobuf::MessageLite& msg);

}  // namespace fabric::protoutil
