// SPDX-License-Identifier: Apache-2.0
//
// Config updates: validating a ConfigUpdate against a channel's current config and computing the
// resulting config, as Fabric's configtx.ValidatorImpl.ProposeConfigUpdate
// (common/configtx/{validator,update,configmap,compare}.go) does. The orderer proposes updates
// with it; the peer re-validates with it the CONFIG transactions it commits.
//  1. the ConfigUpdate's channel id must be the channel's; every key of the read and write sets
//     is a config ID: [a-zA-Z0-9.-]+, at most 249 characters, not "." or "..";
//  2. every element of the read set must exist at exactly the version read;
//  3. every ConfigSignature's header must parse;
//  4. the delta set = write-set elements whose version differs from the read set's (or that
//     are not in the read set); each must carry a valid mod_policy (a path of config IDs,
//     optionally starting with '/'), be at existing version + 1 (or 0 for a new element)
//     and its existing element's mod_policy must be satisfied by the ConfigUpdateEnvelope's
//     signatures (relative mod_policies resolve in the group itself for groups, in the
//     enclosing group for values and policies);
//  5. the new config = current config with the delta applied (a group in the delta lists its
//     children: children it no longer names are removed), sequence + 1; when it has
//     /Channel/Orderer/Capabilities, every empty mod_policy in it becomes "Admins" (Fabric's
//     repair of channels made by 1.0).
//
// Thread-safety: stateless functions.
#pragma once

#include <vector>

#include "common/channelconfig/bundle.h"
#include "common/common.pb.h"
#include "common/configtx.pb.h"
#include "common/msp/signing_identity.h"
#include "common/protoutil/signed_data.h"
#include "fabric/base/status.h"

namespace fabric::channelconfig {

// Appends to `envelope` a ConfigSignature of `signer`: a fresh signature header and the
// signature over signature_header || config_update. Internal when signing fails.
Status AddConfigSignature(const msp::SigningIdentity& signer,
                          common::ConfigUpdateEnvelope* envelope);

// The signatures of a ConfigUpdateEnvelope as policy input: data = signature_header ||
// config_update. InvalidArgument when any signature header does not parse: as in Fabric, one
// such signature refuses the whole update.
StatusOr<std::vector<protoutil::SignedData>> ConfigUpdateSignedData(
    const common::ConfigUpdateEnvelope& envelope);

// Parses a CONFIG_UPDATE envelope down to its ConfigUpdateEnvelope (the signature header of the
// envelope may be empty, as in configtxgen's unsigned channel creation tx). InvalidArgument for
// malformed layers or a header type other than CONFIG_UPDATE.
StatusOr<common::ConfigUpdateEnvelope> UnwrapConfigUpdate(const common::Envelope& envelope,
                                                          std::string* channel_id);

// Validates the ConfigUpdate in `update_envelope` (a CONFIG_UPDATE Envelope) against `bundle`'s
// config, with policies evaluated by `bundle`, and returns ConfigEnvelope{config = the new
// config, last_update = update_envelope}. Errors carry Fabric's wording, e.g. "error
// authorizing update: error validating DeltaSet: invalid mod_policy for element [Value]
// /Channel/Application/Org1/AnchorPeers: mod_policy not set". Always InvalidArgument, which
// Broadcast answers BAD_REQUEST as Fabric does: malformed input, a channel id mismatch, bad keys
// or mod_policies, a stale read set, bad versions, and a mod_policy that is missing ("unexpected
// missing policy ...") or not met ("policy for [Group]  /Channel/Application not satisfied").
StatusOr<common::ConfigEnvelope> ProposeConfigUpdate(const channelconfig::Bundle& bundle,
                                                     const common::Envelope& update_envelope);

// Fabric's ValidatorImpl.Validate, run by a peer on every CONFIG transaction it commits: the
// config must be at `bundle`'s sequence + 1, and its last_update, authorized against `bundle`'s
// config exactly as ProposeConfigUpdate does (read set, versions, keys, mod_policies and their
// signatures), must produce the carried channel group byte for byte. InvalidArgument as
// ProposeConfigUpdate; "ConfigEnvelope LastUpdate did not produce the
// supplied config result" when the results differ.
Status ValidateConfigEnvelope(const Bundle& bundle, const common::ConfigEnvelope& envelope);

}  // namespace fabric::channelconfig
