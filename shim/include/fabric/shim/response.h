// SPDX-License-Identifier: Apache-2.0
//
// Response: what a chaincode's Init and Invoke return, as Fabric's shim.Response / peer.Response.
//
// Status follows HTTP conventions as in Fabric: 200 is success, anything >= 400 is an error and
// the peer does not endorse it. Success() and Error() build the two usual forms.
//
// Thread-safety: a plain value type.

#pragma once

#include <cstdint>
#include <string>
#include <utility>

namespace fabric::shim {

// Fabric's shim constants (OK, ERRORTHRESHOLD, ERROR).
inline constexpr int32_t kOk = 200;
inline constexpr int32_t kErrorThreshold = 400;
inline constexpr int32_t kError = 500;

struct Response {
  int32_t status = kOk;
  // Human-readable error text; empty on success.
  std::string message;
  // Result bytes returned to the client (and to a calling chaincode).
  std::string payload;
};

// Returns {200, "", payload}.
inline Response Success(std::string payload = {}) { return Response{kOk, {}, std::move(payload)}; }

// Returns {500, message, ""}.
inline Response Error(std::string message) { return Response{kError, std::move(message), {}}; }

}  // namespace fabric::shim
