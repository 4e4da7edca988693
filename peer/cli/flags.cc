// SPDX-License-Identifier: Apache-2.0

#include "peer/cli/flags.h"

#include <optional>

#include <absl/strings/str_format.h>

#include "fabric/base/status_macros.h"

namespace fabric::cli {

void FlagSet::String(const std::string& name, char short_name, std::string default_value,
                     std::string help) {
  Flag& f = flags_[name];
  f.kind = Kind::kString;
  f.short_name = short_name;
  f.default_value = std::move(default_value);
  f.help = std::move(help);
  if (short_name != 0) {
    shorts_[short_name] = name;
  }
}

void FlagSet::Bool(const std::string& name, char short_name, std::string help) {
  String(name, short_name, "false", std::move(help));
  flags_[name].kind = Kind::kBool;
}

void FlagSet::StringList(const std::string& name, char short_name, std::string help) {
  String(name, short_name, "", std::move(help));
  flags_[name].kind = Kind::kList;
}

Status FlagSet::Set(const std::string& display, Flag& flag, const std::string& value) {
  if (flag.kind == Kind::kBool && value != "true" && value != "false") {
    return InvalidArgumentError(absl::StrFormat(
        "invalid argument \"%s\" for \"%s\" flag: expected true or false", value, display));
  }
  if (flag.kind != Kind::kList) {
    flag.values.clear();
  }
  flag.values.push_back(value);
  flag.changed = true;
  return Status::OK();
}

Status FlagSet::ParseLong(const std::vector<std::string>& args, size_t& i) {
  std::string body = args[i].substr(2);
  std::string name = body;
  std::optional<std::string> inline_value;
  if (size_t eq = body.find('='); eq != std::string::npos) {
    name = body.substr(0, eq);
    inline_value = body.substr(eq + 1);
  }
  auto it = flags_.find(name);
  if (it == flags_.end()) {
    return InvalidArgumentError("unknown flag: --" + name);
  }
  Flag& flag = it->second;
  if (inline_value) {
    return Set("--" + name, flag, *inline_value);
  }
  if (flag.kind == Kind::kBool) {
    return Set("--" + name, flag, "true");
  }
  if (i + 1 >= args.size()) {
    return InvalidArgumentError("flag needs an argument: --" + name);
  }
  return Set("--" + name, flag, args[++i]);
}

Status FlagSet::ParseShort(const std::vector<std::string>& args, size_t& i) {
  const std::string& arg = args[i];
  auto it = shorts_.find(arg[1]);
  if (it == shorts_.end()) {
    return InvalidArgumentError(absl::StrFormat("unknown shorthand flag: '%c' in %s", arg[1], arg));
  }
  Flag& flag = flags_[it->second];
  std::string display = absl::StrFormat("-%c, --%s", arg[1], it->second);
  std::string rest = arg.substr(2);
  if (!rest.empty() && rest[0] == '=') {
    rest = rest.substr(1);
  }
  if (flag.kind == Kind::kBool) {
    return Set(display, flag, rest.empty() ? "true" : rest);
  }
  if (!rest.empty()) {
    return Set(display, flag, rest);
  }
  if (i + 1 >= args.size()) {
    return InvalidArgumentError(absl::StrFormat("flag needs an argument: '%c' in %s", arg[1], arg));
  }
  return Set(display, flag, args[++i]);
}

Status FlagSet::Parse(const std::vector<std::string>& args) {
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg == "--") {
      positionals_.insert(positionals_.end(), args.begin() + static_cast<long>(i) + 1, args.end());
      break;
    }
    if (arg.size() > 2 && arg[0] == '-' && arg[1] == '-') {
      RETURN_IF_ERROR(ParseLong(args, i));
    } else if (arg.size() > 1 && arg[0] == '-') {
      RETURN_IF_ERROR(ParseShort(args, i));
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

std::string FlagSet::Usage() const {
  std::string out;
  for (const auto& [name, flag] : flags_) {
    std::string left = flag.short_name != 0 ? absl::StrFormat("  -%c, --%s", flag.short_name, name)
                                            : absl::StrFormat("      --%s", name);
    if (flag.kind == Kind::kString) {
      left += " string";
    } else if (flag.kind == Kind::kList) {
      left += " stringArray";
    }
    out += absl::StrFormat("%-40s %s", left, flag.help);
    if (flag.kind == Kind::kString && !flag.default_value.empty()) {
      out += absl::StrFormat(" (default \"%s\")", flag.default_value);
    }
    out += "\n";
  }
  return out;
}

}  // namespace fabric::cli
