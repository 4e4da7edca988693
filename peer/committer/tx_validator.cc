// SPDX-License-Identifier: Apache-2.0

#include "peer/committer/tx_validator.h"

#include <map>
#include <set>
#include <thread>

#include <absl/strings/str_format.h>

#include "common/crypto/hash.h"
#include "common/logging/logging.h"
#include "common/protoutil/txutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/status_macros.h"
#include "peer/committer/worker_pool.h"

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

class TxValidator::WorkerPool : public committer::WorkerPool {
 public:
  using committer::WorkerPool::WorkerPool;
};

struct TxValidator::TxResult {
  protos::TxValidationCode code = protos::NOT_VALIDATED;
  std::string reason;
  int32_t type = -1;
  std::string tx_id;
  std::string invoked_cc;
  std::optional<ccprovider::ChaincodeData> definition;
  bool upgrade = false;
  common::Payload config_payload;  // CONFIG transactions only

  void Fail(protos::TxValidationCode c, std::string why) {
    code = c;
    reason = std::move(why);
  }
};

TxValidator::TxValidator(Options options, ledger::KvLedger& ledger)
    : options_(std::move(options)),
      ledger_(ledger),
      vscc_(options_.system_chaincodes,
            options_.definitions != nullptr ? *options_.definitions : lscc_definitions_),
      pool_(std::make_unique<WorkerPool>(Parallelism(options_.parallelism))) {}

TxValidator::~TxValidator() = default;

