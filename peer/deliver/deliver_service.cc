// SPDX-License-Identifier: Apache-2.0

#include "peer/deliver/deliver_service.h"

#include <limits>

#include <absl/strings/str_format.h>

#include "common/logging/logging.h"
#include "common/policies/manager.h"
#include "common/protoutil/txutils.h"
#include "common/protoutil/unmarshal.h"
#include "peer/committer/committer.h"
#include "peer/deliver/filtered_block.h"

namespace fabric::deliver {
namespace {

logging::Logger logger("deliver");

constexpr char kBlockResource[] = "event/Block";
constexpr char kFilteredBlockResource[] = "event/FilteredBlock";

}  // namespace

// ---- CommitterChannels ----

class CommitterChannels::Adapter : public DeliverChannel {
 public:
  explicit Adapter(committer::Committer* c) : committer_(c) {}
  ledger::KvLedger& ledger() override { return committer_->ledger(); }
  std::shared_ptr<const channelconfig::Bundle> config() const override {
    return committer_->config();
  }

 private:
  committer::Committer* const committer_;
};

CommitterChannels::CommitterChannels() = default;
CommitterChannels::~CommitterChannels() = default;

void CommitterChannels::Add(committer::Committer* committer) {
  std::lock_guard<std::mutex> lock(mu_);
  channels_[committer->channel_id()] = std::make_unique<Adapter>(committer);
}

DeliverChannel* CommitterChannels::GetChannel(const std::string& channel_id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = channels_.find(channel_id);
  return it == channels_.end() ? nullptr : it->second.get();
}

// ---- DeliverService ----

struct DeliverService::Request {
  std::string channel_id;
  DeliverChannel* channel = nullptr;
  bool filtered = false;
  std::vector<protoutil::SignedData> signed_data;
  // When the requester's certificate expires: the session ends then (Fabric's SessionAC).
  std::chrono::system_clock::time_point expires_at = std::chrono::system_clock::time_point::max();
  ::orderer::SeekInfo seek;
  uint64_t start = 0;
  uint64_t stop = 0;
};

DeliverService::DeliverService(ChannelProvider& channels, Options options)
    : channels_(channels), options_(std::move(options)) {}

grpc::Status DeliverService::Deliver(grpc::ServerContext* context, Stream* stream) {
  return Handle(context, stream, /*filtered=*/false);
}

grpc::Status DeliverService::DeliverFiltered(grpc::ServerContext* context, Stream* stream) {
  return Handle(context, stream, /*filtered=*/true);
}

grpc::Status DeliverService::DeliverWithPrivateData(grpc::ServerContext*, Stream*) {
  return grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                      "private data is not supported by this peer");
}

grpc::Status DeliverService::Handle(grpc::ServerContext* context, Stream* stream, bool filtered) {
  common::Envelope envelope;
  while (stream->Read(&envelope)) {
    common::Status status = shutdown_.load() ? common::SERVICE_UNAVAILABLE
                                             : DeliverBlocks(context, stream, envelope, filtered);
    protos::DeliverResponse response;
    response.set_status(status);
    if (!stream->Write(response) || status != common::SUCCESS) {
      break;
    }
  }
  return grpc::Status::OK;
}

common::Status DeliverService::DeliverBlocks(grpc::ServerContext* context, Stream* stream,
                                             const common::Envelope& envelope, bool filtered) {
  Request req;
  req.filtered = filtered;
  common::Status status = CheckRequest(envelope, filtered, &req);
  if (status != common::SUCCESS) {
    FLOG_WARN(logger, "[%s] deliver request from %s refused: %s", req.channel_id, context->peer(),
              common::Status_Name(status));
    return status;
  }
  return StreamBlocks(context, stream, req);
}

