// SPDX-License-Identifier: Apache-2.0

#include "src/handler.h"

#include <algorithm>
#include <condition_variable>
#include <utility>
#include <vector>

#include "fabric/base/thread_name.h"
#include "peer/chaincode.pb.h"
#include "peer/proposal_response.pb.h"
#include "src/log.h"
#include "src/peer_stub.h"
#include "src/user_code.h"

namespace fabric::shim::internal {

using protos::ChaincodeMessage;

namespace {

const char* StateName(int state) {
  static const char* const kNames[] = {"created", "established", "ready"};
  return kNames[state];
}

std::string ShortTxid(const std::string& txid) { return txid.substr(0, 8); }

}  // namespace

HandlerOptions HandlerOptionsFrom(const StartOptions& options) {
  HandlerOptions h;
  h.max_concurrent_transactions = options.max_concurrent_transactions;
  h.max_queued_transactions = options.max_queued_transactions;
  h.request_timeout = options.request_timeout;
  h.execution = options.execution;
  return h;
}

Handler::Handler(Chaincode& chaincode, ChaincodeStream& stream, const HandlerOptions& options)
    : chaincode_(chaincode),
      stream_(stream),
      options_(options),
      writer_([this](const ChaincodeMessage& m, bool more) {
        return more ? stream_.WriteBuffered(m) : stream_.Write(m);
      }),
      pool_(options.max_concurrent_transactions, options.max_queued_transactions, "cc-tx") {}

Handler::~Handler() { Shutdown(); }

Status Handler::Serve(const std::string& chaincode_id_name) {
  protos::ChaincodeID id;
  id.set_name(chaincode_id_name);
  ChaincodeMessage reg;
  reg.set_type(ChaincodeMessage::REGISTER);
  reg.set_payload(id.SerializeAsString());
  Status why = Send(reg);
  if (why.ok()) {
    Log(LogLevel::kInfo, "registering as " + chaincode_id_name);
    why = UnavailableError("peer stream ended");
    ChaincodeMessage msg;
    while (stream_.Read(&msg)) {
      if (!HandleMessage(msg)) {
        why = PermissionDeniedError("peer refused the registration: " + msg.payload());
        break;
      }
    }
  } else {
    why = why.Annotate("send REGISTER");
  }
  CloseMailboxes(why);
  DrainFibers();
  return why;
}

void Handler::Shutdown() {
  writer_.Close();
  CloseMailboxes(UnavailableError("handler shut down"));
  DrainFibers();
  pool_.Shutdown();
}

bool Handler::HandleMessage(ChaincodeMessage& msg) {
  if (LogEnabled(LogLevel::kDebug)) {
    Log(LogLevel::kDebug,
        "[" + ShortTxid(msg.txid()) + "] received " + ChaincodeMessage::Type_Name(msg.type()));
  }
  if (msg.type() == ChaincodeMessage::KEEPALIVE) {
    (void)Send(msg);  // Echo, as Fabric's Go shim does.
    return true;
  }
  if (state_ == State::kReady) {
    HandleReady(msg);
    return true;
  }
  State want_state = state_ == State::kCreated ? State::kEstablished : State::kReady;
  auto want_type =
      state_ == State::kCreated ? ChaincodeMessage::REGISTERED : ChaincodeMessage::READY;
  if (msg.type() == want_type) {
    state_ = want_state;
    Log(LogLevel::kInfo, std::string("stream ") + StateName(static_cast<int>(state_)));
    return true;
  }
  if (msg.type() == ChaincodeMessage::ERROR) {
    Log(LogLevel::kError, "peer answered the registration with ERROR: " + msg.payload());
    return false;
  }
  SendError(msg, "chaincode cannot handle message (" + ChaincodeMessage::Type_Name(msg.type()) +
                     ") while in state: " + StateName(static_cast<int>(state_)));
  return true;
}

void Handler::HandleReady(ChaincodeMessage& msg) {
  switch (msg.type()) {
    case ChaincodeMessage::RESPONSE:
    case ChaincodeMessage::ERROR:
      RouteReply(msg);
      return;
    case ChaincodeMessage::INIT:
    case ChaincodeMessage::TRANSACTION:
      Dispatch(std::move(msg));
      return;
    default:
      SendError(msg, "chaincode cannot handle message (" + ChaincodeMessage::Type_Name(msg.type()) +
                         ") while in state: ready");
  }
}

void Handler::RouteReply(ChaincodeMessage& msg) {
  std::shared_ptr<Mailbox> box;
  {
    std::lock_guard<std::mutex> lock(mailbox_mu_);
    auto it = mailboxes_.find(MailboxKey(msg.channel_id(), msg.txid()));
    if (it != mailboxes_.end()) {
      box = it->second;
    }
  }
  if (box == nullptr) {
    Log(LogLevel::kWarning, "dropping " + ChaincodeMessage::Type_Name(msg.type()) +
                                " for channel=" + msg.channel_id() + " txid=" + msg.txid() +
                                ": no request is waiting for it");
    return;
  }
  Fiber* parked;
  {
    std::lock_guard<std::mutex> lock(box->mu);
    box->reply = std::move(msg);
    parked = std::exchange(box->parked, nullptr);
  }
  WakeWaiter(*box, parked);
}

void Handler::Dispatch(ChaincodeMessage msg) {
  if (options_.execution == StartOptions::Execution::kCoroutines) {
    bool start = false;
    {
      std::lock_guard<std::mutex> lock(fibers_mu_);
      if (fibers_closed_) {
        return;
      }
      if (live_fibers_ < options_.max_concurrent_transactions) {
        ++live_fibers_;
        start = true;
      } else if (static_cast<int>(queued_.size()) < options_.max_queued_transactions) {
        queued_.push_back(std::move(msg));
        return;
      }
    }
    if (start) {
      StartFiber(std::move(msg));
    } else {
      SendError(msg, "too many concurrent transactions");
    }
    return;
  }
  ChaincodeMessage about;  // what an error needs, as the pool takes `msg` over
  about.set_txid(msg.txid());
  about.set_channel_id(msg.channel_id());
  bool accepted = pool_.TrySubmit([this, m = std::move(msg)]() mutable { Execute(std::move(m)); });
  if (!accepted) {
    SendError(about, "too many concurrent transactions");
  }
}

void Handler::StartFiber(ChaincodeMessage msg) {
  ChaincodeMessage about;  // what an error needs, as the fiber takes `msg` over
  about.set_txid(msg.txid());
  about.set_channel_id(msg.channel_id());
  auto* fiber = new Fiber([this, m = std::move(msg)]() mutable { Execute(std::move(m)); }, stacks_);
  if (!fiber->ok()) {
    delete fiber;
    SendError(about, "cannot map a 4 MiB coroutine stack (out of memory?); transaction not run");
    FiberFinished(nullptr);
    return;
  }
  ResumeFiber(fiber);
}

void Handler::WakeWaiter(Mailbox& box, Fiber* parked) {
  if (parked != nullptr) {
    ResumeFiber(parked);
  } else {
    box.cv.notify_one();
  }
}

void Handler::ResumeFiber(Fiber* fiber) {
  if (fiber->Resume()) {
    FiberFinished(fiber);
  }
}

void Handler::FiberFinished(Fiber* fiber) {
  delete fiber;
  ChaincodeMessage next;
  {
    std::lock_guard<std::mutex> lock(fibers_mu_);
    if (queued_.empty() || fibers_closed_) {
      --live_fibers_;
      fibers_cv_.notify_all();
      return;
    }
    next = std::move(queued_.front());
    queued_.pop_front();
  }
  StartFiber(std::move(next));  // Takes over the finished fiber's place.
}

void Handler::ExpireRequest(const std::weak_ptr<Mailbox>& weak) {
  std::shared_ptr<Mailbox> box = weak.lock();
  if (box == nullptr) {
    return;  // the call already returned
  }
  Fiber* expired = nullptr;
  {
    std::lock_guard<std::mutex> lock(box->mu);
    expired = std::exchange(box->parked, nullptr);  // null: the reply or the stream's end won
  }
  if (expired != nullptr) {
    ResumeFiber(expired);  // It finishes its transaction on the timer's thread.
  }
}

void Handler::DrainFibers() {
  if (options_.execution != StartOptions::Execution::kCoroutines) {
    return;
  }
  {
    std::unique_lock<std::mutex> lock(fibers_mu_);
    fibers_closed_ = true;
    queued_.clear();
    fibers_cv_.wait(lock, [this] { return live_fibers_ == 0; });
  }
}

void Handler::Execute(ChaincodeMessage msg) {
  const bool init = msg.type() == ChaincodeMessage::INIT;
  StatusOr<std::unique_ptr<PeerChaincodeStub>> stub = PeerChaincodeStub::Create(*this, msg);
  if (!stub.ok()) {
    SendError(msg, "failed to create new ChaincodeStub: " + std::string(stub.status().message()));
    return;
  }
  UserCodeResult run = RunUserCode(chaincode_, **stub, init);
  const Response& res = run.response;
  (*stub)->MarkDone();
  ChaincodeMessage reply;
  reply.set_txid(msg.txid());
  reply.set_channel_id(msg.channel_id());
  if (const auto& event = (*stub)->GetEvent()) {
    *reply.mutable_chaincode_event() = *event;
  }
  // An exception, or (as Fabric's shim) an Init response >= 500, is an ERROR; the rest COMPLETED.
  if (run.threw || (init && res.status >= kError)) {
    reply.set_type(ChaincodeMessage::ERROR);
    reply.set_payload(res.message);
  } else {
    protos::Response pb;
    pb.set_status(res.status);
    pb.set_message(res.message);
    pb.set_payload(res.payload);
    reply.set_type(ChaincodeMessage::COMPLETED);
    reply.set_payload(pb.SerializeAsString());
  }
  if (reply.type() == ChaincodeMessage::ERROR) {
    Log(LogLevel::kWarning, "[" + ShortTxid(msg.txid()) + "] transaction failed: " + res.message);
  }
  Status s = Send(reply);
  if (!s.ok()) {
    Log(LogLevel::kWarning,
        "[" + ShortTxid(msg.txid()) + "] could not send result: " + std::string(s.message()));
  }
}

void Handler::SendError(const ChaincodeMessage& about, const std::string& text) {
  std::string line = "[" + ShortTxid(about.txid()) + "] " + text;
  Log(LogLevel::kError, line);
  ChaincodeMessage err;
  err.set_type(ChaincodeMessage::ERROR);
  err.set_payload(text);
  err.set_txid(about.txid());
  err.set_channel_id(about.channel_id());
  (void)Send(err);
}

Status Handler::Send(const ChaincodeMessage& msg) {
  switch (writer_.Write(msg)) {
    case fabric::SerialWriter<ChaincodeMessage>::Result::kSent:
      return Status::OK();
    case fabric::SerialWriter<ChaincodeMessage>::Result::kFailed:
      return UnavailableError("peer stream closed: write failed");
    case fabric::SerialWriter<ChaincodeMessage>::Result::kClosed:
      break;
  }
  return UnavailableError("peer stream closed");
}

StatusOr<ChaincodeMessage> Handler::Call(const ChaincodeMessage& request) {
  MailboxKey key(request.channel_id(), request.txid());
  auto box = std::make_shared<Mailbox>();
  {
    std::lock_guard<std::mutex> lock(mailbox_mu_);
    if (closed_) {
      return *closed_;
    }
    if (!mailboxes_.emplace(key, box).second) {
      return FailedPreconditionError("a request for this transaction is already pending");
    }
  }
  Status sent = Send(request);
  StatusOr<ChaincodeMessage> result =
      sent.ok() ? WaitForReply(box) : StatusOr<ChaincodeMessage>(sent);
  std::lock_guard<std::mutex> lock(mailbox_mu_);
  mailboxes_.erase(key);
  return result;
}

StatusOr<ChaincodeMessage> Handler::WaitForReply(const std::shared_ptr<Mailbox>& shared) {
  Mailbox& box = *shared;
  std::unique_lock<std::mutex> lock(box.mu);
  if (Fiber::Current() != nullptr) {
    if (!box.reply && !box.closed) {
      box.parked = Fiber::Current();
      // The timer's callback takes box.mu, never while holding the timer's own lock.
      const uint64_t timer = DeadlineTimer::Shared().Add(
          DeadlineTimer::Clock::now() + options_.request_timeout,
          [this, weak = std::weak_ptr<Mailbox>(shared)] { ExpireRequest(weak); });
      lock.release();
      Fiber::Park(box.mu);  // Resumed by RouteReply, CloseMailboxes or ExpireRequest.
      DeadlineTimer::Shared().Cancel(timer);
      lock = std::unique_lock<std::mutex>(box.mu);
    }
  } else {
    box.cv.wait_for(lock, options_.request_timeout,
                    [&] { return box.reply.has_value() || box.closed.has_value(); });
  }
  if (box.reply) {
    return std::move(*box.reply);
  }
  if (box.closed) {
    return *box.closed;
  }
  return DeadlineExceededError("no reply from the peer within " +
                               std::to_string(options_.request_timeout.count()) + " ms");
}

void Handler::CloseMailboxes(const Status& why) {
  std::vector<std::shared_ptr<Mailbox>> waiting;
  {
    std::lock_guard<std::mutex> lock(mailbox_mu_);
    if (!closed_) {
      closed_ = why;
    }
    for (auto& [key, box] : mailboxes_) {
      waiting.push_back(box);
    }
  }
  for (auto& box : waiting) {
    Fiber* parked;
    {
      std::lock_guard<std::mutex> lock(box->mu);
      if (!box->closed) {
        box->closed = why;
      }
      parked = std::exchange(box->parked, nullptr);
    }
    WakeWaiter(*box, parked);
  }
}

}  // namespace fabric::shim::internal

namespace fabric::shim {

Status ServeStream(Chaincode& chaincode, ChaincodeStream& stream,
                   const std::string& chaincode_id_name, const StartOptions& options) {
  internal::Handler handler(chaincode, stream, internal::HandlerOptionsFrom(options));
  Status why = handler.Serve(chaincode_id_name);
  handler.Shutdown();
  return why;
}

}  // namespace fabric::shim
