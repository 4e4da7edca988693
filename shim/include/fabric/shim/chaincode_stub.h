// SPDX-License-Identifier: Apache-2.0
//
// ChaincodeStub: what a chaincode sees of its transaction and the ledger; Fabric's Go shim 1.4
// ChaincodeStubInterface in C++ form.
//
// Two implementations: the real stub, which talks to the peer over the chaincode stream (one
// request at a time per transaction, each waiting for the peer's reply up to a deadline), and
// MockStub (mock_stub.h) for unit tests. The public methods validate their arguments here and
// then call the protected primitives, so both behave alike on bad input.
//
// Semantics are the peer's: reads see committed state only, never this transaction's own writes
// (MockStub differs, see mock_stub.h); writes go into the transaction's write set.
//
// Errors: INVALID_ARGUMENT for arguments rejected locally (empty key, key in the composite-key
// namespace, bad composite key component, empty collection or event name); UNKNOWN with the
// peer's message verbatim when the peer answers ERROR (e.g. "ExecuteQuery not supported for
// leveldb"); UNAVAILABLE when the stream to the peer is gone; DEADLINE_EXCEEDED when the peer
// does not answer within the shim's request timeout; DATA_LOSS when the peer's reply does not
// parse.
//
// Ownership: created by the shim (or the test) per transaction and passed to Init/Invoke by
// reference; valid only during that call.
// Thread-safety: not thread-safe; use it from the thread that runs Init/Invoke.

#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fabric/base/status.h"
#include "fabric/shim/composite_key.h"
#include "fabric/shim/iterators.h"
#include "fabric/shim/response.h"
#include "google/protobuf/timestamp.pb.h"
#include "peer/chaincode_event.pb.h"
#include "peer/proposal.pb.h"

namespace fabric::shim {

// Byte strings are std::string throughout (args, values, transient data).
using BytesMap = std::map<std::string, std::string>;

// Metadata key under which the key-level endorsement policy is stored (Fabric's
// MetaDataKeys.VALIDATION_PARAMETER).
inline constexpr std::string_view kValidationParameterMetakey = "VALIDATION_PARAMETER";

class ChaincodeStub {
 public:
  virtual ~ChaincodeStub() = default;

  // ---- Arguments and transaction context ----

  // The invocation arguments (ChaincodeInput.args), function name first by convention.
  virtual const std::vector<std::string>& GetArgs() const = 0;
  // Same as GetArgs (C++ strings already hold bytes); kept for parity with Fabric.
  std::vector<std::string> GetStringArgs() const { return GetArgs(); }
  // Returns {args[0], args[1..]}, or {"", {}} without arguments.
  std::pair<std::string, std::vector<std::string>> GetFunctionAndParameters() const;
  // All arguments concatenated.
  std::string GetArgsSlice() const;
  virtual const std::string& GetTxID() const = 0;
  virtual const std::string& GetChannelID() const = 0;
  // SignatureHeader.creator of the proposal (a marshalled msp.SerializedIdentity); empty if the
  // transaction carries no proposal.
  virtual StatusOr<std::string> GetCreator() const = 0;
  // ChaincodeProposalPayload.TransientMap of the proposal.
  virtual StatusOr<BytesMap> GetTransient() const = 0;
  // SHA-256(nonce || creator || epoch as 8-byte little-endian); empty without a proposal.
  virtual StatusOr<std::string> GetBinding() const = 0;
  // ChaincodeInput.decorations.
  virtual const BytesMap& GetDecorations() const = 0;
  // The client's SignedProposal. Errors: NOT_FOUND if the transaction carries none.
  virtual StatusOr<protos::SignedProposal> GetSignedProposal() const = 0;
  // ChannelHeader.timestamp of the proposal. Errors: NOT_FOUND without a proposal.
  virtual StatusOr<google::protobuf::Timestamp> GetTxTimestamp() const = 0;

  // ---- Public state ----

  // Returns the committed value, or "" if the key does not exist.
  StatusOr<std::string> GetState(std::string_view key);
  // Writes key=value into the write set. Errors: INVALID_ARGUMENT for an empty key. Fabric
  // records an empty value as a delete.
  Status PutState(std::string_view key, std::string_view value);
  Status DelState(std::string_view key);
  // Key-level endorsement policy (a marshalled SignaturePolicyEnvelope); "" if none.
  StatusOr<std::string> GetStateValidationParameter(std::string_view key);
  Status SetStateValidationParameter(std::string_view key, std::string_view policy);

  // Keys in [start_key, end_key); "" means unbounded. Errors: INVALID_ARGUMENT if a bound starts
  // with 0x00.
  StatusOr<std::unique_ptr<StateQueryIterator>> GetStateByRange(std::string_view start_key,
                                                                std::string_view end_key);
  // One page of at most `page_size` results starting at `bookmark` (or `start_key` if empty).
  // The peer allows paginated queries only in read-only transactions.
  StatusOr<PagedStateQuery> GetStateByRangeWithPagination(std::string_view start_key,
                                                          std::string_view end_key,
                                                          int32_t page_size,
                                                          std::string_view bookmark);

