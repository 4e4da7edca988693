// SPDX-License-Identifier: Apache-2.0

#include "src/base64.h"

#include <cctype>
#include <cstdint>

namespace fabric::shim::internal {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int Value(char c) {
  size_t pos = kAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

}  // namespace

std::optional<std::string> Base64Decode(std::string_view in) {
  std::string clean;
  for (char c : in) {
    if (!std::isspace(static_cast<unsigned char>(c))) {
      clean.push_back(c);
    }
  }
  if (clean.size() % 4 != 0) {
    return std::nullopt;
  }
  std::string out;
  for (size_t i = 0; i < clean.size(); i += 4) {
    uint32_t acc = 0;
    int pad = 0;
    for (size_t k = 0; k < 4; ++k) {
      char c = clean[i + k];
      if (c == '=' && i + 4 == clean.size() && k >= 2) {
        ++pad;
        acc <<= 6;
        continue;
      }
      int v = Value(c);
      if (v < 0 || pad > 0) {
        return std::nullopt;
      }
      acc = (acc << 6) | static_cast<uint32_t>(v);
    }
    out.push_back(static_cast<char>((acc >> 16) & 0xff));
    if (pad < 2) {
      out.push_back(static_cast<char>((acc >> 8) & 0xff));
    }
    if (pad < 1) {
      out.push_back(static_cast<char>(acc & 0xff));
    }
  }
  return out;
}

std::string Base64Encode(std::string_view in) {
  std::string out;
  for (size_t i = 0; i < in.size(); i += 3) {
    uint32_t acc = static_cast<uint8_t>(in[i]) << 16;
    if (i + 1 < in.size()) {
      acc |= static_cast<uint8_t>(in[i + 1]) << 8;
    }
    if (i + 2 < in.size()) {
      acc |= static_cast<uint8_t>(in[i + 2]);
    }
    out.push_back(kAlphabet[(acc >> 18) & 63]);
    out.push_back(kAlphabet[(acc >> 12) & 63]);
    out.push_back(i + 1 < in.size() ? kAlphabet[(acc >> 6) & 63] : '=');
    out.push_back(i + 2 < in.size() ? kAlphabet[acc & 63] : '=');
  }
  return out;
}

}  // namespace fabric::shim::internal
