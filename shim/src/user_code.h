// SPDX-License-Identifier: Apache-2.0
//
// RunUserCode: calls the chaincode's Init or Invoke inside the project's one try/catch, so an
// exception fails only that transaction. Used by the Handler and MockStub. Thread-safe as far as
// the chaincode is.

#pragma once

#include <string>

#include "fabric/shim/chaincode.h"
#include "fabric/shim/chaincode_stub.h"

namespace fabric::shim::internal {

struct UserCodeResult {
  Response response;
  bool threw = false;  // If set, response.message says what was thrown.
};

UserCodeResult RunUserCode(Chaincode& chaincode, ChaincodeStub& stub, bool init);

}  // namespace fabric::shim::internal
