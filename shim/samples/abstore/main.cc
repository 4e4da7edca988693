// SPDX-License-Identifier: Apache-2.0
//
// The abstore chaincode executable: CORE_CHAINCODE_ID_NAME=abstore:1.0 abstore -peer.address=...

#include "abstore/abstore.h"
#include "fabric/shim/start.h"

int main(int argc, char** argv) {
  fabric::samples::AbStore chaincode;
  // This process only serves the peer's stream: let Start tune it as a server.
  fabric::shim::StartOptions defaults;
  defaults.tuning = fabric::shim::StartOptions::ProcessTuning::ForServers();
  return fabric::shim::Start(chaincode, argc, argv, defaults);
}
