// SPDX-License-Identifier: Apache-2.0
//
// Go protobuf's text format where Fabric puts it into bytes other peers or users compare:
// Fabric's CLI prints responses with it, and lscc's getchaincodes lists a chaincode's input as
// proto.CompactTextString writes it.

#pragma once

#include <string>
#include <string_view>

#include "peer/chaincode.pb.h"

namespace fabric::protoutil {

// `s` quoted as golang/protobuf's text writer quotes strings and bytes: \n \r \t \" \\ escaped,
// other bytes outside 0x20..0x7e as three-digit octal.
std::string GoTextQuote(std::string_view s);

// proto.CompactTextString of a ChaincodeInput (Fabric 1.4's message: args, decorations):
// every field followed by a space, map entries sorted by key, e.g.
// `args:"a" decorations:<key:"k" value:"v" > `; "" for an empty input.
std::string GoCompactText(const protos::ChaincodeInput& input);

}  // namespace fabric::protoutil
