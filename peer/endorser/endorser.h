// SPDX-License-Identifier: Apache-2.0
//
// Endorser: Fabric 1.4's ProcessProposal (core/endorser/endorser.go), transport-independent.
//
//   validate (msg_validation.h) -> refuse SCCs not invokable externally -> [channel set]
//   duplicate txid (ledger) -> ACL peer/Propose (Writers) for user chaincode -> TxSimulator +
//   HistoryQueryExecutor (not for cscc/qscc) -> simulate -> endorse (ESCC).
//
// Simulation: a system chaincode runs in-process through an SccStub over the simulator; a user
// chaincode's ChaincodeData is read from lscc's namespace, it must be installed here with a
// matching instantiation policy, then the ChaincodeExecutor runs TRANSACTION. lscc
// deploy/upgrade is followed by the new chaincode's INIT under the same simulator, so one
// read-write set holds both.
//
// Results, as Fabric 1.4 transports them:
//   - error Status (the service sends it as gRPC UNKNOWN with the message): expired identity,
//     validation failures, a system chaincode not invokable externally, duplicate txid, ACL;
//   - ProposalResponse{response{500, message}}: simulation failures (chaincode not
//     instantiated or not installed, launch/execute errors, Init failure, ledger errors);
//   - chaincode status >= 500: {response, payload} without endorsement; 400-499: {response};
//   - chainless: {response}; otherwise endorsed {version 1, response, payload, endorsement}.
//
// Ownership: borrows every dependency; they must outlive the Endorser.
// Thread-safety: ProcessProposal may be called concurrently.

#pragma once

#include <chrono>
#include <functional>
#include <string>

#include "common/msp/msp.h"
#include "common/msp/signing_identity.h"
#include "fabric/base/status.h"
#include "peer/endorser/chaincode_executor.h"
#include "peer/endorser/msg_validation.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"
#include "peer/scc/acl.h"
#include "peer/scc/channel_resources.h"
#include "peer/scc/package_store.h"
#include "peer/scc/registry.h"

namespace fabric::endorser {

class Endorser {
 public:
  struct Options {
    // Version reported for system chaincodes in ChaincodeAction.chaincode_id (Fabric: the peer
    // version).
    std::string scc_version = "1.4.12";
    // Current time for the expiration check; empty: system_clock::now.
    std::function<std::chrono::system_clock::time_point()> clock;
  };

  struct Deps {
    scc::ChannelResources& channels;
    const scc::Registry& sccs;
    const scc::AclProvider& acl;
    const scc::PackageStore& packages;
    const msp::Msp& local_msp;
    const msp::SigningIdentity& signer;
    ChaincodeExecutor& executor;
  };

  Endorser(Options options, Deps deps) : options_(std::move(options)), d_(deps) {}

  // Processes one proposal; see the header comment for what comes back how.
  StatusOr<protos::ProposalResponse> ProcessProposal(const protos::SignedProposal& signed_proposal);

 private:
  struct SimResult {
    std::string version;  // of the chaincode that ran
    protos::Response response;
    std::string events;  // marshalled ChaincodeEvent, or empty
  };
  // Steps before simulation; errors are returned to the client as gRPC errors. `v` must come
  // from ValidateProposalMessage(sp): the ACL check relies on its signature verification.
  Status PreProcess(const protos::SignedProposal& sp, const ValidatedProposal& v);
  StatusOr<protos::ProposalResponse> SimulateAndEndorse(const protos::SignedProposal& sp,
                                                        const ValidatedProposal& v);
  StatusOr<SimResult> Simulate(const ExecuteParams& params, const ValidatedProposal& v,
                               const protos::ChaincodeInput& input);
  StatusOr<SimResult> RunSystemChaincode(const scc::SystemChaincode& scc,
                                         const ExecuteParams& params,
                                         const protos::ChaincodeInput& input);
  // lscc deploy/upgrade: INIT of the deployed chaincode under the same simulator.
  Status DeployInit(const ExecuteParams& params, const protos::ChaincodeInput& lscc_input);

  const Options options_;
  const Deps d_;
};

// Response{500, message}.
protos::ProposalResponse ErrorProposalResponse(std::string_view message);

}  // namespace fabric::endorser
