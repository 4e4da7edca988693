// SPDX-License-Identifier: Apache-2.0
//
// getput: the bench_endorse chaincode. Invoke(key) does one GetState(key) and one
// PutState(key, value + 1 byte), the workload of the endorse_* and e2e_tps figures. Run by the
// process launcher: CORE_CHAINCODE_ID_NAME=getput:1.0 getput -peer.address=...

#include <string>

#include "fabric/shim/chaincode.h"
#include "fabric/shim/chaincode_stub.h"
#include "fabric/shim/start.h"

namespace {

class GetPut : public fabric::shim::Chaincode {
 public:
  fabric::shim::Response Init(fabric::shim::ChaincodeStub&) override {
    return fabric::shim::Success();
  }
  fabric::shim::Response Invoke(fabric::shim::ChaincodeStub& stub) override {
    const std::vector<std::string>& args = stub.GetArgs();
    if (args.size() != 2) {
      return fabric::shim::Error("expecting invoke <key>");
    }
    auto value = stub.GetState(args[1]);
    if (!value.ok()) {
      return fabric::shim::Error("get state: " + std::string(value.status().message()));
    }
    fabric::Status s = stub.PutState(args[1], *value + "x");
    if (!s.ok()) {
      return fabric::shim::Error("put state: " + std::string(s.message()));
    }
    return fabric::shim::Success();
  }
};

}  // namespace

int main(int argc, char** argv) {
  GetPut chaincode;
  // GetPut only computes over stub calls: coroutines suit it (fabric/shim/start.h, Threading);
  // CORE_CHAINCODE_EXECUTION=threads measures it with worker threads.
  fabric::shim::StartOptions defaults;
  defaults.execution = fabric::shim::StartOptions::Execution::kCoroutines;
  defaults.tuning = fabric::shim::StartOptions::ProcessTuning::ForServers();
  return fabric::shim::Start(chaincode, argc, argv, defaults);
}
