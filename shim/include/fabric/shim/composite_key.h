// SPDX-License-Identifier: Apache-2.0
//
// Composite keys in Fabric's format: U+0000 + objectType + U+0000 + (attribute + U+0000)*.
// Composite keys live in their own key namespace (they start with 0x00), so simple keys must not
// start with 0x00. Each component must be valid UTF-8 without U+0000 and U+10FFFF (the latter is
// used as the upper bound of partial-key range queries).
//
// Thread-safety: pure functions.

#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fabric/base/status.h"

namespace fabric::shim {

// First byte of every composite key.
inline constexpr char kCompositeKeyNamespace = '\x00';
// U+10FFFF in UTF-8: appended to a partial composite key to form the end of its range.
inline constexpr std::string_view kMaxUnicodeRune = "\xF4\x8F\xBF\xBF";
// What an empty range start key is replaced with, so ranges skip composite keys.
inline constexpr std::string_view kEmptyKeySubstitute = "\x01";

struct CompositeKey {
  std::string object_type;
  std::vector<std::string> attributes;
};

// Returns the composite key. Errors: INVALID_ARGUMENT if a component is not valid UTF-8 or
// contains U+0000 or U+10FFFF.
StatusOr<std::string> CreateCompositeKey(std::string_view object_type,
                                         const std::vector<std::string>& attributes);

// Splits a key made by CreateCompositeKey. Errors: INVALID_ARGUMENT if `key` is not a composite
// key (does not start with 0x00 or has no object type terminator).
StatusOr<CompositeKey> SplitCompositeKey(std::string_view key);

// OK if no key starts with 0x00 (the composite key namespace); INVALID_ARGUMENT otherwise.
Status ValidateSimpleKeys(std::string_view start_key, std::string_view end_key);

// True if `s` is well-formed UTF-8 (no overlong forms, surrogates or code points > U+10FFFF).
bool IsValidUtf8(std::string_view s);

}  // namespace fabric::shim
