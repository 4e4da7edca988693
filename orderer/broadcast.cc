// SPDX-License-Identifier: Apache-2.0
#include "orderer/broadcast.h"

#include <deque>
#include <memory>
#include <mutex>
#include <optional>

#include <absl/strings/str_format.h>

#include "common/comm/callback_stream.h"
#include "common/logging/logging.h"
#include "common/logging/rate_limit.h"
#include "fabric/base/status_macros.h"
#include "orderer/msgprocessor.h"

namespace fabric::orderer {
namespace {

logging::Logger logger("orderer.broadcast");

}  // namespace

common::Status ToCommonStatus(const Status& status) {
  switch (status.code()) {
    case StatusCode::kOk:
      return common::SUCCESS;
    case StatusCode::kInvalidArgument:
    case StatusCode::kResourceExhausted:
    case StatusCode::kAlreadyExists:
    case StatusCode::kFailedPrecondition:
    case StatusCode::kOutOfRange:
      return common::BAD_REQUEST;
    case StatusCode::kPermissionDenied:
    case StatusCode::kUnauthenticated:
      return common::FORBIDDEN;
    case StatusCode::kNotFound:
      return common::NOT_FOUND;
    case StatusCode::kUnavailable:
    case StatusCode::kCancelled:
      return common::SERVICE_UNAVAILABLE;
    default:
      return common::INTERNAL_SERVER_ERROR;
  }
}

namespace {

// The answer to an envelope with `status` as outcome.
::orderer::BroadcastResponse ResponseFor(const Status& status) {
  ::orderer::BroadcastResponse response;
  response.set_status(ToCommonStatus(status));
  if (!status.ok()) {
    response.set_info(std::string(status.message()));
    static logging::RateLimit rejections;
    if (uint64_t more = 0; rejections.Allow(&more)) {
      FLOG_WARN(logger, "rejected envelope: %s: %s (%d more rejections since the last line)",
                common::Status_Name(response.status()), status.message(), more);
    }
  }
  return response;
}

}  // namespace

// One Broadcast stream, pipelined: the stream keeps reading while earlier envelopes are checked
// and ordered, up to kMaxUnanswered envelopes (and kMaxUnansweredBytes) not yet answered. One
// worker task at a time checks the stream's envelopes in the order they came and hands them to
// their chain, which orders them in that order (Chain::OrderAsync); answers are written in
// that order too, each when its outcome and those of the envelopes before it are known. So a
// client sees what Fabric's sequential handler gives it (one answer per envelope, in order, and
// its envelopes ordered as it sent them), while a cluster chain has many of the stream's
// envelopes in flight to its log at once.
class BroadcastHandler::Stream final
    : public comm::CallbackStream<common::Envelope, ::orderer::BroadcastResponse>,
      public std::enable_shared_from_this<Stream> {
 public:
  static grpc::ServerBidiReactor<common::Envelope, ::orderer::BroadcastResponse>* Start(
      grpc::CallbackServerContext* context, BroadcastHandler& handler) {
    auto stream = std::shared_ptr<Stream>(new Stream(context, handler));
    if (Open(stream)) {
      stream->reading_ = true;
      stream->StartRead(&stream->request_);
    }
    return stream.get();
  }

  void OnReadDone(bool ok) override {
    if (ok) {
      NoteRequest();
    }
    Actions next;
    {
      std::lock_guard<std::mutex> lock(mu_);
      reading_ = false;
      if (!ok) {
        client_done_ = true;  // the client closed its side (or went away)
      } else {
        const size_t bytes = request_.ByteSizeLong();
        unanswered_bytes_ += bytes;
        answers_.emplace_back().bytes = bytes;
        queued_.push_back(Queued{std::move(request_), &answers_.back()});
        request_.Clear();
        if (!processing_) {
          processing_ = true;
          next.process = true;
        }
      }
      next = Next(next);
    }
    Do(next);
  }

  void OnWriteDone(bool ok) override {
    Actions next;
    {
      std::lock_guard<std::mutex> lock(mu_);
      writing_ = false;
      unanswered_bytes_ -= answers_.front().bytes;
      answers_.pop_front();
      if (!ok) {
        ended_ = true;
        next.end = grpc::Status(grpc::StatusCode::CANCELLED, "broadcast stream closed");
      }
      next = Next(next);
    }
    Do(next);
  }

  void OnDone() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      ended_ = true;  // late outcomes of appends are no longer written
    }
    CallbackStream::OnDone();
  }

  void Wake() override {}  // never waits but for gRPC and its chains' appends, which time out

 private:
  // Not answered yet: written when `ready` and every answer before it was written.
  struct Answer {
    size_t bytes = 0;  // of the envelope
    bool ready = false;
    ::orderer::BroadcastResponse response;
  };
  struct Queued {
    common::Envelope envelope;
    Answer* answer = nullptr;  // answers_ keeps its elements in place while they are in it
  };
  // What to do with gRPC and the workers once mu_ is released.
  struct Actions {
    bool process = false;
    bool read = false;
    const ::orderer::BroadcastResponse* write = nullptr;
    std::optional<grpc::Status> end;
  };

  // Envelopes read and not answered at most per stream; and their bytes (one envelope may be
  // larger: then it is the only one).
  static constexpr size_t kMaxUnanswered = 256;
  static constexpr size_t kMaxUnansweredBytes = 32 << 20;

  Stream(grpc::CallbackServerContext* context, BroadcastHandler& handler)
      : CallbackStream(context, handler.streams_), handler_(handler) {}

  // Adds to `next` what the stream's state now calls for: the next answer's write, the next
  // read, the end. Needs mu_.
  Actions Next(Actions next) {
    if (ended_ || next.end.has_value()) {
      return next;
    }
    if (!writing_ && !answers_.empty() && answers_.front().ready) {
      writing_ = true;
      next.write = &answers_.front().response;
    }
    if (!reading_ && !client_done_ &&
        (answers_.empty() ||
         (answers_.size() < kMaxUnanswered && unanswered_bytes_ < kMaxUnansweredBytes))) {
      reading_ = true;
      next.read = true;
    }
    if (client_done_ && answers_.empty()) {
      ended_ = true;
      next.end = grpc::Status::OK;
    }
    return next;
  }

  void Do(const Actions& next) {
    if (next.write != nullptr) {
      StartWrite(next.write);
    }
    if (next.read) {
      StartRead(&request_);
    }
    if (next.process) {
      auto self = shared_from_this();
      if (!registry().Run([self] { self->ProcessQueued(); })) {
        {
          std::lock_guard<std::mutex> lock(mu_);
          ended_ = true;
        }
        End(grpc::Status(grpc::StatusCode::UNAVAILABLE, "orderer is shutting down"));
        return;
      }
    }
    if (next.end.has_value()) {
      End(*next.end);
    }
  }

  // On a worker: checks the queued envelopes in order and hands them to their chains. Takes a
  // few per task, so that one busy stream does not keep the workers from the others.
  void ProcessQueued() {
    for (int i = 0; i < kEnvelopesPerTask; ++i) {
      Queued item;
      {
        std::lock_guard<std::mutex> lock(mu_);
        if (queued_.empty() || ended_) {
          processing_ = false;
          return;
        }
        item = std::move(queued_.front());
        queued_.pop_front();
      }
      handler_.Process(std::move(item.envelope),
                       [self = shared_from_this(), answer = item.answer](Status status) {
                         self->Answered(answer, status);
                       });
    }
    Actions again;
    again.process = true;
    Do(again);
  }

  void Answered(Answer* answer, const Status& status) {
    ::orderer::BroadcastResponse response = ResponseFor(status);
    Actions next;
    {
      std::lock_guard<std::mutex> lock(mu_);
      answer->response = std::move(response);
      answer->ready = true;
      next = Next(next);
    }
    Do(next);
  }

  static constexpr int kEnvelopesPerTask = 16;

  BroadcastHandler& handler_;
  common::Envelope request_;  // the read in flight fills it

  std::mutex mu_;
  // Guarded by mu_:
  std::deque<Answer> answers_;  // read and not answered, in stream order
  std::deque<Queued> queued_;   // read and not handed to a chain yet, in stream order
  size_t unanswered_bytes_ = 0;
  bool reading_ = false;
  bool writing_ = false;
  bool processing_ = false;   // a worker task runs or is queued for queued_
  bool client_done_ = false;  // the client will send nothing more
  bool ended_ = false;        // finished or done: nothing more is started
};

