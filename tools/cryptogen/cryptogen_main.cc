// SPDX-License-Identifier: Apache-2.0
//
// The `cryptogen` executable: generates MSP and TLS key material for a Fabric network. All the
// work is in cli.cc (fabric_cryptogen).
#include <iostream>
#include <string>
#include <vector>

#include "tools/cryptogen/cli.h"

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  return fabric::cryptogen::RunCli(args, std::cout, std::cerr);
}
