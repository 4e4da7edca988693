// SPDX-License-Identifier: Apache-2.0
//
// FakePeer (tests only): an in-process protos.ChaincodeSupport server on 127.0.0.1:0 that lets a
// test drive the real shim over real gRPC, message by message. One Register stream at a time.
//
// The server's handler thread reads the stream into a queue (Read() pops with a timeout); the
// test writes with Write(). EndStream() cancels the call, which the shim sees as the peer
// closing the stream. Thread-safety: all methods may be called from any thread.

#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "peer/chaincode_shim.pb.h"

namespace fabric::shim::testing {

// Server TLS for FakePeer: key and certificate (PEM), and the CA (PEM) client certificates must
// chain to; clients without a certificate are refused.
struct FakePeerTls {
  std::string key_pem;
  std::string cert_pem;
  std::string client_ca_pem;
};

class FakePeer {
 public:
  // Plaintext, or TLS with required client certificates when `tls` is given.
  explicit FakePeer(const FakePeerTls* tls = nullptr);
  ~FakePeer();
  FakePeer(const FakePeer&) = delete;
  FakePeer& operator=(const FakePeer&) = delete;

  // "127.0.0.1:<port>".
  std::string address() const;

  // Pops the next message the chaincode sent; false after `timeout` or once the stream ended
  // and the queue is empty.
  bool Read(protos::ChaincodeMessage* msg,
            std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Writes to the current stream; false if there is none or the write failed.
  bool Write(const protos::ChaincodeMessage& msg);
  // Reads REGISTER (checks the ChaincodeID name), sends REGISTERED and READY.
  bool Handshake(const std::string& expected_name);
  // Cancels the current stream.
  void EndStream();

 private:
  class Service;
  std::unique_ptr<Service> service_;
  struct Server;
  std::unique_ptr<Server> server_;
};

// Builders for the messages tests send.
protos::ChaincodeMessage Message(protos::ChaincodeMessage::Type type, const std::string& txid,
                                 const std::string& payload = "",
                                 const std::string& channel = "ch");
// A TRANSACTION (or INIT) whose payload is ChaincodeInput{args}.
protos::ChaincodeMessage Transaction(const std::string& txid, const std::vector<std::string>& args,
                                     bool init = false, const std::string& channel = "ch");
// The RESPONSE/ERROR answer to `request`, echoing its txid and channel.
protos::ChaincodeMessage Reply(const protos::ChaincodeMessage& request, const std::string& payload,
                               bool error = false);

}  // namespace fabric::shim::testing
