// SPDX-License-Identifier: Apache-2.0

#include "src/base64.h"

#include <cctype>

#include "absl/strings/escaping.h"

namespace fabric::shim::internal {

std::optional<std::string> Base64Decode(std::string_view in) {
  // Files of base64 PEM come with line breaks; the encoding itself has no whitespace.
  std::string clean;
  clean.reserve(in.size());
  for (char c : in) {
    if (!std::isspace(static_cast<unsigned char>(c))) {
      clean.push_back(c);
    }
  }
  std::string out;
  if (clean.size() % 4 != 0 || !absl::Base64Unescape(clean, &out)) {
    return std::nullopt;  // padding is required, as with Go's base64.StdEncoding
  }
  return out;
}

std::string Base64Encode(std::string_view in) {
  return absl::Base64Escape(absl::string_view(in.data(), in.size()));
}

}  // namespace fabric::shim::internal
