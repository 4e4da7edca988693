// SPDX-License-Identifier: Apache-2.0
//
// How a range query's results are recorded in a read-write set, as Fabric 1.4 records them
// (kvledger/txmgmt/rwsetutil query_results_helper.go). Up to kMaxDegree results are kept as raw
// KVReads (none at all when the range was empty: the reads field stays unset). Beyond that the
// results are summarised by a merkle tree: every kMaxDegree + 1 results, the marshalled
// QueryReads of that chunk is hashed (SHA-256) into level 1; whenever a level holds more than
// kMaxDegree hashes, the concatenation of them is hashed into the next level. At the end the
// remaining results are hashed too, each lower level is folded into the next (one hash is
// carried up as it is, several are hashed together), and if the top level then holds more than
// kMaxDegree hashes they are hashed into one more level. The summary is {max_degree, max_level,
// the hashes of max_level}.
//
// Validation recomputes the same summary over the range as it would be after the preceding
// valid transactions of the block and compares.
//
// Thread-safety: none (one helper per range query).

#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "ledger/rwset/kvrwset/kv_rwset.pb.h"

namespace fabric::ledger {

class RangeQueryResultsHelper {
 public:
  // Fabric's ledger.state maxDegreeQueryReadsHashing.
  static constexpr uint32_t kMaxDegree = 50;

  // `max_degree` must be at least 2 (validation takes it from the recorded summary and checks).
  explicit RangeQueryResultsHelper(uint32_t max_degree = kMaxDegree);

  void AddResult(kvrwset::KVRead read);
  // Sets `info`'s raw reads (when there were results, at most max_degree of them) or its merkle
  // summary. The helper must not be used afterwards.
  void Done(kvrwset::RangeQueryInfo* info);

 private:
  using Level = uint32_t;
  void HashPendingResults();
  void AddLeafHash(std::string hash);
  bool TreeIsEmpty() const;

  const uint32_t max_degree_;
  std::vector<kvrwset::KVRead> pending_;
  std::map<Level, std::vector<std::string>> tree_;
  Level max_level_ = 1;
};

}  // namespace fabric::ledger
