// SPDX-License-Identifier: Apache-2.0
#include "peer/scc/vscc.h"

#include <absl/strings/str_format.h>

#include "common/policies/signature_policy.h"
#include "common/protoutil/txutils.h"
#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"
#include "fabric/shim/chaincode_stub.h"
#include "peer/transaction.pb.h"

namespace fabric::scc {

Status ValidateEndorsements(const common::Envelope& envelope, std::string_view policy,
                            const msp::IdentityDeserializer& deserializer) {
  ASSIGN_OR_RETURN(auto compiled, policies::SignaturePolicy::FromBytes(policy, deserializer));
  ASSIGN_OR_RETURN(protoutil::ParsedEnvelope parsed, protoutil::ParseEnvelope(envelope));
  ASSIGN_OR_RETURN(auto tx,
                   protoutil::Unmarshal<protos::Transaction>(parsed.payload.data(), "transaction"));
  if (tx.actions_size() == 0) {
    return InvalidArgumentError("VSCC error: no actions in the transaction");
  }
  for (const protos::TransactionAction& action : tx.actions()) {
    ASSIGN_OR_RETURN(auto cap, protoutil::Unmarshal<protos::ChaincodeActionPayload>(
                                   action.payload(), "chaincode action payload"));
    std::vector<protoutil::SignedData> signed_data;
    const std::string& prp = cap.action().proposal_response_payload();
    for (const protos::Endorsement& e : cap.action().endorsements()) {
      signed_data.push_back({prp + e.endorser(), e.endorser(), e.signature()});
    }
    Status s = compiled->Evaluate(signed_data);
    if (!s.ok()) {
      return PermissionDeniedError(
          absl::StrFormat("VSCC error: endorsement policy failure, err: %s", s.message()));
    }
  }
  return Status::OK();
}

shim::Response Vscc::Invoke(shim::ChaincodeStub& stub) {
  const std::vector<std::string>& args = stub.GetArgs();
  if (args.size() < 3) {
    return shim::Error("Incorrect number of arguments");
  }
  auto bundle = channels_.GetBundle(stub.GetChannelID());
  if (bundle == nullptr) {
    return shim::Error("Invalid chain ID, " + stub.GetChannelID());
  }
  auto env = protoutil::Unmarshal<common::Envelope>(args[1], "envelope");
  if (!env.ok()) {
    return shim::Error(std::string(env.status().message()));
  }
  Status s = ValidateEndorsements(*env, args[2], bundle->msp_manager());
  if (!s.ok()) {
    return shim::Error(std::string(s.message()));
  }
  return shim::Success();
}

}  // namespace fabric::scc
