// SPDX-License-Identifier: Apache-2.0
//
// SHA-256 through OpenSSL's libcrypto (gRPC links it already).
// Used for the proposal binding and MockStub's private data hashes. Thread-safe (pure).

#pragma once

#include <string>
#include <string_view>

namespace fabric::shim::internal {

// Returns the 32-byte digest of `data`.
std::string Sha256(std::string_view data);

}  // namespace fabric::shim::internal
