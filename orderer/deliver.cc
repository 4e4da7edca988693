// SPDX-License-Identifier: Apache-2.0
#include "orderer/deliver.h"

#include <absl/strings/str_format.h>

#include "common/logging/logging.h"
#include "common/policies/manager.h"
#include "common/protoutil/unmarshal.h"
#include "orderer/msgprocessor.h"

namespace fabric::orderer {
namespace {

logging::Logger logger("orderer.deliver");

// Logs why a request ends with `status`; returns it.
common::Status Refuse(common::Status status, const std::string& channel, std::string_view reason) {
  FLOG_WARN(logger, "[channel: %s] deliver rejected with %s: %s", channel,
            common::Status_Name(status), reason);
  return status;
}

Status CheckTimestamp(const common::ChannelHeader& chdr, std::chrono::nanoseconds window) {
  if (!chdr.has_timestamp()) {
    return InvalidArgumentError("channel header in envelope must contain timestamp");
  }
  auto ts = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::seconds(chdr.timestamp().seconds()) +
          std::chrono::nanoseconds(chdr.timestamp().nanos())));
  auto now = std::chrono::system_clock::now();
  auto diff = ts > now ? ts - now : now - ts;
  if (diff > window) {
    return InvalidArgumentError(absl::StrFormat(
        "envelope timestamp is %d s apart from current server time, more than the window of %d s",
        std::chrono::duration_cast<std::chrono::seconds>(diff).count(),
        std::chrono::duration_cast<std::chrono::seconds>(window).count()));
  }
  return Status::OK();
}

// The first block number of `position` given `height`; nullopt for a missing position.
std::optional<uint64_t> PositionNumber(const ::orderer::SeekPosition& position, uint64_t height) {
  switch (position.Type_case()) {
    case ::orderer::SeekPosition::kOldest:
      return 0;
    case ::orderer::SeekPosition::kNewest:
      return height - 1;
    case ::orderer::SeekPosition::kSpecified:
      return position.specified().number();
    default:
      return std::nullopt;
  }
}

}  // namespace

Status CheckDeliverReaders(const channelconfig::Bundle& bundle, const common::Envelope& envelope,
                           const EnvelopeHeaders& headers) {
  // Fabric's SigFilter(/Channel/Readers, /Channel/Orderer/Readers): in maintenance mode only
  // the orderers' readers (not the peers) may pull blocks.
  const std::string_view policy_name =
      bundle.consensus_state() == ::orderer::ConsensusType::STATE_MAINTENANCE
          ? kChannelOrdererReaders
          : policies::kChannelReaders;
  StatusOr<const policies::Policy*> readers = bundle.policy_manager().GetPolicy(policy_name);
  if (!readers.ok()) {
    return PermissionDeniedError(absl::StrFormat("could not find policy %s", policy_name));
  }
  std::vector<protoutil::SignedData> signed_data = {
      {envelope.payload(), headers.signature_header.creator(), envelope.signature()}};
  Status status = (*readers)->Evaluate(signed_data);
  if (!status.ok()) {
    return PermissionDeniedError(
        absl::StrFormat("client identity does not satisfy %s: %s", policy_name, status.message()));
  }
  return Status::OK();
}

// The blocks of one admitted request, and the checks before each (Fabric's SessionAC).
class DeliverHandler::ChainSession : public deliver::Session<Response> {
 public:
  ChainSession(const DeliverHandler& handler, ChainSupport* chain, common::Envelope envelope,
               EnvelopeHeaders headers, std::chrono::system_clock::time_point expires_at,
               uint64_t checked_seq)
      : handler_(handler),
        chain_(chain),
        envelope_(std::move(envelope)),
        headers_(std::move(headers)),
        expires_at_(expires_at),
        checked_seq_(checked_seq) {}

  common::Status CheckBlock() override {
    const std::string& channel_id = chain_->channel_id();
    const auto now =
        handler_.options_.clock ? handler_.options_.clock() : std::chrono::system_clock::now();
    if (now > expires_at_) {
      return Refuse(common::FORBIDDEN, channel_id, "client identity expired");
    }
    std::shared_ptr<const channelconfig::Bundle> bundle = chain_->bundle();
    if (bundle->sequence() != checked_seq_) {
      if (Status ac = CheckDeliverReaders(*bundle, envelope_, headers_); !ac.ok()) {
        return Refuse(common::FORBIDDEN, channel_id, ac.message());
      }
      checked_seq_ = bundle->sequence();
    }
    return common::SUCCESS;
  }

  void Fill(const common::Block& block, Response* response) override {
    // The block is shared with the store's recent-blocks cache: lent to the response for the
    // write, not copied.
    response->unsafe_arena_set_allocated_block(const_cast<common::Block*>(&block));
  }

