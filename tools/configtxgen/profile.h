// SPDX-License-Identifier: Apache-2.0
//
// configtxgen's input: Fabric's configtx.yaml, written as JSON (configtx.json) with the same
// section and field names (Go: internal/configtxgen/genesisconfig/config.go).
//
//   {"Organizations": [{"Name": "Org1", "ID": "Org1MSP", "MSPDir": "crypto-config/...",
//                       "Policies": {"Readers": {"Type": "Signature",
//                                                "Rule": "OR('Org1MSP.member')"}, ...},
//                       "AnchorPeers": [{"Host": "127.0.0.1", "Port": 7051}],
//                       "OrdererEndpoints": ["127.0.0.1:7050"]}, ...],
//    "Capabilities": {"Channel": {"V1_4_3": true}, "Orderer": {...}, "Application": {...}},
//    "Application": {"Policies": {...}, "ACLs": {"lscc/ChaincodeExists": "/Channel/..."}},
//    "Orderer": {"OrdererType": "solo", "Addresses": ["127.0.0.1:7050"], "BatchTimeout": "2s",
//                "BatchSize": {"MaxMessageCount": 10, "AbsoluteMaxBytes": "99 MB",
//                              "PreferredMaxBytes": "512 KB"}, "Policies": {...}},
//    "Channel": {"Policies": {...}, "Capabilities": {...}},
//    "Profiles": {"Name": {"Orderer": {"Organizations": ["OrdererOrg"]},
//                          "Application": {"Organizations": ["Org1", "Org2"]},
//                          "Consortiums": {"SampleConsortium": {"Organizations": [...]}},
//                          "Consortium": "SampleConsortium", "Policies": ..., "Capabilities":
//                          ...}}}
//
// What YAML anchors do in configtx.yaml is implicit here:
//  - a profile's "Orderer" / "Application" object is merged over the top-level section of the
//    same name (the profile's keys win), and a profile's "Policies" / "Capabilities" default to
//    the top-level "Channel" section's;
//  - a section without "Capabilities" takes the top-level Capabilities entry of its name;
//  - an "Organizations" list names top-level organizations by Name (an inline organization
//    object is accepted too).
// MSPDir is relative to the config file's directory. Sizes are numbers of bytes or strings with
// an optional K/M/G unit ("99 MB", "512KB"; powers of 1024, as Fabric). Durations are Go
// durations ("2s", "500ms"). Unknown fields are errors, as in Fabric's strict decoding.
// Orderer defaults (Fabric's genesisDefaults): OrdererType solo, Addresses ["127.0.0.1:7050"],
// BatchTimeout 2s, BatchSize 500 messages / 10 MB / 2 MB.
//
// Plain values; no thread-safety concerns.

#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "fabric/base/status.h"

namespace fabric::configtxgen {

struct PolicySpec {
  std::string type;  // "Signature" or "ImplicitMeta".
  std::string rule;  // "OR('Org1MSP.member')", "MAJORITY Admins".
};
using PolicyMap = std::map<std::string, PolicySpec>;

struct AnchorPeerSpec {
  std::string host;
  int32_t port = 0;
};

struct OrganizationSpec {
  std::string name;
  std::string id;       // The MSP id.
  std::string msp_dir;  // Resolved against the config file's directory.
  PolicyMap policies;
  std::vector<AnchorPeerSpec> anchor_peers;
  std::vector<std::string> orderer_endpoints;
};

struct BatchSizeSpec {
  uint32_t max_message_count = 500;
  uint32_t absolute_max_bytes = 10 * 1024 * 1024;
  uint32_t preferred_max_bytes = 2 * 1024 * 1024;
};

struct OrdererSpec {
  std::string orderer_type = "solo";
  std::vector<std::string> addresses = {"127.0.0.1:7050"};
  std::chrono::nanoseconds batch_timeout = std::chrono::seconds(2);
  BatchSizeSpec batch_size;
  uint64_t max_channels = 0;
  std::vector<OrganizationSpec> organizations;
  PolicyMap policies;
  std::vector<std::string> capabilities;  // Enabled capability names, sorted.
};

struct ApplicationSpec {
  std::vector<OrganizationSpec> organizations;
  PolicyMap policies;
  std::vector<std::string> capabilities;
  std::map<std::string, std::string> acls;  // Resource -> policy reference.
};

struct ConsortiumSpec {
  std::vector<OrganizationSpec> organizations;
};

struct Profile {
  std::string name;
  std::optional<OrdererSpec> orderer;
  std::optional<ApplicationSpec> application;
  std::optional<std::map<std::string, ConsortiumSpec>> consortiums;
  std::string consortium;
  PolicyMap policies;
  std::vector<std::string> capabilities;
};

// Parses configtx.json text and returns profile `profile_name`, with MSPDirs resolved against
// `config_dir`. InvalidArgument with the JSON path of the problem: text that is not JSON, a
// wrong type or unknown field, an unknown organization reference, a bad size or duration, an
// unsupported OrdererType; NotFound when the profile does not exist ("profile \"X\" not found
// in configtx.json; have: A, B"). Policies are checked when encoded (encoder.h).
StatusOr<Profile> LoadProfile(std::string_view json_text, std::string_view profile_name,
                              const std::string& config_dir);

// Parses a size: a JSON number or a string "<digits>[ ][K|M|G][B]" (case-insensitive, powers
// of 1024). InvalidArgument when malformed or above 2^32 - 1.
StatusOr<uint32_t> ParseByteSize(std::string_view text);

}  // namespace fabric::configtxgen