BroadcastHandler::BroadcastHandler(Registrar& registrar, Options options)
    : registrar_(registrar), streams_("/orderer.AtomicBroadcast", "broadcast", options.streams) {}

grpc::ServerBidiReactor<common::Envelope, ::orderer::BroadcastResponse>* BroadcastHandler::Start(
    grpc::CallbackServerContext* context) {
  return Stream::Start(context, *this);
}

void BroadcastHandler::Process(common::Envelope envelope, Chain::Done done) {
  Admission admission = Admit(envelope);
  if (admission.chain == nullptr) {
    done(admission.outcome);
    return;
  }
  admission.chain->OrderAsync(std::move(envelope), admission.config_seq, std::move(done));
}

BroadcastHandler::Admission BroadcastHandler::Admit(const common::Envelope& envelope) {
  if (shutting_down_.load()) {
    return UnavailableError("orderer is shutting down");
  }
  ASSIGN_OR_RETURN(EnvelopeHeaders headers, ParseEnvelopeHeaders(envelope));
  const common::ChannelHeader& chdr = headers.channel_header;
  MsgClass kind = ClassifyMsg(chdr);
  if (kind == MsgClass::kRejected) {
    return InvalidArgumentError(absl::StrFormat(
        "message of type %d is of a type that cannot be processed directly", chdr.type()));
  }
  ChainSupport* chain = registrar_.GetChain(chdr.channel_id());
  if (chain == nullptr) {
    ChainSupport* system = registrar_.system_chain();
    if (kind != MsgClass::kConfigUpdate || system == nullptr) {
      return NotFoundError(absl::StrFormat("channel %s not found", chdr.channel_id()));
    }
    std::shared_ptr<const channelconfig::Bundle> bundle = system->bundle();
    ASSIGN_OR_RETURN(common::Envelope wrapped,
                     ProcessChannelCreation(*bundle, envelope, system->signer()));
    // Fabric's SystemChainFilter: channels (the system channel included) must not outnumber
    // the limit; the registrar checks again when the channel is created.
    const uint64_t max = bundle->max_channels();
    if (max > 0 && registrar_.ChannelIds().size() > max) {
      return InvalidArgumentError(
          absl::StrFormat("channel creation would exceed maximimum number of channels: %d", max));
    }
    return system->Configure(std::move(wrapped), bundle->sequence(), envelope);
  }
  std::shared_ptr<const channelconfig::Bundle> bundle = chain->bundle();
  if (kind == MsgClass::kConfigUpdate) {
    ASSIGN_OR_RETURN(common::Envelope config,
                     ProcessConfigUpdate(*bundle, envelope, chain->signer()));
    return chain->Configure(std::move(config), bundle->sequence(), envelope);
  }
  RETURN_IF_ERROR(ProcessNormalMsg(*bundle, envelope, headers));
  return Admission(chain, bundle->sequence());
}

}  // namespace fabric::orderer
