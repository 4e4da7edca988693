// SPDX-License-Identifier: Apache-2.0
#include "peer/scc/scc_stub.h"

#include <absl/strings/str_format.h>

#include "common/crypto/hash.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"

namespace fabric::scc {
namespace {

// Results read eagerly, served from memory.
template <typename T>
class VectorIterator : public shim::QueryIterator<T> {
 public:
  explicit VectorIterator(std::vector<T> items) : items_(std::move(items)) {}
  bool HasNext() const override { return next_ < items_.size(); }
  StatusOr<T> Next() override {
    if (next_ >= items_.size()) {
      return OutOfRangeError("no more results");
    }
    return items_[next_++];
  }
  Status Close() override { return Status::OK(); }

 private:
  std::vector<T> items_;
  size_t next_ = 0;
};

template <typename T>
StatusOr<std::vector<T>> Drain(ledger::ResultsIterator<T>& it) {
  std::vector<T> out;
  for (;;) {
    ASSIGN_OR_RETURN(std::optional<T> next, it.Next());
    if (!next) {
      break;
    }
    out.push_back(std::move(*next));
  }
  it.Close();
  return out;
}

}  // namespace

SccStub::SccStub(std::string ns, const SccContext& context, std::vector<std::string> args,
                 shim::BytesMap decorations)
    : ns_(std::move(ns)),
      context_(context),
      args_(std::move(args)),
      decorations_(std::move(decorations)) {}

Status SccStub::ParseHeaders() const {
  if (parsed_) {
    return parse_status_;
  }
  parsed_ = true;
  if (context_.proposal == nullptr) {
    parse_status_ = NotFoundError("the transaction carries no proposal");
    return parse_status_;
  }
  auto header = protoutil::Unmarshal<common::Header>(context_.proposal->header(), "header");
  if (!header.ok()) {
    parse_status_ = header.status();
    return parse_status_;
  }
  auto chdr =
      protoutil::Unmarshal<common::ChannelHeader>(header->channel_header(), "channel header");
  auto shdr =
      protoutil::Unmarshal<common::SignatureHeader>(header->signature_header(), "signature header");
  if (!chdr.ok()) {
    parse_status_ = chdr.status();
  } else if (!shdr.ok()) {
    parse_status_ = shdr.status();
  } else {
    channel_header_ = std::move(chdr).value();
    signature_header_ = std::move(shdr).value();
  }
  return parse_status_;
}

StatusOr<std::string> SccStub::GetCreator() const {
  if (context_.proposal == nullptr) {
    return std::string();
  }
  RETURN_IF_ERROR(ParseHeaders());
  return signature_header_.creator();
}

StatusOr<shim::BytesMap> SccStub::GetTransient() const {
  if (context_.proposal == nullptr) {
    return shim::BytesMap();
  }
  ASSIGN_OR_RETURN(auto payload, protoutil::Unmarshal<protos::ChaincodeProposalPayload>(
                                     context_.proposal->payload(), "proposal payload"));
  return shim::BytesMap(payload.transientmap().begin(), payload.transientmap().end());
}

StatusOr<std::string> SccStub::GetBinding() const {
  if (context_.proposal == nullptr) {
    return std::string();
  }
  RETURN_IF_ERROR(ParseHeaders());
  std::string data = signature_header_.nonce() + signature_header_.creator();
  uint64_t epoch = channel_header_.epoch();
  for (int i = 0; i < 8; ++i) {
    data.push_back(static_cast<char>((epoch >> (8 * i)) & 0xff));
  }
  return crypto::Sha256(data);
}

StatusOr<protos::SignedProposal> SccStub::GetSignedProposal() const {
  if (context_.signed_proposal == nullptr) {
    return NotFoundError("the transaction carries no signed proposal");
  }
  return *context_.signed_proposal;
}

StatusOr<google::protobuf::Timestamp> SccStub::GetTxTimestamp() const {
  RETURN_IF_ERROR(ParseHeaders());
  return channel_header_.timestamp();
}

Status SccStub::CheckPublic(std::string_view collection) const {
  if (!collection.empty()) {
    return UnimplementedError("private data is not supported by system chaincodes");
  }
  return Status::OK();
}

StatusOr<std::string> SccStub::DoGetState(std::string_view collection, std::string_view key) {
  RETURN_IF_ERROR(CheckPublic(collection));
  if (reader() == nullptr) {
    return FailedPreconditionError("no ledger context for GetState");
  }
  return reader()->GetState(ns_, std::string(key));
}

StatusOr<std::string> SccStub::DoGetPrivateDataHash(std::string_view, std::string_view) {
  return UnimplementedError("private data is not supported by system chaincodes");
}

Status SccStub::DoPutState(std::string_view collection, std::string_view key,
                           std::string_view value) {
  RETURN_IF_ERROR(CheckPublic(collection));
  if (context_.tx_simulator == nullptr) {
    return FailedPreconditionError("no transaction simulator for PutState");
  }
  return context_.tx_simulator->SetState(ns_, std::string(key), std::string(value));
}

Status SccStub::DoDelState(std::string_view collection, std::string_view key) {
  RETURN_IF_ERROR(CheckPublic(collection));
  if (context_.tx_simulator == nullptr) {
    return FailedPreconditionError("no transaction simulator for DelState");
  }
  return context_.tx_simulator->DeleteState(ns_, std::string(key));
}

StatusOr<shim::BytesMap> SccStub::DoGetStateMetadata(std::string_view collection,
                                                     std::string_view key) {
  RETURN_IF_ERROR(CheckPublic(collection));
  if (reader() == nullptr) {
    return FailedPreconditionError("no ledger context for GetStateMetadata");
  }
  return reader()->GetStateMetadata(ns_, std::string(key));
}

Status SccStub::DoPutStateMetadata(std::string_view collection, std::string_view key,
                                   std::string_view metakey, std::string_view value) {
  RETURN_IF_ERROR(CheckPublic(collection));
  if (context_.tx_simulator == nullptr) {
    return FailedPreconditionError("no transaction simulator for PutStateMetadata");
  }
  ASSIGN_OR_RETURN(ledger::Metadata md,
                   context_.tx_simulator->GetStateMetadata(ns_, std::string(key)));
  md[std::string(metakey)] = std::string(value);
  return context_.tx_simulator->SetStateMetadata(ns_, std::string(key), md);
}

StatusOr<shim::PagedStateQuery> SccStub::DoGetStateByRange(
    std::string_view collection, std::string_view start_key, std::string_view end_key,
    const std::optional<protos::QueryMetadata>& paging) {
  RETURN_IF_ERROR(CheckPublic(collection));
  if (reader() == nullptr) {
    return FailedPreconditionError("no ledger context for GetStateByRange");
  }
  std::unique_ptr<ledger::QueryResultsIterator> it;
  if (paging) {
    std::string start = paging->bookmark().empty() ? std::string(start_key) : paging->bookmark();
    ASSIGN_OR_RETURN(it, reader()->GetStateRangeScanIteratorWithPagination(
                             ns_, start, std::string(end_key), paging->pagesize()));
  } else {
    ASSIGN_OR_RETURN(
        it, reader()->GetStateRangeScanIterator(ns_, std::string(start_key), std::string(end_key)));
  }
  ASSIGN_OR_RETURN(std::vector<queryresult::KV> kvs, Drain(*it));
  shim::PagedStateQuery out;
  out.metadata.set_fetched_records_count(static_cast<int32_t>(kvs.size()));
  if (paging) {
    out.metadata.set_bookmark(it->GetBookmarkAndClose());
  }
  out.iterator = std::make_unique<VectorIterator<queryresult::KV>>(std::move(kvs));
  return out;
}

StatusOr<shim::PagedStateQuery> SccStub::DoGetQueryResult(
    std::string_view, std::string_view, const std::optional<protos::QueryMetadata>&) {
  return UnimplementedError("ExecuteQuery not supported for leveldb");
}

StatusOr<std::unique_ptr<shim::HistoryQueryIterator>> SccStub::DoGetHistoryForKey(
    std::string_view key) {
  if (context_.history_query_executor == nullptr) {
    return FailedPreconditionError("no history query executor for GetHistoryForKey");
  }
  ASSIGN_OR_RETURN(auto it,
                   context_.history_query_executor->GetHistoryForKey(ns_, std::string(key)));
  ASSIGN_OR_RETURN(std::vector<queryresult::KeyModification> mods, Drain(*it));
  return std::unique_ptr<shim::HistoryQueryIterator>(
      std::make_unique<VectorIterator<queryresult::KeyModification>>(std::move(mods)));
}

shim::Response SccStub::DoInvokeChaincode(const std::string& target,
                                          const std::vector<std::string>&) {
  return shim::Error(absl::StrFormat(
      "system chaincode %s cannot invoke chaincode %s: not supported", ns_, target));
}

SccResult InvokeInProcess(const SystemChaincode& system, const SccContext& context,
                          const protos::ChaincodeInput& input) {
  std::vector<std::string> args(input.args().begin(), input.args().end());
  SccStub stub(system.name, context, std::move(args),
               shim::BytesMap(input.decorations().begin(), input.decorations().end()));
  SccResult result;
  result.response = system.chaincode->Invoke(stub);
  result.event = stub.GetEvent();
  return result;
}

}  // namespace fabric::scc
