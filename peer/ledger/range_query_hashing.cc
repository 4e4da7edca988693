// SPDX-License-Identifier: Apache-2.0

#include "peer/ledger/range_query_hashing.h"

#include "common/crypto/hash.h"

namespace fabric::ledger {
namespace {

constexpr uint32_t kLeafLevel = 1;

std::string CombinedHash(const std::vector<std::string>& hashes) {
  std::string all;
  for (const std::string& h : hashes) {
    all.append(h);
  }
  return crypto::Sha256(all);
}

}  // namespace

RangeQueryResultsHelper::RangeQueryResultsHelper(uint32_t max_degree) : max_degree_(max_degree) {}

void RangeQueryResultsHelper::AddResult(kvrwset::KVRead read) {
  pending_.push_back(std::move(read));
  if (pending_.size() > max_degree_) {
    HashPendingResults();
  }
}

void RangeQueryResultsHelper::HashPendingResults() {
  kvrwset::QueryReads chunk;
  for (kvrwset::KVRead& read : pending_) {
    *chunk.add_kv_reads() = std::move(read);
  }
  pending_.clear();
  AddLeafHash(crypto::Sha256(chunk.SerializeAsString()));
}

void RangeQueryResultsHelper::AddLeafHash(std::string hash) {
  tree_[kLeafLevel].push_back(std::move(hash));
  for (Level level = kLeafLevel;; ++level) {
    std::vector<std::string>& hashes = tree_[level];
    if (hashes.size() <= max_degree_) {
      return;
    }
    std::string combined = CombinedHash(hashes);
    tree_.erase(level);
    tree_[level + 1].push_back(std::move(combined));
    max_level_ = std::max(max_level_, level + 1);
  }
}

bool RangeQueryResultsHelper::TreeIsEmpty() const {
  auto it = tree_.find(kLeafLevel);
  return max_level_ == kLeafLevel && (it == tree_.end() || it->second.empty());
}

void RangeQueryResultsHelper::Done(kvrwset::RangeQueryInfo* info) {
  if (TreeIsEmpty()) {
    if (!pending_.empty()) {
      auto* raw = info->mutable_raw_reads();
      for (kvrwset::KVRead& read : pending_) {
        *raw->add_kv_reads() = std::move(read);
      }
    }
    return;
  }
  if (!pending_.empty()) {
    HashPendingResults();
  }
  // Fold every level below the top into the next one.
  for (Level level = kLeafLevel; level < max_level_; ++level) {
    auto it = tree_.find(level);
    if (it == tree_.end() || it->second.empty()) {
      continue;
    }
    std::string carried =
        it->second.size() == 1 ? std::move(it->second[0]) : CombinedHash(it->second);
    tree_.erase(it);
    tree_[level + 1].push_back(std::move(carried));
  }
  if (tree_[max_level_].size() > max_degree_) {
    std::string combined = CombinedHash(tree_[max_level_]);
    tree_.erase(max_level_);
    ++max_level_;
    tree_[max_level_] = {std::move(combined)};
  }
  auto* summary = info->mutable_reads_merkle_hashes();
  summary->set_max_degree(max_degree_);
  summary->set_max_level(max_level_);
  for (std::string& h : tree_[max_level_]) {
    summary->add_max_level_hashes(std::move(h));
  }
}

}  // namespace fabric::ledger
