// SPDX-License-Identifier: Apache-2.0
//
// The chaincode constructor message of `peer chaincode ... -c`: JSON with "Args" (strings) and
// an optional "Function" put in front of them, keys matched case-insensitively as Go's
// encoding/json does (Fabric 1.4 peer/chaincode/common.go):
//   {"Args":["invoke","a","b","10"]}      {"function":"invoke","Args":["a","b","10"]}
//
// Thread-safety: stateless.

#pragma once

#include <string_view>

#include "fabric/base/status.h"
#include "peer/chaincode.pb.h"

namespace fabric::cli {

// Returns the ChaincodeInput. InvalidArgument "chaincode argument error: <why>" for text that is
// not a JSON object, an "Args" that is not an array of strings, or a non-string "Function".
StatusOr<protos::ChaincodeInput> ParseCtor(std::string_view json);

}  // namespace fabric::cli
