// SPDX-License-Identifier: Apache-2.0

#include "peer/committer/tx_validator.h"

#include <algorithm>
#include <map>
#include <set>
#include <thread>
#include <unordered_map>

#include <absl/strings/str_format.h>

#include "common/channelconfig/configtx.h"
#include "common/crypto/hash.h"
#include "common/logging/logging.h"
#include "common/protoutil/txutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "peer/committer/fork_join_pool.h"

namespace fabric::committer {
namespace {

logging::Logger logger("committer.txvalidator");

int Parallelism(int requested) {
  if (requested > 0) {
    return requested;
  }
  unsigned hw = std::thread::hardware_concurrency();
  return hw == 0 ? 2 : static_cast<int>(hw);
}

// Fabric's GetProposalHash2: sha256(channel_header || signature_header || proposal payload).
std::string ProposalHash2(const common::Header& header, const std::string& payload) {
  std::string data;
  data.reserve(header.channel_header().size() + header.signature_header().size() + payload.size());
  data.append(header.channel_header());
  data.append(header.signature_header());
  data.append(payload);
  return crypto::Sha256(data);
}

}  // namespace

struct TxValidator::TxResult {
  protos::TxValidationCode code = protos::NOT_VALIDATED;
  std::string reason;
  int32_t type = -1;
  std::string tx_id;
  std::string invoked_cc;
  std::optional<ccprovider::ChaincodeData> definition;
  bool upgrade = false;
  bool upgrade_conflicts_in_block = false;
  common::Payload config_payload;  // CONFIG transactions only
  // Key-level validation (key_level.h): what the plugins passed, which keys' metadata the
  // transaction writes, and which keys' validation parameters its checks read.
  std::vector<std::string> passed_namespaces;
  std::vector<KeyRef> metadata_writes;
  std::vector<uint64_t> parameter_reads;  // KeyFingerprint of each key

  void Fail(protos::TxValidationCode c, std::string why) {
    code = c;
    reason = std::move(why);
  }
  // The verdict of the chaincode checks, and what later transactions of the block depend on.
  void Take(VsccResult v) {
    invoked_cc = std::move(v.invoked_cc);
    definition = std::move(v.definition);
    upgrade = v.upgrade;
    upgrade_conflicts_in_block = v.upgrade_conflicts_in_block;
    code = v.code;
    reason = std::move(v.reason);
    passed_namespaces = std::move(v.passed_namespaces);
    metadata_writes = std::move(v.metadata_writes);
  }
};

// First pass: committed validation parameters; remembers which keys were read, so that the
// transactions whose verdict may depend on an earlier one of the block can be found.
class TxValidator::RecordingParameters : public ValidationParameterSource {
 public:
  RecordingParameters(ledger::QueryExecutor& qe, std::vector<uint64_t>* reads)
      : qe_(qe), reads_(reads) {}
  StatusOr<std::string> Get(const std::string& ns, const std::string& coll,
                            const std::string& key) override {
    reads_->push_back(KeyFingerprint(ns, coll, key));
    return CommittedValidationParameter(qe_, ns, coll, key);
  }

 private:
  ledger::QueryExecutor& qe_;
  std::vector<uint64_t>* reads_;
};

// Second pass, for transaction `tx_num`: a key whose metadata an earlier transaction of the
// block writes, and whose plugin for the key's namespace passed, has an updated parameter
// (Fabric's ValidationParameterUpdatedError). An earlier transaction that never reached the
// plugin for the namespace does not count (Fabric would wait for its result forever).
class TxValidator::InBlockParameters : public ValidationParameterSource {
 public:
  InBlockParameters(ledger::QueryExecutor& qe, const std::vector<TxResult>& results, size_t tx_num,
                    const std::map<KeyRef, std::vector<size_t>>& metadata_writers)
      : qe_(qe), results_(results), tx_num_(tx_num), writers_(metadata_writers) {}
  StatusOr<std::string> Get(const std::string& ns, const std::string& coll,
                            const std::string& k) override {
    const KeyRef key{ns, coll, k};
    auto it = writers_.find(key);
    if (it != writers_.end()) {
      for (size_t m : it->second) {
        const auto& passed = results_[m].passed_namespaces;
        if (m < tx_num_ && std::find(passed.begin(), passed.end(), key.ns) != passed.end()) {
          return AbortedError(absl::StrFormat(
              "validation parameter for key [%s, %s, %s] has been changed by transaction %d of "
              "this block",
              key.ns, key.coll, key.key, m));
        }
      }
    }
    return CommittedValidationParameter(qe_, ns, coll, k);
  }

