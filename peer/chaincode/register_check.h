// SPDX-License-Identifier: Apache-2.0
//
// RegisterCheckedStream: a ChaincodeStream whose first message must be a REGISTER that a check
// accepts (the chaincode listener's TLS client certificate check; the chaincode-server
// connection's expected ccid). On failure the chaincode gets ERROR with the reason and the
// stream ends (Recv returns false); failure() then holds the reason.
//
// Thread-safety: as ChaincodeStream.

#pragma once

#include <functional>
#include <string>

#include "fabric/base/status.h"
#include "peer/chaincode/chaincode_stream.h"

namespace fabric::chaincode {

class RegisterCheckedStream : public ChaincodeStream {
 public:
  // `check` gets the registering ChaincodeID's name; non-OK refuses the stream. `inner` is
  // borrowed.
  RegisterCheckedStream(ChaincodeStream& inner, std::function<Status(const std::string&)> check)
      : inner_(inner), check_(std::move(check)) {}
  bool Send(const protos::ChaincodeMessage& msg) override { return inner_.Send(msg); }
  bool SendBuffered(const protos::ChaincodeMessage& msg) override {
    return inner_.SendBuffered(msg);
  }
  std::string launch_secret() const override { return inner_.launch_secret(); }
  bool Recv(protos::ChaincodeMessage* msg) override;
  const Status& failure() const { return failure_; }

 private:
  Status Check(const protos::ChaincodeMessage& msg) const;

  ChaincodeStream& inner_;
  const std::function<Status(const std::string&)> check_;
  bool checked_ = false;
  Status failure_;
};

}  // namespace fabric::chaincode
