// SPDX-License-Identifier: Apache-2.0
//
// ProbeChaincode: the chaincode the recorded endorsements were produced with, in C++. It runs a
// script of stub calls given as its second argument, Invoke("ops", "[[op, args...], ...]"), and
// returns what each call gave as a JSON array, so that one chaincode covers every call shape.
// The recordings ran the same script interpreter written in Go against Fabric's Go shim, so the
// response bytes must match exactly: the JSON is written the way Go's encoding/json writes it
// (HTML characters escaped, invalid UTF-8 as \ufffd, map keys sorted, nil slices as null) and
// the script is read the way Go reads it (a lone surrogate escape becomes U+FFFD).
//
// Ops (each an array of strings; the result slot is null unless stated):
//   put k v | putn prefix n v (keys prefix%04d) | get k (value or null) | del k
//   range start end (["k=v",...]) | rangelimit start end n (first n keys)
//   rangepage start end size bookmark ({"bookmark","count","kvs"})
//   ckey type attrs... (the key) | cput type attrs... v | pcomp type attrs... ([k=v])
//   pcomppage type size bookmark attrs... | rich query | hist k (["txid del=b v=value"])
//   setvp k mspids... (Org peers, AND) | setvpraw k bytes | getvp k (hex)
//   event name payload | call cc channel args... ({"msg","payload","status"})
//   txid | chan | ts ("sec.nanos") | creator (length) | binding (hex) | transient (count)
//   decorations (count)
//   fail msg | status code msg payload | ret payload | retnil   (end the script)
// A failed call's slot is "ERR:<message>".
//
// Thread-safety: stateless; safe for concurrent transactions.

#pragma once

#include <optional>
#include <string>
#include <vector>

#include "fabric/shim/chaincode.h"

namespace fabric::parity {

class ProbeChaincode : public shim::Chaincode {
 public:
  shim::Response Init(shim::ChaincodeStub& stub) override { return Run(stub); }
  shim::Response Invoke(shim::ChaincodeStub& stub) override { return Run(stub); }

 private:
  shim::Response Run(shim::ChaincodeStub& stub);
};

// `s` as Go's encoding/json writes a string, quotes included.
std::string GoJsonString(std::string_view s);

// Parses a JSON array of arrays of strings as Go's json.Unmarshal into [][]string does; nullopt
// when the text is not such an array.
std::optional<std::vector<std::vector<std::string>>> ParseGoStringMatrix(std::string_view text);

}  // namespace fabric::parity
