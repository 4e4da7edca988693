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

// The blocks of one admitted request.
class DeliverService::BlockSession : public Session<protos::DeliverResponse> {
 public:
  BlockSession(const DeliverService& service, std::unique_ptr<Request> req)
      : service_(service), req_(std::move(req)), sequence_(req_->channel->config()->sequence()) {}

  common::Status CheckBlock() override {
    if (common::Status s = service_.CheckExpiry(*req_); s != common::SUCCESS) {
      return s;
    }
    std::shared_ptr<const channelconfig::Bundle> config = req_->channel->config();
    if (config->sequence() != sequence_) {
      if (common::Status s = service_.CheckAccess(*req_, *config); s != common::SUCCESS) {
        return s;
      }
      sequence_ = config->sequence();
    }
    return common::SUCCESS;
  }

  void Fill(const common::Block& block, protos::DeliverResponse* response) override {
    if (req_->filtered) {
      *response->mutable_filtered_block() = ToFilteredBlock(req_->channel_id, block);
    } else {
      // Shared with the block store's recent-blocks cache: lent for the write, not copied.
      response->unsafe_arena_set_allocated_block(const_cast<common::Block*>(&block));
    }
  }

  const Request& request() const { return *req_; }

  void Release(protos::DeliverResponse* response) override {
    if (!req_->filtered && response->has_block()) {
      (void)response->unsafe_arena_release_block();
    }
  }

 private:
  const DeliverService& service_;
  const std::unique_ptr<Request> req_;
  uint64_t sequence_;
};

DeliverService::DeliverService(ChannelProvider& channels, Options options)
    : channels_(channels),
      options_(std::move(options)),
      streams_("/protos.Deliver", "deliver", options_.streams) {}

grpc::ServerBidiReactor<common::Envelope, protos::DeliverResponse>* DeliverService::Deliver(
    grpc::CallbackServerContext* context) {
  return Start(context, /*filtered=*/false);
}

grpc::ServerBidiReactor<common::Envelope, protos::DeliverResponse>* DeliverService::DeliverFiltered(
    grpc::CallbackServerContext* context) {
  return Start(context, /*filtered=*/true);
}

grpc::ServerBidiReactor<common::Envelope, protos::DeliverResponse>* DeliverService::Start(
    grpc::CallbackServerContext* context, bool filtered) {
  return BlockStream<protos::DeliverResponse>::Start(
      context, streams_,
      [this, filtered](const common::Envelope& e, const deliver::Client& c, common::Status* s) {
        return Open(e, c, filtered, s);
      });
}

grpc::ServerBidiReactor<common::Envelope, protos::DeliverResponse>*
DeliverService::DeliverWithPrivateData(grpc::CallbackServerContext* context) {
  class Unimplemented : public grpc::ServerBidiReactor<common::Envelope, protos::DeliverResponse> {
   public:
    Unimplemented() {
      Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED,
                          "private data is not supported by this peer"));
    }
    void OnDone() override { delete this; }
  };
  (void)context;
  return new Unimplemented();
}

std::unique_ptr<Session<protos::DeliverResponse>> DeliverService::Open(
    const common::Envelope& envelope, const deliver::Client& client, bool filtered,
    common::Status* status) {
  auto req = std::make_unique<Request>();
  req->filtered = filtered;
  *status = CheckRequest(envelope, client, filtered, req.get());
  if (*status != common::SUCCESS) {
    FLOG_WARN(logger, "[%s] deliver request from %s refused: %s", req->channel_id, client.address,
              common::Status_Name(*status));
    return nullptr;
  }
  auto session = std::make_unique<BlockSession>(*this, std::move(req));
  const Request& r = session->request();
  session->store = &r.channel->ledger().block_store();
  session->start = r.start;
  session->stop = r.stop;
  session->fail_if_not_ready = r.seek.behavior() == ::orderer::SeekInfo::FAIL_IF_NOT_READY;
  return session;
}

common::Status DeliverService::CheckRequest(const common::Envelope& envelope,
                                            const deliver::Client& client, bool filtered,
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
  if (options_.mutual_tls) {
    if (Status bound = comm::CheckTlsBinding(ch.tls_cert_hash(), client.tls_cert_hash);
        !bound.ok()) {
      FLOG_WARN(logger, "[%s] deliver request from %s: %s", ch.channel_id(), client.address,
                bound.message());
      return common::BAD_REQUEST;
    }
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

}  // namespace fabric::deliver
