// SPDX-License-Identifier: Apache-2.0
//
// Test and benchmark helpers that make real Fabric blocks for the ledger:
//  - SignedEndorserTx: an endorser transaction built the way a client and an endorser build it
//    (proposal, ESCC-style signed response carrying the rwset, signed transaction envelope);
//  - FastEndorserTx: the same envelope layers without signatures (the ledger does not check
//    them), for benchmarks that need thousands of transactions;
//  - ConfigTx and BlockChain: config envelopes and hash-chained, sealed blocks.
// Not thread-safe; fatal (abort) on internal errors, which cannot happen with valid inputs.

#pragma once

#include <string>
#include <vector>

#include "common/common.pb.h"
#include "common/protoutil/blockutils.h"
#include "common/protoutil/proputils.h"
#include "common/protoutil/testing/test_signer.h"
#include "common/protoutil/txutils.h"
#include "common/protoutil/unmarshal.h"
#include "ledger/rwset/rwset.pb.h"
#include "peer/proposal.pb.h"
#include "peer/proposal_response.pb.h"
#include "peer/transaction.pb.h"

namespace fabric::ledger::testing {

inline common::Envelope SignedEndorserTx(const std::string& channel,
                                         const rwset::TxReadWriteSet& rwset,
                                         const protoutil::testing::TestSigner& client,
                                         const protoutil::testing::TestSigner& peer,
                                         std::string* tx_id = nullptr) {
  protos::ChaincodeInvocationSpec spec;
  spec.mutable_chaincode_spec()->mutable_chaincode_id()->set_name("mycc");
  spec.mutable_chaincode_spec()->mutable_input()->add_args("invoke");
  auto prop = protoutil::CreateChaincodeProposal(common::ENDORSER_TRANSACTION, channel, spec,
                                                 client.Serialize())
                  .value();
  auto header = protoutil::Unmarshal<common::Header>(prop.proposal.header(), "header").value();
  protos::Response ok;
  ok.set_status(200);
  protos::ChaincodeID ccid;
  ccid.set_name("mycc");
  ccid.set_version("1.0");
  auto resp = protoutil::CreateProposalResponse(header, prop.proposal.payload(), ok,
                                                rwset.SerializeAsString(), "", ccid, peer)
                  .value();
  if (tx_id != nullptr) {
    *tx_id = prop.tx_id;
  }
  return protoutil::CreateSignedTx(prop.proposal, client, {resp}).value();
}

// Unsigned envelope with the layers the ledger reads; `tx_id` is used as given.
inline common::Envelope FastEndorserTx(const std::string& channel, const std::string& tx_id,
                                       const rwset::TxReadWriteSet& rwset) {
  protos::ChaincodeAction action;
  action.set_results(rwset.SerializeAsString());
  protos::ProposalResponsePayload prp;
  prp.set_extension(action.SerializeAsString());
  protos::ChaincodeActionPayload cap;
  cap.mutable_action()->set_proposal_response_payload(prp.SerializeAsString());
  protos::Transaction tx;
  tx.add_actions()->set_payload(cap.SerializeAsString());
  common::ChannelHeader ch =
      protoutil::MakeChannelHeader(common::ENDORSER_TRANSACTION, 0, channel, 0, tx_id);
  common::SignatureHeader sh = protoutil::MakeSignatureHeader("creator", "nonce");
  common::Envelope env;
  env.set_payload(protoutil::MakePayload(ch, sh, tx.SerializeAsString()).SerializeAsString());
  return env;
}

inline common::Envelope ConfigTx(const std::string& channel, const std::string& tx_id) {
  common::ChannelHeader ch = protoutil::MakeChannelHeader(common::CONFIG, 0, channel, 0, tx_id);
  common::SignatureHeader sh = protoutil::MakeSignatureHeader("creator", "nonce");
  common::Envelope env;
  env.set_payload(protoutil::MakePayload(ch, sh, "config").SerializeAsString());
  return env;
}

// Builds the blocks of one chain: numbers and previous hashes follow on.
class BlockChain {
 public:
  common::Block Next(const std::vector<common::Envelope>& envelopes) {
    common::Block block = protoutil::NewBlock(next_, prev_hash_);
    for (const auto& env : envelopes) {
      block.mutable_data()->add_data(env.SerializeAsString());
    }
    protoutil::SealBlock(block);
    ++next_;
    prev_hash_ = protoutil::BlockHeaderHash(block.header());
    return block;
  }
  uint64_t next_number() const { return next_; }
  const std::string& prev_hash() const { return prev_hash_; }

 private:
  uint64_t next_ = 0;
  std::string prev_hash_;
};

}  // namespace fabric::ledger::testing
