// SPDX-License-Identifier: Apache-2.0
//
// AbStore: Fabric's chaincode_example02 / fabric-samples abstore in C++. Two (or more) accounts
// holding integer balances.
//
//   Init   args: ["init", A, Aval, B, Bval]     sets both balances
//   Invoke ["invoke", A, B, X]                  moves X from A to B
//          ["query", A]                         returns A's balance
//          ["delete", A]                        removes A
//
// Messages follow example02's. Thread-safety: stateless; safe for concurrent transactions.

#pragma once

#include "fabric/shim/chaincode.h"

namespace fabric::samples {

class AbStore : public shim::Chaincode {
 public:
  shim::Response Init(shim::ChaincodeStub& stub) override;
  shim::Response Invoke(shim::ChaincodeStub& stub) override;
};

}  // namespace fabric::samples
