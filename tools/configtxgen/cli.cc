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
  flags.String("profile", 0, "", "The profile from configtx.yaml to use for generation.");
  flags.String("channelID", 0, "", "The channel ID to use in the configtx");
  flags.String("outputBlock", 0, "", "The path to write the genesis block to (if set)");
  flags.String("outputCreateChannelTx", 0, "",
               "The path to write a channel creation configtx to (if set)");
  flags.String("configPath", 0, "",
               "The path containing the configuration to use (if set; default: "
               "$FABRIC_CFG_PATH, else the current directory)");
  flags.String("outputAnchorPeersUpdate", 0, "",
               "Creates a config update to update an anchor peer (works only with the default "
               "channel creation, and only for the first update)");
  flags.String("asOrg", 0, "",
               "Performs the config generation as a particular organization (by name)");
  flags.String("inspectBlock", 0, "",
               "Prints the configuration contained in the block at the specified path");
  flags.String("inspectChannelCreateTx", 0, "",
               "Prints the configuration contained in the transaction at the specified path");
  flags.Bool("printDefaultConfig", 0, "Prints the default configtx.yaml");
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

// DIR/configtx.yaml, else DIR/configtx.json (this implementation's earlier JSON form).
StatusOr<std::string> ConfigFile(const FlagSet& flags) {
  const std::filesystem::path dir(ConfigDir(flags));
  for (const char* name : {"configtx.yaml", "configtx.json"}) {
    std::error_code ec;
    if (std::filesystem::is_regular_file(dir / name, ec)) {
      return (dir / name).string();
    }
  }
  return NotFoundError("no configtx.yaml (or configtx.json) in " + dir.string() +
                       "; give its directory with -configPath or FABRIC_CFG_PATH");
}

// Loads the -profile profile and reports, once, the fields it ignores.
StatusOr<Profile> LoadProfileFromFlags(const FlagSet& flags, std::ostream& err) {
  ASSIGN_OR_RETURN(std::string path, ConfigFile(flags));
  ASSIGN_OR_RETURN(Profile profile, LoadProfileFile(path, flags.GetString("profile")));
  for (const std::string& key : profile.ignored_keys) {
    err << "configtxgen: warning: " << path << ": ignoring " << key
        << " (not used by this implementation)\n";
  }
  return profile;
}

Status WriteOutputBlock(const FlagSet& flags, const Profile& profile, std::ostream& out) {
  ASSIGN_OR_RETURN(common::Block block, MakeGenesisBlock(profile, flags.GetString("channelID")));
  const std::string file = flags.GetString("outputBlock");
  RETURN_IF_ERROR(crypto::WriteFileAtomic(file, block.SerializeAsString(), 0644));
  out << "wrote genesis block for channel " << flags.GetString("channelID") << " (profile "
      << profile.name << ") to " << file << "\n";
  return Status::OK();
}

Status WriteChannelCreateTx(const FlagSet& flags, const Profile& profile, std::ostream& out) {
  ASSIGN_OR_RETURN(common::Envelope envelope,
                   MakeChannelCreationTx(profile, flags.GetString("channelID")));
  const std::string file = flags.GetString("outputCreateChannelTx");
  RETURN_IF_ERROR(crypto::WriteFileAtomic(file, envelope.SerializeAsString(), 0644));
  out << "wrote channel creation transaction for channel " << flags.GetString("channelID") << " to "
      << file << "\n";
  return Status::OK();
}

Status WriteAnchorPeersUpdate(const FlagSet& flags, const Profile& profile, std::ostream& out) {
  ASSIGN_OR_RETURN(
      common::Envelope envelope,
      MakeAnchorPeersUpdate(profile, flags.GetString("channelID"), flags.GetString("asOrg")));
  const std::string file = flags.GetString("outputAnchorPeersUpdate");
  RETURN_IF_ERROR(crypto::WriteFileAtomic(file, envelope.SerializeAsString(), 0644));
  out << "wrote anchor peer update for org " << flags.GetString("asOrg") << " on channel "
      << flags.GetString("channelID") << " to " << file << "\n";
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

bool WritesArtifact(const FlagSet& flags) {
  return flags.Changed("outputBlock") || flags.Changed("outputCreateChannelTx") ||
         flags.Changed("outputAnchorPeersUpdate");
}

Status Dispatch(const FlagSet& flags, std::ostream& out, std::ostream& err) {
  if (flags.Changed("inspectBlock")) {
    RETURN_IF_ERROR(Inspect(flags.GetString("inspectBlock"), true, out));
  }
  if (flags.Changed("inspectChannelCreateTx")) {
    RETURN_IF_ERROR(Inspect(flags.GetString("inspectChannelCreateTx"), false, out));
  }
  if (!WritesArtifact(flags)) {
    return Status::OK();
  }
  ASSIGN_OR_RETURN(Profile profile, LoadProfileFromFlags(flags, err));
  if (flags.Changed("outputBlock")) {
    RETURN_IF_ERROR(WriteOutputBlock(flags, profile, out));
  }
  if (flags.Changed("outputCreateChannelTx")) {
    RETURN_IF_ERROR(WriteChannelCreateTx(flags, profile, out));
  }
  if (flags.Changed("outputAnchorPeersUpdate")) {
    RETURN_IF_ERROR(WriteAnchorPeersUpdate(flags, profile, out));
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
  bool writes = WritesArtifact(flags);
  if (!writes && !flags.Changed("inspectBlock") && !flags.Changed("inspectChannelCreateTx")) {
    return Usage(err,
                 "nothing to do: give -outputBlock, -outputCreateChannelTx, "
                 "-outputAnchorPeersUpdate, -inspectBlock, -inspectChannelCreateTx or "
                 "-printDefaultConfig",
                 flags);
  }
  if (writes) {
    if (std::optional<std::string> missing = MissingForOutput(flags)) {
      return Usage(err, *missing, flags);
    }
  }
  Status status = Dispatch(flags, out, err);
  if (!status.ok()) {
    err << "configtxgen: error: " << status.message() << "\n";
    return kExitError;
  }
  return kExitOk;
}

}  // namespace fabric::configtxgen
