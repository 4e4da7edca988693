// SPDX-License-Identifier: Apache-2.0

#include "peer/committer/committer.h"

#include <algorithm>

#include <absl/strings/str_format.h>

#include "common/logging/logging.h"
#include "common/protoutil/blockutils.h"
#include "fabric/base/status_macros.h"
#include "peer/ledger/block_parser.h"

namespace fabric::committer {
namespace {

logging::Logger logger("committer");

TxValidator::Options WithChannel(TxValidator::Options options, const ledger::KvLedger& ledger) {
  if (options.channel_id.empty()) {
    options.channel_id = ledger.ledger_id();
  }
  return options;
}

// The last config block index recorded in `block`'s metadata, if any.
std::optional<uint64_t> LastConfigIndex(const common::Block& block) {
  const auto& md = block.metadata().metadata();
  common::Metadata m;
  if (md.size() > common::SIGNATURES && m.ParseFromString(md[common::SIGNATURES]) &&
      !m.value().empty()) {
    common::OrdererBlockMetadata obm;
    if (obm.ParseFromString(m.value()) && obm.has_last_config()) {
      return obm.last_config().index();
    }
  }
  constexpr int kLastConfig = 1;  // common::LAST_CONFIG, deprecated but still written
  if (md.size() > kLastConfig && m.ParseFromString(md[kLastConfig]) && !m.value().empty()) {
    common::LastConfig lc;
    if (lc.ParseFromString(m.value())) {
      return lc.index();
    }
  }
  return std::nullopt;
}

}  // namespace

Committer::Committer(TxValidator::Options options, ledger::KvLedger& ledger,
                     std::shared_ptr<const channelconfig::Bundle> config)
    : channel_id_(WithChannel(options, ledger).channel_id),
      ledger_(ledger),
      validator_(WithChannel(std::move(options), ledger), ledger),
      config_(std::move(config)) {}

Committer::~Committer() = default;

std::shared_ptr<const channelconfig::Bundle> Committer::config() const {
  std::lock_guard<std::mutex> lock(mu_);
  return config_;
}

uint64_t Committer::Height() const { return ledger_.GetBlockchainInfo().height(); }

void Committer::AddObserver(CommitObserver* observer) {
  std::lock_guard<std::mutex> lock(mu_);
  observers_.push_back(observer);
}

void Committer::RemoveObserver(CommitObserver* observer) {
  std::lock_guard<std::mutex> commit_lock(commit_mu_);  // not while it is being called
  std::lock_guard<std::mutex> lock(mu_);
  observers_.erase(std::remove(observers_.begin(), observers_.end(), observer), observers_.end());
}

Status Committer::CommitBlock(common::Block block, BlockChecks checks) {
  std::lock_guard<std::mutex> commit_lock(commit_mu_);
  if (!block.has_header()) {
    return InvalidArgumentError("block without header");
  }
  const uint64_t number = block.header().number();
  std::shared_ptr<const channelconfig::Bundle> config = this->config();
  ASSIGN_OR_RETURN(BlockValidation validation, validator_.Validate(block, *config));
  ledger::SetTxFilter(block, validation.codes);
  // The validator looked up the txid of every endorser transaction it left VALID.
  ASSIGN_OR_RETURN(
      std::vector<protos::TxValidationCode> codes,
      ledger_.ValidateAndPrepare(std::move(block), {.data_hash = checks.data_hash, .txids = true}));
  ASSIGN_OR_RETURN(std::shared_ptr<const common::Block> committed, ledger_.Commit());
  if (validation.new_config) {
    std::lock_guard<std::mutex> lock(mu_);
    config_ = validation.new_config;
  }
  const auto valid = std::count(codes.begin(), codes.end(), protos::VALID);
  FLOG_INFO(logger, "[%s] committed block %d with %d transaction(s), %d valid", channel_id_, number,
            codes.size(), valid);
  Notify(*committed, validation, codes);
  return Status::OK();
}

void Committer::Notify(const common::Block& block, const BlockValidation& validation,
                       const std::vector<protos::TxValidationCode>& codes) {
  std::vector<CommitObserver*> observers;
  {
    std::lock_guard<std::mutex> lock(mu_);
    observers = observers_;
  }
  for (CommitObserver* o : observers) {
    if (validation.new_config) {
      o->OnConfigUpdate(channel_id_, validation.new_config);
    }
    for (const ChaincodeDeployment& d : validation.deployments) {
      if (d.tx_num < codes.size() && codes[d.tx_num] == protos::VALID) {
        o->OnChaincodeDeployed(channel_id_, d);
      }
    }
    o->OnBlockCommitted(channel_id_, block);
  }
}

StatusOr<std::shared_ptr<const channelconfig::Bundle>> LoadChannelConfig(
    const ledger::KvLedger& ledger) {
  const uint64_t height = ledger.GetBlockchainInfo().height();
  if (height == 0) {
    return NotFoundError(absl::StrFormat("ledger %s is empty", ledger.ledger_id()));
  }
  msp::Msp::Options msp_options;
  msp_options.check_expiry = false;
  ASSIGN_OR_RETURN(common::Block last, ledger.GetBlockByNumber(height - 1));
  std::optional<uint64_t> index = LastConfigIndex(last);
  if (index.has_value() && *index < height) {
    ASSIGN_OR_RETURN(common::Block block, ledger.GetBlockByNumber(*index));
    if (protoutil::IsConfigBlock(block)) {
      return channelconfig::Bundle::FromConfigBlock(block, msp_options);
    }
  }
  for (uint64_t n = height; n-- > 0;) {
    ASSIGN_OR_RETURN(common::Block block, ledger.GetBlockByNumber(n));
    if (protoutil::IsConfigBlock(block)) {
      return channelconfig::Bundle::FromConfigBlock(block, msp_options);
    }
  }
  return NotFoundError(absl::StrFormat("ledger %s has no config block", ledger.ledger_id()));
}

}  // namespace fabric::committer
