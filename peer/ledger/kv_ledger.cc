// SPDX-License-Identifier: Apache-2.0

#include "peer/ledger/kv_ledger.h"

#include <thread>
#include <unordered_set>

#include <absl/strings/str_format.h>

#include "common/crypto/hash.h"
#include "common/logging/logging.h"
#include "common/protoutil/blockutils.h"
#include "fabric/base/status_macros.h"
#include "fabric/base/thread_name.h"
#include "peer/ledger/commit_hash.h"
#include "peer/ledger/mvcc_validator.h"

namespace fabric::ledger {
namespace {

logging::Logger logger("ledger.kvledger");

}  // namespace

StatusOr<std::unique_ptr<KvLedger>> KvLedger::Open(const Options& options) {
  if (options.ledger_id.empty() || options.state_db == nullptr) {
    return InvalidArgumentError("open ledger: ledger id and state db are required");
  }
  ASSIGN_OR_RETURN(auto blocks, blkstorage::BlockStore::Open(options.block_store));
  std::unique_ptr<KvLedger> ledger(new KvLedger(options, std::move(blocks)));
  RETURN_IF_ERROR(ledger->state_->LoadMetadataNamespaces());
  RETURN_IF_ERROR(ledger->Recover().Annotate("open ledger " + options.ledger_id));
  if (const uint64_t height = ledger->blocks_->Height(); height > 0) {
    ASSIGN_OR_RETURN(common::Block last, ledger->blocks_->RetrieveBlockByNumber(height - 1));
    ledger->commit_hash_ = CommitHashOf(last);
  }
  return ledger;
}

KvLedger::KvLedger(const Options& options, std::unique_ptr<blkstorage::BlockStore> blocks)
    : ledger_id_(options.ledger_id),
      blocks_(std::move(blocks)),
      state_(std::make_unique<StateDB>(options.state_db, options.ledger_id)),
      history_(options.history_db != nullptr
                   ? std::make_unique<HistoryDB>(options.history_db, options.ledger_id)
                   : nullptr) {}

KvLedger::~KvLedger() = default;

// Replays the blocks that state or history have not applied yet.
Status KvLedger::Recover() {
  const uint64_t height = blocks_->Height();
  ASSIGN_OR_RETURN(auto state_sp, state_->GetLatestSavePoint());
  // Next block each database needs.
  const uint64_t state_next = state_sp.has_value() ? state_sp->block_num + 1 : 0;
  uint64_t history_next = height;
  if (history_ != nullptr) {
    ASSIGN_OR_RETURN(auto history_sp, history_->GetLastSavepoint());
    history_next = history_sp.has_value() ? history_sp->block_num + 1 : 0;
  }
  if (state_next > height || history_next > height) {
    return DataLossError(absl::StrFormat(
        "state (next block %d) or history (next block %d) is ahead of the block store "
        "(height %d)",
        state_next, history_next, height));
  }
  const uint64_t from = std::min(state_next, history_next);
  if (from < height) {
    FLOG_INFO(logger,
              "ledger=%s recovering: replaying blocks %d..%d (state lacks blocks from %d, "
              "history from %d)",
              ledger_id_, from, height - 1, state_next, history_next);
  }
  for (uint64_t n = from; n < height; ++n) {
    RETURN_IF_ERROR(ReplayBlock(n, n >= state_next, n >= history_next));
  }
  return Status();
}

Status KvLedger::ReplayBlock(uint64_t n, bool state, bool history) {
  ASSIGN_OR_RETURN(common::Block block, blocks_->RetrieveBlockByNumber(n));
  std::vector<ParsedTx> txs = ParseBlockTxs(block, TxFilterFromBlock(block));
  if (state) {
    UpdateBatch batch;
    const auto committed = state_->Latest();
    for (const auto& tx : txs) {
      if (tx.code == protos::VALID) {
        RETURN_IF_ERROR(ApplyTxWrites(*committed, tx, Height{n, tx.tx_num}, &batch));
      }
    }
    const uint64_t last_tx = txs.empty() ? 0 : txs.size() - 1;
    RETURN_IF_ERROR(state_->ApplyUpdates(batch, Height{n, last_tx}));
  }
  if (history && history_ != nullptr) {
    RETURN_IF_ERROR(history_->Commit(n, txs));
  }
  return Status();
}

Status KvLedger::CheckExtendsChain(const common::Block& block) const {
  if (!block.has_header()) {
    return InvalidArgumentError("commit block: block has no header");
  }
  const common::BlockchainInfo info = blocks_->GetBlockchainInfo();
  if (block.header().number() != info.height()) {
    return FailedPreconditionError(
        absl::StrFormat("commit block: block number %d but ledger %s height is %d",
                        block.header().number(), ledger_id_, info.height()));
  }
  if (block.header().previous_hash() != info.currentblockhash()) {
    return FailedPreconditionError(absl::StrFormat(
        "commit block: previous hash mismatch at block %d: block has %s, ledger's last block "
        "hash is %s",
        block.header().number(), crypto::HexEncode(block.header().previous_hash()),
        crypto::HexEncode(info.currentblockhash())));
  }
  return Status();
}

Status KvLedger::MarkDuplicates(std::vector<ParsedTx>& txs, bool ledger_checked) const {
  std::unordered_set<std::string> seen;
  for (auto& tx : txs) {
    if (tx.tx_id.empty()) {
      continue;
    }
    const bool dup_in_block = !seen.insert(tx.tx_id).second;
    if (tx.code != protos::VALID) {
      continue;
    }
    if (dup_in_block) {
      tx.code = protos::DUPLICATE_TXID;
      continue;
    }
    if (ledger_checked && tx.type == common::ENDORSER_TRANSACTION) {
      continue;
    }
    ASSIGN_OR_RETURN(bool exists, blocks_->TxIdExists(tx.tx_id));
    if (exists) {
      tx.code = protos::DUPLICATE_TXID;
    }
  }
  return Status();
}

StatusOr<std::vector<protos::TxValidationCode>> KvLedger::ValidateAndPrepare(common::Block block,
                                                                             PriorChecks prior) {
  std::lock_guard<std::mutex> lock(commit_mu_);
  RETURN_IF_ERROR(failed_);
  pending_.reset();
  RETURN_IF_ERROR(CheckExtendsChain(block));
  Pending p;
  p.txs = ParseBlockTxs(block, TxFilterFromBlock(block));
  RETURN_IF_ERROR(MarkDuplicates(p.txs, prior.txids));
  const uint64_t n = block.header().number();
  RETURN_IF_ERROR(ValidateAndPrepareBatch(*state_->Latest(), n, p.txs, &p.batch));
  std::vector<protos::TxValidationCode> codes;
  codes.reserve(p.txs.size());
  for (const auto& tx : p.txs) {
    codes.push_back(tx.code);
  }
  SetTxFilter(block, codes);
  if (n == 1 || !commit_hash_.empty()) {
    p.commit_hash = ComputeCommitHash(block.metadata().metadata(common::TRANSACTIONS_FILTER),
                                      p.batch, commit_hash_);
    SetCommitHash(block, p.commit_hash);
  }
  p.block = std::make_shared<common::Block>(std::move(block));
  p.data_hash_checked = prior.data_hash;
  pending_ = std::move(p);
  return codes;
}

StatusOr<std::shared_ptr<const common::Block>> KvLedger::Commit() {
  std::lock_guard<std::mutex> lock(commit_mu_);
  RETURN_IF_ERROR(failed_);
  if (!pending_.has_value()) {
    return FailedPreconditionError("commit: no block prepared (call ValidateAndPrepare first)");
  }
  Pending p = std::move(*pending_);
  pending_.reset();
  const uint64_t n = p.block->header().number();
  if (Status added = blocks_->AddBlock(p.block, {.data_hash_checked = p.data_hash_checked});
      !added.ok()) {
    SetCommitFailure(added);
    return added;
  }
  // State and history are independent databases: write them in parallel.
  Status history_status;
  Status s;
  {
    std::jthread history_writer;
    if (history_ != nullptr) {
      history_writer = std::jthread([&] {
        SetThreadName("history");
        history_status = history_->Commit(n, p.txs);
      });
    }
    const uint64_t last_tx = p.txs.empty() ? 0 : p.txs.size() - 1;
    s = state_->ApplyUpdates(p.batch, Height{n, last_tx});
  }
  if (s.ok()) {
    s = history_status;
  }
  if (!s.ok()) {
    failed_ = FailedPreconditionError(
        absl::StrFormat("ledger %s failed committing block %d (reopen to recover): %s", ledger_id_,
                        n, s.message()));
    FLOG_ERROR(logger, "%s", failed_.message());
    SetCommitFailure(s);
    return s;
  }
  commit_hash_ = std::move(p.commit_hash);
  FLOG_DEBUG(logger, "ledger=%s committed block %d (%d txs, %d state updates)", ledger_id_, n,
             p.txs.size(), p.batch.size());
  return std::shared_ptr<const common::Block>(std::move(p.block));
}

void KvLedger::SetCommitFailure(const Status& s) {
  std::lock_guard<std::mutex> lock(health_mu_);
  commit_failure_ = UnavailableError(absl::StrFormat(
      "ledger %s cannot commit blocks (restart the peer once the cause is fixed): %s", ledger_id_,
      s.message()));
  commit_failed_.store(true, std::memory_order_release);
}

Status KvLedger::CommitHealth() const {
  if (!commit_failed_.load(std::memory_order_acquire)) {
    return Status::OK();
  }
  std::lock_guard<std::mutex> lock(health_mu_);
  return commit_failure_;
}

Status KvLedger::CommitBlock(common::Block block) {
  RETURN_IF_ERROR(ValidateAndPrepare(std::move(block)).status());
  return Commit().status();
}

std::unique_ptr<TxSimulator> KvLedger::NewTxSimulator(std::string tx_id) const {
  return ledger::NewTxSimulator(state_->NewSnapshot(), std::move(tx_id));
}

std::unique_ptr<QueryExecutor> KvLedger::NewQueryExecutor() const {
  return ledger::NewQueryExecutor(state_->NewSnapshot());
}

StatusOr<common::Block> KvLedger::GetBlockByNumber(uint64_t n) const {
  return blocks_->RetrieveBlockByNumber(n);
}

StatusOr<common::Block> KvLedger::GetBlockByHash(std::string_view hash) const {
  return blocks_->RetrieveBlockByHash(hash);
}

StatusOr<common::Block> KvLedger::GetBlockByTxId(std::string_view txid) const {
  return blocks_->RetrieveBlockByTxId(txid);
}

StatusOr<protos::ProcessedTransaction> KvLedger::GetTransactionByID(std::string_view txid) const {
  ASSIGN_OR_RETURN(auto info, blocks_->RetrieveTxIdInfo(txid));
  ASSIGN_OR_RETURN(auto env, blocks_->RetrieveTxByBlockNumTranNum(info.block_num, info.tx_num));
  protos::ProcessedTransaction pt;
  *pt.mutable_transactionenvelope() = std::move(env);
  pt.set_validationcode(info.validation_code);
  return pt;
}

StatusOr<protos::TxValidationCode> KvLedger::GetTxValidationCodeByTxID(
    std::string_view txid) const {
  return blocks_->RetrieveTxValidationCodeByTxId(txid);
}

StatusOr<std::unique_ptr<blkstorage::BlocksIterator>> KvLedger::GetBlocksIterator(uint64_t start) {
  return blocks_->RetrieveBlocks(start);
}

}  // namespace fabric::ledger
