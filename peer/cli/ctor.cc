// SPDX-License-Identifier: Apache-2.0

#include "peer/cli/ctor.h"

#include <algorithm>
#include <cctype>
#include <string>

#include <nlohmann/json.hpp>

namespace fabric::cli {
namespace {

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return s;
}

Status CtorError(std::string_view why) {
  return InvalidArgumentError("chaincode argument error: " + std::string(why));
}

// Constructor arguments are a flat object; nesting is refused well before the recursion of
// printing (in error messages) or destroying a parsed document could exhaust the stack.
constexpr int kMaxNesting = 100;

// The deepest nesting of arrays and objects in `json`, outside strings.
int NestingDepth(std::string_view json) {
  int depth = 0;
  int deepest = 0;
  bool in_string = false;
  for (size_t i = 0; i < json.size(); ++i) {
    const char c = json[i];
    if (in_string) {
      if (c == '\\') {
        ++i;
      } else if (c == '"') {
        in_string = false;
      }
    } else if (c == '"') {
      in_string = true;
    } else if (c == '[' || c == '{') {
      deepest = std::max(deepest, ++depth);
    } else if (c == ']' || c == '}') {
      --depth;
    }
  }
  return deepest;
}

}  // namespace

StatusOr<protos::ChaincodeInput> ParseCtor(std::string_view json) {
  if (NestingDepth(json) > kMaxNesting) {
    return CtorError("JSON nested deeper than " + std::to_string(kMaxNesting) +
                     " levels (expected e.g. '{\"Args\":[\"query\",\"a\"]}')");
  }
  nlohmann::json doc = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return CtorError("invalid JSON: " + std::string(json) +
                     " (expected e.g. '{\"Args\":[\"query\",\"a\"]}')");
  }
  if (!doc.is_object()) {
    return CtorError("expected a JSON object such as {\"Args\":[...]}, got " + doc.dump());
  }
  std::string function;
  std::vector<std::string> args;
  bool has_args = false;
  for (const auto& [key, value] : doc.items()) {
    std::string k = Lower(key);
    if (k == "function") {
      if (!value.is_string()) {
        return CtorError("\"Function\" must be a string, got " + value.dump());
      }
      function = value.get<std::string>();
    } else if (k == "args") {
      has_args = true;
      if (!value.is_array() && !value.is_null()) {
        return CtorError("\"Args\" must be an array of strings, got " + value.dump());
      }
      for (const auto& a : value) {
        if (!a.is_string()) {
          return CtorError("\"Args\" must be an array of strings, element " + a.dump() +
                           " is not a string");
        }
        args.push_back(a.get<std::string>());
      }
    } else {
      has_args = false;
      break;
    }
  }
  if (!has_args) {
    return CtorError(std::string(doc.empty() ? "empty" : "non-empty") +
                     " JSON chaincode parameters must contain the following keys: 'Args' or "
                     "'Function' and 'Args'");
  }
  protos::ChaincodeInput input;
  if (!function.empty()) {
    input.add_args(function);
  }
  for (auto& a : args) {
    input.add_args(std::move(a));
  }
  return input;
}

}  // namespace fabric::cli
