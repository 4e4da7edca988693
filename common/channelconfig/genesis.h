// SPDX-License-Identifier: Apache-2.0
//
// Genesis blocks as Fabric's common/genesis/genesis.go builds them: block 0, no previous hash,
// one unsigned CONFIG envelope
//   Payload{header{ChannelHeader{type CONFIG, version 1, channel_id, epoch 0, tx_id},
//                  SignatureHeader{creator empty, nonce}},
//           data = ConfigEnvelope{config{sequence 0, channel_group}}}
// where tx_id = hex(sha256(nonce)) (the txid rule with an empty creator), the data hash set,
// and metadata LAST_CONFIG = Metadata{value = LastConfig{index 0}} (all zero, so its bytes are
// empty) with the other slots empty, as Fabric 1.4's configtxgen leaves them; readers find last
// config 0 through the LAST_CONFIG fallback.
//
// Thread-safety: stateless.

#pragma once

#include <string_view>

#include "common/common.pb.h"
#include "common/configtx.pb.h"
#include "fabric/base/status.h"

namespace fabric::channelconfig {

// The genesis block of channel `channel_id` with config tree `channel_group`. Returns
// InvalidArgument for an empty channel id, Internal when no nonce can be drawn.
StatusOr<common::Block> MakeGenesisBlock(std::string_view channel_id,
                                         const common::ConfigGroup& channel_group);

}  // namespace fabric::channelconfig
