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

bool SendStatus(const DeliverHandler::Sender& send, common::Status status) {
  ::orderer::DeliverResponse response;
  response.set_status(status);
  return send(response);
}

common::Status Reject(const DeliverHandler::Sender& send, common::Status status,
                      const std::string& channel, std::string_view reason) {
  FLOG_WARN(logger, "[channel: %s] deliver rejected with %s: %s", channel,
            common::Status_Name(status), reason);
  SendStatus(send, status);
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

common::Status DeliverHandler::Handle(const common::Envelope& envelope, const Sender& send,
                                      const Cancelled& cancelled) {
  return DeliverBlocks(envelope, send, cancelled);
}

common::Status DeliverHandler::DeliverBlocks(const common::Envelope& envelope, const Sender& send,
                                             const Cancelled& cancelled) {
  StatusOr<EnvelopeHeaders> headers = ParseEnvelopeHeaders(envelope);
  if (!headers.ok()) {
    return Reject(send, common::BAD_REQUEST, "?", headers.status().message());
  }
  const std::string& channel_id = headers->channel_header.channel_id();
  if (Status ts = CheckTimestamp(headers->channel_header, options_.time_window); !ts.ok()) {
    return Reject(send, common::BAD_REQUEST, channel_id, ts.message());
  }
  ChainSupport* chain = registrar_.GetChain(channel_id);
  if (chain == nullptr) {
    return Reject(send, common::NOT_FOUND, channel_id, "channel not found");
  }
  std::shared_ptr<const channelconfig::Bundle> bundle = chain->bundle();
  if (Status ac = CheckDeliverReaders(*bundle, envelope, *headers); !ac.ok()) {
    return Reject(send, common::FORBIDDEN, channel_id, ac.message());
  }
  auto expires_at = std::chrono::system_clock::time_point::max();
  if (auto creator = bundle->msp_manager().DeserializeIdentity(headers->signature_header.creator());
      creator.ok()) {
    expires_at = (*creator)->ExpiresAt();
  }
  const auto expired = [&] {
    return (options_.clock ? options_.clock() : std::chrono::system_clock::now()) > expires_at;
  };
  StatusOr<common::Payload> payload =
      protoutil::Unmarshal<common::Payload>(envelope.payload(), "payload");
  StatusOr<::orderer::SeekInfo> seek =
      protoutil::Unmarshal<::orderer::SeekInfo>(payload->data(), "seek info");
  if (!seek.ok()) {
    return Reject(send, common::BAD_REQUEST, channel_id, seek.status().message());
  }
  ledger::blkstorage::BlockStore& store = chain->store();
  const uint64_t height = store.Height();
  std::optional<uint64_t> start = PositionNumber(seek->start(), height);
  std::optional<uint64_t> stop = PositionNumber(seek->stop(), height);
  if (!start.has_value() || !stop.has_value()) {
    return Reject(send, common::BAD_REQUEST, channel_id, "seek info without start or stop");
  }
  if (*start > height) {
    return Reject(send, common::NOT_FOUND, channel_id,
                  absl::StrFormat("start block %d is beyond the height %d", *start, height));
  }
  if (seek->stop().has_oldest() || (seek->stop().has_newest() && seek->start().has_newest())) {
    stop = start;
  }
  if (*stop < *start) {
    return Reject(send, common::BAD_REQUEST, channel_id,
                  absl::StrFormat("start number %d greater than stop number %d", *start, *stop));
  }
  StatusOr<std::unique_ptr<ledger::blkstorage::BlocksIterator>> it = store.RetrieveBlocks(*start);
  if (!it.ok()) {
    return Reject(send, common::NOT_FOUND, channel_id, it.status().message());
  }
  uint64_t checked_seq = bundle->sequence();
  for (uint64_t number = *start;; ++number) {
    if (seek->behavior() == ::orderer::SeekInfo::FAIL_IF_NOT_READY && number >= store.Height()) {
      return Reject(send, common::NOT_FOUND, channel_id,
                    absl::StrFormat("block %d not ready (height %d)", number, store.Height()));
    }
    StatusOr<std::shared_ptr<const common::Block>> block = DeadlineExceededError("");
    for (;;) {
      if (shutting_down_.load()) {
        return Reject(send, common::SERVICE_UNAVAILABLE, channel_id, "orderer shutting down");
      }
      if (cancelled()) {
        return common::SERVICE_UNAVAILABLE;
      }
      block = (*it)->NextShared(std::chrono::steady_clock::now() + options_.poll_interval);
      if (!block.status().IsDeadlineExceeded()) {
        break;
      }
    }
    if (!block.ok()) {
      return Reject(send, common::SERVICE_UNAVAILABLE, channel_id, block.status().message());
    }
    if (expired()) {
      return Reject(send, common::FORBIDDEN, channel_id, "client identity expired");
    }
    bundle = chain->bundle();
    if (bundle->sequence() != checked_seq) {
      if (Status ac = CheckDeliverReaders(*bundle, envelope, *headers); !ac.ok()) {
        return Reject(send, common::FORBIDDEN, channel_id, ac.message());
      }
      checked_seq = bundle->sequence();
    }
    // The block is shared with the store's recent-blocks cache: lent to the response for the
    // send, not copied.
    ::orderer::DeliverResponse response;
    response.unsafe_arena_set_allocated_block(const_cast<common::Block*>(block->get()));
    const bool sent = send(response);
    (void)response.unsafe_arena_release_block();
    if (!sent) {
      return common::UNKNOWN;
    }
    if (number == *stop) {
      break;
    }
  }
  SendStatus(send, common::SUCCESS);
  return common::SUCCESS;
}

}  // namespace fabric::orderer
