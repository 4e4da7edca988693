// SPDX-License-Identifier: Apache-2.0
//
// `configtxgen -inspectBlock`: a block printed as JSON with its nested bytes decoded the way
// Fabric's protolator (configtxlator proto_decode --type common.Block) decodes them:
//   data.data[i]                 Envelope{payload = Payload{header{channel_header,
//                                signature_header{creator = SerializedIdentity}}, data}}
//   payload.data                 ConfigEnvelope (CONFIG) or ConfigUpdateEnvelope (CONFIG_UPDATE)
//   config groups' values        by key: MSP (msp.MSPConfig with FabricMSPConfig), BatchSize,
//                                BatchTimeout, ConsensusType (etcdraft metadata as
//                                etcdraft.ConfigMetadata), ChannelRestrictions, KafkaBrokers,
//                                OrdererAddresses, Endpoints, Capabilities, AnchorPeers, ACLs,
//                                HashingAlgorithm, BlockDataHashingStructure, Consortium,
//                                ChannelCreationPolicy
//   config policies              SignaturePolicyEnvelope (principals decoded by classification)
//                                or ImplicitMetaPolicy
//   metadata SIGNATURES / LAST_CONFIG   common.Metadata with OrdererBlockMetadata / LastConfig
// Leaf messages are printed with protobuf's JSON printer (proto field names, defaults printed,
// bytes as base64). Values under unknown keys stay base64.
//
// Thread-safety: stateless.

#pragma once

#include <string>
#include <string_view>

#include "common/common.pb.h"
#include "fabric/base/status.h"

namespace fabric::configtxgen {

// The decoded JSON of a marshalled common.Block, indented by two spaces. InvalidArgument
// ("block: malformed common.Block protobuf", "data[0]/payload/.../Orderer/BatchSize: malformed
// orderer.BatchSize protobuf") when any layer on the decoded path does not unmarshal.
StatusOr<std::string> InspectBlock(std::string_view block_bytes);

// The same for a marshalled common.Envelope (e.g. a channel creation transaction).
StatusOr<std::string> InspectEnvelope(std::string_view envelope_bytes);

}  // namespace fabric::configtxgen
