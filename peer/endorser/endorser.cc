// SPDX-License-Identifier: Apache-2.0
#include "peer/endorser/endorser.h"

#include <absl/strings/str_format.h>

#include "common/crypto/hash.h"
#include "common/logging/logging.h"
#include "common/protoutil/signed_data.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/fiber.h"
#include "fabric/base/status_macros.h"
#include "peer/scc/escc.h"
#include "peer/scc/lscc.h"
#include "peer/scc/scc_stub.h"

namespace fabric::endorser {
namespace {

constexpr char kShuttingDown[] = "peer is shutting down";

logging::Logger& Log() {
  static logging::Logger* log = new logging::Logger("endorser");
  return *log;
}

std::string ShortTxId(const std::string& txid) { return txid.substr(0, 8); }

bool IsDeployOrUpgrade(const std::string& name, const protos::ChaincodeInput& input) {
  return name == scc::kLscc && input.args_size() >= 3 &&
         (input.args(0) == "deploy" || input.args(0) == "upgrade");
}

}  // namespace

protos::ProposalResponse ErrorProposalResponse(std::string_view message) {
  protos::ProposalResponse out;
  out.mutable_response()->set_status(500);
  out.mutable_response()->set_message(std::string(message));
  return out;
}

StatusOr<protos::ProposalResponse> Endorser::ProcessProposal(
    const protos::SignedProposal& signed_proposal) {
  auto now = options_.clock ? options_.clock() : std::chrono::system_clock::now();
  RETURN_IF_ERROR(CheckExpiration(signed_proposal, now));
  std::shared_ptr<const channelconfig::Bundle> bundle;
  auto deserializer_for = [&](const std::string& channel) -> const msp::IdentityDeserializer* {
    if (channel.empty()) {
      return &d_.local_msp;
    }
    bundle = d_.channels.GetBundle(channel);
    return bundle ? &bundle->msp_manager() : nullptr;
  };
  auto validated = ValidateProposalMessage(signed_proposal, deserializer_for);
  if (!validated.ok()) {
    FLOG_WARN(Log(), "proposal refused: %s", validated.status().message());
    return validated.status();
  }
  Status s = PreProcess(signed_proposal, *validated);
  if (!s.ok()) {
    FLOG_WARN(Log(), "[%s][%s] proposal refused: %s", validated->channel_header.channel_id(),
              ShortTxId(validated->channel_header.tx_id()), s.message());
    return s;
  }
  return SimulateAndEndorse(signed_proposal, *validated);
}

Status Endorser::PreProcess(const protos::SignedProposal& sp, const ValidatedProposal& v) {
  const std::string& name = v.extension.chaincode_id().name();
  if (d_.sccs.IsSysCCAndNotInvokableExternal(name) || name == scc::kEscc || name == scc::kVscc) {
    return PermissionDeniedError(
        absl::StrFormat("chaincode %s cannot be invoked through a proposal", name));
  }
  const std::string& channel = v.channel_header.channel_id();
  if (channel.empty()) {
    return Status::OK();
  }
  ledger::KvLedger* ledger = d_.channels.GetLedger(channel);
  if (ledger == nullptr) {
    return NotFoundError(absl::StrFormat("channel [%s] not found", channel));
  }
  // A ledger that stopped committing would have this peer endorse on state the channel has
  // left behind: every such endorsement would mismatch or fail MVCC.
  RETURN_IF_ERROR(ledger->CommitHealth());
  const std::string& txid = v.channel_header.tx_id();
  auto exists = ledger->TxIdExists(txid);
  if (!exists.ok()) {
    return exists.status().Annotate("failed to check txid " + txid);
  }
  if (*exists) {
    return AlreadyExistsError(absl::StrFormat("duplicate transaction found [%s]. Creator [%s]",
                                              txid,
                                              crypto::HexEncode(v.signature_header.creator())));
  }
  if (!d_.sccs.IsSysCC(name)) {
    // ValidateProposalMessage verified this very signature with this creator: the Writers
    // policy need not verify it again (protoutil/signed_data.h).
    protoutil::SignedData proposal_signature{sp.proposal_bytes(), v.signature_header.creator(),
                                             sp.signature(), /*signature_verified=*/true};
    RETURN_IF_ERROR(d_.acl.CheckACL(scc::resources::kPeerPropose, channel, proposal_signature));
  }
  return Status::OK();
}

StatusOr<protos::ProposalResponse> Endorser::SimulateAndEndorse(const protos::SignedProposal& sp,
                                                                const ValidatedProposal& v) {
  const std::string& channel = v.channel_header.channel_id();
  const std::string& txid = v.channel_header.tx_id();
  const std::string& name = v.extension.chaincode_id().name();
  const scc::SystemChaincode* system = d_.sccs.Lookup(name);

  std::unique_ptr<ledger::TxSimulator> txsim;
  std::unique_ptr<ledger::HistoryQueryExecutor> history;
  if (!channel.empty() && (system == nullptr || system->uses_simulator)) {
    ledger::KvLedger* ledger = d_.channels.GetLedger(channel);
    if (ledger == nullptr) {
      return ErrorProposalResponse("channel " + channel + " not found");
    }
    txsim = ledger->NewTxSimulator(txid);
    auto h = ledger->NewHistoryQueryExecutor();
    if (!h.ok()) {
      return ErrorProposalResponse(h.status().message());
    }
    history = std::move(h).value();
  }
  ExecuteParams params{channel, txid, &sp, &v.proposal, txsim.get(), history.get()};

  auto payload = protoutil::Unmarshal<protos::ChaincodeProposalPayload>(v.proposal.payload(),
                                                                        "proposal payload");
  StatusOr<protos::ChaincodeInvocationSpec> cis =
      payload.ok() ? protoutil::Unmarshal<protos::ChaincodeInvocationSpec>(payload->input(),
                                                                           "invocation spec")
                   : StatusOr<protos::ChaincodeInvocationSpec>(payload.status());
  if (!cis.ok()) {
    return ErrorProposalResponse(cis.status().message());
  }
  auto sim = Simulate(params, v, cis->chaincode_spec().input());
  std::string results;
  if (sim.ok() && txsim != nullptr) {
    auto rwset = txsim->GetTxSimulationResults();
    if (!rwset.ok()) {
      sim = rwset.status();
    } else {
      results = protoutil::Marshal(*rwset);
    }
  }
  if (txsim != nullptr) {
    txsim->Done();
  }
  if (!sim.ok()) {
    FLOG_WARN(Log(), "[%s][%s] simulation of %s failed: %s", channel, ShortTxId(txid), name,
              sim.status().message());
    return ErrorProposalResponse(sim.status().message());
  }
  protos::ChaincodeID ccid;
  ccid.set_name(name);
  ccid.set_version(sim->version);
  if (sim->response.status() >= 500) {
    FLOG_WARN(Log(), "[%s][%s] chaincode %s returned status %d: %s", channel, ShortTxId(txid), name,
              sim->response.status(), sim->response.message());
    // As Fabric: a failure names the chaincode as the proposal's header did (no version).
    auto failure =
        scc::CreateProposalResponseFailure(v.header, v.proposal.payload(), sim->response, results,
                                           sim->events, v.extension.chaincode_id());
    return failure.ok() ? *failure : ErrorProposalResponse(failure.status().message());
  }
  if (channel.empty()) {
    protos::ProposalResponse out;
    *out.mutable_response() = sim->response;
    return out;
  }
  auto endorsed = scc::Endorse(v.header, v.proposal.payload(), sim->response, results, sim->events,
                               ccid, d_.signer);
  if (!endorsed.ok()) {
    return ErrorProposalResponse(endorsed.status().message());
  }
  return endorsed;
}

StatusOr<Endorser::SimResult> Endorser::Simulate(const ExecuteParams& params,
                                                 const ValidatedProposal& v,
                                                 const protos::ChaincodeInput& input) {
  const std::string& name = v.extension.chaincode_id().name();
  if (const scc::SystemChaincode* system = d_.sccs.Lookup(name)) {
    // System chaincodes may write files, open ledgers, launch chaincodes (lscc deploy).
    if (!MoveToBlockingPool()) {
      return UnavailableError(kShuttingDown);
    }
    ASSIGN_OR_RETURN(SimResult result, RunSystemChaincode(*system, params, input));
    if (result.response.status() < 400 && IsDeployOrUpgrade(name, input)) {
      RETURN_IF_ERROR(DeployInit(params, input));
    }
    return result;
  }
  if (params.tx_simulator == nullptr) {
    return FailedPreconditionError(absl::StrFormat(
        "could not get definition for chaincode %s without a ledger context", name));
  }
  auto cd = scc::GetChaincodeData(*params.tx_simulator, name);
  if (!cd.ok()) {
    return cd.status().Annotate(absl::StrFormat(
        "make sure the chaincode %s has been successfully instantiated and try again", name));
  }
  const std::string ccid = name + ":" + cd->version();
  if (!d_.executor.ParksWhileExecuting(ccid) && !MoveToBlockingPool()) {
    return UnavailableError(kShuttingDown);
  }
  RETURN_IF_ERROR(scc::CheckInstalledInstantiationPolicy(d_.packages, *cd));
  ASSIGN_OR_RETURN(ExecuteResult exec, d_.executor.Execute(params, ccid, input, false));
  SimResult result{cd->version(), std::move(exec.response), {}};
  if (exec.event) {
    result.events = protoutil::Marshal(*exec.event);
  }
  return result;
}

StatusOr<Endorser::SimResult> Endorser::RunSystemChaincode(const scc::SystemChaincode& system,
                                                           const ExecuteParams& params,
                                                           const protos::ChaincodeInput& input) {
  scc::SccContext ctx{
      params.channel_id,   params.tx_id, params.signed_proposal,       params.proposal,
      params.tx_simulator, nullptr,      params.history_query_executor};
  scc::SccResult r = scc::InvokeInProcess(system, ctx, input);
  SimResult result;
  result.version = options_.scc_version;
  result.response.set_status(r.response.status);
  result.response.set_message(r.response.message);
  result.response.set_payload(r.response.payload);
  if (r.event) {
    protos::ChaincodeEvent event = *r.event;
    event.set_chaincode_id(system.name);
    event.set_tx_id(params.tx_id);
    result.events = protoutil::Marshal(event);
  }
  return result;
}

Status Endorser::DeployInit(const ExecuteParams& params, const protos::ChaincodeInput& lscc_input) {
  ASSIGN_OR_RETURN(auto cds, protoutil::Unmarshal<protos::ChaincodeDeploymentSpec>(
                                 lscc_input.args(2), "deployment spec"));
  const protos::ChaincodeID& id = cds.chaincode_spec().chaincode_id();
  if (d_.sccs.IsSysCC(id.name())) {
    return InvalidArgumentError(absl::StrFormat("attempting to deploy a system chaincode %s/%s",
                                                id.name(), params.channel_id));
  }
  protos::ChaincodeInput input = cds.chaincode_spec().input();
  ASSIGN_OR_RETURN(ExecuteResult exec,
                   d_.executor.Execute(params, id.name() + ":" + id.version(), input, true));
  if (exec.response.status() >= 400) {
    return UnknownError(
        absl::StrFormat("transaction returned with failure: %s", exec.response.message()));
  }
  return Status::OK();
}

}  // namespace fabric::endorser
