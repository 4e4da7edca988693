// SPDX-License-Identifier: Apache-2.0
#include "orderer/block_writer.h"

#include "common/protoutil/blockutils.h"
#include "common/protoutil/txutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"

namespace fabric::orderer {
namespace {

// BlockMetadataIndex LAST_CONFIG (deprecated in the proto, still read by 1.4 peers).
constexpr int kLastConfigIndex = 1;
// BlockMetadataIndex ORDERER (deprecated in the proto; Fabric 1.4 keeps consenter metadata there).
constexpr int kOrdererIndex = 3;

StatusOr<common::MetadataSignature> SignMetadata(const std::string& value,
                                                 const common::BlockHeader& header,
                                                 const msp::SigningIdentity& signer) {
  ASSIGN_OR_RETURN(std::string nonce, protoutil::CreateNonce());
  common::MetadataSignature signature;
  signature.set_signature_header(
      protoutil::Marshal(protoutil::MakeSignatureHeader(signer.Serialize(), nonce)));
  ASSIGN_OR_RETURN(*signature.mutable_signature(),
                   signer.Sign(MetadataSignedBytes(value, signature.signature_header(), header)));
  return signature;
}

}  // namespace

std::string MetadataSignedBytes(const std::string& value, const std::string& signature_header,
                                const common::BlockHeader& header) {
  std::string bytes = value;
  bytes += signature_header;
  bytes += protoutil::BlockHeaderBytes(header);
  return bytes;
}

StatusOr<uint64_t> LastConfigIndexFromBlock(const common::Block& block) {
  const auto& metadata = block.metadata().metadata();
  if (metadata.size() > common::SIGNATURES && !metadata[common::SIGNATURES].empty()) {
    ASSIGN_OR_RETURN(common::Metadata md, protoutil::Unmarshal<common::Metadata>(
                                              metadata[common::SIGNATURES], "SIGNATURES metadata"));
    ASSIGN_OR_RETURN(
        common::OrdererBlockMetadata obm,
        protoutil::Unmarshal<common::OrdererBlockMetadata>(md.value(), "orderer block metadata"));
    if (obm.has_last_config()) {
      return obm.last_config().index();
    }
  }
  if (metadata.size() > kLastConfigIndex && !metadata[kLastConfigIndex].empty()) {
    ASSIGN_OR_RETURN(common::Metadata md, protoutil::Unmarshal<common::Metadata>(
                                              metadata[kLastConfigIndex], "LAST_CONFIG metadata"));
    ASSIGN_OR_RETURN(common::LastConfig last,
                     protoutil::Unmarshal<common::LastConfig>(md.value(), "last config"));
    return last.index();
  }
  if (block.header().number() == 0) {
    return uint64_t{0};
  }
  return InvalidArgumentError("block has no last config metadata");
}

StatusOr<common::Block> BlockWriter::CreateNextBlock(const Batch& batch) const {
  common::BlockchainInfo info = store_.GetBlockchainInfo();
  if (info.height() == 0) {
    return FailedPreconditionError("create next block: the chain has no genesis block");
  }
  common::Block block = protoutil::NewBlock(info.height(), info.currentblockhash());
  for (const common::Envelope& envelope : batch) {
    block.mutable_data()->add_data(protoutil::Marshal(envelope));
  }
  protoutil::SealBlock(block);
  return block;
}

StatusOr<std::string> ConsenterMetadataFromBlock(const common::Block& block) {
  const auto& metadata = block.metadata().metadata();
  if (metadata.size() <= kOrdererIndex || metadata[kOrdererIndex].empty()) {
    return std::string();
  }
  ASSIGN_OR_RETURN(common::Metadata md, protoutil::Unmarshal<common::Metadata>(
                                            metadata[kOrdererIndex], "ORDERER metadata"));
  return md.value();
}

Status BlockWriter::SignBlock(common::Block* block, uint64_t last_config_index,
                              const msp::SigningIdentity& signer,
                              const std::string& consenter_metadata) {
  auto* metadata = block->mutable_metadata()->mutable_metadata();
  while (metadata->size() <= common::COMMIT_HASH) {
    metadata->Add();
  }
  common::LastConfig last_config;
  last_config.set_index(last_config_index);
  common::OrdererBlockMetadata obm;
  *obm.mutable_last_config() = last_config;
  obm.set_consenter_metadata(consenter_metadata);
  if (!consenter_metadata.empty()) {
    common::Metadata orderer;
    orderer.set_value(consenter_metadata);
    (*metadata)[kOrdererIndex] = protoutil::Marshal(orderer);
  }

  common::Metadata signatures;
  signatures.set_value(protoutil::Marshal(obm));
  ASSIGN_OR_RETURN(*signatures.add_signatures(),
                   SignMetadata(signatures.value(), block->header(), signer));
  (*metadata)[common::SIGNATURES] = protoutil::Marshal(signatures);

  common::Metadata last_config_md;
  last_config_md.set_value(protoutil::Marshal(last_config));
  ASSIGN_OR_RETURN(*last_config_md.add_signatures(),
                   SignMetadata(last_config_md.value(), block->header(), signer));
  (*metadata)[kLastConfigIndex] = protoutil::Marshal(last_config_md);
  return Status::OK();
}

Status BlockWriter::WriteBlock(common::Block block, bool is_config,
                               const std::string& consenter_metadata) {
  uint64_t last_config = is_config ? block.header().number() : last_config_index_;
  RETURN_IF_ERROR(SignBlock(&block, last_config, signer_, consenter_metadata));
  RETURN_IF_ERROR(store_.AddBlock(std::make_shared<const common::Block>(std::move(block)),
                                  {.data_hash_checked = true}));
  last_config_index_ = last_config;
  return Status::OK();
}

Status BlockWriter::AppendSignedBlock(std::shared_ptr<const common::Block> block, bool is_config) {
  const uint64_t number = block->header().number();
  RETURN_IF_ERROR(store_.AddBlock(std::move(block), {.data_hash_checked = true}));
  if (is_config) {
    last_config_index_ = number;
  }
  return Status::OK();
}

}  // namespace fabric::orderer
