// SPDX-License-Identifier: Apache-2.0

#include "src/testing/fake_peer.h"

#include <condition_variable>
#include <deque>
#include <mutex>

#include <grpcpp/grpcpp.h>

#include "peer/chaincode.pb.h"
#include "peer/chaincode_shim.grpc.pb.h"

namespace fabric::shim::testing {

using protos::ChaincodeMessage;
using Stream = grpc::ServerReaderWriter<ChaincodeMessage, ChaincodeMessage>;

class FakePeer::Service final : public protos::ChaincodeSupport::Service {
 public:
  grpc::Status Register(grpc::ServerContext* context, Stream* stream) override {
    {
      std::lock_guard<std::mutex> write_lock(write_mu_);
      std::lock_guard<std::mutex> lock(mu_);
      stream_ = stream;
      context_ = context;
      ended_ = false;
    }
    ChaincodeMessage msg;
    while (stream->Read(&msg)) {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(msg);
      cv_.notify_all();
    }
    std::lock_guard<std::mutex> write_lock(write_mu_);
    std::lock_guard<std::mutex> lock(mu_);
    stream_ = nullptr;
    context_ = nullptr;
    ended_ = true;
    cv_.notify_all();
    return grpc::Status::OK;
  }

  bool Read(ChaincodeMessage* msg, std::chrono::milliseconds timeout) {
    std::unique_lock<std::mutex> lock(mu_);
    cv_.wait_for(lock, timeout, [&] { return !queue_.empty() || ended_; });
    if (queue_.empty()) {
      return false;
    }
    *msg = std::move(queue_.front());
    queue_.pop_front();
    return true;
  }

  bool Write(const ChaincodeMessage& msg) {
    std::lock_guard<std::mutex> write_lock(write_mu_);
    Stream* stream = nullptr;
    {
      std::lock_guard<std::mutex> lock(mu_);
      stream = stream_;
    }
    return stream != nullptr && stream->Write(msg);
  }

  void End() {
    std::lock_guard<std::mutex> lock(mu_);
    if (context_ != nullptr) {
      context_->TryCancel();
    }
  }

 private:
  std::mutex write_mu_;  // Serialises writes; held while the stream pointer changes.
  std::mutex mu_;
  std::condition_variable cv_;
  Stream* stream_ = nullptr;
  grpc::ServerContext* context_ = nullptr;
  std::deque<ChaincodeMessage> queue_;
  bool ended_ = false;
};

struct FakePeer::Server {
  std::unique_ptr<grpc::Server> server;
  int port = 0;
};

FakePeer::FakePeer(const FakePeerTls* tls)
    : service_(std::make_unique<Service>()), server_(std::make_unique<Server>()) {
  std::shared_ptr<grpc::ServerCredentials> creds = grpc::InsecureServerCredentials();
  if (tls != nullptr) {
    grpc::SslServerCredentialsOptions ssl(
        GRPC_SSL_REQUEST_AND_REQUIRE_CLIENT_CERTIFICATE_AND_VERIFY);
    ssl.pem_root_certs = tls->client_ca_pem;
    ssl.pem_key_cert_pairs.push_back({tls->key_pem, tls->cert_pem});
    creds = grpc::SslServerCredentials(ssl);
  }
  grpc::ServerBuilder builder;
  builder.AddListeningPort("127.0.0.1:0", creds, &server_->port);
  builder.RegisterService(service_.get());
  server_->server = builder.BuildAndStart();
}

FakePeer::~FakePeer() {
  EndStream();
  server_->server->Shutdown(std::chrono::system_clock::now() + std::chrono::seconds(2));
}

std::string FakePeer::address() const { return "127.0.0.1:" + std::to_string(server_->port); }

bool FakePeer::Read(ChaincodeMessage* msg, std::chrono::milliseconds timeout) {
  return service_->Read(msg, timeout);
}

bool FakePeer::Write(const ChaincodeMessage& msg) { return service_->Write(msg); }

void FakePeer::EndStream() { service_->End(); }

bool FakePeer::Handshake(const std::string& expected_name) {
  ChaincodeMessage reg;
  if (!Read(&reg) || reg.type() != ChaincodeMessage::REGISTER) {
    return false;
  }
  protos::ChaincodeID id;
  if (!id.ParseFromString(reg.payload()) || id.name() != expected_name) {
    return false;
  }
  return Write(Message(ChaincodeMessage::REGISTERED, "", "", "")) &&
         Write(Message(ChaincodeMessage::READY, "", "", ""));
}

ChaincodeMessage Message(ChaincodeMessage::Type type, const std::string& txid,
                         const std::string& payload, const std::string& channel) {
  ChaincodeMessage msg;
  msg.set_type(type);
  msg.set_txid(txid);
  msg.set_payload(payload);
  msg.set_channel_id(channel);
  return msg;
}

ChaincodeMessage Transaction(const std::string& txid, const std::vector<std::string>& args,
                             bool init, const std::string& channel) {
  protos::ChaincodeInput input;
  for (const std::string& a : args) {
    input.add_args(a);
  }
  return Message(init ? ChaincodeMessage::INIT : ChaincodeMessage::TRANSACTION, txid,
                 input.SerializeAsString(), channel);
}

ChaincodeMessage Reply(const ChaincodeMessage& request, const std::string& payload, bool error) {
  return Message(error ? ChaincodeMessage::ERROR : ChaincodeMessage::RESPONSE, request.txid(),
                 payload, request.channel_id());
}

}  // namespace fabric::shim::testing
