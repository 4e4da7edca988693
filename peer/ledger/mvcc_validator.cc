// SPDX-License-Identifier: Apache-2.0

#include "peer/ledger/mvcc_validator.h"

#include <map>

#include "common/logging/logging.h"
#include "fabric/base/status_macros.h"
#include "peer/ledger/range_query_hashing.h"

namespace fabric::ledger {
namespace {

logging::Logger logger("ledger.validator");

std::optional<Height> ReadVersion(const kvrwset::KVRead& read) {
  if (!read.has_version()) {
    return std::nullopt;
  }
  return Height::FromProto(read.version());
}

StatusOr<bool> ValidateReads(const StateSnapshot& committed, const NsRwSet& ns,
                             const UpdateBatch& batch) {
  for (const auto& read : ns.kv.reads()) {
    if (batch.Get(ns.ns, read.key()) != nullptr) {
      return false;
    }
    ASSIGN_OR_RETURN(auto vv, committed.GetState(ns.ns, read.key()));
    std::optional<Height> have;
    if (vv.has_value()) {
      have = vv->version;
    }
    if (have != ReadVersion(read)) {
      return false;
    }
  }
  return true;
}

// Private data is not kept here and no chaincode can define a collection, so every key hash
// is absent: a hash read holds only when it read no version (Fabric compares with the
// committed key-hash version).
bool HashedReadsHold(const NsRwSet& ns) {
  for (const CollHashedRwSet& coll : ns.collections) {
    for (const auto& read : coll.hashed.hashed_reads()) {
      if (read.has_version()) {
        return false;
      }
    }
  }
  return true;
}

// The range [start_key, end_key) of `ns` as it will be once the block's preceding valid
// transactions are applied: committed entries overlaid with the pending updates (Fabric's
// combinedIterator). With `include_end_key` the end key itself is added last when it exists
// (a query the simulation did not exhaust records the last key it read as end_key). An empty
// end_key means the end of the namespace.
StatusOr<std::vector<std::pair<std::string, Height>>> RangeAfterUpdates(
    const StateSnapshot& committed, const std::string& ns, const std::string& start_key,
    const std::string& end_key, bool include_end_key, const UpdateBatch& batch) {
  std::map<std::string, Height> merged;
  auto it = committed.GetStateRangeScanIterator(ns, start_key, end_key);
  while (true) {
    ASSIGN_OR_RETURN(auto kv, it->Next());
    if (!kv.has_value()) {
      break;
    }
    merged.emplace(std::move(kv->key), kv->value.version);
  }
  const UpdateBatch::NamespaceUpdates* updates = batch.GetNamespace(ns);
  if (updates != nullptr) {
    auto lo = updates->lower_bound(start_key);
    auto hi = end_key.empty() ? updates->end() : updates->lower_bound(end_key);
    for (auto u = lo; u != hi; ++u) {
      if (u->second.is_delete) {
        merged.erase(u->first);
      } else {
        merged[u->first] = u->second.value.version;
      }
    }
  }
  std::vector<std::pair<std::string, Height>> out(merged.begin(), merged.end());
  if (include_end_key) {
    const UpdateBatch::Entry* pending = batch.Get(ns, end_key);
    if (pending != nullptr) {
      if (!pending->is_delete) {
        out.emplace_back(end_key, pending->value.version);
      }
    } else {
      ASSIGN_OR_RETURN(auto vv, committed.GetState(ns, end_key));
      if (vv.has_value()) {
        out.emplace_back(end_key, vv->version);
      }
    }
  }
  return out;
}

// Fabric's range query validation (statebasedval validateRangeQuery): the range as it will be
// must give exactly the recorded reads, or the same merkle summary of them.
StatusOr<bool> ValidateRangeQuery(const StateSnapshot& committed, const std::string& ns,
                                  const kvrwset::RangeQueryInfo& rq, const UpdateBatch& batch) {
  ASSIGN_OR_RETURN(auto range, RangeAfterUpdates(committed, ns, rq.start_key(), rq.end_key(),
                                                 !rq.itr_exhausted(), batch));
  if (rq.has_reads_merkle_hashes()) {
    const kvrwset::QueryReadsMerkleSummary& recorded = rq.reads_merkle_hashes();
    if (recorded.max_degree() < 2) {
      return false;  // Fabric cannot build such a tree either (it fails the block)
    }
    RangeQueryResultsHelper helper(recorded.max_degree());
    for (const auto& [key, version] : range) {
      kvrwset::KVRead read;
      read.set_key(key);
      *read.mutable_version() = version.ToProto();
      helper.AddResult(std::move(read));
    }
    kvrwset::RangeQueryInfo now;
    helper.Done(&now);
    return now.has_reads_merkle_hashes() &&
           now.reads_merkle_hashes().SerializeAsString() == recorded.SerializeAsString();
  }
  const auto& reads = rq.raw_reads().kv_reads();
  if (range.size() != static_cast<size_t>(reads.size())) {
    return false;
  }
  for (int i = 0; i < reads.size(); ++i) {
    if (reads[i].key() != range[i].first ||
        ReadVersion(reads[i]) != std::optional<Height>(range[i].second)) {
      return false;
    }
  }
  return true;
}

StatusOr<protos::TxValidationCode> ValidateTx(const StateSnapshot& committed, const ParsedTx& tx,
                                              const UpdateBatch& batch) {
  // Namespace by namespace, in Fabric's order: reads, range queries, private-data hash reads.
  for (const auto& ns : tx.rwset) {
    ASSIGN_OR_RETURN(bool reads_ok, ValidateReads(committed, ns, batch));
    if (!reads_ok) {
      return protos::MVCC_READ_CONFLICT;
    }
    for (const auto& rq : ns.kv.range_queries_info()) {
      ASSIGN_OR_RETURN(bool ok, ValidateRangeQuery(committed, ns.ns, rq, batch));
      if (!ok) {
        return protos::PHANTOM_READ_CONFLICT;
      }
    }
    if (!HashedReadsHold(ns)) {
      return protos::MVCC_READ_CONFLICT;
    }
  }
  return protos::VALID;
}

// The latest value of (ns, key): pending update first, then committed state.
StatusOr<std::optional<VersionedValue>> Latest(const StateSnapshot& committed,
                                               const std::string& ns, const std::string& key,
                                               const UpdateBatch& batch) {
  if (const auto* e = batch.Get(ns, key); e != nullptr) {
    return e->is_delete ? std::optional<VersionedValue>() : std::optional(e->value);
  }
  return committed.GetState(ns, key);
}

// The metadata a value-only write of (ns, key) keeps: the latest metadata of the key.
StatusOr<std::string> LatestMetadata(const StateSnapshot& committed, const std::string& ns,
                                     const std::string& key, const UpdateBatch& batch) {
  if (const auto* e = batch.Get(ns, key); e != nullptr) {
    return e->is_delete ? std::string() : e->value.metadata;
  }
  if (!committed.MayHaveMetadata(ns)) {
    return std::string();
  }
  ASSIGN_OR_RETURN(auto vv, committed.GetState(ns, key));
  return vv.has_value() ? std::move(vv->metadata) : std::string();
}

// The stored form of a metadata write: KVMetadataWrite{entries} without the key; empty
// entries delete the metadata.
std::string MetadataBytes(const kvrwset::KVMetadataWrite& mw) {
  if (mw.entries().empty()) {
    return {};
  }
  kvrwset::KVMetadataWrite entries;
  *entries.mutable_entries() = mw.entries();
  return entries.SerializeAsString();
}

}  // namespace

Status ApplyTxWrites(const StateSnapshot& committed, const ParsedTx& tx, Height height,
                     UpdateBatch* batch) {
  for (const auto& ns : tx.rwset) {
    std::map<std::string, const kvrwset::KVMetadataWrite*> md;
    for (const auto& mw : ns.kv.metadata_writes()) {
      md[mw.key()] = &mw;
    }
    for (const auto& w : ns.kv.writes()) {
      if (w.is_delete()) {
        batch->Delete(ns.ns, w.key(), height);
        md.erase(w.key());
        continue;
      }
      VersionedValue vv{w.value(), "", height};
      if (auto m = md.find(w.key()); m != md.end()) {
        vv.metadata = MetadataBytes(*m->second);
        md.erase(m);
      } else {
        ASSIGN_OR_RETURN(vv.metadata, LatestMetadata(committed, ns.ns, w.key(), *batch));
      }
      batch->Put(ns.ns, w.key(), std::move(vv));
    }
    for (const auto& [key, mw] : md) {  // metadata-only updates
      ASSIGN_OR_RETURN(auto latest, Latest(committed, ns.ns, key, *batch));
      if (!latest.has_value()) {
        continue;
      }
      latest->metadata = MetadataBytes(*mw);
      latest->version = height;
      batch->Put(ns.ns, key, std::move(*latest));
    }
  }
  return Status();
}

Status ValidateAndPrepareBatch(const StateSnapshot& committed, uint64_t block_num,
                               std::vector<ParsedTx>& txs, UpdateBatch* batch) {
  for (auto& tx : txs) {
    if (tx.code != protos::VALID || tx.rwset.empty()) {
      continue;
    }
    ASSIGN_OR_RETURN(tx.code, ValidateTx(committed, tx, *batch));
    if (tx.code != protos::VALID) {
      FLOG_DEBUG(logger, "block=%d tx=%d txid=%s invalid: code %d", block_num, tx.tx_num, tx.tx_id,
                 static_cast<int>(tx.code));
      continue;
    }
    RETURN_IF_ERROR(ApplyTxWrites(committed, tx, Height{block_num, tx.tx_num}, batch));
  }
  return Status();
}

}  // namespace fabric::ledger
