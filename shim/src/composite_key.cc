// SPDX-License-Identifier: Apache-2.0

#include "fabric/shim/composite_key.h"

#include <cstdint>
#include <cstdio>

namespace fabric::shim {
namespace {

// Decodes the UTF-8 sequence at s[*i], advances *i; returns false on a malformed sequence.
bool DecodeRune(std::string_view s, size_t* i, uint32_t* rune) {
  auto b0 = static_cast<uint8_t>(s[*i]);
  int len = 0;
  uint32_t min = 0;
  if (b0 < 0x80) {
    *rune = b0;
    *i += 1;
    return true;
  } else if ((b0 & 0xE0) == 0xC0) {
    len = 2, min = 0x80, *rune = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    len = 3, min = 0x800, *rune = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    len = 4, min = 0x10000, *rune = b0 & 0x07;
  } else {
    return false;
  }
  if (*i + len > s.size()) {
    return false;
  }
  for (int k = 1; k < len; ++k) {
    auto b = static_cast<uint8_t>(s[*i + k]);
    if ((b & 0xC0) != 0x80) {
      return false;
    }
    *rune = (*rune << 6) | (b & 0x3F);
  }
  *i += len;
  return *rune >= min && *rune <= 0x10FFFF && !(*rune >= 0xD800 && *rune <= 0xDFFF);
}

std::string Hex(std::string_view s) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : s) {
    out += kDigits[c >> 4];
    out += kDigits[c & 0xF];
  }
  return out;
}

// Fabric's Go shim validateCompositeKeyAttribute, with its error texts.
Status ValidateComponent(std::string_view s) {
  size_t i = 0;
  while (i < s.size()) {
    size_t start = i;
    uint32_t rune = 0;
    if (!DecodeRune(s, &i, &rune)) {
      return InvalidArgumentError("not a valid utf8 string: [" + Hex(s) + "]");
    }
    if (rune == 0 || rune == 0x10FFFF) {
      char buf[160];
      std::snprintf(buf, sizeof(buf),
                    "input contain unicode U+%04X starting at position [%zu]. U+0000 and U+10FFFF "
                    "are not allowed in the input attribute of a composite key",
                    rune, start);
      return InvalidArgumentError(buf);
    }
  }
  return Status::OK();
}

}  // namespace

bool IsValidUtf8(std::string_view s) {
  size_t i = 0;
  uint32_t rune = 0;
  while (i < s.size()) {
    if (!DecodeRune(s, &i, &rune)) {
      return false;
    }
  }
  return true;
}

StatusOr<std::string> CreateCompositeKey(std::string_view object_type,
                                         const std::vector<std::string>& attributes) {
  Status s = ValidateComponent(object_type);
  if (!s.ok()) {
    return s;
  }
  std::string key(1, kCompositeKeyNamespace);
  key.append(object_type);
  key.push_back('\0');
  for (const std::string& attr : attributes) {
    s = ValidateComponent(attr);
    if (!s.ok()) {
      return s;
    }
    key.append(attr);
    key.push_back('\0');
  }
  return key;
}

StatusOr<CompositeKey> SplitCompositeKey(std::string_view key) {
  if (key.size() < 2 || key[0] != kCompositeKeyNamespace) {
    return InvalidArgumentError("not a composite key: it must start with U+0000");
  }
  std::vector<std::string> parts;
  size_t begin = 1;
  for (size_t i = 1; i < key.size(); ++i) {
    if (key[i] == '\0') {
      parts.emplace_back(key.substr(begin, i - begin));
      begin = i + 1;
    }
  }
  if (parts.empty()) {
    return InvalidArgumentError("not a composite key: object type is not terminated");
  }
  CompositeKey out;
  out.object_type = std::move(parts.front());
  out.attributes.assign(std::make_move_iterator(parts.begin() + 1),
                        std::make_move_iterator(parts.end()));
  return out;
}

Status ValidateSimpleKeys(std::string_view start_key, std::string_view end_key) {
  for (std::string_view key : {start_key, end_key}) {
    if (!key.empty() && key[0] == kCompositeKeyNamespace) {
      return InvalidArgumentError("first character of the key [" + std::string(key) +
                                  "] contains a null character which is not allowed");
    }
  }
  return Status::OK();
}

}  // namespace fabric::shim
