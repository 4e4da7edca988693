// SPDX-License-Identifier: Apache-2.0
//
// BlockCutter: batches a channel's ordered envelopes into blocks, Fabric's blockcutter.receiver
// (orderer/common/blockcutter/blockcutter.go). Sizes count payload + signature bytes.
//  - an envelope larger than PreferredMaxBytes is cut alone (after cutting what is pending);
//  - an envelope that would push the pending batch over PreferredMaxBytes cuts the pending batch
//    first;
//  - the batch is cut when it reaches MaxMessageCount;
//  - the owner cuts on BatchTimeout (Cut()) and before config messages.
//
// Thread-safety: none; owned and used by one channel's ordering thread.
#pragma once

#include <cstddef>
#include <vector>

#include "common/channelconfig/bundle.h"
#include "common/common.pb.h"

namespace fabric::orderer {

using Batch = std::vector<common::Envelope>;

// The envelope's serialized size: what a block stores for it, unknown fields included.
// (Fabric counts len(payload) + len(signature), which lets a small envelope carrying a large
// unknown field past AbsoluteMaxBytes; this count is a few bytes larger for ordinary
// envelopes.)
size_t MessageSizeBytes(const common::Envelope& envelope);

class BlockCutter {
 public:
  struct OrderedResult {
    std::vector<Batch> batches;  // Batches to write now, in order.
    bool pending = false;        // Whether envelopes remain pending after this call.
  };

  // Adds `envelope` under `batch_size` and returns the batches it caused to be cut.
  OrderedResult Ordered(common::Envelope envelope, const channelconfig::BatchSize& batch_size);

  // Returns the pending batch (possibly empty) and starts a new one.
  Batch Cut();

  bool has_pending() const { return !pending_.empty(); }

 private:
  Batch pending_;
  size_t pending_bytes_ = 0;
};

}  // namespace fabric::orderer
