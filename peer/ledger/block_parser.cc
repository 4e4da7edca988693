// SPDX-License-Identifier: Apache-2.0

#include "peer/ledger/block_parser.h"

#include "common/protoutil/txutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"

namespace fabric::ledger {
namespace {

constexpr int kTxFilterIndex = common::TRANSACTIONS_FILTER;

// The TxReadWriteSet bytes carried by an endorser transaction's payload data.
StatusOr<std::string> RwSetBytes(const std::string& payload_data) {
  ASSIGN_OR_RETURN(auto tx, protoutil::Unmarshal<protos::Transaction>(payload_data, "transaction"));
  if (tx.actions_size() == 0) {
    return InvalidArgumentError("transaction has no actions");
  }
  ASSIGN_OR_RETURN(auto cap, protoutil::Unmarshal<protos::ChaincodeActionPayload>(
                                 tx.actions(0).payload(), "chaincode action payload"));
  ASSIGN_OR_RETURN(auto prp,
                   protoutil::Unmarshal<protos::ProposalResponsePayload>(
                       cap.action().proposal_response_payload(), "proposal response payload"));
  ASSIGN_OR_RETURN(auto action, protoutil::Unmarshal<protos::ChaincodeAction>(prp.extension(),
                                                                              "chaincode action"));
  return std::move(*action.mutable_results());
}

}  // namespace

std::vector<protos::TxValidationCode> TxFilterFromBlock(const common::Block& block) {
  const int n = block.data().data_size();
  std::vector<protos::TxValidationCode> codes(n, protos::VALID);
  if (block.metadata().metadata_size() <= kTxFilterIndex) {
    return codes;
  }
  const std::string& filter = block.metadata().metadata(kTxFilterIndex);
  for (int i = 0; i < n && i < static_cast<int>(filter.size()); ++i) {
    auto code = static_cast<protos::TxValidationCode>(static_cast<uint8_t>(filter[i]));
    codes[i] = code == protos::NOT_VALIDATED ? protos::VALID : code;
  }
  return codes;
}

void SetTxFilter(common::Block& block, const std::vector<protos::TxValidationCode>& codes) {
  auto* md = block.mutable_metadata();
  while (md->metadata_size() <= kTxFilterIndex) {
    md->add_metadata();
  }
  std::string filter(codes.size(), '\0');
  for (size_t i = 0; i < codes.size(); ++i) {
    filter[i] = static_cast<char>(static_cast<uint8_t>(codes[i]));
  }
  md->set_metadata(kTxFilterIndex, std::move(filter));
}

ParsedTx ParseTx(uint64_t tx_num, const std::string& envelope_bytes,
                 protos::TxValidationCode code) {
  ParsedTx tx;
  tx.tx_num = tx_num;
  tx.code = code;
  auto env = protoutil::Unmarshal<common::Envelope>(envelope_bytes, "envelope");
  if (!env.ok()) {
    tx.code = code == protos::VALID ? protos::BAD_PAYLOAD : code;
    return tx;
  }
  auto parsed = protoutil::ParseEnvelope(*env);
  if (!parsed.ok()) {
    tx.code = code == protos::VALID ? protos::BAD_PAYLOAD : code;
    return tx;
  }
  tx.tx_id = parsed->channel_header.tx_id();
  tx.type = parsed->channel_header.type();
  tx.timestamp = parsed->channel_header.timestamp();
  if (tx.code != protos::VALID) {
    return tx;
  }
  if (tx.type == common::CONFIG) {
    return tx;
  }
  if (tx.type != common::ENDORSER_TRANSACTION) {
    tx.code = protos::UNKNOWN_TX_TYPE;
    return tx;
  }
  auto rw_bytes = RwSetBytes(parsed->payload.data());
  if (!rw_bytes.ok()) {
    tx.code = protos::INVALID_ENDORSER_TRANSACTION;
    return tx;
  }
  auto rwset = ParseTxRwSet(*rw_bytes);
  if (!rwset.ok()) {
    tx.code = protos::BAD_RWSET;
    return tx;
  }
  tx.rwset = std::move(*rwset);
  return tx;
}

std::vector<ParsedTx> ParseBlockTxs(const common::Block& block,
                                    const std::vector<protos::TxValidationCode>& codes) {
  std::vector<ParsedTx> txs;
  txs.reserve(block.data().data_size());
  for (int i = 0; i < block.data().data_size(); ++i) {
    const auto code = i < static_cast<int>(codes.size()) ? codes[i] : protos::VALID;
    txs.push_back(ParseTx(static_cast<uint64_t>(i), block.data().data(i), code));
  }
  return txs;
}

}  // namespace fabric::ledger
