// SPDX-License-Identifier: Apache-2.0
#include "peer/chaincode/testing/fake_chaincode.h"

#include <grpcpp/grpcpp.h>

#include "peer/chaincode/backpressure_pool.h"
#include "peer/chaincode/chaincode_server.h"
#include "peer/chaincode_shim.grpc.pb.h"

namespace fabric::chaincode::testing {

using Msg = protos::ChaincodeMessage;
using namespace std::chrono_literals;

namespace {
std::string Key(const std::string& channel, const std::string& txid) {
  return channel + '\0' + txid;
}
}  // namespace

protos::Response MakeResponse(int status, const std::string& payload, const std::string& message) {
  protos::Response r;
  r.set_status(status);
  r.set_payload(payload);
  r.set_message(message);
  return r;
}

struct FakeChaincode::Impl {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<protos::ChaincodeSupport::Stub> stub;
  grpc::ClientContext context;
  std::unique_ptr<grpc::ClientReaderWriter<Msg, Msg>> stream;
  std::mutex send_mu;
  bool writes_done = false;  // guarded by send_mu

  std::mutex mu;
  std::condition_variable cv;
  // Guarded by mu:
  std::deque<Msg> queue;
  std::map<std::string, std::optional<Msg>> waiters;
  TxFn serve;
  std::optional<Status> closed;

  std::unique_ptr<BackpressurePool> pool;
  std::jthread reader;
};

FakeChaincode::FakeChaincode(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}

StatusOr<std::unique_ptr<FakeChaincode>> FakeChaincode::Connect(const std::string& address,
                                                                const std::string& launch_secret) {
  auto impl = std::make_unique<Impl>();
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(100 * 1024 * 1024);
  impl->channel = grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args);
  if (!impl->channel->WaitForConnected(std::chrono::system_clock::now() + 5s)) {
    return UnavailableError("cannot connect to " + address);
  }
  impl->stub = protos::ChaincodeSupport::NewStub(impl->channel);
  if (!launch_secret.empty()) {
    impl->context.AddMetadata(std::string(kLaunchSecretMetadata), launch_secret);
  }
  impl->stream = impl->stub->Register(&impl->context);
  std::unique_ptr<FakeChaincode> cc(new FakeChaincode(std::move(impl)));
  FakeChaincode* raw = cc.get();
  cc->impl_->reader = std::jthread([raw] { raw->ReadLoop(); });
  return cc;
}

FakeChaincode::~FakeChaincode() {
  Close();
  if (impl_->reader.joinable()) {
    impl_->reader.join();
  }
  impl_->pool.reset();
}

bool FakeChaincode::Send(const Msg& msg) {
  std::lock_guard<std::mutex> lock(impl_->send_mu);
  if (impl_->writes_done) {
    return false;
  }
  return impl_->stream->Write(msg);
}

void FakeChaincode::Close() {
  {
    std::lock_guard<std::mutex> lock(impl_->send_mu);
    if (!impl_->writes_done) {
      impl_->writes_done = true;
      impl_->stream->WritesDone();
    }
  }
  impl_->context.TryCancel();
}

void FakeChaincode::ReadLoop() {
  Msg msg;
  while (impl_->stream->Read(&msg)) {
    std::unique_lock<std::mutex> lock(impl_->mu);
    const bool is_reply = msg.type() == Msg::RESPONSE || msg.type() == Msg::ERROR;
    auto w = impl_->waiters.find(Key(msg.channel_id(), msg.txid()));
    if (is_reply && w != impl_->waiters.end() && !w->second.has_value()) {
      w->second = std::move(msg);
      lock.unlock();
      impl_->cv.notify_all();
    } else if ((msg.type() == Msg::TRANSACTION || msg.type() == Msg::INIT) && impl_->serve) {
      TxFn fn = impl_->serve;
      lock.unlock();
      impl_->pool->Submit([this, fn, m = std::move(msg)] {
        Tx tx(*this, m);
        StatusOr<protos::Response> r = fn(tx);
        Msg reply;
        reply.set_txid(m.txid());
        reply.set_channel_id(m.channel_id());
        if (r.ok()) {
          reply.set_type(Msg::COMPLETED);
          reply.set_payload(r->SerializeAsString());
        } else {
          reply.set_type(Msg::ERROR);
          reply.set_payload(std::string(r.status().message()));
        }
        Send(reply);
      });
    } else {
      impl_->queue.push_back(std::move(msg));
      lock.unlock();
      impl_->cv.notify_all();
    }
    msg = Msg();
  }
  grpc::Status st = impl_->stream->Finish();
  {
    std::lock_guard<std::mutex> lock(impl_->mu);
    impl_->closed = Status(static_cast<StatusCode>(st.error_code()), st.error_message());
  }
  impl_->cv.notify_all();
}

