// SPDX-License-Identifier: Apache-2.0
#include "tools/cryptogen/cli.h"

#include <optional>

#include "common/crypto/file_util.h"
#include "fabric/base/status_macros.h"
#include "tools/cryptogen/config.h"
#include "tools/cryptogen/generator.h"

#ifndef FABRIC_VERSION
#define FABRIC_VERSION "unknown"
#endif

namespace fabric::cryptogen {
namespace {

constexpr char kUsage[] =
    "usage: cryptogen <command> [<flags>]\n"
    "\n"
    "Utility for generating Hyperledger Fabric key material.\n"
    "\n"
    "Commands:\n"
    "  generate [--config=FILE] [--output=DIR]\n"
    "      Generate key material.\n"
    "      --config  the crypto-config file to use (JSON, Fabric's field names);\n"
    "                default: the template printed by showtemplate\n"
    "      --output  the output directory in which to place artifacts (default crypto-config)\n"
    "  showtemplate\n"
    "      Show the default configuration template.\n"
    "  version\n"
    "      Show version information.\n"
    "\n"
    "Flags:\n"
    "  -h, --help  Show this help.\n";

struct GenerateFlags {
  std::optional<std::string> config;
  std::string output = "crypto-config";
};

int UsageError(std::ostream& err, const std::string& reason) {
  err << "cryptogen: error: " << reason << "\n\n" << kUsage;
  return kExitUsage;
}

// Parses generate's flags. Returns the reason on a bad flag.
std::optional<std::string> ParseGenerateFlags(const std::vector<std::string>& args,
                                              GenerateFlags* flags) {
  for (size_t i = 1; i < args.size(); ++i) {
    const std::string& arg = args[i];
    size_t eq = arg.find('=');
    std::string name = arg.substr(0, eq);
    if (name != "--config" && name != "--output") {
      return (arg.starts_with("-") ? "unknown flag " : "unexpected argument ") + arg;
    }
    std::string value;
    if (eq != std::string::npos) {
      value = arg.substr(eq + 1);
    } else if (i + 1 < args.size()) {
      value = args[++i];
    } else {
      return "flag " + name + " needs a value";
    }
    if (value.empty()) {
      return "flag " + name + " has an empty value";
    }
    if (name == "--config") {
      flags->config = value;
    } else {
      flags->output = value;
    }
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
  GenerateFlags flags;
  if (std::optional<std::string> bad = ParseGenerateFlags(args, &flags)) {
    return UsageError(err, *bad);
  }
  StatusOr<Config> config = LoadConfig(flags.config);
  StatusOr<std::vector<std::string>> written =
      config.ok() ? Generate(*config, flags.output, GenerateOptions{})
                  : StatusOr<std::vector<std::string>>(config.status());
  if (!written.ok()) {
    err << "cryptogen: error: " << written.status().message() << "\n";
    return kExitError;
  }
  for (const std::string& dir : *written) {
    out << flags.output << "/" << dir << "\n";
  }
  return kExitOk;
}

}  // namespace

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  for (const std::string& arg : args) {
    if (arg == "--help" || arg == "-h") {
      out << kUsage;
      return kExitOk;
    }
  }
  if (args.empty()) {
    return UsageError(err, "no command given");
  }
  if (args[0] == "help") {
    out << kUsage;
    return kExitOk;
  }
  const std::string& command = args[0];
  if (command == "generate") {
    return RunGenerate(args, out, err);
  }
  if (command != "showtemplate" && command != "version") {
    return UsageError(err,
                      (command.starts_with("-") ? "unknown flag " : "unknown command ") + command);
  }
  if (args.size() > 1) {
    return UsageError(err, "unexpected argument " + args[1] + " for " + command);
  }
  if (command == "showtemplate") {
    out << DefaultConfigJson();
  } else {
    out << "cryptogen (fabric-cpp) " << FABRIC_VERSION << "\n";
  }
  return kExitOk;
}

}  // namespace fabric::cryptogen
