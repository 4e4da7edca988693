// SPDX-License-Identifier: Apache-2.0
//
// SccStub: the ChaincodeStub of an in-process system chaincode, backed directly by the
// transaction's TxSimulator / QueryExecutor / HistoryQueryExecutor (no chaincode stream).
// Reads and writes go to namespace `ns` (the SCC's name), so lscc's writes land in the "lscc"
// namespace of the transaction's read-write set, as in Fabric.
//
// Without a TxSimulator (cscc, qscc, chainless proposals) reads use the QueryExecutor if any
// and writes fail with FailedPrecondition. Range and history queries are read eagerly into
// memory (system chaincodes only scan small namespaces). Chaincode-to-chaincode calls from a
// system chaincode are not supported (status 500).
//
// Ownership: borrows everything in SccContext for its lifetime; one stub per invocation.
// Thread-safety: not thread-safe, like every ChaincodeStub.

#pragma once

#include <optional>
#include <string>
#include <vector>

#include "common/common.pb.h"
#include "fabric/shim/chaincode_stub.h"
#include "peer/chaincode.pb.h"
#include "peer/ledger/kv_ledger.h"
#include "peer/ledger/tx_simulator.h"
#include "peer/proposal.pb.h"
#include "peer/scc/registry.h"

namespace fabric::scc {

// What one in-process execution runs against. Any pointer may be null.
struct SccContext {
  std::string channel_id;
  std::string tx_id;
  const protos::SignedProposal* signed_proposal = nullptr;
  const protos::Proposal* proposal = nullptr;
  ledger::TxSimulator* tx_simulator = nullptr;
  ledger::QueryExecutor* query_executor = nullptr;
  ledger::HistoryQueryExecutor* history_query_executor = nullptr;
};

class SccStub : public shim::ChaincodeStub {
 public:
  SccStub(std::string ns, const SccContext& context, std::vector<std::string> args,
          shim::BytesMap decorations = {});

  const std::vector<std::string>& GetArgs() const override { return args_; }
  const std::string& GetTxID() const override { return context_.tx_id; }
  const std::string& GetChannelID() const override { return context_.channel_id; }
  StatusOr<std::string> GetCreator() const override;
  StatusOr<shim::BytesMap> GetTransient() const override;
  StatusOr<std::string> GetBinding() const override;
  const shim::BytesMap& GetDecorations() const override { return decorations_; }
  StatusOr<protos::SignedProposal> GetSignedProposal() const override;
  StatusOr<google::protobuf::Timestamp> GetTxTimestamp() const override;

 protected:
  StatusOr<std::string> DoGetState(std::string_view collection, std::string_view key) override;
  StatusOr<std::string> DoGetPrivateDataHash(std::string_view collection,
                                             std::string_view key) override;
  Status DoPutState(std::string_view collection, std::string_view key,
                    std::string_view value) override;
  Status DoDelState(std::string_view collection, std::string_view key) override;
  StatusOr<shim::BytesMap> DoGetStateMetadata(std::string_view collection,
                                              std::string_view key) override;
  Status DoPutStateMetadata(std::string_view collection, std::string_view key,
                            std::string_view metakey, std::string_view value) override;
  StatusOr<shim::PagedStateQuery> DoGetStateByRange(
      std::string_view collection, std::string_view start_key, std::string_view end_key,
      const std::optional<protos::QueryMetadata>& paging) override;
  StatusOr<shim::PagedStateQuery> DoGetQueryResult(
      std::string_view collection, std::string_view query,
      const std::optional<protos::QueryMetadata>& paging) override;
  StatusOr<std::unique_ptr<shim::HistoryQueryIterator>> DoGetHistoryForKey(
      std::string_view key) override;
  shim::Response DoInvokeChaincode(const std::string& target,
                                   const std::vector<std::string>& args) override;

 private:
  ledger::QueryExecutor* reader() const {
    return context_.tx_simulator != nullptr ? context_.tx_simulator : context_.query_executor;
  }
  Status CheckPublic(std::string_view collection) const;
  // Parses the proposal's header layers once; NotFound without a proposal.
  Status ParseHeaders() const;

  const std::string ns_;
  const SccContext context_;
  const std::vector<std::string> args_;
  const shim::BytesMap decorations_;
  mutable bool parsed_ = false;
  mutable Status parse_status_;
  mutable common::ChannelHeader channel_header_;
  mutable common::SignatureHeader signature_header_;
};

// What one in-process run of a system chaincode gave.
struct SccResult {
  shim::Response response;
  std::optional<protos::ChaincodeEvent> event;  // as the chaincode set it
};

// Runs `system` in process against `context` with `input` (its args and decorations): what the
// endorser does for a proposal to it, and the chaincode support for a cc2cc call into it.
SccResult InvokeInProcess(const SystemChaincode& system, const SccContext& context,
                          const protos::ChaincodeInput& input);

}  // namespace fabric::scc
