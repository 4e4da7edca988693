// SPDX-License-Identifier: Apache-2.0

#include "invoker/invoker.h"

#include <string>
#include <vector>

#include "fabric/shim/chaincode_stub.h"

namespace fabric::samples {
namespace {

using shim::ChaincodeStub;
using shim::Error;
using shim::Response;
using Args = std::vector<std::string>;

Response Call(ChaincodeStub& stub, const std::string& cc, const Args& args,
              const std::string& channel = "") {
  Response r = stub.InvokeChaincode(cc, args, channel);
  if (r.status >= shim::kErrorThreshold) {
    return Error(cc + " failed: " + r.message);
  }
  return r;
}

Response Query(ChaincodeStub& stub, const Args& p) {
  if (p.size() != 2 && p.size() != 3) {
    return Error("incorrect number of arguments: expecting chaincode, account[, channel]");
  }
  return Call(stub, p[0], {"query", p[1]}, p.size() == 3 ? p[2] : "");
}

Response Transfer(ChaincodeStub& stub, const Args& p) {
  if (p.size() != 4) {
    return Error("incorrect number of arguments: expecting chaincode, from, to, amount");
  }
  return Call(stub, p[0], {"invoke", p[1], p[2], p[3]});
}

Response QueryAndRecord(ChaincodeStub& stub, const Args& p) {
  if (p.size() != 2) {
    return Error("incorrect number of arguments: expecting chaincode, account");
  }
  Response r = Call(stub, p[0], {"query", p[1]});
  if (r.status != shim::kOk) {
    return r;
  }
  Status s = stub.PutState("last~" + p[1], r.payload);
  return s.ok() ? r : Error(std::string(s.message()));
}

}  // namespace

Response Invoker::Init(ChaincodeStub&) { return shim::Success(); }

Response Invoker::Invoke(ChaincodeStub& stub) {
  auto [fn, args] = stub.GetFunctionAndParameters();
  if (fn == "query") {
    return Query(stub, args);
  }
  if (fn == "transfer") {
    return Transfer(stub, args);
  }
  if (fn == "queryAndRecord") {
    return QueryAndRecord(stub, args);
  }
  return Error("unknown function " + fn + ": expecting query, transfer or queryAndRecord");
}

}  // namespace fabric::samples
