// SPDX-License-Identifier: Apache-2.0
//
// The asset-transfer chaincode executable.

#include "asset-transfer/asset_transfer.h"
#include "fabric/shim/start.h"

int main(int argc, char** argv) {
  fabric::samples::AssetTransfer chaincode;
  return fabric::shim::Start(chaincode, argc, argv);
}
