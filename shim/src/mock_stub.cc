// SPDX-License-Identifier: Apache-2.0

#include "fabric/shim/mock_stub.h"

#include <chrono>
#include <utility>

#include "fabric/base/status_macros.h"
#include "src/proposal_context.h"
#include "src/sha256.h"
#include "src/user_code.h"

namespace fabric::shim {
namespace {

google::protobuf::Timestamp Now() {
  auto ns = std::chrono::duration_cast<std::chrono::nanoseconds>(
                std::chrono::system_clock::now().time_since_epoch())
                .count();
  google::protobuf::Timestamp ts;
  ts.set_seconds(ns / 1000000000);
  ts.set_nanos(static_cast<int32_t>(ns % 1000000000));
  return ts;
}

// An iterator over results copied when the query was made.
template <typename T>
class SnapshotIterator final : public QueryIterator<T> {
 public:
  explicit SnapshotIterator(std::vector<T> results) : results_(std::move(results)) {}
  bool HasNext() const override { return !closed_ && next_ < results_.size(); }
  StatusOr<T> Next() override {
    if (!HasNext()) {
      return OutOfRangeError("iterator has no more results");
    }
    return results_[next_++];
  }
  Status Close() override {
    closed_ = true;
    return Status::OK();
  }

 private:
  std::vector<T> results_;
  size_t next_ = 0;
  bool closed_ = false;
};

}  // namespace

MockStub::MockStub(std::string name, Chaincode& chaincode)
    : name_(std::move(name)), chaincode_(chaincode), clock_(Now) {}

Response MockStub::MockInit(const std::string& txid, std::vector<std::string> args) {
  return Run(txid, std::move(args), true, nullptr);
}

Response MockStub::MockInvoke(const std::string& txid, std::vector<std::string> args) {
  return Run(txid, std::move(args), false, nullptr);
}

Response MockStub::MockInvokeWithSignedProposal(const std::string& txid,
                                                std::vector<std::string> args,
                                                const protos::SignedProposal& proposal) {
  return Run(txid, std::move(args), false, &proposal);
}

Response MockStub::Run(const std::string& txid, std::vector<std::string> args, bool init,
                       const protos::SignedProposal* proposal) {
  if (!txid_.empty()) {
    // As the peer, which refuses a second execution of the same chaincode in one transaction.
    return Error("txid: " + txid + " exists: MockStub " + name_ + " is already in transaction " +
                 txid_);
  }
  MockTransactionStart(txid);
  args_ = std::move(args);
  if (proposal != nullptr) {
    StatusOr<internal::ProposalContext> ctx = internal::ParseSignedProposal(*proposal);
    if (!ctx.ok()) {
      MockTransactionEnd();
      return Error("failed to create new ChaincodeStub: " + std::string(ctx.status().message()));
    }
    signed_proposal_ = ctx->signed_proposal;
    creator_ = ctx->creator;
    transient_ = ctx->transient;
    binding_ = ctx->Binding();
    timestamp_ = ctx->timestamp;
  }
  Response res = internal::RunUserCode(chaincode_, *this, init).response;
  if (const auto& event = GetEvent()) {
    protos::ChaincodeEvent e = *event;
    e.set_chaincode_id(name_);
    e.set_tx_id(txid);
    events_.push_back(std::move(e));
  }
  MockTransactionEnd();
  return res;
}

void MockStub::MockTransactionStart(const std::string& txid) {
  txid_ = txid;
  timestamp_ = clock_();
  binding_.clear();
  signed_proposal_.reset();
  ResetEvent();
}

void MockStub::MockTransactionEnd() {
  txid_.clear();
  args_.clear();
  signed_proposal_.reset();
  timestamp_.reset();
  ResetEvent();
}

void MockStub::MockPeerChaincode(const std::string& name, MockStub& other,
                                 const std::string& channel) {
  invokables_[channel.empty() ? name : name + "/" + channel] = &other;
}

StatusOr<protos::SignedProposal> MockStub::GetSignedProposal() const {
  if (!signed_proposal_) {
    return NotFoundError("MockStub: no signed proposal (use MockInvokeWithSignedProposal)");
  }
  return *signed_proposal_;
}

StatusOr<google::protobuf::Timestamp> MockStub::GetTxTimestamp() const {
  if (!timestamp_) {
    return NotFoundError("MockStub: no transaction in progress, so no timestamp");
  }
  return *timestamp_;
}

Status MockStub::RequireTransaction(std::string_view what) const {
  if (txid_.empty()) {
    return FailedPreconditionError(std::string("cannot ") + std::string(what) +
                                   " without a transaction - call MockTransactionStart()?");
  }
  return Status::OK();
}

StatusOr<std::string> MockStub::DoGetState(std::string_view collection, std::string_view key) {
  const auto& m = state_[std::string(collection)];
  auto it = m.find(std::string(key));
  return it == m.end() ? std::string() : it->second;
}

StatusOr<std::string> MockStub::DoGetPrivateDataHash(std::string_view collection,
                                                     std::string_view key) {
  ASSIGN_OR_RETURN(std::string value, DoGetState(collection, key));
  return value.empty() ? std::string() : internal::Sha256(value);
}

Status MockStub::DoPutState(std::string_view collection, std::string_view key,
                            std::string_view value) {
  RETURN_IF_ERROR(RequireTransaction("PutState"));
  if (value.empty()) {
    return DoDelState(collection, key);  // Fabric records an empty value as a delete.
  }
  state_[std::string(collection)][std::string(key)] = std::string(value);
  RecordHistory(collection, key, value, false);
  return Status::OK();
}

Status MockStub::DoDelState(std::string_view collection, std::string_view key) {
  RETURN_IF_ERROR(RequireTransaction("DelState"));
  state_[std::string(collection)].erase(std::string(key));
  RecordHistory(collection, key, "", true);
  return Status::OK();
}

void MockStub::RecordHistory(std::string_view collection, std::string_view key,
                             std::string_view value, bool is_delete) {
  if (!collection.empty()) {
    return;  // Fabric keeps no history for private data.
  }
  queryresult::KeyModification mod;
  mod.set_tx_id(txid_);
  mod.set_value(std::string(value));
  if (timestamp_) {
    *mod.mutable_timestamp() = *timestamp_;
  }
  mod.set_is_delete(is_delete);
  history_[std::string(key)].push_back(std::move(mod));
}

StatusOr<BytesMap> MockStub::DoGetStateMetadata(std::string_view collection, std::string_view key) {
  auto& by_key = metadata_[std::string(collection)];
  auto it = by_key.find(std::string(key));
  return it == by_key.end() ? BytesMap() : it->second;
}

Status MockStub::DoPutStateMetadata(std::string_view collection, std::string_view key,
                                    std::string_view metakey, std::string_view value) {
  RETURN_IF_ERROR(RequireTransaction("PutStateMetadata"));
  metadata_[std::string(collection)][std::string(key)][std::string(metakey)] = std::string(value);
  return Status::OK();
}

StatusOr<PagedStateQuery> MockStub::DoGetStateByRange(
    std::string_view collection, std::string_view start_key, std::string_view end_key,
    const std::optional<protos::QueryMetadata>& paging) {
  const auto& m = state_[std::string(collection)];
  std::string start(start_key);
  int32_t limit = -1;
  if (paging) {
    if (!paging->bookmark().empty()) {
      start = paging->bookmark();
    }
    limit = paging->pagesize() > 0 ? paging->pagesize() : -1;
  }
  std::vector<queryresult::KV> results;
  auto it = m.lower_bound(start);
  for (; it != m.end() && (end_key.empty() || it->first < end_key); ++it) {
    if (limit >= 0 && static_cast<int32_t>(results.size()) == limit) {
      break;
    }
    queryresult::KV kv;
    kv.set_namespace_(name_);
    kv.set_key(it->first);
    kv.set_value(it->second);
    results.push_back(std::move(kv));
  }
  PagedStateQuery q;
  q.metadata.set_fetched_records_count(static_cast<int32_t>(results.size()));
  if (paging && it != m.end() && (end_key.empty() || it->first < end_key)) {
    q.metadata.set_bookmark(it->first);  // As LevelDB: the key of the next record.
  }
  q.iterator = std::make_unique<SnapshotIterator<queryresult::KV>>(std::move(results));
  return q;
}

StatusOr<PagedStateQuery> MockStub::DoGetQueryResult(std::string_view, std::string_view,
                                                     const std::optional<protos::QueryMetadata>&) {
  return UnimplementedError("MockStub does not support rich queries (GetQueryResult)");
}

StatusOr<std::unique_ptr<HistoryQueryIterator>> MockStub::DoGetHistoryForKey(std::string_view key) {
  auto it = history_.find(std::string(key));
  std::vector<queryresult::KeyModification> mods;
  if (it != history_.end()) {
    mods = it->second;
  }
  return std::unique_ptr<HistoryQueryIterator>(
      std::make_unique<SnapshotIterator<queryresult::KeyModification>>(std::move(mods)));
}

Response MockStub::DoInvokeChaincode(const std::string& target,
                                     const std::vector<std::string>& args) {
  auto it = invokables_.find(target);
  if (it == invokables_.end()) {
    return Error("MockStub: chaincode " + target + " is not registered (MockPeerChaincode)");
  }
  return it->second->MockInvoke(txid_, args);
}

}  // namespace fabric::shim
