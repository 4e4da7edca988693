// SPDX-License-Identifier: Apache-2.0
//
// Builds protobuf messages from the conformance test's expected values (cases.json).
//
// The JSON form is protobufjs's toObject form with keepCase: keys are the .proto field names,
// 64-bit integers are decimal strings, bytes are base64, enums are value names, maps are
// objects keyed by the decimal/string key, oneof members appear as ordinary fields, and
// google.protobuf.Timestamp is an ordinary {seconds, nanos} message. Parsing is strict: an
// unknown key, a value of the wrong kind or an unknown enum name is an error, so a name that
// differs between fabric-cpp and Fabric cannot go unnoticed.
//
// Thread-safety: the functions are stateless.

#pragma once

#include <string>
#include <string_view>

#include <google/protobuf/message.h>
#include <nlohmann/json.hpp>

#include "fabric/base/status.h"

namespace fabric::conformance {

// Sets the fields of `msg` (which should be empty) from `value`. Returns InvalidArgument
// naming the JSON path (starting at `where`) of the first value that does not fit.
Status FillMessage(const nlohmann::json& value, std::string_view where,
                   google::protobuf::Message* msg);

// Decodes standard base64 (with or without padding). Returns InvalidArgument on a character
// outside the alphabet.
StatusOr<std::string> DecodeBase64(std::string_view text);

}  // namespace fabric::conformance
