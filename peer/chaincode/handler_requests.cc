// SPDX-License-Identifier: Apache-2.0
//
// Handler: serving the chaincode's requests against its transaction context (Fabric's
// Handle* methods in core/chaincode/handler.go). Runs on the reader thread (point requests) or
// on worker threads (the rest); see handler.h.

#include <absl/strings/str_format.h>

#include "common/logging/logging.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "peer/chaincode/handler.h"
#include "peer/chaincode/query_iterator.h"

namespace fabric::chaincode {
namespace {

logging::Logger& Log() {
  static logging::Logger logger("chaincode");
  return logger;
}

using Msg = protos::ChaincodeMessage;

constexpr char kNoPrivateDataInInit[] = "private data APIs are not allowed in chaincode Init()";

StatusOr<ledger::QueryExecutor*> Reader(TransactionContext& ctx) {
  if (ctx.reader() == nullptr) {
    return FailedPreconditionError("no ledger context");
  }
  return ctx.reader();
}

StatusOr<ledger::TxSimulator*> Writer(TransactionContext& ctx) {
  if (ctx.tx_simulator() == nullptr) {
    return FailedPreconditionError("cannot write in a query-only transaction");
  }
  return ctx.tx_simulator();
}

}  // namespace

void Handler::HandleRequest(const protos::ChaincodeMessage& msg) {
  StatusOr<std::string> payload = InternalError("unset");
  std::shared_ptr<TransactionContext> ctx = contexts_.Get(msg.channel_id(), msg.txid());
  if (ctx == nullptr || !ctx->BeginRequest()) {
    payload = FailedPreconditionError(
        absl::StrFormat("no transaction context for %s(%s)", msg.txid(), msg.channel_id()));
  } else {
    payload = Serve(*ctx, msg);
    ctx->EndRequest();
  }
  protos::ChaincodeMessage reply;
  reply.set_txid(msg.txid());
  reply.set_channel_id(msg.channel_id());
  if (payload.ok()) {
    reply.set_type(Msg::RESPONSE);
    reply.set_payload(std::move(*payload));
  } else {
    std::string text =
        absl::StrFormat("%s failed: transaction ID: %s: %s", MessageTypeName(msg.type()),
                        msg.txid(), payload.status().message());
    FLOG_DEBUG(Log(), "ccid=%s: %s", ccid_, text);
    reply.set_type(Msg::ERROR);
    reply.set_payload(std::move(text));
  }
  (void)Send(reply);
}

StatusOr<std::string> Handler::Serve(TransactionContext& ctx, const protos::ChaincodeMessage& msg) {
  const std::string& p = msg.payload();
  switch (msg.type()) {
    case Msg::GET_STATE:
      return HandleGetState(ctx, p);
    case Msg::GET_STATE_METADATA:
      return HandleGetStateMetadata(ctx, p);
    case Msg::PUT_STATE:
      return HandlePutState(ctx, p);
    case Msg::PUT_STATE_METADATA:
      return HandlePutStateMetadata(ctx, p);
    case Msg::DEL_STATE:
      return HandleDelState(ctx, p);
    case Msg::GET_PRIVATE_DATA_HASH:
      return HandleGetPrivateDataHash(ctx, p);
    case Msg::GET_STATE_BY_RANGE:
      return HandleGetStateByRange(ctx, p);
    case Msg::QUERY_STATE_NEXT:
      return HandleQueryStateNext(ctx, p);
    case Msg::QUERY_STATE_CLOSE:
      return HandleQueryStateClose(ctx, p);
    case Msg::GET_QUERY_RESULT:
      return HandleGetQueryResult(ctx, p);
    case Msg::GET_HISTORY_FOR_KEY:
      return HandleGetHistoryForKey(ctx, p);
    case Msg::INVOKE_CHAINCODE:
      return HandleInvokeChaincode(ctx, p);
    default:
      return UnimplementedError(MessageTypeName(msg.type()) + " is not supported");
  }
}

// Private data. No chaincode defines collections on this peer (an lscc deploy with collections
// is invalid here), so every call on a collection fails, with Fabric 1.4's text and after
// Fabric's reads: a chaincode that goes on after the error has those reads endorsed. Fabric
// looks the collection up in one of two places:
//  - read access (GetState, GetStateMetadata, range and rich queries): the collection store
//    reads lscc/<cc>~collection; "collection <channel>/<cc>/<coll> could not be found".
//  - the simulator (writes, deletes, metadata writes, hash reads): lscc's chaincode info reads
//    lscc/<cc> and, for a defined chaincode, lscc/<cc>~collection; "collection config not
//    defined for chaincode [<cc>], ...".
// Both refuse first in an INIT.
Status Handler::RefusePrivateRead(TransactionContext& ctx, const std::string& collection) {
  if (ctx.init()) {
    return FailedPreconditionError(kNoPrivateDataInInit);
  }
  if (ledger::QueryExecutor* reader = ctx.reader(); reader != nullptr) {
    RETURN_IF_ERROR(reader->GetState("lscc", chaincode_name_ + "~collection").status());
  }
  return NotFoundError(absl::StrFormat("collection %s/%s/%s could not be found", ctx.channel_id(),
                                       chaincode_name_, collection));
}

Status Handler::RefusePrivateWrite(TransactionContext& ctx) {
  if (ctx.init()) {
    return FailedPreconditionError(kNoPrivateDataInInit);
  }
  if (ledger::QueryExecutor* reader = ctx.reader(); reader != nullptr) {
    ASSIGN_OR_RETURN(std::string definition, reader->GetState("lscc", chaincode_name_));
    if (!definition.empty()) {
      RETURN_IF_ERROR(reader->GetState("lscc", chaincode_name_ + "~collection").status());
    }
  }
  return NotFoundError(
      absl::StrFormat("collection config not defined for chaincode [%s], pass the collection "
                      "configuration upon chaincode definition/instantiation",
                      chaincode_name_));
}

StatusOr<std::string> Handler::HandleGetState(TransactionContext& ctx, const std::string& payload) {
  ASSIGN_OR_RETURN(auto req, protoutil::Unmarshal<protos::GetState>(payload, "GetState"));
  if (!req.collection().empty()) {
    return RefusePrivateRead(ctx, req.collection());
  }
  ASSIGN_OR_RETURN(ledger::QueryExecutor * reader, Reader(ctx));
  return reader->GetState(chaincode_name_, req.key());
}

StatusOr<std::string> Handler::HandleGetPrivateDataHash(TransactionContext& ctx,
                                                        const std::string& payload) {
  RETURN_IF_ERROR(protoutil::Unmarshal<protos::GetState>(payload, "GetState").status());
  return RefusePrivateWrite(ctx);  // the simulator's lookup, whatever the collection
}

// Fabric's checkMetadataCap, before anything else of a metadata request.
Status Handler::CheckMetadataCapability(const TransactionContext& ctx) const {
  if (options_.key_level_endorsement && !options_.key_level_endorsement(ctx.channel_id())) {
    return FailedPreconditionError("key level endorsement is not enabled");
  }
  return Status::OK();
}

StatusOr<std::string> Handler::HandleGetStateMetadata(TransactionContext& ctx,
                                                      const std::string& payload) {
  RETURN_IF_ERROR(CheckMetadataCapability(ctx));
  ASSIGN_OR_RETURN(auto req,
                   protoutil::Unmarshal<protos::GetStateMetadata>(payload, "GetStateMetadata"));
  if (!req.collection().empty()) {
    return RefusePrivateRead(ctx, req.collection());
  }
  ASSIGN_OR_RETURN(ledger::QueryExecutor * reader, Reader(ctx));
  ASSIGN_OR_RETURN(ledger::Metadata metadata, reader->GetStateMetadata(chaincode_name_, req.key()));
  protos::StateMetadataResult result;
  for (const auto& [metakey, value] : metadata) {
    auto* entry = result.add_entries();
    entry->set_metakey(metakey);
    entry->set_value(value);
  }
  return result.SerializeAsString();
}

StatusOr<std::string> Handler::HandlePutState(TransactionContext& ctx, const std::string& payload) {
  ASSIGN_OR_RETURN(auto req, protoutil::Unmarshal<protos::PutState>(payload, "PutState"));
  if (!req.collection().empty()) {
    return RefusePrivateWrite(ctx);
  }
  ASSIGN_OR_RETURN(ledger::TxSimulator * sim, Writer(ctx));
  RETURN_IF_ERROR(sim->SetState(chaincode_name_, req.key(), std::move(*req.mutable_value())));
  return std::string();
}

StatusOr<std::string> Handler::HandlePutStateMetadata(TransactionContext& ctx,
                                                      const std::string& payload) {
  RETURN_IF_ERROR(CheckMetadataCapability(ctx));
  ASSIGN_OR_RETURN(auto req,
                   protoutil::Unmarshal<protos::PutStateMetadata>(payload, "PutStateMetadata"));
  if (!req.collection().empty()) {
    return RefusePrivateWrite(ctx);
  }
  ASSIGN_OR_RETURN(ledger::TxSimulator * sim, Writer(ctx));
  ledger::Metadata metadata{{req.metadata().metakey(), req.metadata().value()}};
  RETURN_IF_ERROR(sim->SetStateMetadata(chaincode_name_, req.key(), metadata));
  return std::string();
}

StatusOr<std::string> Handler::HandleDelState(TransactionContext& ctx, const std::string& payload) {
  ASSIGN_OR_RETURN(auto req, protoutil::Unmarshal<protos::DelState>(payload, "DelState"));
  if (!req.collection().empty()) {
    return RefusePrivateWrite(ctx);
  }
  ASSIGN_OR_RETURN(ledger::TxSimulator * sim, Writer(ctx));
  RETURN_IF_ERROR(sim->DeleteState(chaincode_name_, req.key()));
  return std::string();
}

StatusOr<std::string> Handler::FirstBatch(TransactionContext& ctx,
                                          std::unique_ptr<QueryIterator> it) {
  std::string id = ctx.AddIterator(nullptr);
  bool exhausted = false;
  auto response = BuildQueryResponse(*it, id, options_.max_results_per_batch,
                                     options_.total_query_limit, &exhausted);
  if (!response.ok() || exhausted) {
    it->Close();
    ctx.CloseIterator(id);
  } else {
    ctx.PutIterator(id, std::move(it));
  }
  if (!response.ok()) {
    return response.status();
  }
  return response->SerializeAsString();
}

StatusOr<std::string> Handler::HandleGetStateByRange(TransactionContext& ctx,
                                                     const std::string& payload) {
  ASSIGN_OR_RETURN(auto req,
                   protoutil::Unmarshal<protos::GetStateByRange>(payload, "GetStateByRange"));
  if (!req.collection().empty()) {
    return RefusePrivateRead(ctx, req.collection());
  }
  ASSIGN_OR_RETURN(ledger::QueryExecutor * reader, Reader(ctx));
  if (req.metadata().empty()) {
    ASSIGN_OR_RETURN(
        auto it, reader->GetStateRangeScanIterator(chaincode_name_, req.startkey(), req.endkey()));
    return FirstBatch(ctx, std::make_unique<LedgerQueryIterator<queryresult::KV>>(std::move(it)));
  }
  // Paginated: one page, no iterator kept, bookmark in the metadata.
  ASSIGN_OR_RETURN(auto meta,
                   protoutil::Unmarshal<protos::QueryMetadata>(req.metadata(), "QueryMetadata"));
  int32_t limit = std::min<int32_t>(meta.pagesize(), options_.total_query_limit);
  const std::string& start = meta.bookmark().empty() ? req.startkey() : meta.bookmark();
  ASSIGN_OR_RETURN(auto it, reader->GetStateRangeScanIteratorWithPagination(chaincode_name_, start,
                                                                            req.endkey(), limit));
  protos::QueryResponse response;
  for (;;) {
    ASSIGN_OR_RETURN(auto next, it->Next());
    if (!next.has_value()) {
      break;
    }
    response.add_results()->set_resultbytes(next->SerializeAsString());
  }
  protos::QueryResponseMetadata rmeta;
  rmeta.set_fetched_records_count(response.results_size());
  rmeta.set_bookmark(it->GetBookmarkAndClose());
  response.set_metadata(rmeta.SerializeAsString());
  response.set_has_more(false);
  response.set_id(ctx.tx_id() + "-page");
  return response.SerializeAsString();
}

StatusOr<std::string> Handler::HandleQueryStateNext(TransactionContext& ctx,
                                                    const std::string& payload) {
  ASSIGN_OR_RETURN(auto req,
                   protoutil::Unmarshal<protos::QueryStateNext>(payload, "QueryStateNext"));
  std::unique_ptr<QueryIterator> it = ctx.TakeIterator(req.id());
  if (it == nullptr) {
    return NotFoundError("query iterator not found: " + req.id());
  }
  bool exhausted = false;
  auto response = BuildQueryResponse(*it, req.id(), options_.max_results_per_batch,
                                     options_.total_query_limit, &exhausted);
  if (!response.ok() || exhausted) {
    it->Close();
  } else {
    ctx.PutIterator(req.id(), std::move(it));
  }
  if (!response.ok()) {
    return response.status();
  }
  return response->SerializeAsString();
}

StatusOr<std::string> Handler::HandleQueryStateClose(TransactionContext& ctx,
                                                     const std::string& payload) {
  ASSIGN_OR_RETURN(auto req,
                   protoutil::Unmarshal<protos::QueryStateClose>(payload, "QueryStateClose"));
  ctx.CloseIterator(req.id());  // unknown ids are fine, as in Fabric
  protos::QueryResponse response;
  response.set_has_more(false);
  response.set_id(req.id());
  return response.SerializeAsString();
}

StatusOr<std::string> Handler::HandleGetQueryResult(TransactionContext& ctx,
                                                    const std::string& payload) {
  ASSIGN_OR_RETURN(auto req,
                   protoutil::Unmarshal<protos::GetQueryResult>(payload, "GetQueryResult"));
  if (!req.collection().empty()) {
    return RefusePrivateRead(ctx, req.collection());
  }
  ASSIGN_OR_RETURN(ledger::QueryExecutor * reader, Reader(ctx));
  ASSIGN_OR_RETURN(auto it, reader->ExecuteQuery(chaincode_name_, req.query()));
  return FirstBatch(ctx, std::make_unique<LedgerQueryIterator<queryresult::KV>>(std::move(it)));
}

StatusOr<std::string> Handler::HandleGetHistoryForKey(TransactionContext& ctx,
                                                      const std::string& payload) {
  ASSIGN_OR_RETURN(auto req,
                   protoutil::Unmarshal<protos::GetHistoryForKey>(payload, "GetHistoryForKey"));
  ledger::HistoryQueryExecutor* history = ctx.params().history_query_executor;
  if (history == nullptr) {
    return FailedPreconditionError("history database is not available");
  }
  ASSIGN_OR_RETURN(auto it, history->GetHistoryForKey(chaincode_name_, req.key()));
  return FirstBatch(
      ctx, std::make_unique<LedgerQueryIterator<queryresult::KeyModification>>(std::move(it)));
}

StatusOr<std::string> Handler::HandleInvokeChaincode(TransactionContext& ctx,
                                                     const std::string& payload) {
  ASSIGN_OR_RETURN(auto spec,
                   protoutil::Unmarshal<protos::ChaincodeSpec>(payload, "ChaincodeSpec"));
  ASSIGN_OR_RETURN(protos::ChaincodeMessage response, invoker_.InvokeChaincode(ctx, spec));
  return response.SerializeAsString();
}

}  // namespace fabric::chaincode
