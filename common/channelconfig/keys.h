// SPDX-License-Identifier: Apache-2.0
//
// The names Fabric gives to config groups, values and policies in a channel's config tree
// (Go: common/channelconfig/{channel,orderer,application,consortiums,organization,msp}.go and
// acls.go). A channel config looks like:
//
//   /Channel                       values HashingAlgorithm, BlockDataHashingStructure,
//                                  OrdererAddresses (1.x), Consortium, Capabilities
//     /Orderer                     values ConsensusType, BatchSize, BatchTimeout,
//                                  ChannelRestrictions, Capabilities; policy BlockValidation
//       /<org name>                values MSP, Endpoints (2.x)
//     /Application                 values Capabilities, ACLs
//       /<org name>                values MSP, AnchorPeers
//     /Consortiums                 (system channel only)
//       /<consortium>              value ChannelCreationPolicy
//         /<org name>              value MSP
//
// Every group carries Readers, Writers and Admins policies (orgs may add Endorsement).

#pragma once

#include <cstdint>
#include <string_view>

namespace fabric::channelconfig {

// Groups.
inline constexpr std::string_view kChannelGroupKey = "Channel";
inline constexpr std::string_view kOrdererGroupKey = "Orderer";
inline constexpr std::string_view kApplicationGroupKey = "Application";
inline constexpr std::string_view kConsortiumsGroupKey = "Consortiums";

// Values of the channel group.
inline constexpr std::string_view kHashingAlgorithmKey = "HashingAlgorithm";
inline constexpr std::string_view kBlockDataHashingStructureKey = "BlockDataHashingStructure";
inline constexpr std::string_view kOrdererAddressesKey = "OrdererAddresses";
inline constexpr std::string_view kConsortiumKey = "Consortium";
inline constexpr std::string_view kCapabilitiesKey = "Capabilities";

// Values of the orderer group.
inline constexpr std::string_view kConsensusTypeKey = "ConsensusType";
inline constexpr std::string_view kBatchSizeKey = "BatchSize";
inline constexpr std::string_view kBatchTimeoutKey = "BatchTimeout";
inline constexpr std::string_view kChannelRestrictionsKey = "ChannelRestrictions";
inline constexpr std::string_view kKafkaBrokersKey = "KafkaBrokers";

// Values of the application group.
inline constexpr std::string_view kACLsKey = "ACLs";

// Values of org groups.
inline constexpr std::string_view kMSPKey = "MSP";
inline constexpr std::string_view kAnchorPeersKey = "AnchorPeers";
inline constexpr std::string_view kEndpointsKey = "Endpoints";

// Values of a consortium group.
inline constexpr std::string_view kChannelCreationPolicyKey = "ChannelCreationPolicy";

// Policy names.
inline constexpr std::string_view kReadersPolicyKey = "Readers";
inline constexpr std::string_view kWritersPolicyKey = "Writers";
inline constexpr std::string_view kAdminsPolicyKey = "Admins";
inline constexpr std::string_view kEndorsementPolicyKey = "Endorsement";
inline constexpr std::string_view kLifecycleEndorsementPolicyKey = "LifecycleEndorsement";
inline constexpr std::string_view kBlockValidationPolicyKey = "BlockValidation";
// The mod_policy Fabric gives OrdererAddresses and the Consortiums tree.
inline constexpr std::string_view kOrdererAdminsPolicyPath = "/Channel/Orderer/Admins";

// The only hashing settings Fabric supports.
inline constexpr std::string_view kDefaultHashingAlgorithm = "SHA256";
inline constexpr uint32_t kDefaultBlockDataHashingWidth = 0xFFFFFFFFu;

}  // namespace fabric::channelconfig