 private:
  ledger::QueryExecutor& qe_;
  const std::vector<TxResult>& results_;
  const size_t tx_num_;
  const std::map<KeyRef, std::vector<size_t>>& writers_;
};

TxValidator::TxValidator(Options options, ledger::KvLedger& ledger)
    : options_(std::move(options)),
      ledger_(ledger),
      vscc_(options_.system_chaincodes,
            options_.definitions != nullptr ? *options_.definitions : lscc_definitions_),
      pool_(std::make_unique<ForkJoinPool>(Parallelism(options_.parallelism))) {}

TxValidator::~TxValidator() = default;

namespace {
// common.HeaderType TOKEN_TRANSACTION of Fabric 1.4 (reserved in this project's protos).
constexpr int kTokenTransaction = 9;
}  // namespace

void TxValidator::ValidateTx(const std::string& data, const channelconfig::Bundle& config,
                             ledger::QueryExecutor& qe, PolicyCache& policies,
                             ValidationParameterSource& params, TxResult* out) const {
  EndorserTx tx;
  if (!ParseEnvelope(data, &tx, out)) {
    return;
  }
  out->type = tx.channel_header.type();
  out->tx_id = tx.channel_header.tx_id();
  // Fabric 1.4's ValidateTransaction, step by step.
  if (!ValidateCommonHeader(tx, out) || !CheckSignatureFromCreator(tx, config, out)) {
    return;
  }
  const int type = out->type;
  if (type == common::CONFIG_UPDATE) {
    return out->Fail(protos::UNSUPPORTED_TX_PAYLOAD, "config updates are not transactions");
  }
  if (type == common::CONFIG) {
    if (tx.payload.data().empty()) {
      return out->Fail(protos::INVALID_CONFIG_TRANSACTION, "empty config transaction");
    }
    out->config_payload = std::move(tx.payload);
    out->code = protos::VALID;
    return;
  }
  if (out->tx_id !=
      protoutil::ComputeTxId(tx.signature_header.nonce(), tx.signature_header.creator())) {
    return out->Fail(protos::BAD_PROPOSAL_TXID, "txid does not match nonce and creator");
  }
  if (type == kTokenTransaction) {  // a type Fabric 1.4 knows but does not process
    return out->Fail(protos::UNKNOWN_TX_TYPE, "token transactions are not supported");
  }
  if (!ValidateEndorserTransaction(&tx, out)) {
    return;
  }
  StatusOr<bool> exists = ledger_.TxIdExists(out->tx_id);
  if (!exists.ok()) {
    return out->Fail(protos::NOT_VALIDATED, std::string(exists.status().message()));
  }
  if (*exists) {
    return out->Fail(protos::DUPLICATE_TXID, "txid already committed");
  }
  StatusOr<VsccResult> v = vscc_.Validate(tx, config, qe, policies, params);
  if (!v.ok()) {
    return out->Fail(protos::NOT_VALIDATED, std::string(v.status().message()));
  }
  out->Take(std::move(*v));
}

bool TxValidator::ParseEnvelope(const std::string& data, EndorserTx* tx, TxResult* out) {
  if (data.empty()) {
    out->Fail(protos::NIL_ENVELOPE, "nil envelope");
    return false;
  }
  if (!tx->envelope.ParseFromString(data)) {
    out->Fail(protos::BAD_PAYLOAD, "envelope does not parse");
    return false;
  }
  if (!tx->payload.ParseFromString(tx->envelope.payload())) {
    out->Fail(protos::BAD_PAYLOAD, "payload does not parse");
    return false;
  }
  if (!tx->payload.has_header() ||
      !tx->channel_header.ParseFromString(tx->payload.header().channel_header()) ||
      !tx->signature_header.ParseFromString(tx->payload.header().signature_header())) {
    out->Fail(protos::BAD_COMMON_HEADER, "missing or malformed header");
    return false;
  }
  return true;
}

bool TxValidator::ValidateCommonHeader(const EndorserTx& tx, TxResult* out) {
  const int type = tx.channel_header.type();
  if (type != common::ENDORSER_TRANSACTION && type != common::CONFIG_UPDATE &&
      type != common::CONFIG && type != kTokenTransaction) {
    out->Fail(protos::BAD_COMMON_HEADER, absl::StrFormat("invalid header type %d", type));
    return false;
  }
  if (tx.channel_header.epoch() != 0) {
    out->Fail(protos::BAD_COMMON_HEADER, "invalid epoch");
    return false;
  }
  if (tx.signature_header.nonce().empty() || tx.signature_header.creator().empty()) {
    out->Fail(protos::BAD_COMMON_HEADER, "empty nonce or creator");
    return false;
  }
  return true;
}

bool TxValidator::CheckSignatureFromCreator(const EndorserTx& tx,
                                            const channelconfig::Bundle& config,
                                            TxResult* out) const {
  // A channel other than this one has no MSP here (Fabric looks the MSP up by that name).
  if (tx.channel_header.channel_id() != options_.channel_id) {
    out->Fail(protos::BAD_CREATOR_SIGNATURE, absl::StrFormat("could not get msp for channel [%s]",
                                                             tx.channel_header.channel_id()));
    return false;
  }
  auto creator = config.msp_manager().DeserializeIdentity(tx.signature_header.creator());
  Status s = creator.ok() ? (*creator)->Validate() : creator.status();
  if (s.ok()) {
    s = (*creator)->Verify(tx.envelope.payload(), tx.envelope.signature());
  }
  if (!s.ok()) {
    out->Fail(protos::BAD_CREATOR_SIGNATURE, std::string(s.message()));
    return false;
  }
  return true;
}

bool TxValidator::ValidateEndorserTransaction(EndorserTx* tx, TxResult* out) {
  protos::Transaction transaction;
  common::SignatureHeader action_header;
  if (!transaction.ParseFromString(tx->payload.data()) || transaction.actions_size() != 1 ||
      !action_header.ParseFromString(transaction.actions(0).header()) ||
      action_header.nonce().empty() || action_header.creator().empty() ||
      !tx->action_payload.ParseFromString(transaction.actions(0).payload()) ||
      !tx->action_payload.has_action() ||
      !tx->response_payload.ParseFromString(
          tx->action_payload.action().proposal_response_payload())) {
    out->Fail(protos::INVALID_ENDORSER_TRANSACTION, "malformed transaction action");
    return false;
  }
  if (tx->response_payload.proposal_hash() !=
      ProposalHash2(tx->payload.header(), tx->action_payload.chaincode_proposal_payload())) {
    out->Fail(protos::INVALID_ENDORSER_TRANSACTION, "proposal hash does not match");
    return false;
  }
  return true;
}

void TxValidator::RevalidateDependentTxs(const common::Block& block,
                                         const channelconfig::Bundle& config,
                                         ledger::QueryExecutor& qe, PolicyCache& policies,
                                         std::vector<TxResult>& results) const {
  std::map<KeyRef, std::vector<size_t>> writers;
  for (size_t i = 0; i < results.size(); ++i) {
    for (const KeyRef& key : results[i].metadata_writes) {
      writers[key].push_back(i);
    }
  }
  if (writers.empty()) {
    return;
  }
  // The first writer of each key, by fingerprint: a collision only validates a transaction
  // again, which InBlockParameters then decides on exact keys.
  std::unordered_map<uint64_t, size_t> first_writer;
  for (const auto& [key, txs] : writers) {
    auto [it, inserted] =
        first_writer.emplace(KeyFingerprint(key.ns, key.coll, key.key), txs.front());
    if (!inserted) {
      it->second = std::min(it->second, txs.front());
    }
  }
  auto depends_on_earlier = [&](size_t i) {
    for (uint64_t key : results[i].parameter_reads) {
      auto it = first_writer.find(key);
      if (it != first_writer.end() && it->second < i) {
        return true;
      }
    }
    return false;
  };
  // In block order, so that each transaction sees the final verdicts of the earlier ones.
  for (size_t i = 0; i < results.size(); ++i) {
    if (!depends_on_earlier(i)) {
      continue;
    }
    TxResult redo;
    InBlockParameters params(qe, results, i, writers);
    ValidateTx(block.data().data(static_cast<int>(i)), config, qe, policies, params, &redo);
    redo.parameter_reads = std::move(results[i].parameter_reads);
    results[i] = std::move(redo);
  }
}

void TxValidator::MarkDuplicatesInBlock(std::vector<TxResult>& results) {
  std::set<std::string> seen;
  for (TxResult& r : results) {
    if (r.code != protos::VALID || r.type != common::ENDORSER_TRANSACTION) {
      continue;
    }
    if (!seen.insert(r.tx_id).second) {
      r.Fail(protos::DUPLICATE_TXID, "txid already in this block");
    }
  }
}

std::vector<size_t> TxValidator::ValidUpgrades(const std::vector<TxResult>& results) {
  std::vector<size_t> out;
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].code == protos::VALID && results[i].upgrade_conflicts_in_block &&
        results[i].definition) {
      out.push_back(i);
    }
  }
  return out;
}