void TxValidator::ValidateTx(const std::string& data, const channelconfig::Bundle& config,
                             ledger::QueryExecutor& qe, PolicyCache& policies,
                             TxResult* out) const {
  if (data.empty()) {
    return out->Fail(protos::NIL_ENVELOPE, "nil envelope");
  }
  EndorserTx tx;
  if (!tx.envelope.ParseFromString(data)) {
    return out->Fail(protos::BAD_PAYLOAD, "envelope does not parse");
  }
  if (!tx.payload.ParseFromString(tx.envelope.payload())) {
    return out->Fail(protos::BAD_PAYLOAD, "payload does not parse");
  }
  if (!tx.payload.has_header() ||
      !tx.channel_header.ParseFromString(tx.payload.header().channel_header()) ||
      !tx.signature_header.ParseFromString(tx.payload.header().signature_header())) {
    return out->Fail(protos::BAD_COMMON_HEADER, "missing or malformed header");
  }
  out->type = tx.channel_header.type();
  out->tx_id = tx.channel_header.tx_id();
  if (tx.signature_header.nonce().empty() || tx.signature_header.creator().empty()) {
    return out->Fail(protos::BAD_COMMON_HEADER, "empty nonce or creator");
  }
  if (out->type != common::ENDORSER_TRANSACTION && out->type != common::CONFIG) {
    return out->Fail(protos::UNKNOWN_TX_TYPE,
                     absl::StrFormat("unknown transaction type %d", out->type));
  }
  // The creator: a valid member of the channel whose signature verifies.
  auto creator = config.msp_manager().DeserializeIdentity(tx.signature_header.creator());
  Status s = creator.ok() ? (*creator)->Validate() : creator.status();
  if (s.ok()) {
    s = (*creator)->Verify(tx.envelope.payload(), tx.envelope.signature());
  }
  if (!s.ok()) {
    return out->Fail(protos::BAD_CREATOR_SIGNATURE, std::string(s.message()));
  }
  if (tx.channel_header.channel_id() != options_.channel_id) {
    return out->Fail(protos::TARGET_CHAIN_NOT_FOUND,
                     absl::StrFormat("transaction for channel %s", tx.channel_header.channel_id()));
  }
  if (out->type == common::CONFIG) {
    out->config_payload = std::move(tx.payload);
    out->code = protos::VALID;
    return;
  }
  if (out->tx_id !=
      protoutil::ComputeTxId(tx.signature_header.nonce(), tx.signature_header.creator())) {
    return out->Fail(protos::BAD_PROPOSAL_TXID, "txid does not match nonce and creator");
  }
  protos::Transaction transaction;
  common::SignatureHeader action_header;
  if (!transaction.ParseFromString(tx.payload.data()) || transaction.actions_size() != 1 ||
      !action_header.ParseFromString(transaction.actions(0).header()) ||
      action_header.nonce().empty() || action_header.creator().empty() ||
      !tx.action_payload.ParseFromString(transaction.actions(0).payload()) ||
      !tx.action_payload.has_action() ||
      !tx.response_payload.ParseFromString(
          tx.action_payload.action().proposal_response_payload())) {
    return out->Fail(protos::INVALID_ENDORSER_TRANSACTION, "malformed transaction action");
  }
  if (tx.response_payload.proposal_hash() !=
      ProposalHash2(tx.payload.header(), tx.action_payload.chaincode_proposal_payload())) {
    return out->Fail(protos::INVALID_ENDORSER_TRANSACTION, "proposal hash does not match");
  }
  StatusOr<bool> exists = ledger_.TxIdExists(out->tx_id);
  if (!exists.ok()) {
    return out->Fail(protos::NOT_VALIDATED, std::string(exists.status().message()));
  }
  if (*exists) {
    return out->Fail(protos::DUPLICATE_TXID, "txid already committed");
  }
  StatusOr<VsccResult> v = vscc_.Validate(tx, config, qe, policies);
  if (!v.ok()) {
    return out->Fail(protos::NOT_VALIDATED, std::string(v.status().message()));
  }
  out->invoked_cc = std::move(v->invoked_cc);
  out->definition = std::move(v->definition);
  out->upgrade = v->upgrade;
  out->code = v->code;
  out->reason = std::move(v->reason);
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

void TxValidator::MarkChaincodeConflicts(std::vector<TxResult>& results) {
  std::map<std::string, size_t> last_definition;  // chaincode -> index of the winning lscc tx
  for (size_t i = 0; i < results.size(); ++i) {
    if (results[i].code == protos::VALID && results[i].definition.has_value()) {
      last_definition[results[i].definition->name()] = i;
    }
  }
  if (last_definition.empty()) {
    return;
  }
  for (size_t i = 0; i < results.size(); ++i) {
    TxResult& r = results[i];
    if (r.code != protos::VALID) {
      continue;
    }
    const std::string& cc = r.definition.has_value() ? r.definition->name() : r.invoked_cc;
    auto it = last_definition.find(cc);
    if (it != last_definition.end() && it->second != i) {
      r.Fail(protos::CHAINCODE_VERSION_CONFLICT,
             absl::StrFormat("chaincode %s is redefined in the same block", cc));
    }
  }
}

Status TxValidator::ApplyConfigTx(const common::Payload& payload,
                                  const channelconfig::Bundle& config,
                                  std::shared_ptr<const channelconfig::Bundle>* next) const {
  ASSIGN_OR_RETURN(auto envelope,
                   protoutil::Unmarshal<common::ConfigEnvelope>(payload.data(), "config envelope"));
  if (envelope.config().sequence() != config.sequence() + 1) {
    return InvalidArgumentError(absl::StrFormat(
        "config sequence %d, expected %d", envelope.config().sequence(), config.sequence() + 1));
  }
  msp::Msp::Options msp_options;
  msp_options.check_expiry = false;
  ASSIGN_OR_RETURN(*next, channelconfig::Bundle::FromConfig(options_.channel_id, envelope.config(),
                                                            msp_options));
  return Status::OK();
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
    ValidateTx(block.data().data(static_cast<int>(i)), config, *executors[worker], policies,
               &results[i]);
  });
  for (auto& qe : executors) {
    qe->Done();
  }
  for (int i = 0; i < n; ++i) {
    if (results[i].code == protos::NOT_VALIDATED) {
      return InternalError(absl::StrFormat("validate block %d tx %d: %s", block.header().number(),
                                           i, results[i].reason));
    }
  }
  MarkDuplicatesInBlock(results);
  MarkChaincodeConflicts(results);

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
