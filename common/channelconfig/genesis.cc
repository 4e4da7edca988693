// SPDX-License-Identifier: Apache-2.0

#include "common/channelconfig/genesis.h"

#include <string>

#include "common/protoutil/blockutils.h"
#include "common/protoutil/txutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"

namespace fabric::channelconfig {
namespace {

// Fabric's genesis factory uses message version 1 and epoch 0.
constexpr int32_t kGenesisMsgVersion = 1;
constexpr uint64_t kGenesisEpoch = 0;
// BlockMetadataIndex LAST_CONFIG: deprecated in the proto, yet Fabric's configtxgen still writes
// it into genesis blocks (and 1.x peers read it), so we do too.
constexpr int kLastConfigIndex = 1;

}  // namespace

StatusOr<common::Block> MakeGenesisBlock(std::string_view channel_id,
                                         const common::ConfigGroup& channel_group) {
  if (channel_id.empty()) {
    return InvalidArgumentError("genesis block: empty channel id");
  }
  ASSIGN_OR_RETURN(std::string nonce, protoutil::CreateNonce());
  std::string tx_id = protoutil::ComputeTxId(nonce, "");
  common::ChannelHeader channel_header = protoutil::MakeChannelHeader(
      common::CONFIG, kGenesisMsgVersion, channel_id, kGenesisEpoch, tx_id);
  common::SignatureHeader signature_header = protoutil::MakeSignatureHeader("", nonce);

  common::ConfigEnvelope config_envelope;
  *config_envelope.mutable_config()->mutable_channel_group() = channel_group;
  common::Payload payload =
      protoutil::MakePayload(channel_header, signature_header, protoutil::Marshal(config_envelope));
  common::Envelope envelope;
  envelope.set_payload(protoutil::Marshal(payload));

  common::Block block = protoutil::NewBlock(0, "");
  block.mutable_data()->add_data(protoutil::Marshal(envelope));
  protoutil::SealBlock(block);

  common::LastConfig last_config;
  last_config.set_index(0);
  common::Metadata last_config_metadata;
  last_config_metadata.set_value(protoutil::Marshal(last_config));
  block.mutable_metadata()->set_metadata(kLastConfigIndex,
                                         protoutil::Marshal(last_config_metadata));
  return block;
}

}  // namespace fabric::channelconfig
