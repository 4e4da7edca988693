// SPDX-License-Identifier: Apache-2.0
//
// Chaincode: the interface a smart contract implements, as Fabric's shim.Chaincode.
//
// The shim calls Init when the peer sends INIT (instantiate/upgrade in Fabric 1.x) and Invoke for
// every TRANSACTION. Each call gets its own ChaincodeStub, valid only for the duration of the
// call; do not keep it, or iterators obtained from it, afterwards.
//
// Thread-safety: Init and Invoke are called concurrently from several worker threads (one per
// in-flight transaction), so an implementation must not keep unsynchronised mutable members.
// Ledger state is reached only through the stub. An exception escaping Init or Invoke is caught
// by the shim and reported to the peer as an ERROR for that transaction.

#pragma once

#include "fabric/shim/response.h"

namespace fabric::shim {

class ChaincodeStub;

class Chaincode {
 public:
  virtual ~Chaincode() = default;

  // Called for INIT. Returns the response for the peer; status >= 500 fails the transaction.
  virtual Response Init(ChaincodeStub& stub) = 0;

  // Called for TRANSACTION. Returns the response for the peer; status >= 400 is not endorsed.
  virtual Response Invoke(ChaincodeStub& stub) = 0;
};

}  // namespace fabric::shim