Status FakeChaincode::Register(const std::string& ccid) {
  protos::ChaincodeID id;
  id.set_name(ccid);
  Msg reg;
  reg.set_type(Msg::REGISTER);
  reg.set_payload(id.SerializeAsString());
  if (!Send(reg)) {
    return UnavailableError("send REGISTER failed");
  }
  for (Msg::Type want : {Msg::REGISTERED, Msg::READY}) {
    auto got = Next(5s);
    if (!got.has_value()) {
      return UnavailableError("no reply to REGISTER");
    }
    if (got->type() != want) {
      return FailedPreconditionError("got " + Msg::Type_Name(got->type()) + ": " + got->payload());
    }
  }
  return Status::OK();
}

void FakeChaincode::Serve(TxFn fn, int threads) {
  std::lock_guard<std::mutex> lock(impl_->mu);
  if (impl_->pool == nullptr) {
    impl_->pool = std::make_unique<BackpressurePool>(threads, 1 << 16);
  }
  impl_->serve = std::move(fn);
}

std::optional<Msg> FakeChaincode::Next(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(impl_->mu);
  impl_->cv.wait_for(lock, timeout,
                     [this] { return !impl_->queue.empty() || impl_->closed.has_value(); });
  if (impl_->queue.empty()) {
    return std::nullopt;
  }
  Msg m = std::move(impl_->queue.front());
  impl_->queue.pop_front();
  return m;
}

std::optional<Status> FakeChaincode::WaitClosed(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(impl_->mu);
  impl_->cv.wait_for(lock, timeout, [this] { return impl_->closed.has_value(); });
  return impl_->closed;
}

StatusOr<Msg> FakeChaincode::Await(const std::string& key, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(impl_->mu);
  bool got = impl_->cv.wait_for(
      lock, timeout, [&] { return impl_->waiters[key].has_value() || impl_->closed.has_value(); });
  std::optional<Msg> m = std::move(impl_->waiters[key]);
  impl_->waiters.erase(key);
  if (!got || !m.has_value()) {
    return DeadlineExceededError("no reply from the peer");
  }
  return std::move(*m);
}

FakeChaincode::Tx::Tx(FakeChaincode& cc, Msg msg) : cc_(cc), msg_(std::move(msg)) {
  protos::ChaincodeInput input;
  input.ParseFromString(msg_.payload());
  for (const auto& a : input.args()) {
    args_.push_back(a);
  }
}

StatusOr<std::string> FakeChaincode::Tx::Call(Msg::Type type, const std::string& payload) {
  const std::string key = Key(msg_.channel_id(), msg_.txid());
  {
    std::lock_guard<std::mutex> lock(cc_.impl_->mu);
    cc_.impl_->waiters[key];  // register before sending
  }
  Msg req;
  req.set_type(type);
  req.set_payload(payload);
  req.set_txid(msg_.txid());
  req.set_channel_id(msg_.channel_id());
  if (!cc_.Send(req)) {
    std::lock_guard<std::mutex> lock(cc_.impl_->mu);
    cc_.impl_->waiters.erase(key);
    return UnavailableError("send failed");
  }
  auto reply = cc_.Await(key, 10s);
  if (!reply.ok()) {
    return reply.status();
  }
  if (reply->type() == Msg::ERROR) {
    return UnknownError(reply->payload());
  }
  return std::move(*reply->mutable_payload());
}

StatusOr<std::string> FakeChaincode::Tx::GetState(const std::string& key) {
  protos::GetState req;
  req.set_key(key);
  return Call(Msg::GET_STATE, req.SerializeAsString());
}

Status FakeChaincode::Tx::PutState(const std::string& key, const std::string& value) {
  protos::PutState req;
  req.set_key(key);
  req.set_value(value);
  auto r = Call(Msg::PUT_STATE, req.SerializeAsString());
  return r.ok() ? Status::OK() : r.status();
}

Status FakeChaincode::Tx::DelState(const std::string& key) {
  protos::DelState req;
  req.set_key(key);
  auto r = Call(Msg::DEL_STATE, req.SerializeAsString());
  return r.ok() ? Status::OK() : r.status();
}

}  // namespace fabric::chaincode::testing
