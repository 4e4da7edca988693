// SPDX-License-Identifier: Apache-2.0
//
// COMMIT_HASH: Fabric 1.4 peers chain into each committed block's metadata (index 4) a hash of
// what the block changed, so that peers can compare their ledgers block by block
// (core/ledger/kvledger kv_ledger.go addBlockCommitHash):
//   hash = SHA-256(varint(len(filter)) || filter || update batch bytes || previous hash)
//   metadata[4] = Metadata{value = hash}
// where filter is the block's final TRANSACTIONS_FILTER (after MVCC) and the update batch
// bytes are a KVWritesBatchProto of the block's state updates: namespaces sorted (the empty
// namespace skipped), each namespace's keys sorted, each entry {key, is_delete, value,
// version_bytes} with the namespace named on its first entry only. The hash is written for
// block 1 (previous hash empty) and after it for every block whose predecessor has one; the
// genesis block never has one.

#pragma once

#include <string>
#include <string_view>

#include "common/common.pb.h"
#include "peer/ledger/statedb.h"

namespace fabric::ledger {

// The deterministic bytes of `batch` (empty for an empty batch).
std::string UpdateBatchBytes(const UpdateBatch& batch);

// The commit hash of a block with final TRANSACTIONS_FILTER `tx_filter` and state updates
// `batch`, after a block whose commit hash is `previous` (empty for none).
std::string ComputeCommitHash(std::string_view tx_filter, const UpdateBatch& batch,
                              std::string_view previous);

// The commit hash stored in `block`'s metadata, empty when it has none.
std::string CommitHashOf(const common::Block& block);

// Stores `hash` as `block`'s COMMIT_HASH metadata (adding metadata entries as needed).
void SetCommitHash(common::Block& block, const std::string& hash);

}  // namespace fabric::ledger
