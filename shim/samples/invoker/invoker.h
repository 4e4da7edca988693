// SPDX-License-Identifier: Apache-2.0
//
// Invoker: a chaincode that calls another chaincode (chaincode-to-chaincode) with
// InvokeChaincode; written against AbStore's interface.
//
//   ["query", cc, account[, channel]]       returns cc's "query account" result
//   ["transfer", cc, from, to, amount]      runs cc's "invoke from to amount" (same channel, so
//                                           the callee's writes join this transaction)
//   ["queryAndRecord", cc, account]         queries, then stores "last~<account>" = balance in
//                                           this chaincode's own state
//
// A callee response with status >= 400 becomes Error("<cc> failed: <message>").
// Thread-safety: stateless.

#pragma once

#include "fabric/shim/chaincode.h"

namespace fabric::samples {

class Invoker : public shim::Chaincode {
 public:
  shim::Response Init(shim::ChaincodeStub& stub) override;
  shim::Response Invoke(shim::ChaincodeStub& stub) override;
};

}  // namespace fabric::samples
