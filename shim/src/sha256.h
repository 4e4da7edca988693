// SPDX-License-Identifier: Apache-2.0
//
// SHA-256 (FIPS 180-4), self-contained so the shim links nothing but protobuf and gRPC.
// Used for the proposal binding and MockStub's private data hashes. Thread-safe (pure).

#pragma once

#include <string>
#include <string_view>

namespace fabric::shim::internal {

// Returns the 32-byte digest of `data`.
std::string Sha256(std::string_view data);

}  // namespace fabric::shim::internal
