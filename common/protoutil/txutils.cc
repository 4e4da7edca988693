// SPDX-License-Identifier: Apache-2.0
#include "common/protoutil/txutils.h"

#include <chrono>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <openssl/rand.h>

#include "common/crypto/hash.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"

namespace fabric::protoutil {

std::string Marshal(const google::protobuf::MessageLite& msg) {
  std::string out;
  {
    google::protobuf::io::StringOutputStream stream(&out);
    google::protobuf::io::CodedOutputStream coded(&stream);
    coded.SetSerializationDeterministic(true);
    // SerializeToCodedStream only fails on missing required fields, which proto3 has none of.
    (void)msg.SerializeToCodedStream(&coded);
  }
  return out;
}

StatusOr<std::string> CreateNonce() {
  std::string nonce(kNonceSize, '\0');
  if (RAND_bytes(reinterpret_cast<unsigned char*>(nonce.data()), static_cast<int>(kNonceSize)) !=
      1) {
    return InternalError("create nonce: the random number generator failed");
  }
  return nonce;
}

std::string ComputeTxId(std::string_view nonce, std::string_view creator) {
  crypto::Sha256Hasher hasher;
  hasher.Update(nonce);
  hasher.Update(creator);
  return crypto::HexEncode(hasher.Finish());
}

common::ChannelHeader MakeChannelHeader(common::HeaderType type, int32_t version,
                                        std::string_view channel_id, uint64_t epoch,
                                        std::string_view tx_id) {
  common::ChannelHeader header;
  header.set_type(type);
  header.set_version(version);
  header.set_channel_id(std::string(channel_id));
  header.set_epoch(epoch);
  header.set_tx_id(std::string(tx_id));
  auto now = std::chrono::system_clock::now().time_since_epoch();
  auto nanos = std::chrono::duration_cast<std::chrono::nanoseconds>(now).count();
  header.mutable_timestamp()->set_seconds(nanos / 1000000000);
  header.mutable_timestamp()->set_nanos(static_cast<int32_t>(nanos % 1000000000));
  return header;
}

common::SignatureHeader MakeSignatureHeader(std::string_view creator, std::string_view nonce) {
  common::SignatureHeader header;
  header.set_creator(std::string(creator));
  header.set_nonce(std::string(nonce));
  return header;
}

common::Payload MakePayload(const common::ChannelHeader& channel_header,
                            const common::SignatureHeader& signature_header, std::string data) {
  common::Payload payload;
  payload.mutable_header()->set_channel_header(Marshal(channel_header));
  payload.mutable_header()->set_signature_header(Marshal(signature_header));
  payload.set_data(std::move(data));
  return payload;
}

StatusOr<common::Envelope> SignPayload(const common::Payload& payload,
                                       const msp::SigningIdentity& signer) {
  common::Envelope envelope;
  envelope.set_payload(Marshal(payload));
  ASSIGN_OR_RETURN(std::string signature, signer.Sign(envelope.payload()));
  envelope.set_signature(std::move(signature));
  return envelope;
}

StatusOr<common::Envelope> CreateSignedEnvelope(common::HeaderType type,
                                                std::string_view channel_id,
                                                const msp::SigningIdentity& signer,
                                                const google::protobuf::MessageLite& data,
                                                int32_t msg_version, uint64_t epoch) {
  return CreateSignedEnvelopeWithTlsBinding(type, channel_id, signer, data, "", msg_version, epoch);
}

StatusOr<common::Envelope> CreateSignedEnvelopeWithTlsBinding(
    common::HeaderType type, std::string_view channel_id, const msp::SigningIdentity& signer,
    const google::protobuf::MessageLite& data, std::string_view tls_cert_hash, int32_t msg_version,
    uint64_t epoch) {
  ASSIGN_OR_RETURN(std::string nonce, CreateNonce());
  const std::string& creator = signer.Serialize();
  common::ChannelHeader channel_header =
      MakeChannelHeader(type, msg_version, channel_id, epoch, ComputeTxId(nonce, creator));
  channel_header.set_tls_cert_hash(std::string(tls_cert_hash));
  return SignPayload(
      MakePayload(channel_header, MakeSignatureHeader(creator, nonce), Marshal(data)), signer);
}

StatusOr<ParsedEnvelope> ParseEnvelope(const common::Envelope& envelope) {
  ParsedEnvelope parsed;
  ASSIGN_OR_RETURN(parsed.payload, Unmarshal<common::Payload>(envelope.payload(), "payload"));
  if (!parsed.payload.has_header()) {
    return InvalidArgumentError("envelope payload has no header");
  }
  const common::Header& header = parsed.payload.header();
  if (header.channel_header().empty()) {
    return InvalidArgumentError("envelope payload header has no channel header");
  }
  if (header.signature_header().empty()) {
    return InvalidArgumentError("envelope payload header has no signature header");
  }
  ASSIGN_OR_RETURN(parsed.channel_header,
                   Unmarshal<common::ChannelHeader>(header.channel_header(), "channel header"));
  ASSIGN_OR_RETURN(parsed.signature_header, Unmarshal<common::SignatureHeader>(
                                                header.signature_header(), "signature header"));
  return parsed;
}

StatusOr<std::vector<SignedData>> EnvelopeAsSignedData(const common::Envelope& envelope) {
  ASSIGN_OR_RETURN(ParsedEnvelope parsed, ParseEnvelope(envelope));
  return std::vector<SignedData>{
      {envelope.payload(), parsed.signature_header.creator(), envelope.signature()}};
}

}  // namespace fabric::protoutil
