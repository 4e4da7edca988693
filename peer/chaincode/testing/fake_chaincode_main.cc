// SPDX-License-Identifier: Apache-2.0
//
// fake_chaincode: a chaincode executable built on FakeChaincode, for ProcessLauncher tests.
// Reads CORE_CHAINCODE_ID_NAME, CORE_PEER_ADDRESS and CORE_CHAINCODE_LAUNCH_SECRET like a real
// shim, prints a line on stdout, registers and serves:
//   put <k> <v>     PutState          get <k>     GetState, payload = value
//   sleep <ms>      sleeps, then 200  crash       exits at once with code 3 (mid-transaction)
// With FAKE_CC_NO_REGISTER=1 it connects nowhere and sleeps (a chaincode that never registers).
// Exits 1 when the stream ends.

#include <stdlib.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>
#include <thread>

#include "peer/chaincode/testing/fake_chaincode.h"

using fabric::chaincode::testing::FakeChaincode;
using fabric::chaincode::testing::MakeResponse;

int main() {
  const char* ccid = getenv("CORE_CHAINCODE_ID_NAME");
  const char* address = getenv("CORE_PEER_ADDRESS");
  if (ccid == nullptr || address == nullptr) {
    std::fprintf(stderr, "CORE_CHAINCODE_ID_NAME and CORE_PEER_ADDRESS are required\n");
    return 2;
  }
  std::printf("fake chaincode %s starting, peer %s\n", ccid, address);
  std::fflush(stdout);
  if (getenv("FAKE_CC_NO_REGISTER") != nullptr) {
    // A runtime that never registers, on purpose: the peer's launch deadline is under test.
    std::this_thread::sleep_for(std::chrono::minutes(10));
    return 0;
  }
  const char* secret = getenv("CORE_CHAINCODE_LAUNCH_SECRET");
  auto cc = FakeChaincode::Connect(address, secret == nullptr ? "" : secret);
  if (!cc.ok()) {
    std::fprintf(stderr, "connect: %s\n", cc.status().ToString().c_str());
    return 1;
  }
  (*cc)->Serve([](FakeChaincode::Tx& tx) -> fabric::StatusOr<protos::Response> {
    const auto& a = tx.args();
    std::string fn = a.empty() ? "" : a[0];
    if (fn == "put" && a.size() == 3) {
      fabric::Status st = tx.PutState(a[1], a[2]);
      if (!st.ok()) {
        return MakeResponse(500, "", std::string(st.message()));
      }
      return MakeResponse(200);
    }
    if (fn == "get" && a.size() == 2) {
      auto v = tx.GetState(a[1]);
      if (!v.ok()) {
        return MakeResponse(500, "", std::string(v.status().message()));
      }
      return MakeResponse(200, *v);
    }
    if (fn == "sleep" && a.size() == 2) {
      // A slow transaction, on purpose: tests of timeouts and of crashes mid-transaction.
      std::this_thread::sleep_for(std::chrono::milliseconds(std::stoi(a[1])));
      return MakeResponse(200);
    }
    if (fn == "crash") {
      std::fprintf(stderr, "crashing on purpose\n");
      std::fflush(stderr);
      _exit(3);
    }
    return MakeResponse(400, "", "unknown function " + fn);
  });
  fabric::Status s = (*cc)->Register(ccid);
  if (!s.ok()) {
    std::fprintf(stderr, "register: %s\n", s.ToString().c_str());
    return 1;
  }
  (*cc)->WaitClosed(std::chrono::hours(24));
  std::fprintf(stderr, "chaincode stream ended\n");
  std::fflush(stderr);
  _exit(1);  // workers may be sleeping in a transaction
}
