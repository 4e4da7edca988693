// SPDX-License-Identifier: Apache-2.0
#include "peer/chaincode/register_check.h"

#include "common/logging/logging.h"
#include "common/protoutil/unmarshal.h"

namespace fabric::chaincode {
namespace {

logging::Logger& Log() {
  static logging::Logger logger("chaincode");
  return logger;
}

}  // namespace

bool RegisterCheckedStream::Recv(protos::ChaincodeMessage* msg) {
  if (!inner_.Recv(msg)) {
    return false;
  }
  if (checked_) {
    return true;
  }
  checked_ = true;
  failure_ = Check(*msg);
  if (failure_.ok()) {
    return true;
  }
  FLOG_WARN(Log(), "refused chaincode stream: %s", failure_.message());
  protos::ChaincodeMessage error;
  error.set_type(protos::ChaincodeMessage::ERROR);
  error.set_payload(std::string(failure_.message()));
  error.set_txid(msg->txid());
  (void)inner_.Send(error);
  return false;
}

Status RegisterCheckedStream::Check(const protos::ChaincodeMessage& msg) const {
  if (msg.type() != protos::ChaincodeMessage::REGISTER) {
    return PermissionDeniedError("first message from chaincode is " +
                                 protos::ChaincodeMessage::Type_Name(msg.type()) +
                                 ", not REGISTER");
  }
  auto id = protoutil::Unmarshal<protos::ChaincodeID>(msg.payload(), "REGISTER ChaincodeID");
  if (!id.ok()) {
    return PermissionDeniedError(id.status().message());
  }
  return check_(id->name());
}

}  // namespace fabric::chaincode