void TxValidator::MarkChaincodeConflicts(std::vector<TxResult>& results,
                                         const std::vector<size_t>& upgrades) {
  std::map<std::string, size_t> last_upgrade;  // chaincode -> index of the winning upgrade
  for (size_t i : upgrades) {
    const std::string& cc = results[i].definition->name();
    auto [it, first] = last_upgrade.emplace(cc, i);
    if (!first) {
      results[it->second].Fail(protos::CHAINCODE_VERSION_CONFLICT,
                               absl::StrFormat("chaincode %s was upgraded by a later transaction "
                                               "of the same block",
                                               cc));
      it->second = i;
    }
  }
  for (TxResult& r : results) {
    if (r.code == protos::VALID && last_upgrade.count(r.invoked_cc) > 0) {
      r.Fail(protos::CHAINCODE_VERSION_CONFLICT,
             absl::StrFormat("chaincode %s is upgraded in the same block", r.invoked_cc));
    }
  }
}

Status TxValidator::ApplyConfigTx(const common::Payload& payload,
                                  const channelconfig::Bundle& config,
                                  std::shared_ptr<const channelconfig::Bundle>* next) const {
  ASSIGN_OR_RETURN(auto envelope,
                   protoutil::Unmarshal<common::ConfigEnvelope>(payload.data(), "config envelope"));
  // Fabric's chainSupport.Apply: the orderer's word is not taken; the update is authorized again
  // against this peer's config and must yield exactly the carried config.
  RETURN_IF_ERROR(channelconfig::ValidateConfigEnvelope(config, envelope));
  msp::Msp::Options msp_options;
  msp_options.check_expiry = false;
  ASSIGN_OR_RETURN(*next, channelconfig::Bundle::FromConfig(options_.channel_id, envelope.config(),
                                                            msp_options));
  RETURN_IF_ERROR(config.ValidateNew(**next));
  return (*next)->CheckPeerCapabilitiesSupported();
}

