// SPDX-License-Identifier: Apache-2.0

#include "src/peer_stub.h"

#include <utility>

#include "fabric/base/status_macros.h"
#include "peer/chaincode.pb.h"
#include "peer/proposal_response.pb.h"
#include "src/peer_iterator.h"

namespace fabric::shim::internal {

using protos::ChaincodeMessage;

StatusOr<std::string> TxContext::Request(ChaincodeMessage::Type type, const std::string& payload) {
  const std::string& type_name = ChaincodeMessage::Type_Name(type);
  if (done.load()) {
    return FailedPreconditionError(type_name + " txid=" + txid + ": transaction already completed");
  }
  ChaincodeMessage msg;
  msg.set_type(type);
  msg.set_payload(payload);
  msg.set_txid(txid);
  msg.set_channel_id(channel_id);
  StatusOr<ChaincodeMessage> reply = caller.Call(msg);
  if (!reply.ok()) {
    return reply.status().Annotate(type_name + " txid=" + txid);
  }
  if (reply->type() == ChaincodeMessage::RESPONSE) {
    return std::move(*reply->mutable_payload());
  }
  if (reply->type() == ChaincodeMessage::ERROR) {
    return UnknownError(reply->payload());  // The peer's message, verbatim.
  }
  return InternalError(type_name + " txid=" + txid + ": incorrect chaincode message " +
                       ChaincodeMessage::Type_Name(reply->type()) +
                       " received, expecting RESPONSE or ERROR");
}

PeerChaincodeStub::PeerChaincodeStub(std::shared_ptr<TxContext> tx, std::vector<std::string> args,
                                     BytesMap decorations, ProposalContext proposal)
    : tx_(std::move(tx)),
      args_(std::move(args)),
      decorations_(std::move(decorations)),
      proposal_(std::move(proposal)) {}

StatusOr<std::unique_ptr<PeerChaincodeStub>> PeerChaincodeStub::Create(PeerCaller& caller,
                                                                       ChaincodeMessage& msg) {
  protos::ChaincodeInput input;
  if (!input.ParseFromString(msg.payload())) {
    return InvalidArgumentError("failed to unmarshal input");
  }
  ProposalContext proposal;
  if (msg.has_proposal()) {
    ASSIGN_OR_RETURN(proposal, ParseSignedProposal(std::move(*msg.mutable_proposal())));
  }
  std::vector<std::string> args(input.args().begin(), input.args().end());
  BytesMap decorations(input.decorations().begin(), input.decorations().end());
  auto tx = std::make_shared<TxContext>(caller, msg.channel_id(), msg.txid());
  return std::unique_ptr<PeerChaincodeStub>(new PeerChaincodeStub(
      std::move(tx), std::move(args), std::move(decorations), std::move(proposal)));
}

StatusOr<protos::SignedProposal> PeerChaincodeStub::GetSignedProposal() const {
  if (!proposal_.signed_proposal) {
    return NotFoundError("transaction carries no signed proposal");
  }
  return *proposal_.signed_proposal;
}

StatusOr<google::protobuf::Timestamp> PeerChaincodeStub::GetTxTimestamp() const {
  if (!proposal_.timestamp) {
    return NotFoundError("transaction carries no signed proposal, so no timestamp");
  }
  return *proposal_.timestamp;
}

StatusOr<std::string> PeerChaincodeStub::DoGetState(std::string_view collection,
                                                    std::string_view key) {
  protos::GetState req;
  req.set_key(std::string(key));
  req.set_collection(std::string(collection));
  return tx_->Request(ChaincodeMessage::GET_STATE, req.SerializeAsString());
}

StatusOr<std::string> PeerChaincodeStub::DoGetPrivateDataHash(std::string_view collection,
                                                              std::string_view key) {
  protos::GetState req;
  req.set_key(std::string(key));
  req.set_collection(std::string(collection));
  return tx_->Request(ChaincodeMessage::GET_PRIVATE_DATA_HASH, req.SerializeAsString());
}

Status PeerChaincodeStub::DoPutState(std::string_view collection, std::string_view key,
                                     std::string_view value) {
  protos::PutState req;
  req.set_key(std::string(key));
  req.set_value(std::string(value));
  req.set_collection(std::string(collection));
  return tx_->Request(ChaincodeMessage::PUT_STATE, req.SerializeAsString()).status();
}

Status PeerChaincodeStub::DoDelState(std::string_view collection, std::string_view key) {
  protos::DelState req;
  req.set_key(std::string(key));
  req.set_collection(std::string(collection));
  return tx_->Request(ChaincodeMessage::DEL_STATE, req.SerializeAsString()).status();
}

StatusOr<BytesMap> PeerChaincodeStub::DoGetStateMetadata(std::string_view collection,
                                                         std::string_view key) {
  protos::GetStateMetadata req;
  req.set_key(std::string(key));
  req.set_collection(std::string(collection));
  ASSIGN_OR_RETURN(std::string payload,
                   tx_->Request(ChaincodeMessage::GET_STATE_METADATA, req.SerializeAsString()));
  protos::StateMetadataResult result;
  if (!result.ParseFromString(payload)) {
    return DataLossError("GET_STATE_METADATA txid=" + tx_->txid +
                         ": could not unmarshal metadata response");
  }
  BytesMap out;
  for (const protos::StateMetadata& md : result.entries()) {
    out[md.metakey()] = md.value();
  }
  return out;
}

Status PeerChaincodeStub::DoPutStateMetadata(std::string_view collection, std::string_view key,
                                             std::string_view metakey, std::string_view value) {
  protos::PutStateMetadata req;
  req.set_key(std::string(key));
  req.set_collection(std::string(collection));
  req.mutable_metadata()->set_metakey(std::string(metakey));
  req.mutable_metadata()->set_value(std::string(value));
  return tx_->Request(ChaincodeMessage::PUT_STATE_METADATA, req.SerializeAsString()).status();
}

StatusOr<PagedStateQuery> PeerChaincodeStub::MakeStateQuery(const char* what,
                                                            const std::string& payload) {
  protos::QueryResponse response;
  if (!response.ParseFromString(payload)) {
    return DataLossError(std::string(what) + " txid=" + tx_->txid +
                         ": peer sent a QueryResponse that does not parse");
  }
  PagedStateQuery q;
  if (!q.metadata.ParseFromString(response.metadata())) {
    return DataLossError(std::string(what) + " txid=" + tx_->txid +
                         ": peer sent QueryResponseMetadata that does not parse");
  }
  q.iterator = std::make_unique<PeerQueryIterator<queryresult::KV>>(tx_, std::move(response));
  return q;
}

StatusOr<PagedStateQuery> PeerChaincodeStub::DoGetStateByRange(
    std::string_view collection, std::string_view start_key, std::string_view end_key,
    const std::optional<protos::QueryMetadata>& paging) {
  protos::GetStateByRange req;
  req.set_startkey(std::string(start_key));
  req.set_endkey(std::string(end_key));
  req.set_collection(std::string(collection));
  if (paging) {
    req.set_metadata(paging->SerializeAsString());
  }
  ASSIGN_OR_RETURN(std::string payload,
                   tx_->Request(ChaincodeMessage::GET_STATE_BY_RANGE, req.SerializeAsString()));
  return MakeStateQuery("GET_STATE_BY_RANGE", payload);
}

StatusOr<PagedStateQuery> PeerChaincodeStub::DoGetQueryResult(
    std::string_view collection, std::string_view query,
    const std::optional<protos::QueryMetadata>& paging) {
  protos::GetQueryResult req;
  req.set_query(std::string(query));
  req.set_collection(std::string(collection));
  if (paging) {
    req.set_metadata(paging->SerializeAsString());
  }
  ASSIGN_OR_RETURN(std::string payload,
                   tx_->Request(ChaincodeMessage::GET_QUERY_RESULT, req.SerializeAsString()));
  return MakeStateQuery("GET_QUERY_RESULT", payload);
}

StatusOr<std::unique_ptr<HistoryQueryIterator>> PeerChaincodeStub::DoGetHistoryForKey(
    std::string_view key) {
  protos::GetHistoryForKey req;
  req.set_key(std::string(key));
  ASSIGN_OR_RETURN(std::string payload,
                   tx_->Request(ChaincodeMessage::GET_HISTORY_FOR_KEY, req.SerializeAsString()));
  protos::QueryResponse response;
  if (!response.ParseFromString(payload)) {
    return DataLossError("GET_HISTORY_FOR_KEY txid=" + tx_->txid +
                         ": peer sent a QueryResponse that does not parse");
  }
  return std::unique_ptr<HistoryQueryIterator>(
      std::make_unique<PeerQueryIterator<queryresult::KeyModification>>(tx_, std::move(response)));
}

Response PeerChaincodeStub::DoInvokeChaincode(const std::string& target,
                                              const std::vector<std::string>& args) {
  protos::ChaincodeSpec spec;
  spec.mutable_chaincode_id()->set_name(target);
  for (const std::string& a : args) {
    spec.mutable_input()->add_args(a);
  }
  StatusOr<std::string> payload =
      tx_->Request(ChaincodeMessage::INVOKE_CHAINCODE, spec.SerializeAsString());
  // Failures are status 500 with the reason as the payload and no message, as Fabric's Go shim
  // answers them: a chaincode's response (and so the endorsement) does not depend on the shim.
  const auto failed = [](std::string reason) { return Response{kError, {}, std::move(reason)}; };
  if (!payload.ok()) {
    return failed(std::string(payload.status().message()));
  }
  // The peer wraps the callee's COMPLETED or ERROR message; for anything but COMPLETED the Go
  // shim hands back the wrapped message as it came.
  ChaincodeMessage inner;
  if (!inner.ParseFromString(*payload)) {
    return failed("INVOKE_CHAINCODE " + target + ": peer reply does not parse as ChaincodeMessage");
  }
  if (inner.type() != ChaincodeMessage::COMPLETED) {
    return failed(std::move(*payload));
  }
  protos::Response response;
  if (!response.ParseFromString(inner.payload())) {
    return failed("INVOKE_CHAINCODE " + target + ": callee response does not parse");
  }
  return Response{response.status(), response.message(), response.payload()};
}

}  // namespace fabric::shim::internal