  // Composite keys; see composite_key.h.
  StatusOr<std::string> CreateCompositeKey(std::string_view object_type,
                                           const std::vector<std::string>& attributes) const;
  StatusOr<CompositeKey> SplitCompositeKey(std::string_view composite_key) const;
  // All composite keys whose leading components equal (object_type, attributes...).
  StatusOr<std::unique_ptr<StateQueryIterator>> GetStateByPartialCompositeKey(
      std::string_view object_type, const std::vector<std::string>& attributes);
  StatusOr<PagedStateQuery> GetStateByPartialCompositeKeyWithPagination(
      std::string_view object_type, const std::vector<std::string>& attributes, int32_t page_size,
      std::string_view bookmark);

  // Rich query in the state database's syntax. The LevelDB state database does not support it:
  // the peer's error comes back as UNKNOWN.
  StatusOr<std::unique_ptr<StateQueryIterator>> GetQueryResult(std::string_view query);
  StatusOr<PagedStateQuery> GetQueryResultWithPagination(std::string_view query, int32_t page_size,
                                                         std::string_view bookmark);

  // Committed history of `key` (tx id, value, timestamp, is_delete per modification).
  StatusOr<std::unique_ptr<HistoryQueryIterator>> GetHistoryForKey(std::string_view key);

  // ---- Private data (collection must be non-empty, else INVALID_ARGUMENT) ----
  // The real stub sends these with the collection set, as Fabric's shim does; a peer without
  // private data support answers an error (UNKNOWN with its message).

  StatusOr<std::string> GetPrivateData(std::string_view collection, std::string_view key);
  // SHA-256 of the private value, readable without read access to the collection.
  StatusOr<std::string> GetPrivateDataHash(std::string_view collection, std::string_view key);
  Status PutPrivateData(std::string_view collection, std::string_view key, std::string_view value);
  Status DelPrivateData(std::string_view collection, std::string_view key);
  StatusOr<std::unique_ptr<StateQueryIterator>> GetPrivateDataByRange(std::string_view collection,
                                                                      std::string_view start_key,
                                                                      std::string_view end_key);
  StatusOr<std::unique_ptr<StateQueryIterator>> GetPrivateDataByPartialCompositeKey(
      std::string_view collection, std::string_view object_type,
      const std::vector<std::string>& attributes);
  StatusOr<std::unique_ptr<StateQueryIterator>> GetPrivateDataQueryResult(
      std::string_view collection, std::string_view query);
  StatusOr<std::string> GetPrivateDataValidationParameter(std::string_view collection,
                                                          std::string_view key);
  Status SetPrivateDataValidationParameter(std::string_view collection, std::string_view key,
                                           std::string_view policy);

  // ---- Chaincode to chaincode ----

  // Invokes chaincode `name` (Fabric 1.x also accepts "name:version") on `channel` ("" = this
  // channel; another channel is read-only) with `args`, under this transaction's id. Returns the
  // callee's Response; failures come back as status 500 with an empty message and, as from
  // Fabric's Go shim, the reason in `payload`: the peer's error text, or, when the callee
  // failed, the callee's ERROR message (a serialized ChaincodeMessage) as the peer wrapped it.
  Response InvokeChaincode(std::string_view name, const std::vector<std::string>& args,
                           std::string_view channel = {});

  // ---- Events ----

  // Sets the transaction's chaincode event (one per transaction, the last call wins). Errors:
  // INVALID_ARGUMENT for an empty name.
  Status SetEvent(std::string_view name, std::string_view payload);
  // The event set by SetEvent, if any.
  const std::optional<protos::ChaincodeEvent>& GetEvent() const { return event_; }

 protected:
  // Primitives. `collection` is "" for public state. Called with validated arguments.
  virtual StatusOr<std::string> DoGetState(std::string_view collection, std::string_view key) = 0;
  virtual StatusOr<std::string> DoGetPrivateDataHash(std::string_view collection,
                                                     std::string_view key) = 0;
  virtual Status DoPutState(std::string_view collection, std::string_view key,
                            std::string_view value) = 0;
  virtual Status DoDelState(std::string_view collection, std::string_view key) = 0;
  // Returns metakey -> value for `key`.
  virtual StatusOr<BytesMap> DoGetStateMetadata(std::string_view collection,
                                                std::string_view key) = 0;
  virtual Status DoPutStateMetadata(std::string_view collection, std::string_view key,
                                    std::string_view metakey, std::string_view value) = 0;
  // `paging` is set for *WithPagination calls.
  virtual StatusOr<PagedStateQuery> DoGetStateByRange(
      std::string_view collection, std::string_view start_key, std::string_view end_key,
      const std::optional<protos::QueryMetadata>& paging) = 0;
  virtual StatusOr<PagedStateQuery> DoGetQueryResult(
      std::string_view collection, std::string_view query,
      const std::optional<protos::QueryMetadata>& paging) = 0;
  virtual StatusOr<std::unique_ptr<HistoryQueryIterator>> DoGetHistoryForKey(
      std::string_view key) = 0;
  // `target` is "name" or "name/channel".
  virtual Response DoInvokeChaincode(const std::string& target,
                                     const std::vector<std::string>& args) = 0;

  // Clears the event (used by stubs that are reused across transactions).
  void ResetEvent() { event_.reset(); }

 private:
  StatusOr<std::string> GetPrivateDataValidationParameterImpl(std::string_view collection,
                                                              std::string_view key);

  std::optional<protos::ChaincodeEvent> event_;
};

}  // namespace fabric::shim
