// SPDX-License-Identifier: Apache-2.0
#include "common/localconfig/document.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <map>
#include <optional>
#include <sstream>
#include <utility>

#include <absl/strings/ascii.h>
#include <absl/strings/str_format.h>
#include <absl/strings/str_join.h>
#include <absl/strings/str_split.h>
#include <absl/strings/strip.h>
#include <yaml-cpp/yaml.h>

namespace fabric::localconfig {
namespace {

// Deeper nesting or more keys than any configuration file has: a malformed (or hostile, e.g.
// alias-bomb) document, refused rather than expanded.
constexpr int kMaxDepth = 64;
constexpr size_t kMaxKeys = 20000;

std::string Lower(std::string_view s) {
  return absl::AsciiStrToLower(absl::string_view(s.data(), s.size()));
}

bool IsPlain(const YAML::Node& node) { return node.Tag() == "?"; }

// A scalar's text; plain YAML 1.1 booleans become "true"/"false" (Go's yaml.v2 reads them so).
std::string ScalarText(const YAML::Node& node) {
  std::string text = node.Scalar();
  if (!IsPlain(node)) {
    return text;
  }
  static const std::set<std::string> kTrue = {"y", "Y", "yes", "Yes", "YES", "on", "On", "ON"};
  static const std::set<std::string> kFalse = {"n", "N", "no", "No", "NO", "off", "Off", "OFF"};
  if (kTrue.count(text) > 0) {
    return "true";
  }
  if (kFalse.count(text) > 0) {
    return "false";
  }
  return text;
}

using Entry = std::pair<YAML::Node, YAML::Node>;

// A section's entries with merge keys resolved as gopkg.in/yaml.v2 (under Fabric's Viper)
// resolves them: in document order, each entry replacing an earlier one of the same key, the
// entries of a merge key's maps included, so a key written after "<<" beats the merged map's and
// one written before it loses; of a list of merged maps, the earlier wins. YAML's merge is
// shallow.
std::vector<Entry> Entries(const YAML::Node& map, int depth) {
  // Replaced entries are destroyed and constructed again, never assigned: assigning a
  // YAML::Node writes through to the node it refers to, which may be an anchor's.
  std::vector<std::optional<Entry>> slots;
  std::map<std::string, size_t> position;  // lower-cased key -> its slot
  auto put = [&](const Entry& entry) {
    auto [it, added] = position.emplace(Lower(entry.first.Scalar()), slots.size());
    if (added) {
      slots.emplace_back(std::in_place, entry.first, entry.second);
    } else {
      slots[it->second].reset();
      slots[it->second].emplace(entry.first, entry.second);
    }
  };
  for (const auto& kv : map) {
    if (!(kv.first.IsScalar() && IsPlain(kv.first) && kv.first.Scalar() == "<<")) {
      put(Entry(kv.first, kv.second));
      continue;
    }
    std::vector<YAML::Node> sources;
    if (kv.second.IsMap()) {
      sources.push_back(kv.second);
    } else if (kv.second.IsSequence()) {
      for (const YAML::Node& item : kv.second) {
        sources.push_back(item);
      }
    }
    for (auto source = sources.rbegin(); source != sources.rend(); ++source) {
      if (!source->IsMap() || depth > kMaxDepth) {
        continue;
      }
      for (const Entry& entry : Entries(*source, depth + 1)) {
        put(entry);
      }
    }
  }
  std::vector<Entry> out;
  out.reserve(slots.size());
  for (const std::optional<Entry>& slot : slots) {
    out.emplace_back(slot->first, slot->second);
  }
  return out;
}

struct Tree {
  std::map<std::string, Value> leaves;
  std::map<std::string, Value> sections;
};

// A section item of a list: its scalar and list-of-scalar fields by lower-cased key.
std::map<std::string, std::vector<std::string>> Record(const YAML::Node& map) {
  std::map<std::string, std::vector<std::string>> record;
  for (const auto& kv : map) {
    std::vector<std::string>& texts = record[Lower(kv.first.Scalar())];
    if (kv.second.IsScalar()) {
      texts.push_back(ScalarText(kv.second));
    } else if (kv.second.IsSequence()) {
      for (const YAML::Node& item : kv.second) {
        if (item.IsScalar()) {
          texts.push_back(ScalarText(item));
        }
      }
    }
  }
  return record;
}

// A sequence as a list value: its scalar items (a null item is ""), or not all scalars.
void ReadList(const YAML::Node& seq, Value* value) {
  value->kind = Value::Kind::kList;
  for (const YAML::Node& item : seq) {
    if (item.IsScalar()) {
      value->items.push_back(ScalarText(item));
    } else if (item.IsNull()) {
      value->items.emplace_back();
    } else {
      value->items_are_scalars = false;
      if (item.IsMap()) {
        value->records.push_back(Record(item));
      }
    }
  }
}

Status Flatten(const YAML::Node& map, const std::string& prefix, int depth, Tree* tree) {
  if (depth > kMaxDepth) {
    return InvalidArgumentError(absl::StrFormat("%s: nested more than %d levels", prefix, depth));
  }
  for (const auto& [key, node] : Entries(map, depth)) {
    Value value;
    value.path = prefix.empty() ? key.Scalar() : prefix + "." + key.Scalar();
    value.line = key.Mark().line + 1;
    const std::string lower = Lower(value.path);
    if (tree->leaves.size() + tree->sections.size() > kMaxKeys) {
      return InvalidArgumentError(absl::StrFormat("more than %d keys", kMaxKeys));
    }
    if (node.IsMap() && node.size() > 0) {
      value.kind = Value::Kind::kSection;
      tree->sections[lower] = value;
      Status s = Flatten(node, value.path, depth + 1, tree);
      if (!s.ok()) {
        return s;
      }
    } else if (node.IsSequence() && node.size() > 0) {
      ReadList(node, &value);
      tree->leaves[lower] = std::move(value);
    } else if (node.IsScalar()) {
      value.text = ScalarText(node);
      tree->leaves[lower] = std::move(value);
    }
    // Null, empty lists and empty sections are unset: nothing to record.
  }
  return Status::OK();
}

bool HasPrefix(const std::string& path, const std::string& prefix) {
  return path.size() > prefix.size() && path.compare(0, prefix.size(), prefix) == 0 &&
         path[prefix.size()] == '.';
}

}  // namespace

StatusOr<Document> Document::Parse(std::string_view text, const std::string& file) {
  Document doc;
  doc.file_ = file;
  // yaml-cpp reports errors by throwing; this boundary turns them into a Status.
  try {
    const YAML::Node root = YAML::Load(std::string(text));
    if (!root || root.IsNull()) {
      return doc;
    }
    if (!root.IsMap()) {
      return InvalidArgumentError(absl::StrFormat(
          "%s: expected sections of keys (\"peer:\", \"General:\") at the top", file));
    }
    Tree tree;
    Status s = Flatten(root, "", 0, &tree);
    if (!s.ok()) {
      return s.Annotate(file);
    }
    doc.leaves_ = std::move(tree.leaves);
    doc.sections_ = std::move(tree.sections);
  } catch (const YAML::Exception& e) {
    return InvalidArgumentError(
        absl::StrFormat("%s:%d:%d: %s", file, e.mark.line + 1, e.mark.column + 1, e.msg));
  } catch (const std::exception& e) {
    return InvalidArgumentError(absl::StrFormat("%s: %s", file, e.what()));
  }
  return doc;
}

StatusOr<Document> Document::Load(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    return NotFoundError(absl::StrFormat("cannot read config file %s", path));
  }
  std::stringstream text;
  text << in.rdbuf();
  return Parse(text.str(), path);
}

