// SPDX-License-Identifier: Apache-2.0
//
// Checks on envelopes sent to Broadcast and the processing of config updates, Fabric's
// msgprocessor package (orderer/common/msgprocessor/{standardchannel,systemchannel,sizefilter,
// sigfilter}.go) and the channel-creation templator (systemchannel.go DefaultTemplator).
//
// Errors use Status codes that Broadcast maps to common.Status: InvalidArgument -> BAD_REQUEST,
// PermissionDenied -> FORBIDDEN, NotFound -> NOT_FOUND, Unavailable -> SERVICE_UNAVAILABLE.
//
// Thread-safety: stateless functions; bundles are immutable.
#pragma once

#include <string>

#include "common/channelconfig/bundle.h"
#include "common/common.pb.h"
#include "common/configtx.pb.h"
#include "common/msp/signing_identity.h"
#include "common/protoutil/blockutils.h"
#include "fabric/base/status.h"

namespace fabric::orderer {

// The headers of an envelope sent to Broadcast. The signature header may be empty (unsigned).
struct EnvelopeHeaders {
  common::ChannelHeader channel_header;
  common::SignatureHeader signature_header;
};

// Parses payload, header, channel header and signature header. InvalidArgument when any is
// malformed or the payload has no header / channel header.
StatusOr<EnvelopeHeaders> ParseEnvelopeHeaders(const common::Envelope& envelope);

enum class MsgClass {
  kNormal,        // Ordered into blocks as is (ENDORSER_TRANSACTION, MESSAGE, ...).
  kConfigUpdate,  // CONFIG_UPDATE: turned into a config transaction.
  kRejected,      // CONFIG, ORDERER_TRANSACTION (never sent directly) or an unknown type.
};
MsgClass ClassifyMsg(const common::ChannelHeader& channel_header);

// Fabric's standard channel filters, in order: the payload is not empty, the message (payload +
// signature bytes) is at most BatchSize.AbsoluteMaxBytes (InvalidArgument), the creator's
// certificate has not expired when the orderer capabilities include V1_1 or V1_4_2
// (InvalidArgument "identity expired"), and the envelope's signature satisfies
// /Channel/Writers, or /Channel/Orderer/Writers while ConsensusType.state is
// STATE_MAINTENANCE (PermissionDenied, the only FORBIDDEN answer of a config update).
Status ApplyStandardFilters(const channelconfig::Bundle& bundle, const common::Envelope& envelope,
                            const EnvelopeHeaders& headers);

// A normal message (not a config update): Unavailable "normal transactions are rejected:
// maintenance mode" while the channel is in maintenance mode, else the standard filters.
Status ProcessNormalMsg(const channelconfig::Bundle& bundle, const common::Envelope& envelope,
                        const EnvelopeHeaders& headers);

// A CONFIG_UPDATE for an existing channel: the filters on the update envelope, the update
// validated against the channel's config, and the resulting CONFIG envelope signed by `signer`
// (checked by the size filter, its config parsed into a Bundle).
StatusOr<common::Envelope> ProcessConfigUpdate(const channelconfig::Bundle& bundle,
                                               const common::Envelope& update,
                                               const msp::SigningIdentity& signer);

// A CONFIG_UPDATE that creates channel `headers.channel_header.channel_id` through the system
// channel `system`: the template config (the system channel's values and policies, its Orderer
// group, an Application group with the requested consortium members and the consortium's
// ChannelCreationPolicy as mod_policy, versions zeroed), the update validated against it, and
// returns the ORDERER_TRANSACTION envelope for the system channel wrapping the new channel's
// CONFIG envelope, both signed by `signer`. InvalidArgument for an unknown consortium, members
// outside it, a bad write set, or a creation policy that is not satisfied (Fabric applies no
// Writers filter to the client's creation envelope, so it never answers FORBIDDEN here);
// Unavailable while the system channel is in maintenance mode.
StatusOr<common::Envelope> ProcessChannelCreation(const channelconfig::Bundle& system,
                                                  const common::Envelope& update,
                                                  const msp::SigningIdentity& signer);

// The new channel's CONFIG envelope carried by an ORDERER_TRANSACTION envelope.
StatusOr<common::Envelope> UnwrapOrdererTransaction(const common::Envelope& envelope);

using protoutil::ValidateChannelId;

}  // namespace fabric::orderer
