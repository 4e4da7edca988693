// SPDX-License-Identifier: Apache-2.0

#include "src/user_code.h"

#include <exception>

namespace fabric::shim::internal {

UserCodeResult RunUserCode(Chaincode& chaincode, ChaincodeStub& stub, bool init) {
  const std::string what = init ? "Init" : "Invoke";
  try {
    return {init ? chaincode.Init(stub) : chaincode.Invoke(stub), false};
  } catch (const std::exception& e) {
    return {Error("chaincode threw an exception in " + what + ": " + e.what()), true};
  } catch (...) {
    return {Error("chaincode threw a non-standard exception in " + what), true};
  }
}

}  // namespace fabric::shim::internal
