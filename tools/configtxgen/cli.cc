// SPDX-License-Identifier: Apache-2.0

#include "tools/configtxgen/cli.h"

#include <cstdlib>
#include <filesystem>
#include <optional>

#include "common/crypto/file_util.h"
#include "common/flags/flags.h"
#include "fabric/base/status_macros.h"
#include "tools/configtxgen/encoder.h"
#include "tools/configtxgen/inspect.h"
#include "tools/configtxgen/profile.h"

#ifndef FABRIC_VERSION
#define FABRIC_VERSION "unknown"
#endif

namespace fabric::configtxgen {
namespace {

using flags::FlagSet;
using flags::Syntax;

constexpr char kUsage[] =
    "usage: configtxgen [flags]\n"
    "\n"
    "Writes and inspects channel configuration artifacts (Hyperledger Fabric compatible).\n"
    "\n"
    "Flags (-flag or --flag, value after a space or \"=\"; -h, -help: show this help):\n";

// Fabric's configtxgen flags (Go flag package), those this one implements.
void DefineFlags(FlagSet& flags) {
  flags.String("profile", 0, "", "The profile from configtx.json to use for generation.");
  flags.String("channelID", 0, "", "The channel ID to use in the configtx");
  flags.String("outputBlock", 0, "", "The path to write the genesis block to (if set)");
  flags.String("outputCreateChannelTx", 0, "",
               "The path to write a channel creation configtx to (if set)");
  flags.String("configPath", 0, "",
               "The path containing the configuration to use (if set; default: "
               "$FABRIC_CFG_PATH, else the current directory)");
  flags.String("inspectBlock", 0, "",
               "Prints the configuration contained in the block at the specified path");
  flags.String("inspectChannelCreateTx", 0, "",
               "Prints the configuration contained in the transaction at the specified path");
  flags.Bool("printDefaultConfig", 0, "Prints the default configtx.json");
  flags.Bool("version", 0, "Show version information");
}

std::string ConfigDir(const FlagSet& flags) {
  if (flags.Changed("configPath")) {
    return flags.GetString("configPath");
  }
  const char* env = std::getenv("FABRIC_CFG_PATH");
  if (env != nullptr && *env != '\0') {
    return env;
  }
  std::error_code ec;
  std::filesystem::path cwd = std::filesystem::current_path(ec);
  return ec ? "." : cwd.string();
}

StatusOr<Profile> LoadProfileFromFlags(const FlagSet& flags) {
  const std::string dir = ConfigDir(flags);
  const std::string path = (std::filesystem::path(dir) / "configtx.json").string();
  StatusOr<std::string> text = crypto::ReadFile(path);
  if (!text.ok()) {
    return NotFoundError("cannot read config file " + path + ": " +
                         std::string(text.status().message()));
  }
  StatusOr<Profile> profile = LoadProfile(*text, flags.GetString("profile"), dir);
  if (!profile.ok()) {
    return profile.status().Annotate(path);
  }
  return profile;
}

Status WriteOutputBlock(const FlagSet& flags, std::ostream& out) {
  ASSIGN_OR_RETURN(Profile profile, LoadProfileFromFlags(flags));
  ASSIGN_OR_RETURN(common::Block block, MakeGenesisBlock(profile, flags.GetString("channelID")));
  const std::string file = flags.GetString("outputBlock");
  RETURN_IF_ERROR(crypto::WriteFileAtomic(file, block.SerializeAsString(), 0644));
  out << "wrote genesis block for channel " << flags.GetString("channelID") << " (profile "
      << profile.name << ") to " << file << "\n";
  return Status::OK();
}

Status WriteChannelCreateTx(const FlagSet& flags, std::ostream& out) {
  ASSIGN_OR_RETURN(Profile profile, LoadProfileFromFlags(flags));
  ASSIGN_OR_RETURN(common::Envelope envelope,
                   MakeChannelCreationTx(profile, flags.GetString("channelID")));
  const std::string file = flags.GetString("outputCreateChannelTx");
  RETURN_IF_ERROR(crypto::WriteFileAtomic(file, envelope.SerializeAsString(), 0644));
  out << "wrote channel creation transaction for channel " << flags.GetString("channelID") << " to "
      << file << "\n";
  return Status::OK();
}

Status Inspect(const std::string& file, bool block, std::ostream& out) {
  ASSIGN_OR_RETURN(std::string bytes, crypto::ReadFile(file));
  StatusOr<std::string> text = block ? InspectBlock(bytes) : InspectEnvelope(bytes);
  if (!text.ok()) {
    return text.status().Annotate("inspect " + file);
  }
  out << *text << "\n";
  return Status::OK();
}

int Usage(std::ostream& err, const std::string& reason, const FlagSet& flags) {
  err << "configtxgen: " << reason << "\n\n" << kUsage << flags.Usage();
  return kExitUsage;
}

// Checks the flags needed to write an artifact; empty when fine.
std::optional<std::string> MissingForOutput(const FlagSet& flags) {
  if (flags.GetString("profile").empty()) {
    return "the -profile flag is required";
  }
  if (flags.GetString("channelID").empty()) {
    return "missing channelID, please specify it with '-channelID'";
  }
  return std::nullopt;
}

Status Dispatch(const FlagSet& flags, std::ostream& out) {
  if (flags.Changed("inspectBlock")) {
    RETURN_IF_ERROR(Inspect(flags.GetString("inspectBlock"), true, out));
  }
  if (flags.Changed("inspectChannelCreateTx")) {
    RETURN_IF_ERROR(Inspect(flags.GetString("inspectChannelCreateTx"), false, out));
  }
  if (flags.Changed("outputBlock")) {
    RETURN_IF_ERROR(WriteOutputBlock(flags, out));
  }
  if (flags.Changed("outputCreateChannelTx")) {
    RETURN_IF_ERROR(WriteChannelCreateTx(flags, out));
  }
  return Status::OK();
}

}  // namespace

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  FlagSet flags(Syntax::kGo);
  DefineFlags(flags);
  if (Status s = flags.Parse(args); !s.ok()) {
    return Usage(err, std::string(s.message()), flags);
  }
  if (flags.help_requested()) {
    out << kUsage << flags.Usage();
    return kExitOk;
  }
  if (!flags.positionals().empty()) {
    return Usage(err, "unexpected argument \"" + flags.positionals()[0] + "\"", flags);
  }
  if (flags.GetBool("version")) {
    out << "configtxgen:\n Version: " << FABRIC_VERSION << " (fabric-cpp)\n";
    return kExitOk;
  }
  if (flags.GetBool("printDefaultConfig")) {
    out << DefaultConfigJson();
    return kExitOk;
  }
  bool writes = flags.Changed("outputBlock") || flags.Changed("outputCreateChannelTx");
  if (!writes && !flags.Changed("inspectBlock") && !flags.Changed("inspectChannelCreateTx")) {
    return Usage(err,
                 "nothing to do: give -outputBlock, -outputCreateChannelTx, "
                 "-inspectBlock, -inspectChannelCreateTx or -printDefaultConfig",
                 flags);
  }
  if (writes) {
    if (std::optional<std::string> missing = MissingForOutput(flags)) {
      return Usage(err, *missing, flags);
    }
  }
  Status status = Dispatch(flags, out);
  if (!status.ok()) {
    err << "configtxgen: error: " << status.message() << "\n";
    return kExitError;
  }
  return kExitOk;
}

}  // namespace fabric::configtxgen
