// SPDX-License-Identifier: Apache-2.0

#include "tools/configtxgen/cli.h"

#include <cstdlib>
#include <filesystem>
#include <map>
#include <optional>

#include "common/crypto/file_util.h"
#include "fabric/base/status_macros.h"
#include "tools/configtxgen/encoder.h"
#include "tools/configtxgen/inspect.h"
#include "tools/configtxgen/profile.h"

#ifndef FABRIC_VERSION
#define FABRIC_VERSION "unknown"
#endif

namespace fabric::configtxgen {
namespace {

constexpr char kUsage[] =
    "usage: configtxgen [flags]\n"
    "\n"
    "Writes and inspects channel configuration artifacts (Hyperledger Fabric compatible).\n"
    "\n"
    "Flags:\n"
    "  -profile NAME                 the profile from configtx.json to use\n"
    "  -channelID ID                 the channel ID to use in the configtx\n"
    "  -outputBlock FILE             write the genesis block to FILE\n"
    "  -outputCreateChannelTx FILE   write a channel creation transaction to FILE\n"
    "  -configPath DIR               directory holding configtx.json\n"
    "                                (default: $FABRIC_CFG_PATH, else the current directory)\n"
    "  -inspectBlock FILE            print the block in FILE as JSON\n"
    "  -inspectChannelCreateTx FILE  print the transaction in FILE as JSON\n"
    "  -printDefaultConfig           print the default configtx.json\n"
    "  -version                      print the version\n"
    "  -h, -help                     show this help\n";

// Flags that take a value, and boolean flags.
const char* const kValueFlags[] = {
    "profile",    "channelID",    "outputBlock",           "outputCreateChannelTx",
    "configPath", "inspectBlock", "inspectChannelCreateTx"};
const char* const kBoolFlags[] = {"printDefaultConfig", "version", "help", "h"};

struct Flags {
  std::map<std::string, std::string> values;
  std::map<std::string, bool> bools;
  std::string Get(const std::string& name) const {
    auto it = values.find(name);
    return it == values.end() ? std::string() : it->second;
  }
  bool Has(const std::string& name) const { return values.count(name) > 0; }
};

bool IsOneOf(const std::string& name, const char* const* list, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    if (name == list[i]) {
      return true;
    }
  }
  return false;
}

// Parses Go-flag-style arguments; returns the error text on failure.
std::optional<std::string> ParseFlags(const std::vector<std::string>& args, Flags* flags) {
  for (size_t i = 0; i < args.size(); ++i) {
    std::string arg = args[i];
    if (arg.size() < 2 || arg[0] != '-') {
      return "unexpected argument \"" + arg + "\"";
    }
    arg = arg.substr(arg[1] == '-' ? 2 : 1);
    std::optional<std::string> value;
    if (size_t eq = arg.find('='); eq != std::string::npos) {
      value = arg.substr(eq + 1);
      arg = arg.substr(0, eq);
    }
    if (IsOneOf(arg, kBoolFlags, std::size(kBoolFlags))) {
      flags->bools[arg] = !value.has_value() || *value == "true" || *value == "1";
    } else if (IsOneOf(arg, kValueFlags, std::size(kValueFlags))) {
      if (!value.has_value()) {
        if (i + 1 >= args.size()) {
          return "flag needs an argument: -" + arg;
        }
        value = args[++i];
      }
      flags->values[arg] = *value;
    } else {
      return "flag provided but not defined: -" + arg;
    }
  }
  return std::nullopt;
}

std::string ConfigDir(const Flags& flags) {
  if (flags.Has("configPath")) {
    return flags.Get("configPath");
  }
  const char* env = std::getenv("FABRIC_CFG_PATH");
  if (env != nullptr && *env != '\0') {
    return env;
  }
  std::error_code ec;
  std::filesystem::path cwd = std::filesystem::current_path(ec);
  return ec ? "." : cwd.string();
}

StatusOr<Profile> LoadProfileFromFlags(const Flags& flags) {
  const std::string dir = ConfigDir(flags);
  const std::string path = (std::filesystem::path(dir) / "configtx.json").string();
  StatusOr<std::string> text = crypto::ReadFile(path);
  if (!text.ok()) {
    return NotFoundError("cannot read config file " + path + ": " +
                         std::string(text.status().message()));
  }
  StatusOr<Profile> profile = LoadProfile(*text, flags.Get("profile"), dir);
  if (!profile.ok()) {
    return profile.status().Annotate(path);
  }
  return profile;
}

Status WriteOutputBlock(const Flags& flags, std::ostream& out) {
  ASSIGN_OR_RETURN(Profile profile, LoadProfileFromFlags(flags));
  ASSIGN_OR_RETURN(common::Block block, MakeGenesisBlock(profile, flags.Get("channelID")));
  const std::string file = flags.Get("outputBlock");
  RETURN_IF_ERROR(crypto::WriteFileAtomic(file, block.SerializeAsString(), 0644));
  out << "wrote genesis block for channel " << flags.Get("channelID") << " (profile "
      << profile.name << ") to " << file << "\n";
  return Status::OK();
}

Status WriteChannelCreateTx(const Flags& flags, std::ostream& out) {
  ASSIGN_OR_RETURN(Profile profile, LoadProfileFromFlags(flags));
  ASSIGN_OR_RETURN(common::Envelope envelope,
                   MakeChannelCreationTx(profile, flags.Get("channelID")));
  const std::string file = flags.Get("outputCreateChannelTx");
  RETURN_IF_ERROR(crypto::WriteFileAtomic(file, envelope.SerializeAsString(), 0644));
  out << "wrote channel creation transaction for channel " << flags.Get("channelID") << " to "
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

int Usage(std::ostream& err, const std::string& reason) {
  err << "configtxgen: " << reason << "\n\n" << kUsage;
  return kExitUsage;
}

// Checks the flags needed to write an artifact; empty when fine.
std::optional<std::string> MissingForOutput(const Flags& flags) {
  if (flags.Get("profile").empty()) {
    return "the -profile flag is required";
  }
  if (flags.Get("channelID").empty()) {
    return "missing channelID, please specify it with '-channelID'";
  }
  return std::nullopt;
}

Status Dispatch(const Flags& flags, std::ostream& out) {
  if (flags.Has("inspectBlock")) {
    RETURN_IF_ERROR(Inspect(flags.Get("inspectBlock"), true, out));
  }
  if (flags.Has("inspectChannelCreateTx")) {
    RETURN_IF_ERROR(Inspect(flags.Get("inspectChannelCreateTx"), false, out));
  }
  if (flags.Has("outputBlock")) {
    RETURN_IF_ERROR(WriteOutputBlock(flags, out));
  }
  if (flags.Has("outputCreateChannelTx")) {
    RETURN_IF_ERROR(WriteChannelCreateTx(flags, out));
  }
  return Status::OK();
}

}  // namespace

int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err) {
  Flags flags;
  if (std::optional<std::string> problem = ParseFlags(args, &flags)) {
    return Usage(err, *problem);
  }
  if (flags.bools["help"] || flags.bools["h"]) {
    out << kUsage;
    return kExitOk;
  }
  if (flags.bools["version"]) {
    out << "configtxgen:\n Version: " << FABRIC_VERSION << " (fabric-cpp)\n";
    return kExitOk;
  }
  if (flags.bools["printDefaultConfig"]) {
    out << DefaultConfigJson();
    return kExitOk;
  }
  bool writes = flags.Has("outputBlock") || flags.Has("outputCreateChannelTx");
  if (!writes && !flags.Has("inspectBlock") && !flags.Has("inspectChannelCreateTx")) {
    return Usage(err,
                 "nothing to do: give -outputBlock, -outputCreateChannelTx, "
                 "-inspectBlock, -inspectChannelCreateTx or -printDefaultConfig");
  }
  if (writes) {
    if (std::optional<std::string> missing = MissingForOutput(flags)) {
      return Usage(err, *missing);
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
