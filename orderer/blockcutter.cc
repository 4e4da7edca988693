// SPDX-License-Identifier: Apache-2.0
#include "orderer/blockcutter.h"

#include <utility>

namespace fabric::orderer {

size_t MessageSizeBytes(const common::Envelope& envelope) { return envelope.ByteSizeLong(); }

BlockCutter::OrderedResult BlockCutter::Ordered(common::Envelope envelope,
                                                const channelconfig::BatchSize& batch_size) {
  OrderedResult result;
  const size_t size = MessageSizeBytes(envelope);
  if (size > batch_size.preferred_max_bytes) {
    if (!pending_.empty()) {
      result.batches.push_back(Cut());
    }
    result.batches.push_back(Batch{std::move(envelope)});
    return result;
  }
  if (pending_bytes_ + size > batch_size.preferred_max_bytes) {
    result.batches.push_back(Cut());
  }
  pending_.push_back(std::move(envelope));
  pending_bytes_ += size;
  result.pending = true;
  if (pending_.size() >= batch_size.max_message_count) {
    result.batches.push_back(Cut());
    result.pending = false;
  }
  return result;
}

Batch BlockCutter::Cut() {
  Batch batch = std::move(pending_);
  pending_.clear();
  pending_bytes_ = 0;
  return batch;
}

}  // namespace fabric::orderer
