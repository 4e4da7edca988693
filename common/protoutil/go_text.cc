// SPDX-License-Identifier: Apache-2.0

#include "common/protoutil/go_text.h"

#include <map>

#include <absl/strings/str_format.h>

namespace fabric::protoutil {

std::string GoTextQuote(std::string_view s) {
  std::string out = "\"";
  for (unsigned char c : s) {
    switch (c) {
      case '\n':
        out += "\\n";
        break;
      case '\r':
        out += "\\r";
        break;
      case '\t':
        out += "\\t";
        break;
      case '"':
        out += "\\\"";
        break;
      case '\\':
        out += "\\\\";
        break;
      default:
        if (c < 0x20 || c >= 0x7f) {
          out += absl::StrFormat("\\%03o", c);
        } else {
          out += static_cast<char>(c);
        }
    }
  }
  return out + "\"";
}

std::string GoCompactText(const protos::ChaincodeInput& input) {
  std::string out;
  for (const std::string& arg : input.args()) {
    out += "args:" + GoTextQuote(arg) + " ";
  }
  const std::map<std::string, std::string> sorted(input.decorations().begin(),
                                                  input.decorations().end());
  for (const auto& [key, value] : sorted) {
    out += "decorations:<key:" + GoTextQuote(key) + " value:" + GoTextQuote(value) + " > ";
  }
  return out;
}

}  // namespace fabric::protoutil
