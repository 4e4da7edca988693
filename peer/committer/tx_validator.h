// SPDX-License-Identifier: Apache-2.0
//
// TxValidator: the committer's validation of a block's transactions before the ledger's MVCC
// (Fabric 1.4 core/committer/txvalidator/validator.go + msgvalidation.go ValidateTransaction).
// Each transaction is checked on a small worker pool, in this order:
//   empty data entry                                              -> NIL_ENVELOPE
//   envelope or payload does not parse (Fabric: INVALID_OTHER_REASON
//   for an envelope that does not parse)                          -> BAD_PAYLOAD
//   no header, channel/signature header does not parse, empty
//   nonce or creator                                              -> BAD_COMMON_HEADER
//   header type other than ENDORSER_TRANSACTION and CONFIG        -> UNKNOWN_TX_TYPE
//   creator not a valid identity of a channel MSP, or its signature
//   over the payload does not verify                              -> BAD_CREATOR_SIGNATURE
//   channel header names another channel                          -> TARGET_CHAIN_NOT_FOUND
// endorser transactions:
//   txid != hex(sha256(nonce || creator))                         -> BAD_PROPOSAL_TXID
//   not exactly one action, malformed action / action payload /
//   proposal response payload, empty action signature header, or
//   proposal hash mismatch                                        -> INVALID_ENDORSER_TRANSACTION
//   txid already in the ledger                                    -> DUPLICATE_TXID
//   chaincode checks (vscc.h)                                     -> see there
// then, over the whole block in order:
//   a txid seen in an earlier still-valid transaction of the block -> DUPLICATE_TXID
//   a chaincode upgraded by an lscc transaction of the block that
//   passed the checks above: every earlier such upgrade of it (even
//   one already DUPLICATE_TXID) and every still-valid transaction
//   invoking it                                                   -> CHAINCODE_VERSION_CONFLICT
//   (Fabric 1.4 invalidTXsForUpgradeCC; two deploys of one chaincode are left to MVCC: the
//   second reads lscc's key as absent after the first wrote it -> MVCC_READ_CONFLICT)
// config transactions (signed by an orderer, the creator check above), as Fabric's peer
// (core/peer/peer.go chainSupport.Apply): the ConfigEnvelope must parse and carry sequence =
// current + 1; its LastUpdate is authorized again against the current config (read set,
// versions, mod_policies and their signatures: channelconfig::ValidateConfigEnvelope) and must
// produce exactly the carried config; that config must yield a valid Bundle, be a valid
// successor (Bundle::ValidateNew) and need only channel and application capabilities this
// binary supports. Otherwise Validate fails and the block must not be committed (Fabric treats
// this as fatal: the orderer should have refused the update).
//
// Identities are validated with the Bundle's MSPs, which the caller builds with
// check_expiry = false (see LoadChannelConfig), so a block's verdict never changes with time.
//
// Thread-safety: Validate may be called from one thread at a time per validator (the
// committer serialises blocks); it runs its workers internally.

#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "ccprovider/ccprovider.pb.h"
#include "common/channelconfig/bundle.h"
#include "common/common.pb.h"
#include "fabric/base/status.h"
#include "peer/committer/chaincode_definitions.h"
#include "peer/committer/vscc.h"
#include "peer/ledger/kv_ledger.h"
#include "peer/transaction.pb.h"

namespace fabric::committer {

class ForkJoinPool;

// A chaincode (re)defined by a valid lscc transaction of a block.
struct ChaincodeDeployment {
  uint64_t tx_num = 0;
  bool upgrade = false;
  ccprovider::ChaincodeData definition;
};

struct BlockValidation {
  // One code per transaction; VALID means "passed the committer", MVCC comes next.
  std::vector<protos::TxValidationCode> codes;
  // The reason for each non-VALID code (empty for VALID ones), for logs and tests.
  std::vector<std::string> reasons;
  // The channel config after this block, when it carries a config transaction.
  std::shared_ptr<const channelconfig::Bundle> new_config;
  std::vector<ChaincodeDeployment> deployments;
};

class TxValidator {
 public:
  struct Options {
    std::string channel_id;
    // Worker threads checking transactions; 0 means the number of hardware threads.
    int parallelism = 0;
    SystemChaincodes system_chaincodes;
    // Where chaincode definitions come from; null means lscc's state (LsccDefinitionProvider).
    // Not owned; must outlive the validator.
    const ChaincodeDefinitionProvider* definitions = nullptr;
  };

  // `ledger` must outlive the validator.
  TxValidator(Options options, ledger::KvLedger& ledger);
  ~TxValidator();
  TxValidator(const TxValidator&) = delete;
  TxValidator& operator=(const TxValidator&) = delete;

  // Validates the transactions of `block` against `config` and the ledger's committed state.
  // Errors: InvalidArgument for a config transaction that cannot be applied (see above);
  // storage errors reading state or the txid index.
  StatusOr<BlockValidation> Validate(const common::Block& block,
                                     const channelconfig::Bundle& config);

 private:
  struct TxResult;
  class RecordingParameters;
  class InBlockParameters;

  void ValidateTx(const std::string& data, const channelconfig::Bundle& config,
                  ledger::QueryExecutor& qe, PolicyCache& policies,
                  ValidationParameterSource& params, TxResult* out) const;
  // The steps of ValidateTx. Each returns false when it failed `out` with the verdict.
  // The envelope, its payload and the payload's headers parse.
  static bool ParseEnvelope(const std::string& data, EndorserTx* tx, TxResult* out);
  // A known header type, epoch 0, a nonce and a creator (Fabric's validateCommonHeader).
  static bool ValidateCommonHeader(const EndorserTx& tx, TxResult* out);
  // The creator is a valid member of this channel and signed the envelope.
  bool CheckSignatureFromCreator(const EndorserTx& tx, const channelconfig::Bundle& config,
                                 TxResult* out) const;
  // The one action parses into tx's action and response payloads, and the response is for the
  // proposal the transaction carries (Fabric's validateEndorserTransaction).
  static bool ValidateEndorserTransaction(EndorserTx* tx, TxResult* out);
  // Validates again, in block order, the transactions whose key-level checks read a key whose
  // metadata an earlier transaction of the block writes (key_level.h).
  void RevalidateDependentTxs(const common::Block& block, const channelconfig::Bundle& config,
                              ledger::QueryExecutor& qe, PolicyCache& policies,
                              std::vector<TxResult>& results) const;
  Status ApplyConfigTx(const common::Payload& payload, const channelconfig::Bundle& config,
                       std::shared_ptr<const channelconfig::Bundle>* next) const;
  static void MarkDuplicatesInBlock(std::vector<TxResult>& results);
  static std::vector<size_t> ValidUpgrades(const std::vector<TxResult>& results);
  static void MarkChaincodeConflicts(std::vector<TxResult>& results,
                                     const std::vector<size_t>& upgrades);

  const Options options_;
  ledger::KvLedger& ledger_;
  const LsccDefinitionProvider lscc_definitions_;
  const Vscc vscc_;
  const std::unique_ptr<ForkJoinPool> pool_;
};

}  // namespace fabric::committer
