// SPDX-License-Identifier: Apache-2.0
//
// Extracting what the ledger needs from a block's transactions: txid, header type, timestamp
// and, for endorser transactions, the read-write set (Envelope -> Payload -> Transaction ->
// actions[0] -> ChaincodeActionPayload -> ChaincodeEndorsedAction.proposal_response_payload ->
// ProposalResponsePayload.extension -> ChaincodeAction.results = TxReadWriteSet bytes).
// Malformed transactions are marked invalid instead of failing the block. Config transactions
// carry no state rwset.
//
// Thread-safety: stateless functions.

#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <google/protobuf/timestamp.pb.h>

#include "common/common.pb.h"
#include "peer/ledger/rwset_builder.h"
#include "peer/transaction.pb.h"

namespace fabric::ledger {

struct ParsedTx {
  uint64_t tx_num = 0;
  std::string tx_id;
  int32_t type = -1;  // common::HeaderType, -1 when the envelope did not parse
  google::protobuf::Timestamp timestamp;
  protos::TxValidationCode code = protos::VALID;
  std::vector<NsRwSet> rwset;  // endorser transactions only
};

// The block's TRANSACTIONS_FILTER, one code per transaction. A missing or short filter yields
// VALID for the transactions it does not cover; NOT_VALIDATED (254) also counts as VALID (the
// ledger is then the only validator).
std::vector<protos::TxValidationCode> TxFilterFromBlock(const common::Block& block);

// Writes `codes` as the block's TRANSACTIONS_FILTER metadata (adding metadata entries as
// needed).
void SetTxFilter(common::Block& block, const std::vector<protos::TxValidationCode>& codes);

// Parses the transactions of `block`. A transaction keeps a non-VALID code from `codes`
// (set by the committer, e.g. ENDORSEMENT_POLICY_FAILURE) and its rwset is not parsed.
// Otherwise: an envelope or header that does not parse -> BAD_PAYLOAD; an endorser transaction
// without a well-formed action -> INVALID_ENDORSER_TRANSACTION; an rwset that does not parse ->
// BAD_RWSET; a header type other than ENDORSER_TRANSACTION and CONFIG -> UNKNOWN_TX_TYPE.
std::vector<ParsedTx> ParseBlockTxs(const common::Block& block,
                                    const std::vector<protos::TxValidationCode>& codes);

// Parses one envelope (bytes of block.data.data[i]) as ParseBlockTxs does, with `code` as the
// committer's code. Used by the history query to read a single transaction back.
ParsedTx ParseTx(uint64_t tx_num, const std::string& envelope_bytes, protos::TxValidationCode code);

}  // namespace fabric::ledger
