// SPDX-License-Identifier: Apache-2.0

#include "peer/ledger/rwset_builder.h"

#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"

namespace fabric::ledger {

void RWSetBuilder::AddToReadSet(const std::string& ns, const std::string& key,
                                std::optional<Height> version) {
  kvrwset::KVRead read;
  read.set_key(key);
  if (version.has_value()) {
    *read.mutable_version() = version->ToProto();
  }
  namespaces_[ns].reads.insert_or_assign(key, std::move(read));
}

void RWSetBuilder::AddToWriteSet(const std::string& ns, const std::string& key, std::string value) {
  kvrwset::KVWrite write;
  write.set_key(key);
  write.set_is_delete(value.empty());
  write.set_value(std::move(value));
  namespaces_[ns].writes.insert_or_assign(key, std::move(write));
}

void RWSetBuilder::AddToMetadataWriteSet(const std::string& ns, const std::string& key,
                                         const Metadata& metadata) {
  kvrwset::KVMetadataWrite write;
  write.set_key(key);
  for (const auto& [name, value] : metadata) {
    auto* e = write.add_entries();
    e->set_name(name);
    e->set_value(value);
  }
  namespaces_[ns].metadata_writes.insert_or_assign(key, std::move(write));
}

void RWSetBuilder::AddToRangeQuerySet(const std::string& ns, kvrwset::RangeQueryInfo info) {
  NsBuilder& b = namespaces_[ns];
  auto key = std::make_tuple(info.start_key(), info.end_key(), info.itr_exhausted());
  if (b.range_query_keys.insert(std::move(key)).second) {
    b.range_queries.push_back(std::move(info));
  }
}

rwset::TxReadWriteSet RWSetBuilder::GetTxSimulationResults() const {
  rwset::TxReadWriteSet tx;
  tx.set_data_model(rwset::TxReadWriteSet::KV);
  for (const auto& [ns, b] : namespaces_) {
    kvrwset::KVRWSet kv;
    for (const auto& [key, read] : b.reads) {
      *kv.add_reads() = read;
    }
    for (const auto& rq : b.range_queries) {
      *kv.add_range_queries_info() = rq;
    }
    for (const auto& [key, write] : b.writes) {
      *kv.add_writes() = write;
    }
    for (const auto& [key, mw] : b.metadata_writes) {
      *kv.add_metadata_writes() = mw;
    }
    auto* nsrw = tx.add_ns_rwset();
    nsrw->set_namespace_(ns);
    nsrw->set_rwset(protoutil::Marshal(kv));
  }
  return tx;
}

StatusOr<std::vector<NsRwSet>> ParseTxRwSet(std::string_view bytes) {
  ASSIGN_OR_RETURN(auto tx, protoutil::Unmarshal<rwset::TxReadWriteSet>(bytes, "tx rwset"));
  std::vector<NsRwSet> out;
  out.reserve(tx.ns_rwset_size());
  for (const auto& nsrw : tx.ns_rwset()) {
    ASSIGN_OR_RETURN(auto kv, protoutil::Unmarshal<kvrwset::KVRWSet>(nsrw.rwset(), "kv rwset"));
    std::vector<CollHashedRwSet> collections;
    collections.reserve(nsrw.collection_hashed_rwset_size());
    for (const auto& coll : nsrw.collection_hashed_rwset()) {
      ASSIGN_OR_RETURN(auto hashed, protoutil::Unmarshal<kvrwset::HashedRWSet>(coll.hashed_rwset(),
                                                                               "hashed rwset"));
      collections.push_back(CollHashedRwSet{coll.collection_name(), std::move(hashed)});
    }
    out.push_back(NsRwSet{nsrw.namespace_(), std::move(kv), std::move(collections)});
  }
  return out;
}

}  // namespace fabric::ledger
