// SPDX-License-Identifier: Apache-2.0
//
// AssetTransfer: fabric-samples' asset-transfer (basic + ledger queries) in C++. Assets are JSON
// {"AppraisedValue","Color","ID","Owner","Size"} stored under their ID; an "owner~id" composite
// key index serves owner queries.
//
//   InitLedger                                     six sample assets
//   CreateAsset id color size owner value          error if it exists
//   ReadAsset id                                   the asset JSON
//   UpdateAsset id color size owner value          error if missing
//   DeleteAsset id
//   AssetExists id                                 "true" / "false"
//   TransferAsset id newOwner                      returns the previous owner
//   GetAllAssets                                   JSON array of every asset
//   GetAssetsByRange start end                     JSON array, [start, end)
//   QueryAssetsByOwner owner                       JSON array, via the owner~id index
//   GetAssetHistory id                             JSON array of {txId, timestamp, isDelete, asset}
//
// Init accepts no function or "InitLedger". Thread-safety: stateless.

#pragma once

#include "fabric/shim/chaincode.h"

namespace fabric::samples {

class AssetTransfer : public shim::Chaincode {
 public:
  shim::Response Init(shim::ChaincodeStub& stub) override;
  shim::Response Invoke(shim::ChaincodeStub& stub) override;
};

}  // namespace fabric::samples
