// SPDX-License-Identifier: Apache-2.0
//
// Checks a block received from the ordering service before it is committed (Fabric 1.4
// core/deliverservice/blocksprovider + the MCS VerifyBlock): it must have a header, be the
// expected next block, chain to the ledger's last block (previous_hash), carry the hash of its
// own data (data_hash), and carry SIGNATURES metadata whose signatures satisfy the channel's
// /Channel/Orderer/BlockValidation policy, each signature being over
// Metadata.value || MetadataSignature.signature_header || BlockHeaderBytes(header) by the
// SignatureHeader's creator.
//
// Thread-safety: stateless.

#pragma once

#include <cstdint>
#include <string>

#include "common/channelconfig/bundle.h"
#include "common/common.pb.h"
#include "fabric/base/status.h"

namespace fabric::deliver {

// OK when `block` may be committed after a ledger of height `expected_number` whose last
// block hash is `previous_hash`. InvalidArgument for a wrong number, hash chain or data hash
// or malformed metadata; PermissionDenied when the signatures do not satisfy BlockValidation.
Status VerifyBlock(const common::Block& block, uint64_t expected_number,
                   const std::string& previous_hash, const channelconfig::Bundle& config);

}  // namespace fabric::deliver
