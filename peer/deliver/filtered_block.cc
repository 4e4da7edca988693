// SPDX-License-Identifier: Apache-2.0

#include "peer/deliver/filtered_block.h"

#include "peer/chaincode_event.pb.h"
#include "peer/ledger/block_parser.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"
#include "peer/transaction.pb.h"

namespace fabric::deliver {
namespace {

// The chaincode event of one transaction action, if it carries one.
bool ActionEvent(const protos::TransactionAction& action, protos::ChaincodeEvent* event) {
  protos::ChaincodeActionPayload cap;
  protos::ProposalResponsePayload prp;
  protos::ChaincodeAction cc_action;
  if (!cap.ParseFromString(action.payload()) ||
      !prp.ParseFromString(cap.action().proposal_response_payload()) ||
      !cc_action.ParseFromString(prp.extension()) || cc_action.events().empty()) {
    return false;
  }
  return event->ParseFromString(cc_action.events()) && !event->chaincode_id().empty();
}

}  // namespace

protos::FilteredBlock ToFilteredBlock(const std::string& channel_id, const common::Block& block) {
  protos::FilteredBlock out;
  out.set_channel_id(channel_id);
  out.set_number(block.header().number());
  const std::vector<protos::TxValidationCode> codes = ledger::TxFilterFromBlock(block);
  for (int i = 0; i < block.data().data_size(); ++i) {
    protos::FilteredTransaction* ft = out.add_filtered_transactions();
    ft->set_tx_validation_code(i < static_cast<int>(codes.size()) ? codes[i] : protos::VALID);
    common::Envelope env;
    common::Payload payload;
    common::ChannelHeader ch;
    if (!env.ParseFromString(block.data().data(i)) || !payload.ParseFromString(env.payload()) ||
        !ch.ParseFromString(payload.header().channel_header())) {
      continue;
    }
    ft->set_txid(ch.tx_id());
    ft->set_type(static_cast<common::HeaderType>(ch.type()));
    if (ch.type() != common::ENDORSER_TRANSACTION) {
      continue;
    }
    protos::FilteredTransactionActions* actions = ft->mutable_transaction_actions();
    protos::Transaction tx;
    if (!tx.ParseFromString(payload.data())) {
      continue;
    }
    for (const auto& action : tx.actions()) {
      protos::ChaincodeEvent event;
      if (!ActionEvent(action, &event)) {
        continue;
      }
      protos::ChaincodeEvent* filtered =
          actions->add_chaincode_actions()->mutable_chaincode_event();
      filtered->set_chaincode_id(event.chaincode_id());
      filtered->set_tx_id(event.tx_id());
      filtered->set_event_name(event.event_name());
    }
  }
  return out;
}

}  // namespace fabric::deliver
