// SPDX-License-Identifier: Apache-2.0
//
// Standard base64 (RFC 4648, with padding) decoding; whitespace is skipped. Pure functions.

#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace fabric::shim::internal {

// Returns the decoded bytes, or nullopt if `in` is not valid base64.
std::optional<std::string> Base64Decode(std::string_view in);

// Returns the padded base64 encoding of `in`.
std::string Base64Encode(std::string_view in);

}  // namespace fabric::shim::internal
