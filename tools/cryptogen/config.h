// SPDX-License-Identifier: Apache-2.0
//
// cryptogen's input: Fabric's crypto-config.yaml (same field names), or the same document as
// JSON (JSON is YAML; tools/common/yaml_json.h reads both, anchors and merge keys included).
//
//   OrdererOrgs:
//     - Name: Orderer
//       Domain: example.com
//       EnableNodeOUs: true
//       Specs: [{Hostname: orderer}]
//   PeerOrgs:
//     - Name: Org1
//       Domain: org1.example.com
//       CA: {Country: US}
//       Template: {Count: 2}
//       Users: {Count: 1}
//
// ParseConfig checks field names and types; ResolveConfig (resolve.h) expands templates and
// checks the resulting names. Plain values, no thread-safety concerns.

#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fabric/base/status.h"

namespace fabric::cryptogen {

// One explicitly listed node (a "Specs" entry). Strings may hold Go-template-style variables
// ("{{.Hostname}}", "{{.Domain}}", "{{.CommonName}}"), as in Fabric.
struct NodeSpec {
  std::string hostname;           // Required: the host name without the domain.
  std::string common_name;        // Empty means "{{.Hostname}}.{{.Domain}}".
  std::vector<std::string> sans;  // Extra subjectAltNames; IPs become IP SANs.
};

// The org's CA ("CA" entry). All optional.
struct CaSpec {
  std::string hostname;     // Empty means "ca"; the CA is named "<hostname>.<domain>".
  std::string common_name;  // Overrides the name entirely.
  std::string country;      // Empty means "US".
  std::string province;     // Empty means "California".
  std::string locality;     // Empty means "San Francisco".
  std::string organizational_unit;
  std::string street_address;
  std::string postal_code;
};

// Nodes created from a template ("Template" entry): hostnames "<prefix><index>" for index in
// [start, start + count), prefix "peer" or "orderer".
struct NodeTemplate {
  int count = 0;
  int start = 0;
  std::string hostname;  // Empty means "{{.Prefix}}{{.Index}}".
  std::vector<std::string> sans;
};

struct OrgSpec {
  std::string name;
  std::string domain;
  bool enable_node_ous = false;
  CaSpec ca;
  NodeTemplate node_template;
  std::vector<NodeSpec> specs;
  int user_count = 0;  // Users besides Admin ("Users": {"Count": n}); peer orgs only.
};

struct Config {
  std::vector<OrgSpec> orderer_orgs;
  std::vector<OrgSpec> peer_orgs;
};

// Limits on counts, to keep a typo from generating millions of keys.
inline constexpr int kMaxCount = 10000;

// Parses a crypto-config document (YAML or JSON). InvalidArgument, naming the field, when the
// text is not YAML ("config is not valid YAML: line 3, column 5: ..."), a field is missing or
// of the wrong type
// ("PeerOrgs[1].Domain is missing", "PeerOrgs[0].Template.Count must be >= 0, got -1"), a field
// is unknown ("unknown field \"ClientOrgs\" at top level; want OrdererOrgs or PeerOrgs"), or
// there is no org at all.
StatusOr<Config> ParseConfig(std::string_view text);

// Returns the default crypto-config.yaml (what `cryptogen showtemplate` prints; built in from
// sampleconfig/crypto-config.yaml): orderer org "Orderer" (example.com, one orderer "orderer"),
// peer orgs Org1 and Org2 (org1.example.com, org2.example.com; one peer each via Template, one
// user besides Admin), NodeOUs enabled.
const char* DefaultConfigYaml();

// Returns ParseConfig(DefaultConfigYaml()).
Config DefaultConfig();

}  // namespace fabric::cryptogen
