// SPDX-License-Identifier: Apache-2.0
//
// PEM (RFC 7468) decoding and encoding. Used by the key and certificate parsers and by MSP code
// that needs to tell a file's block types apart.
//
// Thread-safety: the functions are safe to call concurrently.

#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fabric/base/status.h"

namespace fabric::crypto {

// One "-----BEGIN <type>-----" block.
struct PemBlock {
  std::string type;  // e.g. "CERTIFICATE", "PRIVATE KEY".
  std::string der;   // The decoded base64 body.
};

// Returns every PEM block in `pem`, in order. Text outside blocks is ignored.
// InvalidArgument when there is no block at all ("no pem block found"), when a block is
// malformed (bad base64, missing END line), or when it carries RFC 1421 headers (encrypted
// legacy keys: "Proc-Type: 4,ENCRYPTED").
StatusOr<std::vector<PemBlock>> DecodePem(std::string_view pem);

// Returns `der` as a PEM block of `type` with 64-column base64 lines and a trailing newline.
std::string EncodePem(std::string_view type, std::string_view der);

}  // namespace fabric::crypto
