// SPDX-License-Identifier: Apache-2.0
//
// PeerChaincodeStub: the ChaincodeStub of one INIT/TRANSACTION served over the peer stream.
// Every state call is one request/reply with the peer, sent with the transaction's channel_id
// and txid (see PeerCaller). Created by the Handler's worker for each transaction; owns nothing
// but the parsed transaction data. Thread-safety: none (one transaction, one thread).

#pragma once

#include <memory>
#include <string>
#include <vector>

#include "fabric/shim/chaincode_stub.h"
#include "src/peer_caller.h"
#include "src/proposal_context.h"

namespace fabric::shim::internal {

class PeerChaincodeStub final : public ChaincodeStub {
 public:
  // Builds the stub for an INIT or TRANSACTION message. Errors: INVALID_ARGUMENT if the payload
  // is not a ChaincodeInput or the proposal does not parse (see ParseSignedProposal). Moves
  // the signed proposal out of `msg` (the stub keeps it); the rest of `msg` is left as it was.
  static StatusOr<std::unique_ptr<PeerChaincodeStub>> Create(PeerCaller& caller,
                                                             protos::ChaincodeMessage& msg);

  // Marks the transaction answered: iterators stop talking to the peer.
  void MarkDone() { tx_->done = true; }

  const std::vector<std::string>& GetArgs() const override { return args_; }
  const std::string& GetTxID() const override { return tx_->txid; }
  const std::string& GetChannelID() const override { return tx_->channel_id; }
  StatusOr<std::string> GetCreator() const override { return proposal_.creator; }
  StatusOr<BytesMap> GetTransient() const override { return proposal_.transient; }
  StatusOr<std::string> GetBinding() const override { return proposal_.Binding(); }
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
  PeerChaincodeStub(std::shared_ptr<TxContext> tx, std::vector<std::string> args,
                    BytesMap decorations, ProposalContext proposal);

  // Turns a QueryResponse payload into a state iterator plus its metadata.
  StatusOr<PagedStateQuery> MakeStateQuery(const char* what, const std::string& payload);

  const std::shared_ptr<TxContext> tx_;
  const std::vector<std::string> args_;
  const BytesMap decorations_;
  const ProposalContext proposal_;
};

}  // namespace fabric::shim::internal