std::optional<Value> Document::Get(std::string_view path) {
  const std::string lower = Lower(path);
  used_.insert(lower);
  if (auto it = leaves_.find(lower); it != leaves_.end()) {
    return it->second;
  }
  if (auto it = sections_.find(lower); it != sections_.end()) {
    return it->second;
  }
  return std::nullopt;
}

Status Document::Apply(std::string_view path, const ScalarSetter& scalar, const ListSetter& list) {
  std::optional<Value> value = Get(path);
  if (!value.has_value()) {
    return Status::OK();
  }
  const std::string where = Location(*value);
  switch (value->kind) {
    case Value::Kind::kSection:
      return InvalidArgumentError(
          absl::StrFormat("%s: %s: expected a value, found a section of keys", where, value->path));
    case Value::Kind::kList:
      if (!list) {
        return InvalidArgumentError(
            absl::StrFormat("%s: %s: expected one value, found a list", where, value->path));
      }
      if (!value->items_are_scalars) {
        return InvalidArgumentError(absl::StrFormat(
            "%s: %s: expected a list of values, found a list of sections", where, value->path));
      }
      return list(value->items).Annotate(where);
    case Value::Kind::kScalar:
      break;
  }
  return scalar(value->text).Annotate(where);
}

void Document::MarkUsed(std::string_view path) { used_.insert(Lower(path)); }

