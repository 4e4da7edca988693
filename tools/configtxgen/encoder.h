// SPDX-License-Identifier: Apache-2.0
//
// Turning a configtx profile into channel config, as Fabric's configtxgen encoder does (Go:
// internal/configtxgen/encoder/encoder.go):
//
//   /Channel     policies from the profile; HashingAlgorithm SHA256, BlockDataHashingStructure
//                2^32-1, OrdererAddresses (mod_policy /Channel/Orderer/Admins) when the orderer
//                has addresses, Consortium when set, Capabilities when any; mod_policy Admins
//     /Orderer   policies (BlockValidation required), BatchSize, BatchTimeout,
//                ChannelRestrictions, Capabilities when any, KafkaBrokers for kafka,
//                ConsensusType (for etcdraft with etcdraft.ConfigMetadata, the consenters' TLS
//                certificate files read in); one group per org with MSP, its policies and
//                Endpoints (from OrdererEndpoints) when any
//     /Application  policies, ACLs and Capabilities when any; one group per org with MSP, its
//                policies and AnchorPeers when any
//     /Consortiums  (system channel) policy Admins = accept-all signature policy; per
//                consortium the ChannelCreationPolicy (ImplicitMeta ANY Admins) and its orgs;
//                everything under it has mod_policy /Channel/Orderer/Admins
// Every group and value has version 0; mod_policy is "Admins" unless stated otherwise.
// A group whose section lists policies must define Readers, Writers and Admins; a section
// without policies gets Fabric's defaults: ImplicitMeta MAJORITY Admins, ANY Readers, ANY Writers
// (and ANY Writers BlockValidation for /Orderer); for an org, Signature policies member for
// Readers and Writers and admin (member when AdminPrincipal is Role.MEMBER) for Admins.
//
// Thread-safety: stateless; reads the MSP folders and TLS certificates named by the profile.

#pragma once

#include <string_view>

#include "common/common.pb.h"
#include "common/configtx.pb.h"
#include "fabric/base/status.h"
#include "tools/configtxgen/profile.h"

namespace fabric::configtxgen {

// The /Channel group of `profile`. InvalidArgument naming the group (and org) for a missing
// Readers/Writers/Admins/BlockValidation policy, an unparsable policy rule, or an MSP folder
// that does not load ("application org Org1: msp dir=/x: ...").
StatusOr<common::ConfigGroup> NewChannelGroup(const Profile& profile);

// The genesis block of channel `channel_id` from `profile`, which must have an Orderer
// section (InvalidArgument otherwise). Errors as NewChannelGroup.
StatusOr<common::Block> MakeGenesisBlock(const Profile& profile, std::string_view channel_id);

// A Fabric 1.x channel creation transaction for `peer channel create`: an unsigned
// CONFIG_UPDATE envelope whose ConfigUpdate adds the profile's Application group (as
// configtxgen's DefaultConfigTemplate + update.Compute produce it) and names the Consortium.
// The profile needs an Application section and a Consortium (InvalidArgument otherwise).
StatusOr<common::Envelope> MakeChannelCreationTx(const Profile& profile,
                                                 std::string_view channel_id);

// Fabric 1.x's anchor peer update (configtxgen -outputAnchorPeersUpdate -asOrg ORG): an
// unsigned CONFIG_UPDATE envelope setting the AnchorPeers of application org `as_org` on a
// channel created from the profile (only right for the org's first update after channel
// creation, as in Fabric). InvalidArgument when `as_org` is empty, the profile has no
// Application section, or no application org has that name.
StatusOr<common::Envelope> MakeAnchorPeersUpdate(const Profile& profile,
                                                 std::string_view channel_id,
                                                 std::string_view as_org);

}  // namespace fabric::configtxgen
