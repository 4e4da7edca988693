// SPDX-License-Identifier: Apache-2.0
//
// The `configtxgen` command line, as a function so tests can run it in-process. Flags as
// Fabric's (Go flag package syntax, common/flags/flags.h: "-flag value", "-flag=value", "--flag"
// also accepted):
//
//   configtxgen -profile NAME -channelID CH -outputBlock FILE [-configPath DIR]
//   configtxgen -profile NAME -channelID CH -outputCreateChannelTx FILE [-configPath DIR]
//   configtxgen -profile NAME -channelID CH -asOrg ORG -outputAnchorPeersUpdate FILE
//   configtxgen -inspectBlock FILE
//   configtxgen -inspectChannelCreateTx FILE
//   configtxgen -printDefaultConfig
//   configtxgen -version
//
// The config is DIR/configtx.yaml, else DIR/configtx.json, with DIR = -configPath, else
// $FABRIC_CFG_PATH, else the current directory (profile.h describes the format). Fields the file
// has that this implementation ignores are reported as warnings on `err`.

#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace fabric::configtxgen {

// Exit codes of RunCli.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;  // The command failed: one "configtxgen: error: ..." line.
inline constexpr int kExitUsage = 2;  // Bad command line: the reason, then the usage text.

// Runs the command line `args` (without the program name), writing results to `out` and
// errors to `err`. Returns the process exit code.
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The JSON form of the TwoOrgs sample (tools/configtxgen/sampleconfig/configtx.json, built in),
// what -printDefaultConfig prints.
const char* DefaultConfigJson();

}  // namespace fabric::configtxgen
