// SPDX-License-Identifier: Apache-2.0
//
// The `cryptogen` command line, as a function so tests can run it in-process:
//
//   cryptogen generate [--config FILE] [--output DIR]   (default output "crypto-config")
//   cryptogen showtemplate
//   cryptogen version
//   cryptogen --help
//
// Flags in Go's flag-package syntax (common/flags/flags.h): "--flag value", "--flag=value",
// "-flag value", "-flag=value".

#pragma once

#include <ostream>
#include <string>
#include <vector>

namespace fabric::cryptogen {

// Exit codes of RunCli.
inline constexpr int kExitOk = 0;
inline constexpr int kExitError = 1;  // The command failed: one "cryptogen: error: ..." line.
inline constexpr int kExitUsage = 2;  // Bad command line: the reason, then the usage text.

// Runs the command line `args` (without the program name), writing results to `out` and
// errors to `err`. Returns the process exit code.
int RunCli(const std::vector<std::string>& args, std::ostream& out, std::ostream& err);

}  // namespace fabric::cryptogen
