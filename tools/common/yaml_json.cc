// SPDX-License-Identifier: Apache-2.0

#include "tools/common/yaml_json.h"

#include <cctype>
#include <cerrno>
#include <cstdint>
#include <cstdlib>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include <absl/strings/str_format.h>
#include <yaml-cpp/yaml.h>

namespace fabric::tools {
namespace {

using nlohmann::json;

// Deeper nesting than any config file has; stops runaway recursion on hostile input.
constexpr int kMaxDepth = 100;
// Values after alias expansion; stops "billion laughs" documents.
constexpr size_t kMaxValues = 1'000'000;

constexpr std::string_view kStrTag = "tag:yaml.org,2002:str";
constexpr std::string_view kMergeKey = "<<";

bool IsOneOf(std::string_view text, std::initializer_list<std::string_view> words) {
  for (std::string_view word : words) {
    if (text == word) {
      return true;
    }
  }
  return false;
}

// An integer as Go's strconv.ParseInt(s, 0, 64) reads it after YAML 1.1's "_" removal.
std::optional<json> ParseInteger(const std::string& text) {
  std::string digits;
  for (char c : text) {
    if (c != '_') {
      digits += c;
    }
  }
  size_t start = (!digits.empty() && (digits[0] == '-' || digits[0] == '+')) ? 1 : 0;
  std::string_view body = std::string_view(digits).substr(start);
  int base = 10;
  if (body.size() > 2 && body[0] == '0' && (body[1] == 'x' || body[1] == 'X')) {
    base = 16;
  } else if (body.size() > 2 && body[0] == '0' && (body[1] == 'b' || body[1] == 'B')) {
    base = 2;
  } else if (body.size() > 2 && body[0] == '0' && (body[1] == 'o' || body[1] == 'O')) {
    base = 8;
  } else if (body.size() > 1 && body[0] == '0') {
    base = 8;
    body.remove_prefix(1);
  }
  if (base != 10 && base != 8) {
    body.remove_prefix(2);
  } else if (base == 8 && !body.empty() && (body[0] == 'o' || body[0] == 'O')) {
    body.remove_prefix(1);
  }
  if (body.empty()) {
    return std::nullopt;
  }
  const std::string number(body);
  char* end = nullptr;
  errno = 0;
  uint64_t magnitude = std::strtoull(number.c_str(), &end, base);
  if (*end != '\0' || errno == ERANGE || number[0] == '-' || number[0] == '+') {
    return std::nullopt;
  }
  if (start == 1 && digits[0] == '-') {
    if (magnitude > static_cast<uint64_t>(INT64_MAX) + 1) {
      return std::nullopt;
    }
    return json(static_cast<int64_t>(0 - magnitude));
  }
  return json(magnitude);
}

// A decimal float ("1.5", "-2e3", ".5"); nullopt for anything else.
std::optional<json> ParseFloat(const std::string& text) {
  bool digit = false;
  for (char c : text) {
    if (std::isdigit(static_cast<unsigned char>(c))) {
      digit = true;
    } else if (c != '.' && c != 'e' && c != 'E' && c != '-' && c != '+') {
      return std::nullopt;
    }
  }
  char* end = nullptr;
  double value = std::strtod(text.c_str(), &end);
  if (!digit || *end != '\0') {
    return std::nullopt;
  }
  return json(value);
}

// A plain (unquoted, untagged) scalar typed as YAML 1.1 resolves it.
json ResolvePlain(const std::string& text) {
  if (IsOneOf(text, {"", "~", "null", "Null", "NULL"})) {
    return nullptr;
  }
  if (IsOneOf(text, {"y", "Y", "yes", "Yes", "YES", "true", "True", "TRUE", "on", "On", "ON"})) {
    return true;
  }
  if (IsOneOf(text, {"n", "N", "no", "No", "NO", "false", "False", "FALSE", "off", "Off", "OFF"})) {
    return false;
  }
  if (std::optional<json> integer = ParseInteger(text)) {
    return *integer;
  }
  if (std::optional<json> number = ParseFloat(text)) {
    return *number;
  }
  return text;
}

// "<file>:<line>:<column>", or "line L, column C" without a file name.
std::string Where(std::string_view file, const YAML::Mark& mark) {
  if (file.empty()) {
    return absl::StrFormat("line %d, column %d", mark.line + 1, mark.column + 1);
  }
  return absl::StrFormat("%s:%d:%d", file, mark.line + 1, mark.column + 1);
}

class Converter {
 public:
  explicit Converter(std::string_view file) : file_(file) {}