bool Document::Covered(const std::string& lower_path) const {
  return std::any_of(used_.begin(), used_.end(), [&](const std::string& used) {
    return lower_path == used || HasPrefix(lower_path, used);
  });
}

bool Document::Touched(const std::string& lower_prefix) const {
  return std::any_of(used_.begin(), used_.end(), [&](const std::string& used) {
    return used == lower_prefix || HasPrefix(used, lower_prefix) || HasPrefix(lower_prefix, used);
  });
}

std::vector<std::string> Document::Unused() const {
  std::vector<const Value*> left;
  for (const auto& [lower, value] : leaves_) {
    if (!Covered(lower)) {
      left.push_back(&value);
    }
  }
  std::stable_sort(left.begin(), left.end(),
                   [](const Value* a, const Value* b) { return a->line < b->line; });
  std::vector<std::string> out;
  std::set<std::string> listed;
  for (const Value* value : left) {
    const std::vector<std::string> parts = absl::StrSplit(value->path, '.');
    std::string name = value->path;
    std::string prefix;
    for (size_t k = 0; k < parts.size(); ++k) {
      prefix += (k == 0 ? "" : ".") + parts[k];
      if (!Touched(Lower(prefix))) {
        name = k + 1 == parts.size() ? prefix : prefix + ".*";
        break;
      }
    }
    if (listed.insert(name).second) {
      out.push_back(name);
    }
  }
  return out;
}

std::string Document::Location(const Value& value) const {
  return absl::StrFormat("%s:%d", file_, value.line);
}

std::optional<bool> ParseBool(std::string_view text) {
  static const std::set<std::string_view> kTrue = {"1", "t", "T", "TRUE", "true", "True"};
  static const std::set<std::string_view> kFalse = {"", "0", "f", "F", "FALSE", "false", "False"};
  const absl::string_view stripped =
      absl::StripAsciiWhitespace(absl::string_view(text.data(), text.size()));
  const std::string_view trimmed(stripped.data(), stripped.size());
  if (kTrue.count(trimmed) > 0) {
    return true;
  }
  if (kFalse.count(trimmed) > 0) {
    return false;
  }
  return std::nullopt;
}

Status ParseBoolSetting(const char* path, const std::string& text, bool* out) {
  std::optional<bool> b = ParseBool(text);
  if (!b.has_value()) {
    return InvalidArgumentError(absl::StrFormat("%s: \"%s\" is not a boolean", path, text));
  }
  *out = *b;
  return Status::OK();
}

std::vector<std::string> SplitList(std::string_view text) {
  absl::string_view rest = absl::StripAsciiWhitespace(absl::string_view(text.data(), text.size()));
  if (absl::ConsumePrefix(&rest, "[")) {
    absl::ConsumeSuffix(&rest, "]");
  }
  return absl::StrSplit(rest, absl::ByAnyChar(", \t\r\n"), absl::SkipEmpty());
}

std::string Report::IgnoredLine() const {
  if (ignored.empty()) {
    return "";
  }
  return absl::StrFormat("%s: not used by fabric-cpp (ignored): %s", file,
                         absl::StrJoin(ignored, ", "));
}

void ExpectValue(Document& doc, std::string_view path, std::string_view value,
                 std::string_view what, Report* report) {
  std::optional<Value> got = doc.Get(path);
  if (!got.has_value() || report == nullptr ||
      (got->kind == Value::Kind::kScalar && Lower(got->text) == Lower(value))) {
    return;
  }
  const std::string text = got->kind == Value::Kind::kScalar ? "\"" + got->text + "\""
                           : got->kind == Value::Kind::kList ? "a list"
                                                             : "a section";
  report->notices.push_back(
      absl::StrFormat("%s: %s is %s: %s; ignored", doc.Location(*got), got->path, text, what));
}

}  // namespace fabric::localconfig
