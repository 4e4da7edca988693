// SPDX-License-Identifier: Apache-2.0
//
// FlagSet: command-line flags the way Fabric's CLI (cobra/pflag) takes them:
//   -o host:port   --orderer host:port   --orderer=host:port   -ohost:port
//   --tls          --tls=true|false      (booleans)
//   --peerAddresses a --peerAddresses b  (repeatable string lists)
// Anything that is not a flag is a positional argument ("newest", "mychannel.block"); "--"
// ends flag parsing.
//
// Thread-safety: none; one FlagSet per command invocation.

#pragma once

#include <map>
#include <string>
#include <vector>

#include "fabric/base/status.h"

namespace fabric::cli {

class FlagSet {
 public:
  // Defines flags. `short_name` 0 means no short form. Defining a name twice is a programming
  // error (the last definition wins).
  void String(const std::string& name, char short_name, std::string default_value,
              std::string help);
  void Bool(const std::string& name, char short_name, std::string help);
  void StringList(const std::string& name, char short_name, std::string help);

  // Parses `args` (without the command words). InvalidArgument "unknown flag: --x",
  // "unknown shorthand flag: 'x' in -x", "flag needs an argument: --orderer" or
  // "invalid argument \"x\" for \"--tls\" flag".
  Status Parse(const std::vector<std::string>& args);

  // Values. Asking for an undefined flag returns the empty value.
  std::string GetString(const std::string& name) const;
  bool GetBool(const std::string& name) const;
  std::vector<std::string> GetList(const std::string& name) const;
  // True when the flag appeared on the command line.
  bool Changed(const std::string& name) const;
  const std::vector<std::string>& positionals() const { return positionals_; }

  // One line per flag: "  -o, --orderer string   Ordering service endpoint".
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
  Status Set(const std::string& display, Flag& flag, const std::string& value);
  Status ParseLong(const std::vector<std::string>& args, size_t& i);
  Status ParseShort(const std::vector<std::string>& args, size_t& i);

  std::map<std::string, Flag> flags_;
  std::map<char, std::string> shorts_;
  std::vector<std::string> positionals_;
};

}  // namespace fabric::cli
