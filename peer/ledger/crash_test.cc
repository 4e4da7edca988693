// SPDX-License-Identifier: Apache-2.0
//
// Crash safety: runs ledger_crash_child (testing/crash_child.cc), SIGKILLs it at random
// instants (including during open and recovery), and after each kill reopens the ledger and
// checks that every block the child reported committed is there. At the end (and midway) it
// checks that the state equals a replay of the valid transactions of the stored blocks, that
// history agrees with the same replay, and that re-validating the stored blocks from scratch
// yields the stored validation codes.

#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <map>
#include <random>
#include <thread>

#include <gtest/gtest.h>

#include "peer/ledger/block_parser.h"
#include "peer/ledger/ledger_manager.h"
#include "peer/ledger/testing/temp_dir.h"

extern char** environ;

namespace fabric::ledger {
namespace {

constexpr char kChannel[] = "crashch";

// Runs the child for `run_for`, kills it, and returns the highest block it reported (-1 for
// none).
int64_t RunAndKill(const std::string& dir, uint64_t seed, std::chrono::milliseconds run_for) {
  int fds[2];
  EXPECT_EQ(pipe(fds), 0);
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
  posix_spawn_file_actions_addclose(&actions, fds[0]);
  std::string seed_arg = std::to_string(seed);
  std::string exe = LEDGER_CRASH_CHILD;
  char* argv[] = {exe.data(), const_cast<char*>(dir.c_str()), seed_arg.data(), nullptr};
  pid_t pid = 0;
  EXPECT_EQ(posix_spawn(&pid, exe.c_str(), &actions, nullptr, argv, environ), 0);
  posix_spawn_file_actions_destroy(&actions);
  close(fds[1]);
  // The scenario: the child commits for `run_for`, then dies wherever it is.
  std::this_thread::sleep_for(run_for);
  kill(pid, SIGKILL);
  int status = 0;
  waitpid(pid, &status, 0);
  EXPECT_TRUE(WIFSIGNALED(status)) << "child exited by itself with status " << status;
  std::string out;
  char buf[4096];
  for (ssize_t n; (n = read(fds[0], buf, sizeof(buf))) > 0;) {
    out.append(buf, n);
  }
  close(fds[0]);
  int64_t last = -1;
  for (size_t pos = 0; (pos = out.find("committed ", pos)) != std::string::npos; ++pos) {
    size_t end = out.find('\n', pos);
    if (end == std::string::npos) {
      break;  // a line cut by the kill
    }
    last = std::max<int64_t>(last, std::stoll(out.substr(pos + 10, end - pos - 10)));
  }
  return last;
}

struct ModelValue {
  std::string value;
  Height version;
};
using Model = std::map<std::pair<std::string, std::string>, ModelValue>;
struct HistoryEntry {
  std::string tx_id;
  std::string value;
  bool is_delete;
};
using HistoryModel = std::map<std::pair<std::string, std::string>, std::vector<HistoryEntry>>;

void ApplyToModel(uint64_t n, const ParsedTx& tx, Model& model, HistoryModel& history) {
  for (const auto& ns : tx.rwset) {
    std::map<std::string, bool> written;
    for (const auto& w : ns.kv.writes()) {
      written[w.key()] = true;
      history[{ns.ns, w.key()}].push_back({tx.tx_id, w.value(), w.is_delete()});
      if (w.is_delete()) {
        model.erase({ns.ns, w.key()});
      } else {
        model[{ns.ns, w.key()}] = {w.value(), {n, tx.tx_num}};
      }
    }
    for (const auto& mw : ns.kv.metadata_writes()) {
      auto it = model.find({ns.ns, mw.key()});
      if (!written.count(mw.key()) && it != model.end()) {
        it->second.version = {n, tx.tx_num};
      }
    }
  }
}

void ExpectStateMatches(KvLedger& ledger, const Model& model) {
  Model actual;
  for (const char* ns : {"cc", "other"}) {
    auto it = ledger.state().Latest()->GetStateRangeScanIterator(ns, "", "");
    while (true) {
      auto kv = it->Next();
      ASSERT_TRUE(kv.ok()) << kv.status();
      if (!kv->has_value()) {
        break;
      }
      actual[{ns, (*kv)->key}] = {(*kv)->value.value, (*kv)->value.version};
    }
  }
  ASSERT_EQ(actual.size(), model.size());
  for (const auto& [k, v] : model) {
    auto it = actual.find(k);
    ASSERT_NE(it, actual.end()) << k.first << "/" << k.second;
    EXPECT_EQ(it->second.value, v.value) << k.second;
    EXPECT_EQ(it->second.version, v.version) << k.second;
  }
}

void ExpectHistoryMatches(KvLedger& ledger, const HistoryModel& history) {
  auto hqe = ledger.NewHistoryQueryExecutor().value();
  for (const auto& [k, entries] : history) {
    auto it = hqe->GetHistoryForKey(k.first, k.second).value();
    for (const auto& e : entries) {
      auto mod = it->Next();
      ASSERT_TRUE(mod.ok() && mod->has_value()) << k.second;
      EXPECT_EQ((*mod)->tx_id(), e.tx_id);
      EXPECT_EQ((*mod)->value(), e.value);
      EXPECT_EQ((*mod)->is_delete(), e.is_delete);
    }
    EXPECT_FALSE(it->Next().value().has_value()) << k.second;
  }
}

// Commits the stored blocks, without their codes, to a fresh ledger: the codes it computes
// must be the stored ones.
void ExpectRevalidationAgrees(const std::vector<common::Block>& blocks) {
  testing::TempDir dir;
  auto state = OpenLevelDB(dir.Sub("state")).value();
  KvLedger::Options o;
  o.ledger_id = kChannel;
  o.state_db = state->db();
  o.block_store.block_dir = dir.Sub("blocks");
  o.block_store.sync = false;
  auto fresh = KvLedger::Open(o).value();
  for (const auto& stored : blocks) {
    common::Block b = stored;
    b.mutable_metadata()->set_metadata(common::TRANSACTIONS_FILTER, "");
    auto codes = fresh->ValidateAndPrepare(b);
    ASSERT_TRUE(codes.ok()) << codes.status();
    ASSERT_EQ(*codes, TxFilterFromBlock(stored)) << "block " << b.header().number();
    ASSERT_TRUE(fresh->Commit().ok());
  }
}

void VerifyFully(KvLedger& ledger) {
  Model model;
  HistoryModel history;
  std::vector<common::Block> blocks;
  const uint64_t height = ledger.GetBlockchainInfo().height();
  for (uint64_t n = 0; n < height; ++n) {
    auto block = ledger.GetBlockByNumber(n);
    ASSERT_TRUE(block.ok()) << block.status();
    for (const auto& tx : ParseBlockTxs(*block, TxFilterFromBlock(*block))) {
      if (tx.code == protos::VALID) {
        ApplyToModel(n, tx, model, history);
      }
    }
    blocks.push_back(std::move(*block));
  }
  ExpectStateMatches(ledger, model);
  ExpectHistoryMatches(ledger, history);
  ExpectRevalidationAgrees(blocks);
}

TEST(LedgerCrashTest, SurvivesSigkillAtRandomPoints) {
  testing::TempDir dir;
  const std::string root = dir.Sub("ledgersData");
  std::mt19937_64 rng(std::random_device{}());
  const int kRounds = 30;
  int64_t reported = -1;
  for (int round = 0; round < kRounds; ++round) {
    // Mostly mid-commit kills; some very early ones land in open/recovery.
    const int ms =
        round % 4 == 3 ? static_cast<int>(rng() % 25) : 30 + static_cast<int>(rng() % 300);
    const int64_t last = RunAndKill(root, rng(), std::chrono::milliseconds(ms));
    reported = std::max(reported, last);
    LedgerManager::Options o;
    o.root_dir = root;
    auto mgr = LedgerManager::Open(o);
    ASSERT_TRUE(mgr.ok()) << "round " << round << ": " << mgr.status();
    auto ledger = (*mgr)->GetLedger(kChannel);
    if (reported < 0) {
      continue;  // killed before the genesis block was reported
    }
    ASSERT_TRUE(ledger.ok()) << "round " << round << ": " << ledger.status();
    const uint64_t height = (*ledger)->GetBlockchainInfo().height();
    ASSERT_GT(static_cast<int64_t>(height), reported) << "round " << round;
    auto sp = (*ledger)->state().GetLatestSavePoint().value();
    ASSERT_TRUE(sp.has_value());
    EXPECT_EQ(sp->block_num, height - 1) << "state not recovered";
    if (round % 5 == 4) {
      VerifyFully(**ledger);
    }
  }
  EXPECT_GT(reported, 20) << "the child committed too few blocks to mean anything";
  std::printf("crash test: %d kills, %lld blocks reported committed\n", kRounds,
              static_cast<long long>(reported + 1));
}

}  // namespace
}  // namespace fabric::ledger
