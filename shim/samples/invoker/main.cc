// SPDX-License-Identifier: Apache-2.0
//
// The invoker chaincode executable.

#include "fabric/shim/start.h"
#include "invoker/invoker.h"

int main(int argc, char** argv) {
  fabric::samples::Invoker chaincode;
  return fabric::shim::Start(chaincode, argc, argv);
}
