// SPDX-License-Identifier: Apache-2.0
//
// FlagSet: the command-line flags of every fabric-cpp program, spelled the way the Fabric (Go)
// program it replaces takes them. Two syntaxes:
//
//   kPflag (cobra/pflag; the `peer` commands):
//     -o host:port   -ohost:port   -o=host:port   --orderer host:port   --orderer=host:port
//     --tls   --tls=false   -rx (two boolean shorthands)   --peerAddresses a --peerAddresses b
//     Flags and positional arguments interleave.
//   kGo (Go's `flag` package; orderer, configtxgen, cryptogen):
//     -channelID x   -channelID=x   --channelID x   --channelID=x   -printDefaultConfig
//     -flag=false    (a boolean takes its value only after "=")
//     Parsing stops at the first positional argument; it and the rest are positionals.
//
// In both, "--" ends the flags; booleans take Go's strconv.ParseBool values (1, t, true, TRUE,
// 0, f, false, ...); a repeated flag keeps its last value, a list flag every value; -h / --help
// (and -help with kGo), unless a flag of that name is defined, stop parsing and set
// help_requested().
//
// Thread-safety: none; one FlagSet per command invocation.

#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "fabric/base/status.h"

namespace fabric::flags {

enum class Syntax { kPflag, kGo };

// Why Parse failed, for programs that word their usage errors their own way.
struct ParseError {
  enum class Kind { kUnknownFlag, kMissingValue, kInvalidValue, kBadSyntax };
  Kind kind;
  // The flag as written, without any "=value": "--bogus", "-z", "-profile".
  std::string flag;
};

class FlagSet {
 public:
  explicit FlagSet(Syntax syntax = Syntax::kPflag) : syntax_(syntax) {}

  // Defines flags. `short_name` 0 means no shorthand (with kGo a shorthand is one more name,
  // "-o" for "-orderer"). In `help`, a `backquoted` word names the value in Usage(). Defining a
  // name twice is a programming error (the last definition wins).
  void String(const std::string& name, char short_name, std::string default_value,
              std::string help);
  void Bool(const std::string& name, char short_name, std::string help);
  void StringList(const std::string& name, char short_name, std::string help);

  // Parses `args` (without the program and command words). InvalidArgument, worded as the
  // syntax's Go library words it:
  //   kPflag: "unknown flag: --x", "unknown shorthand flag: 'x' in -x",
  //           "flag needs an argument: --orderer", "flag needs an argument: 'o' in -o",
  //           "invalid argument \"x\" for \"--tls\" flag: expected true or false",
  //           "bad flag syntax: ---x"
  //   kGo:    "flag provided but not defined: -x", "flag needs an argument: -profile",
  //           "invalid boolean value \"x\" for -version: parse error", "bad flag syntax: ---x"
  // error() then says the same in parts.
  Status Parse(const std::vector<std::string>& args);

  // True when Parse met -h / --help (which it does not treat as an error).
  bool help_requested() const { return help_requested_; }
  // Set when Parse failed.
  const std::optional<ParseError>& error() const { return error_; }

  // Values. Asking for an undefined flag returns the empty value.
  std::string GetString(const std::string& name) const;
  bool GetBool(const std::string& name) const;
  std::vector<std::string> GetList(const std::string& name) const;
  // True when the flag appeared on the command line.
  bool Changed(const std::string& name) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

  // One entry per flag, sorted by name, in the syntax's own layout:
  //   kPflag: "  -o, --orderer string   Ordering service endpoint (default \"x\")"
  //   kGo:    "  -channelID string\n    \tThe channel ID to use in the configtx"
  std::string Usage() const;

 private:
  enum class Kind { kString, kBool, kList };
  struct Flag {
    Kind kind = Kind::kString;
    char short_name = 0;
    std::string help;
    std::string default_value;
    std::vector<std::string> values;  // kList: every value; others: the last one
    bool changed = false;
  };
  using Args = std::vector<std::string>;

  void Define(const std::string& name, Kind kind, char short_name, std::string default_value,
              std::string help);
  Flag* Find(const std::string& name);
  Status Fail(ParseError::Kind kind, std::string flag, const std::string& message);
  Status Set(const std::string& written, const std::string& display, Flag& flag,
             const std::string& value);
  bool IsHelp(const std::string& name) const;
  Status ParseGo(const Args& args, size_t& i);
  Status ParseLong(const Args& args, size_t& i);
  Status ParseShorts(const Args& args, size_t& i);
  std::string PflagUsage(const std::string& name, const Flag& flag) const;
  std::string GoUsage(const std::string& name, const Flag& flag) const;

  const Syntax syntax_;
  std::map<std::string, Flag> flags_;
  std::map<char, std::string> shorts_;
  std::vector<std::string> positionals_;
  bool help_requested_ = false;
  std::optional<ParseError> error_;
};

}  // namespace fabric::flags
