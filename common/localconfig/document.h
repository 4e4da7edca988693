// SPDX-License-Identifier: Apache-2.0
//
// localconfig::Document: a node's local configuration file (Fabric's core.yaml or orderer.yaml,
// or the same keys as JSON, which is YAML too) read the way Fabric's Viper reads it:
//   - keys are dotted paths ("peer.tls.cert.file"), matched case-insensitively;
//   - a null value (`key:`, `~`, `null`), an empty list or an empty section means unset;
//   - plain YAML 1.1 booleans (yes/no/on/off/y/n) read as true/false, as Go's yaml.v2 does;
//   - anchors, aliases and merge keys (`<<: *base`) are resolved.
// A setting that a node uses is handed to its setter as text (scalars) or a list of texts
// (sequences); errors name the file, the line and the key. Every set key that no setting asked
// about is listed by Unused(): the node reports those once at start-up instead of failing,
// since Fabric's own files carry many keys fabric-cpp does not implement.
//
// Thread-compatible: const methods may run concurrently; Apply/Get/MarkUsed record use.

#pragma once

#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "fabric/base/status.h"

namespace fabric::localconfig {

// One set value of the file.
struct Value {
  enum class Kind { kScalar, kList, kSection };
  Kind kind = Kind::kScalar;
  std::string text;                // kScalar
  std::vector<std::string> items;  // kList of scalars
  bool items_are_scalars = true;   // kList: false when an item is a section or a list
  // kList: for each item that is a section, its keys (lower-cased) and their values, a scalar
  // as one text and a list of scalars as its texts (chaincode.externalBuilders); other items
  // have none.
  std::vector<std::map<std::string, std::vector<std::string>>> records;
  std::string path;  // spelled as in the file: "peer.tls.clientRootCAs.files"
  int line = 0;      // 1-based line of the key
};

class Document {
 public:
  using ScalarSetter = std::function<Status(const std::string& text)>;
  using ListSetter = std::function<Status(const std::vector<std::string>& items)>;

  // An empty document (no file): every Get is unset, nothing is unused.
  Document() = default;

  // Parses `text`, naming it `file` in errors. InvalidArgument "FILE:LINE:COL: ..." for a YAML
  // syntax error, or "FILE: ..." when the top level is not a section.
  static StatusOr<Document> Parse(std::string_view text, const std::string& file);
  // Reads and parses the file at `path`. NotFound when it cannot be read; Parse's errors.
  static StatusOr<Document> Load(const std::string& path);

  // The value at `path` (case-insensitive); nullopt when absent or unset. Records the use.
  std::optional<Value> Get(std::string_view path);

  // Hands the value at `path` to the setter that fits its kind; OK when it is unset. A scalar
  // goes to `scalar` even for a list setting, which decides how to read it.
  // InvalidArgument "FILE:LINE: path: ..." for a section where a value belongs, a list where
  // one value belongs (no `list`), a list of sections, or what the setter refuses.
  Status Apply(std::string_view path, const ScalarSetter& scalar, const ListSetter& list = nullptr);

  // Records `path` and everything under it as used without reading it.
  void MarkUsed(std::string_view path);

  // The set keys no Get/Apply/MarkUsed covered, in file order; a section none of whose keys
  // was used is one entry "section.*" ("peer.gossip.*").
  std::vector<std::string> Unused() const;

  // The file's name as given to Parse/Load; empty for the empty document.
  const std::string& file() const { return file_; }
  // "FILE:LINE", where errors about `value` point.
  std::string Location(const Value& value) const;

 private:
  bool Covered(const std::string& lower_path) const;
  bool Touched(const std::string& lower_prefix) const;

  std::string file_;
  // Lower-cased path -> value, for every leaf (scalar, list) and empty section.
  std::map<std::string, Value> leaves_;
  // Lower-cased paths of the non-empty sections (a setting must not be one).
  std::map<std::string, Value> sections_;
  std::set<std::string> used_;  // lower-cased
};

// One setting of a node's configuration `Config`: its key path (its env variable's name follows
// from it) and how to store it: `set` takes text (a scalar of the file, or the environment's
// string), `set_list` a list of the file (null: a list there is an error).
template <typename Config>
struct Setting {
  using Setter = std::function<Status(Config&, const std::string&)>;
  using ListSetter = std::function<Status(Config&, const std::vector<std::string>&)>;
  Setting(const char* key_path, Setter setter, ListSetter list_setter = nullptr)
      : path(key_path), set(std::move(setter)), set_list(std::move(list_setter)) {}

  const char* path;  // "peer.tls.enabled"
  Setter set;
  ListSetter set_list;
};

// Stores the file's value of each setting of `settings` into `config` (Document::Apply's
// errors, the first one).
template <typename Config>
Status ApplySettings(Document& doc, const std::vector<Setting<Config>>& settings, Config& config) {
  for (const Setting<Config>& setting : settings) {
    Document::ListSetter list;
    if (setting.set_list) {
      list = [&](const std::vector<std::string>& items) { return setting.set_list(config, items); };
    }
    Status s = doc.Apply(
        setting.path, [&](const std::string& v) { return setting.set(config, v); }, list);
    if (!s.ok()) {
      return s;
    }
  }
  return Status::OK();
}

// Go's strconv.ParseBool forms (1 t T TRUE true True, 0 f F FALSE false False); "" is false.
// nullopt for anything else.
std::optional<bool> ParseBool(std::string_view text);

// A list given as one string (the environment's form): "[a, b]", "a,b" or "a b".
std::vector<std::string> SplitList(std::string_view text);

// A setting stored as the text given.
template <typename Config>
Setting<Config> TextSetting(const char* path, std::string Config::*field) {
  return {path, [field](Config& c, const std::string& v) {
            c.*field = v;
            return Status::OK();
          }};
}

// A boolean setting (ParseBool's forms; the file's YAML booleans arrive as "true"/"false").
// InvalidArgument "path: "v" is not a boolean" otherwise.
Status ParseBoolSetting(const char* path, const std::string& text, bool* out);
template <typename Config>
Setting<Config> BoolSetting(const char* path, bool Config::*field) {
  return {path, [path, field](Config& c, const std::string& v) {
            return ParseBoolSetting(path, v, &(c.*field));
          }};
}

// What loading a configuration left out, for the node to log once at start-up.
struct Report {
  std::string file;                  // the file read; empty when none was
  std::vector<std::string> ignored;  // Document::Unused()
  // One line per value fabric-cpp handles differently from Fabric ("chaincode.builder ...").
  std::vector<std::string> notices;

  // "FILE: not used by fabric-cpp (ignored): a.*, b.c"; empty when nothing was ignored.
  std::string IgnoredLine() const;
};

// For a Fabric key whose value fabric-cpp cannot change (it implements one choice): uses the
// key, and adds a notice to `report` when the file holds another value than `value` (compared
// case-insensitively): "FILE:LINE: path is "other": <what>; ignored".
void ExpectValue(Document& doc, std::string_view path, std::string_view value,
                 std::string_view what, Report* report);

}  // namespace fabric::localconfig
