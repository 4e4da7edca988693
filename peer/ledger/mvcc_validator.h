// SPDX-License-Identifier: Apache-2.0
//
// MVCC validation of a block (Fabric's statebasedval / validator/internal): in block order,
// for each transaction that is still VALID,
//  - a read is stale when an earlier valid transaction of the same block wrote the key, or the
//    committed version differs from the version read (absent and present differ too)
//    -> MVCC_READ_CONFLICT;
//  - each range query is re-executed over the committed state merged with the block's pending
//    updates, up to end_key (exclusive) when the simulation exhausted the iterator, or up to
//    and including the last key it read when it did not; any difference in keys or versions
//    from the recorded raw reads -> PHANTOM_READ_CONFLICT (merkle summaries are not produced by
//    this peer and count as a conflict);
//  - otherwise its writes join the pending updates with version (block, tx number), and
//    metadata writes merge with the latest value (a metadata-only write to an absent key is a
//    no-op), as Fabric's prepareTxOps.
//
// Thread-safety: stateless; `committed` must not change during the call (the ledger
// serialises commits).

#pragma once

#include <cstdint>
#include <vector>

#include "fabric/base/status.h"
#include "peer/ledger/block_parser.h"
#include "peer/ledger/statedb.h"

namespace fabric::ledger {

// Validates `txs` (all of one block `block_num`) in order, updating their codes, and adds the
// writes of the transactions that stay VALID to `batch`. Returns an error only for storage
// failures (DataLoss/Internal); conflicts are codes.
Status ValidateAndPrepareBatch(const StateSnapshot& committed, uint64_t block_num,
                               std::vector<ParsedTx>& txs, UpdateBatch* batch);

// Adds the writes of one valid transaction to `batch` (also used by recovery and tests).
Status ApplyTxWrites(const StateSnapshot& committed, const ParsedTx& tx, Height height,
                     UpdateBatch* batch);

}  // namespace fabric::ledger
