// SPDX-License-Identifier: Apache-2.0
//
// configtxgen: writes channel genesis blocks and channel creation transactions from
// configtx.json profiles, and inspects them. See tools/configtxgen/cli.h.

#include <iostream>
#include <string>
#include <vector>

#include "tools/configtxgen/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return fabric::configtxgen::RunCli(args, std::cout, std::cerr);
}
