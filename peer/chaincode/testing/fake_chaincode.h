// SPDX-License-Identifier: Apache-2.0
//
// FakeChaincode: a scripted chaincode client for tests and benchmarks. It dials the peer's
// chaincode listener over real gRPC and speaks ChaincodeMessage directly, so tests can both
// behave like a shim (Register, then Serve transactions with GetState/PutState/... calls) and
// misbehave (send anything at any time with Send, read raw replies with Next).
//
// Threading: one owned reader thread routes RESPONSE/ERROR replies to the transaction waiting
// for them (by channel + txid), runs INIT/TRANSACTION on a worker pool when serving, and queues
// every other message for Next(). Send is serialised by a mutex. Safe to use from any thread.

#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "fabric/base/status.h"
#include "peer/chaincode_shim.pb.h"

namespace fabric::chaincode::testing {

class FakeChaincode {
 public:
  // One INIT/TRANSACTION being served.
  class Tx {
   public:
    Tx(FakeChaincode& cc, protos::ChaincodeMessage msg);
    const protos::ChaincodeMessage& msg() const { return msg_; }
    const std::vector<std::string>& args() const { return args_; }
    // Sends a request and waits (10 s) for its RESPONSE; an ERROR reply becomes Unknown with
    // the peer's text.
    StatusOr<std::string> Call(protos::ChaincodeMessage::Type type, const std::string& payload);
    StatusOr<std::string> GetState(const std::string& key);
    Status PutState(const std::string& key, const std::string& value);
    Status DelState(const std::string& key);

   private:
    FakeChaincode& cc_;
    protos::ChaincodeMessage msg_;
    std::vector<std::string> args_;
  };
  // Serves one transaction; returns the Response to send in COMPLETED, or an error to send as
  // ERROR.
  using TxFn = std::function<StatusOr<protos::Response>(Tx& tx)>;

  // Opens the Register stream, presenting `launch_secret` when not empty.
  static StatusOr<std::unique_ptr<FakeChaincode>> Connect(const std::string& address,
                                                          const std::string& launch_secret = "");
  ~FakeChaincode();
  FakeChaincode(const FakeChaincode&) = delete;
  FakeChaincode& operator=(const FakeChaincode&) = delete;

  bool Send(const protos::ChaincodeMessage& msg);
  // Sends REGISTER for `ccid` and expects REGISTERED then READY (5 s).
  Status Register(const std::string& ccid);
  // From now on, INIT/TRANSACTION run `fn` on `threads` workers.
  void Serve(TxFn fn, int threads = 16);
  // The next message not taken by a transaction, or nullopt after `timeout` / at the end.
  std::optional<protos::ChaincodeMessage> Next(std::chrono::milliseconds timeout);
  // Waits for the stream to end; the gRPC status it ended with, or nullopt on timeout.
  std::optional<Status> WaitClosed(std::chrono::milliseconds timeout);
  // Half-closes (WritesDone) and cancels the call: the peer sees the stream end.
  void Close();

 private:
  struct Impl;
  explicit FakeChaincode(std::unique_ptr<Impl> impl);
  void ReadLoop();
  StatusOr<protos::ChaincodeMessage> Await(const std::string& key,
                                           std::chrono::milliseconds timeout);

  std::unique_ptr<Impl> impl_;
};

// A response with `status` and `payload`.
protos::Response MakeResponse(int status, const std::string& payload = "",
                              const std::string& message = "");

}  // namespace fabric::chaincode::testing
