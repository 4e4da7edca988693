// SPDX-License-Identifier: Apache-2.0
//
// Test helpers (tests only): TestChaincode, whose Invoke functions exercise one stub call each,
// and RunningShim, which runs fabric::shim::Start against a FakePeer on its own thread.

#pragma once

#include <chrono>
#include <future>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>

#include "fabric/shim/chaincode.h"
#include "fabric/shim/chaincode_stub.h"
#include "fabric/shim/start.h"

namespace fabric::shim::testing {

inline std::string Hex(const std::string& bytes) {
  static const char* kDigits = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kDigits[c >> 4]);
    out.push_back(kDigits[c & 15]);
  }
  return out;
}

// Invoke(fn, params...):
//   get k | put k v | del k | range start end | history k | rich q | throw | event name payload
//   ctx | invoke name channel args... | metadata k ep | thread k
// Errors from the stub come back as Error(status message).
class TestChaincode : public Chaincode {
 public:
  Response Init(ChaincodeStub& stub) override {
    auto [fn, params] = stub.GetFunctionAndParameters();
    if (fn == "fail") {
      return Error("init refused");
    }
    Status s = stub.PutState("initialized", "yes");
    return s.ok() ? Success("init ok") : Error(std::string(s.message()));
  }

  Response Invoke(ChaincodeStub& stub) override {
    auto [fn, p] = stub.GetFunctionAndParameters();
    if (fn == "get") {
      auto v = stub.GetState(p.at(0));
      return v.ok() ? Success(*v) : Error(std::string(v.status().message()));
    }
    if (fn == "put") {
      return Check(stub.PutState(p.at(0), p.at(1)));
    }
    if (fn == "del") {
      return Check(stub.DelState(p.at(0)));
    }
    if (fn == "range") {
      auto it = stub.GetStateByRange(p.at(0), p.at(1));
      return it.ok() ? Drain(**it) : Error(std::string(it.status().message()));
    }
    if (fn == "history") {
      return History(stub, p.at(0));
    }
    if (fn == "rich") {
      auto it = stub.GetQueryResult(p.at(0));
      return it.ok() ? Drain(**it) : Error(std::string(it.status().message()));
    }
    if (fn == "thread") {  // the thread before and after a GetState: "id,id"
      const std::string before = ThreadName();
      auto v = stub.GetState(p.at(0));
      if (!v.ok()) {
        return Error(std::string(v.status().message()));
      }
      return Success(before + "," + ThreadName());
    }
    if (fn == "throw") {
      throw std::runtime_error("boom");
    }
    if (fn == "event") {
      return Check(stub.SetEvent(p.at(0), p.at(1)));
    }
    if (fn == "ctx") {
      return TxContext(stub);
    }
    if (fn == "signedproposal") {
      auto sp = stub.GetSignedProposal();
      if (!sp.ok()) {
        return Error(std::string(sp.status().message()));
      }
      return Success(sp->proposal_bytes() + "|" + sp->signature());
    }
    if (fn == "invoke") {
      std::vector<std::string> args(p.begin() + 2, p.end());
      return stub.InvokeChaincode(p.at(0), args, p.at(1));
    }
    if (fn == "metadata") {
      return Metadata(stub, p.at(0), p.at(1));
    }
    return Error("unknown function " + fn);
  }

 private:
  // "txid=value;" per modification of `key`, "<del>" for a deletion.
  static Response History(ChaincodeStub& stub, const std::string& key) {
    auto it = stub.GetHistoryForKey(key);
    if (!it.ok()) {
      return Error(std::string(it.status().message()));
    }
    std::string out;
    while ((*it)->HasNext()) {
      auto mod = (*it)->Next();
      if (!mod.ok()) {
        return Error(std::string(mod.status().message()));
      }
      out += mod->tx_id() + "=" + (mod->is_delete() ? std::string("<del>") : mod->value()) + ";";
    }
    return Success(out);
  }
  // "creator|hex(binding)|transient[secret]|timestamp seconds".
  static Response TxContext(ChaincodeStub& stub) {
    auto creator = stub.GetCreator();
    auto binding = stub.GetBinding();
    auto transient = stub.GetTransient();
    auto ts = stub.GetTxTimestamp();
    if (!ts.ok()) {
      return Error(std::string(ts.status().message()));
    }
    return Success(*creator + "|" + Hex(*binding) + "|" + (*transient)["secret"] + "|" +
                   std::to_string(ts->seconds()));
  }
  // Sets the validation parameter of `key` to `ep` and reads it back.
  static Response Metadata(ChaincodeStub& stub, const std::string& key, const std::string& ep) {
    Status s = stub.SetStateValidationParameter(key, ep);
    if (!s.ok()) {
      return Error(std::string(s.message()));
    }
    auto read = stub.GetStateValidationParameter(key);
    return read.ok() ? Success(*read) : Error(std::string(read.status().message()));
  }
  static std::string ThreadName() {
    std::ostringstream id;
    id << std::this_thread::get_id();
    return id.str();
  }
  static Response Check(const Status& s) {
    return s.ok() ? Success() : Error(std::string(s.message()));
  }
  // Returns "k1=v1;k2=v2;" and closes the iterator.
  static Response Drain(StateQueryIterator& it) {
    std::string out;
    while (it.HasNext()) {
      auto kv = it.Next();
      if (!kv.ok()) {
        return Error(std::string(kv.status().message()));
      }
      out += kv->key() + "=" + kv->value() + ";";
    }
    Status s = it.Close();
    return s.ok() ? Success(out) : Error(std::string(s.message()));
  }
};

// Runs Start(chaincode, options) on a thread; the destructor waits for it (end the stream first).
class RunningShim {
 public:
  RunningShim(Chaincode& chaincode, StartOptions options) {
    auto task =
        std::packaged_task<int()>([&chaincode, options] { return Start(chaincode, options); });
    exit_code_ = task.get_future();
    thread_ = std::jthread(std::move(task));
  }

  // Returns Start's result if it returned within `timeout`, else -1.
  int WaitExit(std::chrono::milliseconds timeout = std::chrono::seconds(10)) {
    if (exit_code_.wait_for(timeout) != std::future_status::ready) {
      return -1;
    }
    return exit_code_.get();
  }

 private:
  std::future<int> exit_code_;
  std::jthread thread_;
};

inline StartOptions OptionsFor(const std::string& address) {
  StartOptions o;
  o.chaincode_id_name = "mycc:1.0";
  o.peer_address = address;
  o.dial_timeout = std::chrono::seconds(5);
  return o;
}

}  // namespace fabric::shim::testing
