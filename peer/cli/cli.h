// SPDX-License-Identifier: Apache-2.0
//
// The `peer` command line (Fabric 1.4's peer CLI): `peer channel create|join|list|fetch|getinfo`,
// `peer chaincode package|signpackage|install|instantiate|upgrade|invoke|query|list`,
// `peer node status` and `peer logging getlevel|setlevel|revertlevels|getlogspec|setlogspec`.
// `peer node start` lives in peer/node; the `peer` executable dispatches between them.
//
// Output follows Fabric: results on stdout (query payloads, channel lists, chain info), progress
// as log lines on stderr, failures as "Error: <message>" on stderr with exit status 1.
//
// Thread-safety: RunCli is meant to be called once per process (it reads the environment).

#pragma once

#include <iosfwd>
#include <string>
#include <vector>

namespace fabric::cli {

// Runs the command `args` (the words after "peer") and returns the process exit status.
// Writes results to `out` and logs and errors to `err`.
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

// The usage text of `peer`.
std::string Usage();

}  // namespace fabric::cli
