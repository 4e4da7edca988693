// SPDX-License-Identifier: Apache-2.0

#include "peer/ledger/commit_hash.h"

#include "commit_hash.pb.h"
#include "common/crypto/hash.h"
#include "common/ledger/blkstorage/block_serialization.h"

namespace fabric::ledger {
namespace {

constexpr int kCommitHashIndex = 4;  // common::BlockMetadataIndex COMMIT_HASH

}  // namespace

std::string UpdateBatchBytes(const UpdateBatch& batch) {
  commithash::KVWritesBatchProto proto;
  // updates() is a std::map: namespaces and keys come sorted byte-wise, as Fabric sorts them.
  for (const auto& [ns, updates] : batch.updates()) {
    if (ns.empty() || updates.empty()) {
      continue;
    }
    bool first = true;
    for (const auto& [key, entry] : updates) {
      commithash::KVWriteProto* write = proto.add_kvwrites();
      if (first) {
        write->set_namespace_(ns);
        first = false;
      }
      write->set_key(key);
      write->set_is_delete(entry.is_delete);
      if (!entry.is_delete) {
        write->set_value(entry.value.value);
      }
      write->set_version_bytes(entry.value.version.ToBytes());
    }
  }
  std::string out;
  proto.SerializeToString(&out);
  return out;
}

std::string ComputeCommitHash(std::string_view tx_filter, const UpdateBatch& batch,
                              std::string_view previous) {
  std::string length;
  blkstorage::AppendVarint(length, tx_filter.size());
  crypto::Sha256Hasher hasher;
  hasher.Update(length);
  hasher.Update(tx_filter);
  hasher.Update(UpdateBatchBytes(batch));
  hasher.Update(previous);
  return hasher.Finish();
}

std::string CommitHashOf(const common::Block& block) {
  const auto& md = block.metadata().metadata();
  common::Metadata m;
  if (md.size() <= kCommitHashIndex || !m.ParseFromString(md[kCommitHashIndex])) {
    return std::string();
  }
  return m.value();
}

void SetCommitHash(common::Block& block, const std::string& hash) {
  auto* md = block.mutable_metadata()->mutable_metadata();
  while (md->size() <= kCommitHashIndex) {
    md->Add();
  }
  common::Metadata m;
  m.set_value(hash);
  *md->Mutable(kCommitHashIndex) = m.SerializeAsString();
}

}  // namespace fabric::ledger
