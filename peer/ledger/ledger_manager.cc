// SPDX-License-Identifier: Apache-2.0

#include "peer/ledger/ledger_manager.h"

#include <filesystem>

#include <absl/strings/str_format.h>

#include "common/logging/logging.h"
#include "common/protoutil/blockutils.h"
#include "fabric/base/status_macros.h"

namespace fabric::ledger {
namespace {

logging::Logger logger("ledger.mgmt");

}  // namespace

StatusOr<std::unique_ptr<LedgerManager>> LedgerManager::Open(const Options& options) {
  if (options.root_dir.empty()) {
    return InvalidArgumentError("open ledgers: root dir is required");
  }
  ASSIGN_OR_RETURN(auto state, OpenLevelDB(options.root_dir + "/stateLeveldb"));
  std::unique_ptr<LevelDBHandle> history;
  if (options.enable_history) {
    ASSIGN_OR_RETURN(history, OpenLevelDB(options.root_dir + "/historyLeveldb"));
  }
  std::unique_ptr<LedgerManager> mgr(
      new LedgerManager(options, std::move(state), std::move(history)));
  std::error_code ec;
  const std::filesystem::path chains = options.root_dir + "/chains/chains";
  if (!std::filesystem::exists(chains, ec)) {
    return mgr;
  }
  for (const auto& entry : std::filesystem::directory_iterator(chains, ec)) {
    if (!entry.is_directory()) {
      continue;
    }
    const std::string id = entry.path().filename().string();
    ASSIGN_OR_RETURN(auto ledger, mgr->OpenLedger(id));
    if (ledger->GetBlockchainInfo().height() == 0) {
      FLOG_WARN(logger, "channel %s has no genesis block (creation interrupted); ignoring", id);
      continue;
    }
    mgr->ledgers_.emplace(id, std::move(ledger));
  }
  if (ec) {
    return InternalError(absl::StrFormat("list %s: %s", chains.string(), ec.message()));
  }
  FLOG_INFO(logger, "opened %d ledgers under %s", mgr->ledgers_.size(), options.root_dir);
  return mgr;
}

LedgerManager::LedgerManager(const Options& options, std::unique_ptr<LevelDBHandle> state,
                             std::unique_ptr<LevelDBHandle> history)
    : options_(options), state_db_(std::move(state)), history_db_(std::move(history)) {}

LedgerManager::~LedgerManager() {
  std::lock_guard<std::mutex> lock(mu_);
  ledgers_.clear();
}

std::string LedgerManager::BlockDir(const std::string& ledger_id) const {
  return options_.root_dir + "/chains/chains/" + ledger_id;
}

StatusOr<std::unique_ptr<KvLedger>> LedgerManager::OpenLedger(const std::string& ledger_id) const {
  KvLedger::Options o;
  o.ledger_id = ledger_id;
  o.state_db = state_db_->db();
  o.history_db = history_db_ != nullptr ? history_db_->db() : nullptr;
  o.block_store.block_dir = BlockDir(ledger_id);
  o.block_store.sync = options_.sync_block_files;
  auto ledger = KvLedger::Open(o);
  if (!ledger.ok()) {
    return ledger.status().Annotate("open ledger of channel " + ledger_id);
  }
  return ledger;
}

StatusOr<KvLedger*> LedgerManager::CreateLedger(const common::Block& genesis_block) {
  if (!genesis_block.has_header() || genesis_block.header().number() != 0) {
    return InvalidArgumentError("create ledger: not a genesis block (number must be 0)");
  }
  ASSIGN_OR_RETURN(std::string id, protoutil::ChannelIdFromBlock(genesis_block));
  RETURN_IF_ERROR(protoutil::ValidateChannelId(id).Annotate("create ledger"));
  std::lock_guard<std::mutex> lock(mu_);
  if (ledgers_.count(id) != 0) {
    return AlreadyExistsError(absl::StrFormat("ledger %s already exists", id));
  }
  ASSIGN_OR_RETURN(auto ledger, OpenLedger(id));
  if (ledger->GetBlockchainInfo().height() != 0) {
    return AlreadyExistsError(absl::StrFormat("ledger %s already exists", id));
  }
  if (Status s = ledger->CommitBlock(genesis_block); !s.ok()) {
    // Leave nothing behind for a block that could not become a ledger.
    ledger.reset();
    std::error_code ec;
    std::filesystem::remove_all(BlockDir(id), ec);
    return s.Annotate("create ledger " + id);
  }
  FLOG_INFO(logger, "created ledger %s", id);
  KvLedger* raw = ledger.get();
  ledgers_.emplace(id, std::move(ledger));
  return raw;
}

StatusOr<KvLedger*> LedgerManager::GetLedger(const std::string& ledger_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = ledgers_.find(ledger_id);
  if (it == ledgers_.end()) {
    return NotFoundError(absl::StrFormat("ledger %s not found", ledger_id));
  }
  return it->second.get();
}

std::vector<std::string> LedgerManager::ListLedgers() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::string> ids;
  for (const auto& [id, ledger] : ledgers_) {
    ids.push_back(id);
  }
  return ids;
}

}  // namespace fabric::ledger
