// SPDX-License-Identifier: Apache-2.0

#include "peer/committer/chaincode_definitions.h"

#include <absl/strings/str_format.h>

#include "common/protoutil/unmarshal.h"
#include "fabric/base/status_macros.h"

namespace fabric::committer {

StatusOr<ccprovider::ChaincodeData> LsccDefinitionProvider::GetChaincodeDefinition(
    ledger::QueryExecutor& qe, const std::string& name) const {
  ASSIGN_OR_RETURN(std::string bytes, qe.GetState(std::string(kLsccNamespace), name));
  if (bytes.empty()) {
    return NotFoundError(absl::StrFormat("chaincode %s is not defined on this channel", name));
  }
  ASSIGN_OR_RETURN(auto data,
                   protoutil::Unmarshal<ccprovider::ChaincodeData>(bytes, "lscc chaincode data"));
  if (data.vscc().empty()) {
    return InvalidArgumentError(
        absl::StrFormat("lscc's state for [%s] is invalid, vscc field must be set", name));
  }
  if (data.policy().empty()) {
    return InvalidArgumentError(
        absl::StrFormat("lscc's state for [%s] is invalid, policy field must be set", name));
  }
  return data;
}

}  // namespace fabric::committer
