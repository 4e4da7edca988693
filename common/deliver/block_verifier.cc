// SPDX-License-Identifier: Apache-2.0

#include "common/deliver/block_verifier.h"

#include <vector>

#include <absl/strings/str_format.h>

#include "common/policies/manager.h"
#include "common/protoutil/blockutils.h"
#include "common/protoutil/signed_data.h"
#include "fabric/base/status_macros.h"

namespace fabric::deliver {

Status VerifyBlock(const common::Block& block, uint64_t expected_number,
                   const std::string& previous_hash, const channelconfig::Bundle& config) {
  if (!block.has_header()) {
    return InvalidArgumentError("block without header");
  }
  const common::BlockHeader& header = block.header();
  if (header.number() != expected_number) {
    return InvalidArgumentError(
        absl::StrFormat("block number %d, expected %d", header.number(), expected_number));
  }
  if (header.previous_hash() != previous_hash) {
    return InvalidArgumentError(
        absl::StrFormat("block %d: previous hash does not match the ledger", header.number()));
  }
  if (header.data_hash() != protoutil::BlockDataHash(block.data())) {
    return InvalidArgumentError(
        absl::StrFormat("block %d: data hash does not match its data", header.number()));
  }
  common::Metadata md;
  if (block.metadata().metadata_size() <= common::SIGNATURES ||
      !md.ParseFromString(block.metadata().metadata(common::SIGNATURES))) {
    return InvalidArgumentError(
        absl::StrFormat("block %d: missing or malformed SIGNATURES metadata", header.number()));
  }
  const std::string header_bytes = protoutil::BlockHeaderBytes(header);
  std::vector<protoutil::SignedData> signed_data;
  for (const common::MetadataSignature& sig : md.signatures()) {
    common::SignatureHeader sh;
    if (!sh.ParseFromString(sig.signature_header())) {
      return InvalidArgumentError(
          absl::StrFormat("block %d: malformed signature header", header.number()));
    }
    signed_data.push_back(protoutil::SignedData{md.value() + sig.signature_header() + header_bytes,
                                                sh.creator(), sig.signature()});
  }
  ASSIGN_OR_RETURN(const policies::Policy* policy,
                   config.policy_manager().GetPolicy(policies::kBlockValidation));
  Status s = policy->Evaluate(signed_data);
  if (!s.ok()) {
    return PermissionDeniedError(
        absl::StrFormat("block %d: orderer signatures do not satisfy BlockValidation: %s",
                        header.number(), s.message()));
  }
  return Status::OK();
}

}  // namespace fabric::deliver
