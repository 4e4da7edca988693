// SPDX-License-Identifier: Apache-2.0

#include "src/handler.h"

#include <utility>
#include <vector>

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
  return h;
}

Handler::Handler(Chaincode& chaincode, ChaincodeStream& stream, const HandlerOptions& options)
    : chaincode_(chaincode),
      stream_(stream),
      options_(options),
      writer_([this](const ChaincodeMessage& m, bool more) {
        return more ? stream_.WriteBuffered(m) : stream_.Write(m);
      }),
      pool_(options.max_concurrent_transactions, options.max_queued_transactions) {}

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
  return why;
}

void Handler::Shutdown() {
  writer_.Close();
  CloseMailboxes(UnavailableError("handler shut down"));
  pool_.Shutdown();
}

bool Handler::HandleMessage(const ChaincodeMessage& msg) {
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

void Handler::HandleReady(const ChaincodeMessage& msg) {
  switch (msg.type()) {
    case ChaincodeMessage::RESPONSE:
    case ChaincodeMessage::ERROR:
      RouteReply(msg);
      return;
    case ChaincodeMessage::INIT:
    case ChaincodeMessage::TRANSACTION:
      Dispatch(msg);
      return;
    default:
      SendError(msg, "chaincode cannot handle message (" + ChaincodeMessage::Type_Name(msg.type()) +
                         ") while in state: ready");
  }
}

void Handler::RouteReply(const ChaincodeMessage& msg) {
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
  {
    std::lock_guard<std::mutex> lock(box->mu);
    box->reply = msg;
  }
  box->cv.notify_one();
}

void Handler::Dispatch(const ChaincodeMessage& msg) {
  bool accepted = pool_.TrySubmit([this, msg] { Execute(msg); });
  if (!accepted) {
    SendError(msg, "too many concurrent transactions");
  }
}

void Handler::Execute(const ChaincodeMessage& msg) {
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
      sent.ok() ? WaitForReply(*box) : StatusOr<ChaincodeMessage>(sent);
  std::lock_guard<std::mutex> lock(mailbox_mu_);
  mailboxes_.erase(key);
  return result;
}

StatusOr<ChaincodeMessage> Handler::WaitForReply(Mailbox& box) {
  std::unique_lock<std::mutex> lock(box.mu);
  box.cv.wait_for(lock, options_.request_timeout,
                  [&] { return box.reply.has_value() || box.closed.has_value(); });
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
    {
      std::lock_guard<std::mutex> lock(box->mu);
      if (!box->closed) {
        box->closed = why;
      }
    }
    box->cv.notify_one();
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
