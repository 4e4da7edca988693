// SPDX-License-Identifier: Apache-2.0
//
// ChaincodeExecutor: how the endorser runs a user chaincode (Fabric's endorser Support.Execute /
// ExecuteLegacyInit). The peer implements it with ChaincodeSupport
// (chaincode_support_executor.h): launch if needed, send TRANSACTION or INIT, serve the
// chaincode's requests against the simulator, wait for COMPLETED/ERROR with the execute
// timeout. Tests use fakes.
//
// Thread-safety: implementations must allow concurrent Execute calls.

#pragma once

#include <optional>
#include <string>

#include "fabric/base/status.h"
#include "peer/chaincode.pb.h"
#include "peer/chaincode_event.pb.h"
#include "peer/ledger/kv_ledger.h"
#include "peer/ledger/tx_simulator.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"

namespace fabric::endorser {

// What one execution runs against; pointers are borrowed for the call, any may be null
// (no simulator: read-only).
struct ExecuteParams {
  std::string channel_id;
  std::string tx_id;
  const protos::SignedProposal* signed_proposal = nullptr;
  const protos::Proposal* proposal = nullptr;
  ledger::TxSimulator* tx_simulator = nullptr;
  ledger::HistoryQueryExecutor* history_query_executor = nullptr;
};

struct ExecuteResult {
  protos::Response response;
  std::optional<protos::ChaincodeEvent> event;
};

class ChaincodeExecutor {
 public:
  virtual ~ChaincodeExecutor() = default;
  // Runs chaincode `ccid` ("name:version") with `input`, INIT when `init`, else TRANSACTION.
  // Returns the chaincode's response (any status) and event. Errors (launch failure, execute
  // timeout, chaincode ERROR "transaction returned with failure: ...") become the message of
  // the endorser's status-500 response.
  virtual StatusOr<ExecuteResult> Execute(const ExecuteParams& params, const std::string& ccid,
                                          const protos::ChaincodeInput& input, bool init) = 0;
  // True when Execute of `ccid` would not block its thread: run in a FiberTask, it parks while
  // the chaincode works (ChaincodeSupport with the chaincode registered). Otherwise (a launch,
  // an executor that waits on its thread) the endorser first moves the proposal off the thread
  // that serves others (fabric::MoveToBlockingPool).
  virtual bool ParksWhileExecuting(const std::string& ccid) const {
    (void)ccid;
    return false;
  }
};

}  // namespace fabric::endorser