  StatusOr<json> Convert(const YAML::Node& node, int depth);

 private:
  Status Error(const YAML::Node& node, std::string_view what) const {
    return InvalidArgumentError(Where(file_, node.Mark()) + ": " + std::string(what));
  }
  StatusOr<json> ConvertMap(const YAML::Node& node, int depth);
  Status MergeInto(const YAML::Node& source, json& target, int depth);

  const std::string file_;
  size_t values_ = 0;
};

StatusOr<json> Converter::Convert(const YAML::Node& node, int depth) {
  if (depth > kMaxDepth) {
    return Error(node, absl::StrFormat("nested deeper than %d levels", kMaxDepth));
  }
  if (++values_ > kMaxValues) {
    return Error(node, absl::StrFormat("more than %d values after alias expansion", kMaxValues));
  }
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      return json(nullptr);
    case YAML::NodeType::Scalar:
      if (node.Tag() == "!" || node.Tag() == kStrTag) {
        return json(node.Scalar());
      }
      return ResolvePlain(node.Scalar());
    case YAML::NodeType::Sequence: {
      json list = json::array();
      for (const YAML::Node& item : node) {
        StatusOr<json> value = Convert(item, depth + 1);
        if (!value.ok()) {
          return value.status();
        }
        list.push_back(std::move(*value));
      }
      return list;
    }
    case YAML::NodeType::Map:
      return ConvertMap(node, depth);
  }
  return Error(node, "unknown YAML node type");
}

// Entries apply in document order, each overwriting what came before, merges included: a key
// written after "<<" beats the merged map, one written before it loses (gopkg.in/yaml.v2, which
// Fabric uses, and unlike the YAML merge draft where explicit keys always win).
StatusOr<json> Converter::ConvertMap(const YAML::Node& node, int depth) {
  json map = json::object();
  for (const auto& entry : node) {
    if (!entry.first.IsScalar()) {
      return Error(entry.first, "mapping key is not a scalar");
    }
    const std::string key = entry.first.Scalar();
    if (key == kMergeKey && entry.first.Tag() == "?") {
      if (Status s = MergeInto(entry.second, map, depth); !s.ok()) {
        return s;
      }
      continue;
    }
    StatusOr<json> value = Convert(entry.second, depth + 1);
    if (!value.ok()) {
      return value.status();
    }
    map[key] = std::move(*value);
  }
  return map;
}

// Sets the keys of the map, or of each map in the list, `source` into `target`; in a list the
// earlier maps win.
Status Converter::MergeInto(const YAML::Node& source, json& target, int depth) {
  std::vector<YAML::Node> maps;
  if (source.IsSequence()) {
    for (const YAML::Node& item : source) {
      maps.insert(maps.begin(), item);
    }
  } else {
    maps.push_back(source);
  }
  for (const YAML::Node& map : maps) {
    if (!map.IsMap()) {
      return Error(map.IsDefined() && !map.IsNull() ? map : source,
                   "merge key \"<<\" needs a map or a list of maps");
    }
    StatusOr<json> merged = ConvertMap(map, depth + 1);
    if (!merged.ok()) {
      return merged.status();
    }
    for (auto& [key, value] : merged->items()) {
      target[key] = std::move(value);
    }
  }
  return Status::OK();
}

}  // namespace

StatusOr<json> ParseYaml(std::string_view text, std::string_view file_name) {
  Converter converter(file_name);
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    return converter.Convert(root, 0);
  } catch (const YAML::Exception& e) {
    // yaml-cpp reports malformed text by throwing; this is the boundary where it becomes a
    // Status.
    if (e.mark.is_null()) {
      return InvalidArgumentError(file_name.empty() ? e.msg
                                                    : absl::StrFormat("%s: %s", file_name, e.msg));
    }
    return InvalidArgumentError(Where(file_name, e.mark) + ": " + e.msg);
  }
}

}  // namespace fabric::tools
