// SPDX-License-Identifier: Apache-2.0
#include "peer/endorser/msg_validation.h"

#include <mutex>
#include <optional>
#include <unordered_map>

#include <absl/strings/str_format.h>

#include "common/crypto/x509.h"
#include "common/logging/logging.h"
#include "common/protoutil/txutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "msp/identities.pb.h"

namespace fabric::endorser {
namespace {

logging::Logger& Log() {
  static logging::Logger* log = new logging::Logger("protoutils");
  return *log;
}

std::string HeaderTypeName(int32_t type) {
  if (common::HeaderType_IsValid(type)) {
    return common::HeaderType_Name(static_cast<common::HeaderType>(type));
  }
  return std::to_string(type);
}

Status ValidateCommonHeader(const common::ChannelHeader& chdr,
                            const common::SignatureHeader& shdr) {
  int32_t type = chdr.type();
  if (type != common::ENDORSER_TRANSACTION && type != common::CONFIG) {
    return InvalidArgumentError("invalid header type " + HeaderTypeName(type));
  }
  if (chdr.epoch() != 0) {
    return InvalidArgumentError(
        absl::StrFormat("invalid Epoch in ChannelHeader. Expected 0, got [%d]", chdr.epoch()));
  }
  if (shdr.nonce().empty()) {
    return InvalidArgumentError("invalid nonce specified in the header");
  }
  if (shdr.creator().empty()) {
    return InvalidArgumentError("invalid creator specified in the header");
  }
  return Status::OK();
}

Status CheckSignatureFromCreator(const protos::SignedProposal& sp, const std::string& creator,
                                 const std::string& channel_id,
                                 const msp::IdentityDeserializer* deserializer) {
  ::msp::SerializedIdentity sid;
  std::string msp_id;
  if (sid.ParseFromString(creator)) {
    msp_id = sid.mspid();
  }
  Status cause;
  if (deserializer == nullptr) {
    cause = NotFoundError("channel " + channel_id + " is unknown to this peer");
  } else {
    auto identity = deserializer->DeserializeIdentity(creator);
    if (!identity.ok()) {
      cause = identity.status().Annotate("failed to deserialize creator identity");
    } else {
      cause = (*identity)->Validate();
      if (!cause.ok()) {
        cause = cause.Annotate("creator certificate is not valid");
      } else {
        cause = (*identity)->Verify(sp.proposal_bytes(), sp.signature());
        if (!cause.ok()) {
          cause = cause.Annotate("creator's signature over the proposal is not valid");
        }
      }
    }
  }
  if (cause.ok()) {
    return cause;
  }
  FLOG_WARN(Log(), "channel [%s]: %s", channel_id, cause.message());
  return PermissionDeniedError(
      absl::StrFormat("access denied: channel [%s] creator org [%s]", channel_id, msp_id));
}

bool HasUnknownField(const google::protobuf::Message& msg, int number) {
  const auto& unknown = msg.GetReflection()->GetUnknownFields(msg);
  for (int i = 0; i < unknown.field_count(); ++i) {
    if (unknown.field(i).number() == number) {
      return true;
    }
  }
  return false;
}

// The notAfter of a creator certificate, memoised by its PEM bytes: parsing the certificate
// (OpenSSL 3's d2i_X509) cost about 40 % of the peer's CPU per proposal when done every time.
// nullopt: the bytes are not a certificate. Bounded: cleared when it reaches kMaxEntries.
// Thread-safe.
class NotAfterCache {
 public:
  std::optional<std::chrono::system_clock::time_point> Get(const std::string& pem) {
    {
      std::lock_guard<std::mutex> lock(mu_);
      auto it = entries_.find(pem);
      if (it != entries_.end()) {
        return it->second;
      }
    }
    std::optional<std::chrono::system_clock::time_point> not_after;
    auto cert = crypto::Certificate::FromPem(pem);  // outside the lock
    if (cert.ok()) {
      not_after = cert->NotAfter();
    }
    std::lock_guard<std::mutex> lock(mu_);
    if (entries_.size() >= kMaxEntries) {
      entries_.clear();
    }
    entries_.emplace(pem, not_after);
    return not_after;
  }