  void Release(Response* response) override {
    if (response->has_block()) {
      (void)response->unsafe_arena_release_block();
    }
  }

 private:
  const DeliverHandler& handler_;
  ChainSupport* const chain_;
  const common::Envelope envelope_;
  const EnvelopeHeaders headers_;
  const std::chrono::system_clock::time_point expires_at_;
  uint64_t checked_seq_;
};

DeliverHandler::DeliverHandler(Registrar& registrar, Options options)
    : registrar_(registrar),
      options_(std::move(options)),
      streams_("/orderer.AtomicBroadcast", "deliver", options_.streams) {}

grpc::ServerBidiReactor<common::Envelope, DeliverHandler::Response>* DeliverHandler::Start(
    grpc::CallbackServerContext* context) {
  return deliver::BlockStream<Response>::Start(
      context, streams_,
      [this](const common::Envelope& envelope, const deliver::Client& client,
             common::Status* status) { return Open(envelope, client, status); });
}

std::unique_ptr<deliver::Session<DeliverHandler::Response>> DeliverHandler::Open(
    const common::Envelope& envelope, const deliver::Client& client, common::Status* status) {
  auto refuse = [&](common::Status s, const std::string& channel, std::string_view reason) {
    *status = Refuse(s, channel, absl::StrFormat("%s (from %s)", reason, client.address));
    return nullptr;
  };
  StatusOr<EnvelopeHeaders> headers = ParseEnvelopeHeaders(envelope);
  if (!headers.ok()) {
    return refuse(common::BAD_REQUEST, "?", headers.status().message());
  }
  const std::string& channel_id = headers->channel_header.channel_id();
  if (Status ts = CheckTimestamp(headers->channel_header, options_.time_window); !ts.ok()) {
    return refuse(common::BAD_REQUEST, channel_id, ts.message());
  }
  if (options_.mutual_tls) {
    Status bound =
        comm::CheckTlsBinding(headers->channel_header.tls_cert_hash(), client.tls_cert_hash);
    if (!bound.ok()) {
      return refuse(common::BAD_REQUEST, channel_id, bound.message());
    }
  }
  ChainSupport* chain = registrar_.GetChain(channel_id);
  if (chain == nullptr) {
    return refuse(common::NOT_FOUND, channel_id, "channel not found");
  }
  std::shared_ptr<const channelconfig::Bundle> bundle = chain->bundle();
  if (Status ac = CheckDeliverReaders(*bundle, envelope, *headers); !ac.ok()) {
    return refuse(common::FORBIDDEN, channel_id, ac.message());
  }
  auto expires_at = std::chrono::system_clock::time_point::max();
  if (auto creator = bundle->msp_manager().DeserializeIdentity(headers->signature_header.creator());
      creator.ok()) {
    expires_at = (*creator)->ExpiresAt();
  }
  StatusOr<common::Payload> payload =
      protoutil::Unmarshal<common::Payload>(envelope.payload(), "payload");
  StatusOr<::orderer::SeekInfo> seek =
      protoutil::Unmarshal<::orderer::SeekInfo>(payload->data(), "seek info");
  if (!seek.ok()) {
    return refuse(common::BAD_REQUEST, channel_id, seek.status().message());
  }
  ledger::blkstorage::BlockStore& store = chain->store();
  const uint64_t height = store.Height();
  std::optional<uint64_t> start = PositionNumber(seek->start(), height);
  std::optional<uint64_t> stop = PositionNumber(seek->stop(), height);
  if (!start.has_value() || !stop.has_value()) {
    return refuse(common::BAD_REQUEST, channel_id, "seek info without start or stop");
  }
  if (*start > height) {
    return refuse(common::NOT_FOUND, channel_id,
                  absl::StrFormat("start block %d is beyond the height %d", *start, height));
  }
  if (seek->stop().has_oldest() || (seek->stop().has_newest() && seek->start().has_newest())) {
    stop = start;
  }
  if (*stop < *start) {
    return refuse(common::BAD_REQUEST, channel_id,
                  absl::StrFormat("start number %d greater than stop number %d", *start, *stop));
  }
  auto session = std::make_unique<ChainSession>(*this, chain, envelope, std::move(*headers),
                                                expires_at, bundle->sequence());
  session->store = &store;
  session->start = *start;
  session->stop = *stop;
  session->fail_if_not_ready = seek->behavior() == ::orderer::SeekInfo::FAIL_IF_NOT_READY;
  *status = common::SUCCESS;
  return session;
}

}  // namespace fabric::orderer
