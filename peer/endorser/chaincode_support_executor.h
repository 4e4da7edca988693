// SPDX-License-Identifier: Apache-2.0
//
// ChaincodeSupportExecutor: the endorser's ChaincodeExecutor over the peer's ChaincodeSupport
// (peer/chaincode): Execute launches the chaincode if needed and runs INIT or TRANSACTION
// with the proposal and the endorser's simulator; the COMPLETED message's payload is the
// chaincode's Response and its chaincode_event the event. ChaincodeSupport's errors pass
// through (their text becomes the status-500 response's message).
//
// Ownership: borrows the ChaincodeSupport. Thread-safety: as ChaincodeSupport (concurrent).

#pragma once

#include "peer/chaincode/chaincode_support.h"
#include "peer/endorser/chaincode_executor.h"

namespace fabric::endorser {

class ChaincodeSupportExecutor : public ChaincodeExecutor {
 public:
  explicit ChaincodeSupportExecutor(chaincode::ChaincodeSupport& support) : support_(support) {}

  bool ParksWhileExecuting(const std::string& ccid) const override {
    return support_.GetHandler(ccid) != nullptr;  // registered: no launch to wait for
  }

  StatusOr<ExecuteResult> Execute(const ExecuteParams& params, const std::string& ccid,
                                  const protos::ChaincodeInput& input, bool init) override {
    chaincode::TxParams tx;
    tx.channel_id = params.channel_id;
    tx.tx_id = params.tx_id;
    tx.signed_proposal = params.signed_proposal;
    tx.proposal = params.proposal;
    tx.tx_simulator = params.tx_simulator;
    tx.query_executor = params.tx_simulator;
    tx.history_query_executor = params.history_query_executor;
    auto msg = support_.Execute(
        tx, ccid, input,
        init ? chaincode::ExecuteType::kInit : chaincode::ExecuteType::kTransaction);
    if (!msg.ok()) {
      return msg.status();
    }
    ExecuteResult result;
    if (!result.response.ParseFromString(msg->payload())) {
      return DataLossError("chaincode " + ccid + " sent a malformed response");
    }
    // Only an event the chaincode set (SetEvent gives it a name) goes into the action, as in
    // Fabric, where the shim sends no ChaincodeEvent otherwise.
    if (msg->has_chaincode_event() && !msg->chaincode_event().event_name().empty()) {
      result.event = msg->chaincode_event();
    }
    return result;
  }

 private:
  chaincode::ChaincodeSupport& support_;
};

}  // namespace fabric::endorser
