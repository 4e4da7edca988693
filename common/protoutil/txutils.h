// SPDX-License-Identifier: Apache-2.0
//
// Building and parsing the envelope layer every Fabric message rides in:
//   Envelope{payload, signature} -> Payload{header, data}
//   Header{channel_header, signature_header} -> ChannelHeader, SignatureHeader{creator, nonce}
// Fabric's rules: txid = hex(sha256(nonce || creator)); nonces are 24 random bytes; a signature
// is ECDSA-SHA256 over the payload bytes by the creator.
//
// All functions are stateless and thread-safe.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include <google/protobuf/message_lite.h>

#include "common/common.pb.h"
#include "common/msp/signing_identity.h"
#include "common/protoutil/signed_data.h"
#include "fabric/base/status.h"

namespace fabric::protoutil {

// Length of the nonces we create (the same as Fabric's SDKs and CLI).
inline constexpr size_t kNonceSize = 24;

// Returns kNonceSize random bytes from OpenSSL's CSPRNG, or Internal if it fails.
StatusOr<std::string> CreateNonce();

// hex(sha256(nonce || creator)), lowercase: the transaction id rule of Fabric.
std::string ComputeTxId(std::string_view nonce, std::string_view creator);

// A ChannelHeader stamped with the current time.
common::ChannelHeader MakeChannelHeader(common::HeaderType type, int32_t version,
                                        std::string_view channel_id, uint64_t epoch,
                                        std::string_view tx_id = {});

common::SignatureHeader MakeSignatureHeader(std::string_view creator, std::string_view nonce);

// Payload{header{channel_header, signature_header}, data = data bytes}.
common::Payload MakePayload(const common::ChannelHeader& channel_header,
                            const common::SignatureHeader& signature_header, std::string data);

// Signs `payload` with `signer` into an Envelope.
StatusOr<common::Envelope> SignPayload(const common::Payload& payload,
                                       const msp::SigningIdentity& signer);

// An envelope of `type` on `channel_id` carrying `data`, with a fresh nonce, the txid computed
// from it, and `signer` as creator. Returns Internal if nonce creation or signing fails.
StatusOr<common::Envelope> CreateSignedEnvelope(common::HeaderType type,
                                                std::string_view channel_id,
                                                const msp::SigningIdentity& signer,
                                                const google::protobuf::MessageLite& data,
                                                int32_t msg_version = 0, uint64_t epoch = 0);

// As CreateSignedEnvelope, with `tls_cert_hash` (SHA-256 of the sender's TLS client certificate,
// DER) in the channel header: Fabric's CreateSignedEnvelopeWithTLSBinding, which servers
// requiring mutual TLS check against the connection's certificate. Empty: no binding.
StatusOr<common::Envelope> CreateSignedEnvelopeWithTlsBinding(
    common::HeaderType type, std::string_view channel_id, const msp::SigningIdentity& signer,
    const google::protobuf::MessageLite& data, std::string_view tls_cert_hash,
    int32_t msg_version = 0, uint64_t epoch = 0);

// The parsed layers of an Envelope.
struct ParsedEnvelope {
  common::Payload payload;
  common::ChannelHeader channel_header;
  common::SignatureHeader signature_header;
};

// Parses an envelope down to its headers. Returns InvalidArgument when any layer is malformed
// or missing (no payload header, no channel header, no signature header).
StatusOr<ParsedEnvelope> ParseEnvelope(const common::Envelope& envelope);

// The envelope as a policy-evaluable signature: {payload bytes, creator, signature}.
// Returns InvalidArgument when the envelope does not parse.
StatusOr<std::vector<SignedData>> EnvelopeAsSignedData(const common::Envelope& envelope);

}  // namespace fabric::protoutil
