// SPDX-License-Identifier: Apache-2.0

#include "common/flags/flags.h"

#include <absl/strings/str_format.h>
#include <absl/strings/str_replace.h>

#include "fabric/base/status_macros.h"

namespace fabric::flags {
namespace {

// Go's strconv.ParseBool.
std::optional<bool> ParseBool(const std::string& v) {
  for (const char* t : {"1", "t", "T", "true", "TRUE", "True"}) {
    if (v == t) {
      return true;
    }
  }
  for (const char* f : {"0", "f", "F", "false", "FALSE", "False"}) {
    if (v == f) {
      return false;
    }
  }
  return std::nullopt;
}

// Splits "name=value" at the first "=".
std::pair<std::string, std::optional<std::string>> SplitValue(const std::string& body) {
  size_t eq = body.find('=');
  if (eq == std::string::npos) {
    return {body, std::nullopt};
  }
  return {body.substr(0, eq), body.substr(eq + 1)};
}

// Go's flag.UnquoteUsage: the first `backquoted` word of the help names the value.
std::pair<std::string, std::string> UnquoteUsage(const std::string& help, const std::string& type) {
  size_t open = help.find('`');
  size_t close = open == std::string::npos ? open : help.find('`', open + 1);
  if (close == std::string::npos) {
    return {type, help};
  }
  std::string name = help.substr(open + 1, close - open - 1);
  return {name, help.substr(0, open) + name + help.substr(close + 1)};
}

}  // namespace

void FlagSet::Define(const std::string& name, Kind kind, char short_name, std::string default_value,
                     std::string help) {
  Flag& f = flags_[name];
  f.kind = kind;
  f.short_name = short_name;
  f.default_value = std::move(default_value);
  f.help = std::move(help);
  if (short_name != 0) {
    shorts_[short_name] = name;
  }
}

void FlagSet::String(const std::string& name, char short_name, std::string default_value,
                     std::string help) {
  Define(name, Kind::kString, short_name, std::move(default_value), std::move(help));
}

void FlagSet::Bool(const std::string& name, char short_name, std::string help) {
  Define(name, Kind::kBool, short_name, "false", std::move(help));
}

void FlagSet::StringList(const std::string& name, char short_name, std::string help) {
  Define(name, Kind::kList, short_name, "", std::move(help));
}

FlagSet::Flag* FlagSet::Find(const std::string& name) {
  if (auto it = flags_.find(name); it != flags_.end()) {
    return &it->second;
  }
  if (name.size() == 1) {
    if (auto it = shorts_.find(name[0]); it != shorts_.end()) {
      return &flags_[it->second];
    }
  }
  return nullptr;
}

Status FlagSet::Fail(ParseError::Kind kind, std::string flag, const std::string& message) {
  error_ = ParseError{kind, std::move(flag)};
  return InvalidArgumentError(message);
}

bool FlagSet::IsHelp(const std::string& name) const {
  return (name == "help" || name == "h") && flags_.count(name) == 0 &&
         (name.size() != 1 || shorts_.count(name[0]) == 0);
}

// `written` is the flag as the command line spells it, `display` as error messages name it.
Status FlagSet::Set(const std::string& written, const std::string& display, Flag& flag,
                    const std::string& value) {
  std::string stored = value;
  if (flag.kind == Kind::kBool) {
    std::optional<bool> b = ParseBool(value);
    if (!b) {
      return Fail(
          ParseError::Kind::kInvalidValue, written,
          syntax_ == Syntax::kGo
              ? absl::StrFormat("invalid boolean value \"%s\" for %s: parse error", value, display)
              : absl::StrFormat("invalid argument \"%s\" for \"%s\" flag: expected true "
                                "or false",
                                value, display));
    }
    stored = *b ? "true" : "false";
  }
  if (flag.kind != Kind::kList) {
    flag.values.clear();
  }
  flag.values.push_back(std::move(stored));
  flag.changed = true;
  return Status::OK();
}

// Go's flag.parseOne: "-name", "--name", "-name=value", "-name value" (not for booleans).
Status FlagSet::ParseGo(const Args& args, size_t& i) {
  const std::string& arg = args[i];
  std::string body = arg.substr(arg[1] == '-' ? 2 : 1);
  if (body.empty() || body[0] == '-' || body[0] == '=') {
    return Fail(ParseError::Kind::kBadSyntax, arg, "bad flag syntax: " + arg);
  }
  auto [name, inline_value] = SplitValue(body);
  const std::string written = arg.substr(0, arg.size() - body.size()) + name;
  Flag* flag = Find(name);
  if (flag == nullptr) {
    if (IsHelp(name)) {
      help_requested_ = true;
      return Status::OK();
    }
    return Fail(ParseError::Kind::kUnknownFlag, written, "flag provided but not defined: -" + name);
  }
  if (inline_value) {
    return Set(written, "-" + name, *flag, *inline_value);
  }
  if (flag->kind == Kind::kBool) {
    return Set(written, "-" + name, *flag, "true");
  }
  if (i + 1 >= args.size()) {
    return Fail(ParseError::Kind::kMissingValue, written, "flag needs an argument: -" + name);
  }
  return Set(written, "-" + name, *flag, args[++i]);
}

// pflag's parseLongArg: "--name", "--name=value", "--name value" (not for booleans).
Status FlagSet::ParseLong(const Args& args, size_t& i) {
  const std::string& arg = args[i];
  std::string body = arg.substr(2);
  if (body.empty() || body[0] == '-' || body[0] == '=') {
    return Fail(ParseError::Kind::kBadSyntax, arg, "bad flag syntax: " + arg);
  }
  auto [name, inline_value] = SplitValue(body);
  const std::string written = "--" + name;
  auto it = flags_.find(name);
  if (it == flags_.end()) {
    if (name == "help" && IsHelp(name)) {
      help_requested_ = true;
      return Status::OK();
    }
    return Fail(ParseError::Kind::kUnknownFlag, written, "unknown flag: " + written);
  }
  Flag& flag = it->second;
  if (inline_value) {
    return Set(written, written, flag, *inline_value);
  }
  if (flag.kind == Kind::kBool) {
    return Set(written, written, flag, "true");
  }
  if (i + 1 >= args.size()) {
    return Fail(ParseError::Kind::kMissingValue, written, "flag needs an argument: " + arg);
  }
  return Set(written, written, flag, args[++i]);
}

// pflag's parseShortArg: "-o value", "-ovalue", "-o=value", "-rx" (booleans r and x).
Status FlagSet::ParseShorts(const Args& args, size_t& i) {
  std::string shorts = args[i].substr(1);
  while (!shorts.empty()) {
    const char c = shorts[0];
    const std::string written = std::string("-") + c;
    auto it = shorts_.find(c);
    if (it == shorts_.end()) {
      if (IsHelp(std::string(1, c))) {
        help_requested_ = true;
        return Status::OK();
      }
      return Fail(ParseError::Kind::kUnknownFlag, written,
                  absl::StrFormat("unknown shorthand flag: '%c' in -%s", c, shorts));
    }
    Flag& flag = flags_[it->second];
    const std::string display = absl::StrFormat("-%c, --%s", c, it->second);
    if (shorts.size() >= 2 && shorts[1] == '=') {
      return Set(written, display, flag, shorts.substr(2));
    }
    if (flag.kind == Kind::kBool) {
      RETURN_IF_ERROR(Set(written, display, flag, "true"));
      shorts.erase(0, 1);
      continue;
    }
    if (shorts.size() > 1) {
      return Set(written, display, flag, shorts.substr(1));
    }
    if (i + 1 >= args.size()) {
      return Fail(ParseError::Kind::kMissingValue, written,
                  absl::StrFormat("flag needs an argument: '%c' in -%s", c, shorts));
    }
    return Set(written, display, flag, args[++i]);
  }
  return Status::OK();
}

Status FlagSet::Parse(const Args& args) {
  for (size_t i = 0; i < args.size() && !help_requested_; ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      positionals_.insert(positionals_.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    const bool is_flag = arg.size() > 1 && arg[0] == '-';
    if (syntax_ == Syntax::kGo) {
      if (!is_flag) {
        positionals_.insert(positionals_.end(), args.begin() + static_cast<long>(i), args.end());
        break;
      }
      RETURN_IF_ERROR(ParseGo(args, i));
    } else if (is_flag && arg[1] == '-') {
      RETURN_IF_ERROR(ParseLong(args, i));
    } else if (is_flag) {
      RETURN_IF_ERROR(ParseShorts(args, i));
    } else {
      positionals_.push_back(arg);
    }
  }
  return Status::OK();
}

std::string FlagSet::GetString(const std::string& name) const {
  auto it = flags_.find(name);
  if (it == flags_.end()) {
    return "";
  }
  return it->second.values.empty() ? it->second.default_value : it->second.values.back();
}

bool FlagSet::GetBool(const std::string& name) const { return GetString(name) == "true"; }

std::vector<std::string> FlagSet::GetList(const std::string& name) const {
  auto it = flags_.find(name);
  return it == flags_.end() ? std::vector<std::string>{} : it->second.values;
}

bool FlagSet::Changed(const std::string& name) const {
  auto it = flags_.find(name);
  return it != flags_.end() && it->second.changed;
}

// pflag's FlagUsages.
std::string FlagSet::PflagUsage(const std::string& name, const Flag& flag) const {
  const char* type = flag.kind == Kind::kString ? "string"
                     : flag.kind == Kind::kList ? "stringArray"
                                                : "";
  auto [value_name, help] = UnquoteUsage(flag.help, type);
  std::string left = flag.short_name != 0 ? absl::StrFormat("  -%c, --%s", flag.short_name, name)
                                          : absl::StrFormat("      --%s", name);
  if (!value_name.empty()) {
    left += " " + value_name;
  }
  return absl::StrFormat("%-40s %s", left, help);
}

// Go's flag.PrintDefaults.
std::string FlagSet::GoUsage(const std::string& name, const Flag& flag) const {
  const char* type = flag.kind == Kind::kString ? "string"
                     : flag.kind == Kind::kList ? "value"
                                                : "";
  auto [value_name, help] = UnquoteUsage(flag.help, type);
  std::string out = "  -";
  if (flag.short_name != 0) {
    out += absl::StrFormat("%c, -", flag.short_name);
  }
  out += name;
  if (!value_name.empty()) {
    out += " " + value_name;
  }
  out += out.size() <= 4 ? "\t" : "\n    \t";
  return out + absl::StrReplaceAll(help, {{"\n", "\n    \t"}});
}

std::string FlagSet::Usage() const {
  std::string out;
  for (const auto& [name, flag] : flags_) {
    out += syntax_ == Syntax::kGo ? GoUsage(name, flag) : PflagUsage(name, flag);
    if (flag.kind == Kind::kString && !flag.default_value.empty()) {
      out += absl::StrFormat(" (default \"%s\")", flag.default_value);
    }
    out += "\n";
  }
  return out;
}

}  // namespace fabric::flags
