// SPDX-License-Identifier: Apache-2.0

#include "src/proposal_context.h"

#include <utility>

#include "common/common.pb.h"
#include "src/sha256.h"

namespace fabric::shim::internal {
namespace {

std::string Uint64LittleEndian(uint64_t v) {
  std::string out(8, '\0');
  for (int i = 0; i < 8; ++i) {
    out[i] = static_cast<char>((v >> (8 * i)) & 0xff);
  }
  return out;
}

}  // namespace

StatusOr<ProposalContext> ParseSignedProposal(protos::SignedProposal sp) {
  protos::Proposal proposal;
  if (!proposal.ParseFromString(sp.proposal_bytes())) {
    return InvalidArgumentError("failed to extract Proposal from SignedProposal");
  }
  if (proposal.header().empty()) {
    return InvalidArgumentError("failed to extract Proposal fields: proposal header is nil");
  }
  common::Header header;
  if (!header.ParseFromString(proposal.header())) {
    return InvalidArgumentError("failed to extract proposal header");
  }
  common::ChannelHeader chdr;
  if (!chdr.ParseFromString(header.channel_header())) {
    return InvalidArgumentError("failed to extract channel header");
  }
  if (chdr.type() != common::ENDORSER_TRANSACTION && chdr.type() != common::CONFIG) {
    return InvalidArgumentError("invalid channel header type " + std::to_string(chdr.type()) +
                                ", expected ENDORSER_TRANSACTION or CONFIG");
  }
  common::SignatureHeader shdr;
  if (!shdr.ParseFromString(header.signature_header())) {
    return InvalidArgumentError("failed to extract signature header");
  }
  protos::ChaincodeProposalPayload payload;
  if (!payload.ParseFromString(proposal.payload())) {
    return InvalidArgumentError("failed to extract proposal payload");
  }
  ProposalContext ctx;
  ctx.signed_proposal = std::move(sp);
  ctx.creator = std::move(*shdr.mutable_creator());
  ctx.transient.insert(payload.transientmap().begin(), payload.transientmap().end());
  ctx.nonce = std::move(*shdr.mutable_nonce());
  ctx.epoch = chdr.epoch();
  if (chdr.has_timestamp()) {
    ctx.timestamp = chdr.timestamp();
  } else {
    ctx.timestamp = google::protobuf::Timestamp();
  }
  return ctx;
}

std::string ProposalContext::Binding() const {
  if (!signed_proposal) {
    return "";
  }
  return Sha256(nonce + creator + Uint64LittleEndian(epoch));
}

}  // namespace fabric::shim::internal