 private:
  static constexpr size_t kMaxEntries = 4096;
  std::mutex mu_;
  // Guarded by mu_:
  std::unordered_map<std::string, std::optional<std::chrono::system_clock::time_point>> entries_;
};

NotAfterCache& NotAfters() {
  static NotAfterCache* cache = new NotAfterCache();
  return *cache;
}

}  // namespace

Status CheckExpiration(const protos::SignedProposal& signed_proposal,
                       std::chrono::system_clock::time_point now) {
  auto prop = protoutil::Unmarshal<protos::Proposal>(signed_proposal.proposal_bytes(), "proposal");
  if (!prop.ok()) {
    return prop.status().Annotate("failed parsing proposal");
  }
  auto hdr = protoutil::Unmarshal<common::Header>(prop->header(), "header");
  if (!hdr.ok()) {
    return hdr.status().Annotate("failed parsing header");
  }
  auto shdr =
      protoutil::Unmarshal<common::SignatureHeader>(hdr->signature_header(), "signature header");
  if (!shdr.ok()) {
    return shdr.status().Annotate("failed parsing signature header");
  }
  ::msp::SerializedIdentity sid;
  if (!sid.ParseFromString(shdr->creator())) {
    return Status::OK();  // not an X.509 identity: nothing to check here
  }
  auto not_after = NotAfters().Get(sid.id_bytes());
  if (not_after.has_value() && now > *not_after) {
    return PermissionDeniedError("identity expired");
  }
  return Status::OK();
}

StatusOr<ValidatedProposal> ValidateProposalMessage(
    const protos::SignedProposal& signed_proposal,
    const std::function<const msp::IdentityDeserializer*(const std::string&)>& deserializer_for) {
  ValidatedProposal v;
  auto prop = protoutil::Unmarshal<protos::Proposal>(signed_proposal.proposal_bytes(), "proposal");
  if (!prop.ok()) {
    return prop.status().Annotate("error unmarshaling Proposal");
  }
  v.proposal = std::move(prop).value();
  auto hdr = protoutil::Unmarshal<common::Header>(v.proposal.header(), "header");
  if (!hdr.ok()) {
    return hdr.status().Annotate("error unmarshaling Header");
  }
  v.header = std::move(hdr).value();
  auto chdr =
      protoutil::Unmarshal<common::ChannelHeader>(v.header.channel_header(), "channel header");
  if (!chdr.ok()) {
    return chdr.status().Annotate("error unmarshaling ChannelHeader");
  }
  v.channel_header = std::move(chdr).value();
  auto shdr = protoutil::Unmarshal<common::SignatureHeader>(v.header.signature_header(),
                                                            "signature header");
  if (!shdr.ok()) {
    return shdr.status().Annotate("error unmarshaling SignatureHeader");
  }
  v.signature_header = std::move(shdr).value();
  RETURN_IF_ERROR(ValidateCommonHeader(v.channel_header, v.signature_header));

  const std::string& channel_id = v.channel_header.channel_id();
  RETURN_IF_ERROR(CheckSignatureFromCreator(signed_proposal, v.signature_header.creator(),
                                            channel_id, deserializer_for(channel_id)));

  std::string expected =
      protoutil::ComputeTxId(v.signature_header.nonce(), v.signature_header.creator());
  if (v.channel_header.tx_id() != expected) {
    return InvalidArgumentError(absl::StrFormat("invalid txid. got [%s], expected [%s]",
                                                v.channel_header.tx_id(), expected));
  }

  auto ext = protoutil::Unmarshal<protos::ChaincodeHeaderExtension>(v.channel_header.extension(),
                                                                    "header extension");
  if (!ext.ok()) {
    return InvalidArgumentError("invalid header extension for type CHAINCODE");
  }
  v.extension = std::move(ext).value();
  if (!v.extension.has_chaincode_id()) {
    return InvalidArgumentError("ChaincodeHeaderExtension.ChaincodeId is nil");
  }
  if (HasUnknownField(v.extension, 1)) {
    return InvalidArgumentError("invalid payload visibility field");
  }
  return v;
}

}  // namespace fabric::endorser
