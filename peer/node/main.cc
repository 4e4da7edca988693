// SPDX-License-Identifier: Apache-2.0
//
// The `peer` executable: `peer node start` runs the daemon, everything else is the CLI.

#include <iostream>
#include <string>
#include <vector>

#include "common/logging/logging.h"
#include "fabric/base/malloc_tuning.h"
#include "fabric/base/mutex_checks.h"
#include "peer/cli/cli.h"
#include "peer/node/node.h"

int main(int argc, char** argv) {
  fabric::SkipMutexDeadlockChecks();
  fabric::TuneMallocForServers();
  fabric::logging::InitFromEnv();
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() >= 2 && args[0] == "node" && args[1] == "start") {
    return fabric::node::RunNodeCommand(std::vector<std::string>(args.begin() + 1, args.end()));
  }
  return fabric::cli::RunCli(args, std::cout, std::cerr);
}
