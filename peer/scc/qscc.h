// SPDX-License-Identifier: Apache-2.0
//
// Qscc: the ledger query system chaincode (Fabric 1.4 core/scc/qscc/query.go). Args
// [fn, channel, arg]:
//   GetChainInfo         common.BlockchainInfo
//   GetBlockByNumber n   common.Block (n decimal)
//   GetBlockByHash h     common.Block
//   GetTransactionByID t protos.ProcessedTransaction
//   GetBlockByTxID t     common.Block
// ACL: qscc/<fn> (channel Readers by default). Runs without a TxSimulator. Errors are status-500
// responses with Fabric's messages ("Invalid chain ID, <ch>", "access denied for ...").
//
// Ownership: borrows its dependencies. Thread-safety: Invoke may be called concurrently.

#pragma once

#include "fabric/shim/chaincode.h"
#include "peer/scc/acl.h"
#include "peer/scc/channel_resources.h"

namespace fabric::scc {

class Qscc : public shim::Chaincode {
 public:
  Qscc(const ChannelResources& channels, const AclProvider& acl) : channels_(channels), acl_(acl) {}
  shim::Response Init(shim::ChaincodeStub&) override { return shim::Success(); }
  shim::Response Invoke(shim::ChaincodeStub& stub) override;

 private:
  const ChannelResources& channels_;
  const AclProvider& acl_;
};

}  // namespace fabric::scc
