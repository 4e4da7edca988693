// SPDX-License-Identifier: Apache-2.0
#include "tools/cryptogen/cli.h"

#include <optional>

#include "common/crypto/file_util.h"
#include "common/flags/flags.h"
#include "fabric/base/status_macros.h"
#include "tools/cryptogen/config.h"
#include "tools/cryptogen/generator.h"

#ifndef FABRIC_VERSION
#define FABRIC_VERSION "unknown"
#endif

namespace fabric::cryptogen {
namespace {

using flags::FlagSet;
using flags::ParseError;
using flags::Syntax;

constexpr char kUsage[] =
    "usage: cryptogen <command> [<flags>]\n"
    "\n"
    "Utility for generating Hyperledger Fabric key material.\n"
    "\n"
    "Commands:\n"
    "  generate [--config=FILE] [--output=DIR]\n"
    "      Generate key material.\n"
    "      --config  the crypto-config file to use (Fabric's crypto-config.yaml; JSON also\n"
    "                accepted);\n"
    "                default: the template printed by showtemplate\n"
    "      --output  the output directory in which to place artifacts (default crypto-config)\n"
    "  showtemplate\n"
    "      Show the default configuration template.\n"
    "  version\n"
    "      Show version information.\n"
    "\n"
    "Flags:\n"
    "  -h, --help  Show this help.\n";

int UsageError(std::ostream& err, const std::string& reason) {
  err << "cryptogen: error: " << reason << "\n\n" << kUsage;
  return kExitUsage;
}

// Parses `args` into `flags`, which defines them. Returns the exit status when the program
// ends here: help, or a bad flag.
std::optional<int> ParseFlags(const std::vector<std::string>& args, FlagSet& flags,
                              std::ostream& out, std::ostream& err) {
  if (Status s = flags.Parse(args); !s.ok()) {
    const ParseError& e = *flags.error();
    switch (e.kind) {
      case ParseError::Kind::kUnknownFlag:
        return UsageError(err, "unknown flag " + e.flag);
      case ParseError::Kind::kMissingValue:
        return UsageError(err, "flag " + e.flag + " needs a value");
      default:
        return UsageError(err, std::string(s.message()));
    }
  }
  if (flags.help_requested()) {
    out << kUsage;
    return kExitOk;
  }
  return std::nullopt;
}

// ParseFlags for the arguments after `command`, which takes no positional ones.
std::optional<int> ParseCommandFlags(const std::string& command,
                                     const std::vector<std::string>& args, FlagSet& flags,
                                     std::ostream& out, std::ostream& err) {
  if (std::optional<int> done = ParseFlags(args, flags, out, err)) {
    return done;
  }
  if (!flags.positionals().empty()) {
    return UsageError(err, "unexpected argument " + flags.positionals()[0] + " for " + command);
  }
  return std::nullopt;
}

StatusOr<Config> LoadConfig(const std::optional<std::string>& path) {
  if (!path) {
    return DefaultConfig();
  }
  StatusOr<std::string> text = crypto::ReadFile(*path);
  if (!text.ok()) {
    return text.status().Annotate("read config");
  }
  StatusOr<Config> config = ParseConfig(*text);
  if (!config.ok()) {
    return config.status().Annotate("config " + *path);
  }
  return config;
}

int RunGenerate(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  FlagSet flags(Syntax::kGo);
  flags.String("config", 0, "", "The configuration template to use");
  flags.String("output", 0, "crypto-config", "The output directory in which to place artifacts");
  if (std::optional<int> done = ParseCommandFlags("generate", args, flags, out, err)) {
    return *done;
  }
  for (const char* name : {"config", "output"}) {
    if (flags.Changed(name) && flags.GetString(name).empty()) {
      return UsageError(err, std::string("flag --") + name + " has an empty value");
    }
  }
  const std::string output = flags.GetString("output");
  StatusOr<Config> config =
      LoadConfig(flags.Changed("config") ? std::optional<std::string>(flags.GetString("config"))
                                         : std::nullopt);
  StatusOr<std::vector<std::string>> written =
      config.ok() ? Generate(*config, output, GenerateOptions{})
                  : StatusOr<std::vector<std::string>>(config.status());
  if (!written.ok()) {
    err << "cryptogen: error: " << written.status().message() << "\n";
    return kExitError;
  }
  for (const std::string& dir : *written) {
    out << output << "/" << dir << "\n";
  }
  return kExitOk;
}

}  // namespace

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  // No application flags but -h/--help; the first positional is the command.
  FlagSet app(Syntax::kGo);
  if (std::optional<int> done = ParseFlags(args, app, out, err)) {
    return *done;
  }
  if (app.positionals().empty()) {
    return UsageError(err, "no command given");
  }
  const std::string& command = app.positionals()[0];
  const std::vector<std::string> rest(app.positionals().begin() + 1, app.positionals().end());
  if (command == "help") {
    out << kUsage;
    return kExitOk;
  }
  if (command == "generate") {
    return RunGenerate(rest, out, err);
  }
  if (command != "showtemplate" && command != "version") {
    return UsageError(err, "unknown command " + command);
  }
  FlagSet none(Syntax::kGo);
  if (std::optional<int> done = ParseCommandFlags(command, rest, none, out, err)) {
    return *done;
  }
  if (command == "showtemplate") {
    out << DefaultConfigYaml();
  } else {
    out << "cryptogen (fabric-cpp) " << FABRIC_VERSION << "\n";
  }
  return kExitOk;
}

}  // namespace fabric::cryptogen
