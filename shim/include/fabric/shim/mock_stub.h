// SPDX-License-Identifier: Apache-2.0
//
// MockStub: a ChaincodeStub over in-memory state for chaincode unit tests without a peer, like
// Fabric's shimtest.MockStub.
//
//   MyChaincode cc;
//   MockStub stub("mycc", cc);
//   Response r = stub.MockInit("tx1", {"init", "a", "100"});
//   r = stub.MockInvoke("tx2", {"query", "a"});
//
// What it keeps: sorted public state and per-collection private state; the history of every
// key (one entry per PutState/DelState, oldest first, with the txid and the tx timestamp);
// state metadata (validation parameters); the events set by each transaction; the creator,
// transient map, decorations and channel the next transactions see; other MockStubs reachable
// through InvokeChaincode (MockPeerChaincode).
//
// Differences from a real peer, on purpose or by limitation:
//   - Read-your-own-writes: GetState and range queries see this transaction's earlier writes
//     immediately (as Go's MockStub). On a peer, reads see committed state only.
//   - Writes apply at once and are not rolled back when the chaincode returns an error.
//   - No read/write sets, MVCC or endorsement; paginated queries are not restricted to
//     read-only transactions; iterators are snapshots taken when the query is made.
//   - GetQueryResult (rich queries) returns UNIMPLEMENTED, as on a LevelDB peer it errors.
//   - PutState/DelState outside MockInit/MockInvoke/MockTransactionStart: FAILED_PRECONDITION.
//   - InvokeChaincode runs the callee's Invoke at once under the same txid; its writes land in
//     the callee MockStub's state whatever the channel.
//   - GetBinding is empty and GetSignedProposal NOT_FOUND unless MockInvokeWithSignedProposal.
//
// Ownership: borrows the Chaincode (must outlive the stub) and peer MockStubs registered with
// MockPeerChaincode. Thread-safety: none; run one transaction at a time.

#pragma once

#include <functional>
#include <map>
#include <string>
#include <vector>

#include "fabric/shim/chaincode.h"
#include "fabric/shim/chaincode_stub.h"

namespace fabric::shim {

class MockStub : public ChaincodeStub {
 public:
  MockStub(std::string name, Chaincode& chaincode);

  // Runs Init/Invoke inside a mock transaction `txid` with `args`; returns its Response. A
  // thrown exception becomes a 500 Response, as the real shim turns it into an ERROR.
  Response MockInit(const std::string& txid, std::vector<std::string> args);
  Response MockInvoke(const std::string& txid, std::vector<std::string> args);
  // Same, with creator/transient/binding/timestamp derived from `proposal` as the real stub
  // does. A proposal that does not parse gives a 500 Response.
  Response MockInvokeWithSignedProposal(const std::string& txid, std::vector<std::string> args,
                                        const protos::SignedProposal& proposal);

  // Opens/closes a mock transaction by hand (writes need one). MockInit/MockInvoke return a 500
  // Response while a transaction is open on this stub (the peer refuses re-entry likewise).
  void MockTransactionStart(const std::string& txid);
  void MockTransactionEnd();

  // Makes `other` callable as InvokeChaincode(name, args, channel). Not owned.
  void MockPeerChaincode(const std::string& name, MockStub& other, const std::string& channel = "");

  // Context for the following transactions.
  void SetCreator(std::string creator) { creator_ = std::move(creator); }
  void SetTransient(BytesMap transient) { transient_ = std::move(transient); }
  void SetDecorations(BytesMap decorations) { decorations_ = std::move(decorations); }
  void SetChannelID(std::string channel_id) { channel_id_ = std::move(channel_id); }
  // Clock for transaction timestamps; defaults to the system clock.
  void SetClock(std::function<google::protobuf::Timestamp()> clock) { clock_ = std::move(clock); }

  // Inspection.
  const std::string& Name() const { return name_; }
  // Public state, sorted by key.
  const std::map<std::string, std::string>& State() const { return state_[""]; }
  // Private state of `collection`.
  const std::map<std::string, std::string>& PrivateState(const std::string& collection) const {
    return state_[collection];
  }
  // Every event set, in transaction order (one per transaction at most).
  const std::vector<protos::ChaincodeEvent>& Events() const { return events_; }

  // ChaincodeStub.
  const std::vector<std::string>& GetArgs() const override { return args_; }
  const std::string& GetTxID() const override { return txid_; }
  const std::string& GetChannelID() const override { return channel_id_; }
  StatusOr<std::string> GetCreator() const override { return creator_; }
  StatusOr<BytesMap> GetTransient() const override { return transient_; }
  StatusOr<std::string> GetBinding() const override { return binding_; }
  const BytesMap& GetDecorations() const override { return decorations_; }
  StatusOr<protos::SignedProposal> GetSignedProposal() const override;
  StatusOr<google::protobuf::Timestamp> GetTxTimestamp() const override;

 protected:
  StatusOr<std::string> DoGetState(std::string_view collection, std::string_view key) override;
  StatusOr<std::string> DoGetPrivateDataHash(std::string_view collection,
                                             std::string_view key) override;
  Status DoPutState(std::string_view collection, std::string_view key,
                    std::string_view value) override;
  Status DoDelState(std::string_view collection, std::string_view key) override;
  StatusOr<BytesMap> DoGetStateMetadata(std::string_view collection, std::string_view key) override;
  Status DoPutStateMetadata(std::string_view collection, std::string_view key,
                            std::string_view metakey, std::string_view value) override;
  StatusOr<PagedStateQuery> DoGetStateByRange(
      std::string_view collection, std::string_view start_key, std::string_view end_key,
      const std::optional<protos::QueryMetadata>& paging) override;
  StatusOr<PagedStateQuery> DoGetQueryResult(
      std::string_view collection, std::string_view query,
      const std::optional<protos::QueryMetadata>& paging) override;
  StatusOr<std::unique_ptr<HistoryQueryIterator>> DoGetHistoryForKey(std::string_view key) override;
  Response DoInvokeChaincode(const std::string& target,
                             const std::vector<std::string>& args) override;

 private:
  Response Run(const std::string& txid, std::vector<std::string> args, bool init,
               const protos::SignedProposal* proposal);
  Status RequireTransaction(std::string_view what) const;
  void RecordHistory(std::string_view collection, std::string_view key, std::string_view value,
                     bool is_delete);

  const std::string name_;
  Chaincode& chaincode_;
  std::function<google::protobuf::Timestamp()> clock_;

  // Per-transaction context.
  std::vector<std::string> args_;
  std::string txid_;
  std::string channel_id_;
  std::string creator_;
  BytesMap transient_;
  BytesMap decorations_;
  std::string binding_;
  std::optional<protos::SignedProposal> signed_proposal_;
  std::optional<google::protobuf::Timestamp> timestamp_;

  // collection ("" = public) -> key -> value. Mutable so State() can return an empty map.
  mutable std::map<std::string, std::map<std::string, std::string>> state_;
  // collection -> key -> metakey -> value.
  std::map<std::string, std::map<std::string, BytesMap>> metadata_;
  std::map<std::string, std::vector<queryresult::KeyModification>> history_;
  std::vector<protos::ChaincodeEvent> events_;
  std::map<std::string, MockStub*> invokables_;  // "name" or "name/channel".
};

}  // namespace fabric::shim