common::Status DeliverService::CheckRequest(const common::Envelope& envelope, bool filtered,
                                            Request* req) {
  StatusOr<protoutil::ParsedEnvelope> parsed = protoutil::ParseEnvelope(envelope);
  if (!parsed.ok()) {
    return common::BAD_REQUEST;
  }
  const common::ChannelHeader& ch = parsed->channel_header;
  req->channel_id = ch.channel_id();
  const auto now = options_.clock ? options_.clock() : std::chrono::system_clock::now();
  const auto ts = std::chrono::system_clock::time_point(
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::seconds(ch.timestamp().seconds()) +
          std::chrono::nanoseconds(ch.timestamp().nanos())));
  if (!ch.has_timestamp() || ts < now - options_.time_window || ts > now + options_.time_window) {
    return common::BAD_REQUEST;
  }
  req->channel = channels_.GetChannel(ch.channel_id());
  if (req->channel == nullptr) {
    return common::NOT_FOUND;
  }
  auto signed_data = protoutil::EnvelopeAsSignedData(envelope);
  if (!signed_data.ok()) {
    return common::BAD_REQUEST;
  }
  req->signed_data = std::move(*signed_data);
  req->filtered = filtered;
  if (!req->signed_data.empty()) {
    auto creator =
        req->channel->config()->msp_manager().DeserializeIdentity(req->signed_data[0].identity);
    if (creator.ok()) {
      req->expires_at = (*creator)->ExpiresAt();
    }
  }
  if (common::Status s = CheckExpiry(*req); s != common::SUCCESS) {
    return s;
  }
  if (common::Status s = CheckAccess(*req, *req->channel->config()); s != common::SUCCESS) {
    return s;
  }
  if (!req->seek.ParseFromString(parsed->payload.data())) {
    return common::BAD_REQUEST;
  }
  const uint64_t height = req->channel->ledger().GetBlockchainInfo().height();
  auto position = [&](const ::orderer::SeekPosition& p, uint64_t* out) {
    switch (p.Type_case()) {
      case ::orderer::SeekPosition::kOldest:
        *out = 0;
        return true;
      case ::orderer::SeekPosition::kNewest:
        *out = height == 0 ? 0 : height - 1;
        return true;
      case ::orderer::SeekPosition::kSpecified:
        *out = p.specified().number();
        return true;
      default:
        return false;
    }
  };
  if (!position(req->seek.start(), &req->start) || !position(req->seek.stop(), &req->stop) ||
      req->start > req->stop) {
    return common::BAD_REQUEST;
  }
  return common::SUCCESS;
}

common::Status DeliverService::CheckExpiry(const Request& req) const {
  const auto now = options_.clock ? options_.clock() : std::chrono::system_clock::now();
  if (now > req.expires_at) {
    FLOG_WARN(logger, "[%s] deliver session ended: client identity expired", req.channel_id);
    return common::FORBIDDEN;
  }
  return common::SUCCESS;
}

common::Status DeliverService::CheckAccess(const Request& req,
                                           const channelconfig::Bundle& config) const {
  std::string policy_name(policies::kChannelApplicationReaders);
  auto acl = config.acls().find(req.filtered ? kFilteredBlockResource : kBlockResource);
  if (acl != config.acls().end()) {
    policy_name = acl->second;
  }
  StatusOr<const policies::Policy*> policy = config.policy_manager().GetPolicy(policy_name);
  if (!policy.ok()) {
    return common::FORBIDDEN;
  }
  Status s = (*policy)->Evaluate(req.signed_data);
  if (!s.ok()) {
    FLOG_WARN(logger, "[%s] deliver access denied: %s", req.channel_id, s.message());
    return common::FORBIDDEN;
  }
  return common::SUCCESS;
}

common::Status DeliverService::StreamBlocks(grpc::ServerContext* context, Stream* stream,
                                            const Request& req) {
  ledger::KvLedger& ledger = req.channel->ledger();
  const bool fail_if_not_ready = req.seek.behavior() == ::orderer::SeekInfo::FAIL_IF_NOT_READY;
  auto iterator = ledger.GetBlocksIterator(req.start);
  if (!iterator.ok()) {
    return common::NOT_FOUND;
  }
  uint64_t sequence = req.channel->config()->sequence();
  while (true) {
    if (fail_if_not_ready &&
        (*iterator)->next_block_number() >= ledger.GetBlockchainInfo().height()) {
      return common::NOT_FOUND;
    }
    StatusOr<std::shared_ptr<const common::Block>> block =
        (*iterator)->NextShared(std::chrono::steady_clock::now() + options_.poll_interval);
    if (!block.ok()) {
      if (block.status().IsDeadlineExceeded() && !context->IsCancelled() && !shutdown_.load()) {
        continue;
      }
      return common::SERVICE_UNAVAILABLE;
    }
    if (common::Status s = CheckExpiry(req); s != common::SUCCESS) {
      return s;
    }
    std::shared_ptr<const channelconfig::Bundle> config = req.channel->config();
    if (config->sequence() != sequence) {
      if (common::Status s = CheckAccess(req, *config); s != common::SUCCESS) {
        return s;
      }
      sequence = config->sequence();
    }
    protos::DeliverResponse response;
    if (req.filtered) {
      *response.mutable_filtered_block() = ToFilteredBlock(req.channel_id, **block);
    } else {
      // Shared with the block store's recent-blocks cache: lent for the write, not copied.
      response.unsafe_arena_set_allocated_block(const_cast<common::Block*>(block->get()));
    }
    const uint64_t number = (*block)->header().number();
    const bool written = stream->Write(response);
    if (!req.filtered) {
      (void)response.unsafe_arena_release_block();
    }
    if (!written) {
      return common::SERVICE_UNAVAILABLE;
    }
    if (number >= req.stop) {
      return common::SUCCESS;
    }
  }
}

}  // namespace fabric::deliver
