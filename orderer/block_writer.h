// SPDX-License-Identifier: Apache-2.0
//
// BlockWriter: turns a batch of envelopes into the channel's next block, signs it and appends
// it to the channel's BlockStore, as Fabric's multichannel.BlockWriter
// (orderer/common/multichannel/blockwriter.go) does. Metadata written:
//  - SIGNATURES = Metadata{value = OrdererBlockMetadata{last_config{index}, consenter_metadata}
//    (consenter metadata empty for solo), signatures = [MetadataSignature{signature_header =
//    SignatureHeader{creator, nonce}, signature = Sign(value || signature_header ||
//    BlockHeaderBytes(header))}]} (Fabric 2.x layout);
//  - LAST_CONFIG = Metadata{value = LastConfig{index}, signatures = [the same kind of signature
//    over value || signature_header || header bytes]} (Fabric 1.x layout; 2.x readers ignore the
//    signature), so that 1.4 and 2.x peers both find the last config block;
//  - ORDERER = Metadata{value = consenter metadata}, only when the consenter has some (Fabric
//    1.4's place for it, where its Kafka-based orderer keeps KafkaMetadata).
//
// Thread-safety: none; owned by one channel's ordering thread. The BlockStore and signer must
// outlive the writer.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "common/common.pb.h"
#include "common/ledger/blkstorage/block_store.h"
#include "common/msp/signing_identity.h"
#include "fabric/base/status.h"
#include "orderer/blockcutter.h"

namespace fabric::orderer {

// The last config block index a block's metadata names: OrdererBlockMetadata in SIGNATURES
// when present, else LAST_CONFIG. InvalidArgument when neither parses.
StatusOr<uint64_t> LastConfigIndexFromBlock(const common::Block& block);

// The consenter metadata a block carries: the value of its ORDERER metadata entry; empty when
// it has none. InvalidArgument when the entry does not parse.
StatusOr<std::string> ConsenterMetadataFromBlock(const common::Block& block);

// The bytes a metadata signature covers: value || signature_header || BlockHeaderBytes(header).
std::string MetadataSignedBytes(const std::string& value, const std::string& signature_header,
                                const common::BlockHeader& header);

class BlockWriter {
 public:
  // `last_config_index` is the number of the chain's newest config block.
  BlockWriter(ledger::blkstorage::BlockStore& store, const msp::SigningIdentity& signer,
              uint64_t last_config_index)
      : store_(store), signer_(signer), last_config_index_(last_config_index) {}

  // The next block (number = height, previous hash = hash of the newest header) holding the
  // batch, data hash set, metadata not yet written. Requires a non-empty store.
  StatusOr<common::Block> CreateNextBlock(const Batch& batch) const;

  // Signs `block` (a config block when `is_config`, which makes it the last config) with
  // `consenter_metadata` and appends it durably. `block` comes from CreateNextBlock: its data
  // hash is not computed again. Errors from signing or BlockStore::AddBlock.
  Status WriteBlock(common::Block block, bool is_config,
                    const std::string& consenter_metadata = "");

  // Appends `block`, signed elsewhere (pulled from another orderer node), as it is; its data
  // hash was checked by the caller. A config block (`is_config`) becomes the last config.
  // Errors from BlockStore::AddBlock.
  Status AppendSignedBlock(std::shared_ptr<const common::Block> block, bool is_config);

  // Writes the metadata of `block` (whose last config is `last_config_index`) and signs it.
  static Status SignBlock(common::Block* block, uint64_t last_config_index,
                          const msp::SigningIdentity& signer,
                          const std::string& consenter_metadata = "");

  uint64_t last_config_index() const { return last_config_index_; }

 private:
  ledger::blkstorage::BlockStore& store_;
  const msp::SigningIdentity& signer_;
  uint64_t last_config_index_;
};

}  // namespace fabric::orderer
