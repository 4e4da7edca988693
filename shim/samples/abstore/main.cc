// SPDX-License-Identifier: Apache-2.0
//
// The abstore chaincode executable: CORE_CHAINCODE_ID_NAME=abstore:1.0 abstore -peer.address=...

#include "abstore/abstore.h"
#include "fabric/shim/start.h"

int main(int argc, char** argv) {
  fabric::samples::AbStore chaincode;
  return fabric::shim::Start(chaincode, argc, argv);
}
