// SPDX-License-Identifier: Apache-2.0
#pragma once

#include <string>

namespace fabric::protoutil {

// One signature to check against a policy: `signature` by the identity `identity` (marshalled
// msp.SerializedIdentity) over `data`. Fabric's protoutil.SignedData.
struct SignedData {
  std::string data;
  std::string identity;
  std::string signature;
};

}  // namespace fabric::protoutil
