// SPDX-License-Identifier: Apache-2.0
//
// Blocks as Fabric builds and hashes them:
//  - data hash = sha256(data[0] || data[1] || ...);
//  - header hash = sha256(DER(SEQUENCE{INTEGER number, OCTET STRING previous_hash,
//    OCTET STRING data_hash})), which is what the next block's previous_hash holds;
//  - metadata has one entry per common.BlockMetadataIndex value (SIGNATURES, LAST_CONFIG,
//    TRANSACTIONS_FILTER, ORDERER, COMMIT_HASH).
//
// All functions are stateless and thread-safe.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/common.pb.h"
#include "fabric/base/status.h"

namespace fabric::protoutil {

// An empty block: header{number, previous_hash}, no data, empty metadata entries.
common::Block NewBlock(uint64_t number, std::string_view previous_hash);

// sha256 over the concatenated data entries.
std::string BlockDataHash(const common::BlockData& data);

// The DER encoding that the header hash is computed over.
std::string BlockHeaderBytes(const common::BlockHeader& header);

// sha256(BlockHeaderBytes(header)).
std::string BlockHeaderHash(const common::BlockHeader& header);

// Sets header.data_hash from the block's data.
void SealBlock(common::Block& block);

// The envelope at `index` of the block's data. Returns OutOfRange for a bad index and
// InvalidArgument when the entry is not an Envelope.
StatusOr<common::Envelope> ExtractEnvelope(const common::Block& block, int index);

// Channel names Fabric accepts (configtx.ValidateChannelID): [a-z][a-z0-9.-]*, 1 to 249
// characters. InvalidArgument naming the rule broken otherwise.
Status ValidateChannelId(const std::string& channel_id);

// The channel id of the block's first transaction. Returns InvalidArgument for an empty block
// or malformed first envelope.
StatusOr<std::string> ChannelIdFromBlock(const common::Block& block);

// True when the block holds a single CONFIG transaction (a genesis or config block).
bool IsConfigBlock(const common::Block& block);

}  // namespace fabric::protoutil