StatusOr<BlockValidation> TxValidator::Validate(const common::Block& block,
                                                const channelconfig::Bundle& config) {
  const int n = block.data().data_size();
  std::vector<TxResult> results(n);
  PolicyCache policies(config.msp_manager());
  std::vector<std::unique_ptr<ledger::QueryExecutor>> executors(pool_->threads());
  for (auto& qe : executors) {
    qe = ledger_.NewQueryExecutor();
  }
  pool_->ParallelFor(n, [&](int worker, size_t i) {
    RecordingParameters params(*executors[worker], &results[i].parameter_reads);
    ValidateTx(block.data().data(static_cast<int>(i)), config, *executors[worker], policies, params,
               &results[i]);
  });
  RevalidateDependentTxs(block, config, *executors[0], policies, results);
  for (auto& qe : executors) {
    qe->Done();
  }
  for (int i = 0; i < n; ++i) {
    if (results[i].code == protos::NOT_VALIDATED) {
      return InternalError(absl::StrFormat("validate block %d tx %d: %s", block.header().number(),
                                           i, results[i].reason));
    }
  }
  // Fabric collects the upgrades before it marks duplicate txids.
  const std::vector<size_t> upgrades = ValidUpgrades(results);
  MarkDuplicatesInBlock(results);
  MarkChaincodeConflicts(results, upgrades);

  BlockValidation out;
  std::shared_ptr<const channelconfig::Bundle> current;
  for (int i = 0; i < n; ++i) {
    TxResult& r = results[i];
    if (r.code == protos::VALID && r.type == common::CONFIG) {
      Status s = ApplyConfigTx(r.config_payload, current ? *current : config, &current);
      if (!s.ok()) {
        return s.Annotate(
            absl::StrFormat("config transaction %d of block %d", i, block.header().number()));
      }
    }
    if (r.code == protos::VALID && r.definition.has_value()) {
      out.deployments.push_back(
          ChaincodeDeployment{static_cast<uint64_t>(i), r.upgrade, std::move(*r.definition)});
    }
    if (r.code != protos::VALID) {
      FLOG_DEBUG(logger, "block %d tx %d txid=%s invalid %s: %s", block.header().number(), i,
                 r.tx_id, protos::TxValidationCode_Name(r.code), r.reason);
    }
    out.codes.push_back(r.code);
    out.reasons.push_back(std::move(r.reason));
  }
  out.new_config = std::move(current);
  return out;
}

}  // namespace fabric::committer
