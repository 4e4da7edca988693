// SPDX-License-Identifier: Apache-2.0
//
// Turns a Config into the concrete list of identities to generate, as Fabric's cryptogen does
// before writing anything (renderOrgSpec): expands the Template into node specs, renders the
// "{{.Var}}" variables in host names, common names and SANs, adds the implicit SANs, names the
// users (User1..UserN, Admin) and the two CAs. Also checks every name that becomes a file or
// directory name, so a config can never write outside the output directory.
//
// Plain functions and values.

#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "fabric/base/status.h"
#include "tools/cryptogen/config.h"

namespace fabric::cryptogen {

// The role of an identity, which decides its NodeOU ("client", "peer", "admin", "orderer") and
// its TLS file names (server.* for nodes, client.* for users).
enum class NodeType { kClient, kOrderer, kPeer, kAdmin };

// Returns the NodeOU of `type`: "client", "orderer", "peer" or "admin".
std::string_view NodeOu(NodeType type);

// One identity to generate: a local MSP folder and a TLS folder.
struct ResolvedNode {
  std::string common_name;        // Also the directory name: "peer0.org1.example.com".
  std::vector<std::string> sans;  // TLS subjectAltNames in order; empty for users, as Fabric.
  NodeType type = NodeType::kClient;
};

struct ResolvedOrg {
  bool peer_org = true;  // peerOrganizations/ or ordererOrganizations/.
  std::string name;      // The config's Name (informational).
  std::string domain;    // Directory name and the CAs' O attribute.
  bool enable_node_ous = false;
  CaSpec ca;                // Subject attributes for the CAs and every certificate they sign.
  std::string ca_name;      // "ca.<domain>" unless overridden.
  std::string tls_ca_name;  // "tls" + ca_name.
  std::vector<ResolvedNode> nodes;  // Peers or orderers.
  std::vector<ResolvedNode> users;  // User1..N then Admin (orderer orgs: Admin only).
};

// Returns the Admin user's common name for `domain`: "Admin@<domain>".
std::string AdminName(std::string_view domain);

// Replaces each "{{.Name}}" (spaces inside the braces allowed) with vars.at(Name).
// InvalidArgument for an unknown variable or an unterminated "{{".
StatusOr<std::string> RenderTemplate(std::string_view text,
                                     const std::map<std::string, std::string>& vars);

// Expands and checks `org` (at `path` in the config, e.g. "PeerOrgs[0]"). InvalidArgument,
// naming the field, when a rendered name is not a safe file name / DNS name, or two nodes get
// the same common name.
StatusOr<ResolvedOrg> ResolveOrg(const OrgSpec& org, bool peer_org, const std::string& path);

// Resolves every org, peer orgs first (Fabric's order). Also fails when two orgs of the same kind
// share a domain.
StatusOr<std::vector<ResolvedOrg>> ResolveConfig(const Config& config);

}  // namespace fabric::cryptogen
