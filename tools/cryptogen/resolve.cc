// SPDX-License-Identifier: Apache-2.0
#include "tools/cryptogen/resolve.h"

#include <set>

#include "fabric/base/status_macros.h"

namespace fabric::cryptogen {
namespace {

constexpr size_t kMaxNameLength = 253;

bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9');
}

// True when `s` is non-empty, short, made of alphanumerics and `extra`, and does not start with
// '.' or '-' (so it is never ".", "..", a hidden file or an option).
bool IsSafe(std::string_view s, std::string_view extra) {
  if (s.empty() || s.size() > kMaxNameLength || s[0] == '.' || s[0] == '-') {
    return false;
  }
  for (char c : s) {
    if (!IsAlnum(c) && extra.find(c) == std::string_view::npos) {
      return false;
    }
  }
  return true;
}

Status CheckName(std::string_view value, std::string_view extra, const std::string& field,
                 std::string_view what) {
  if (IsSafe(value, extra)) {
    return Status::OK();
  }
  return InvalidArgumentError(field + " \"" + std::string(value) + "\" is not a valid " +
                              std::string(what) + " (letters, digits and " + std::string(extra) +
                              ", not starting with '.' or '-')");
}

// A subjectAltName: a DNS name (wildcards allowed) or an IPv4/IPv6 address.
Status CheckSan(std::string_view san, const std::string& field) {
  return CheckName(san, ".-_*:", field, "subject alternative name");
}

// Renders one node (Fabric's renderNodeSpec): the common name defaults to hostname.domain, and
// the SANs start with the common name and the hostname.
StatusOr<ResolvedNode> RenderNode(const NodeSpec& spec, const std::string& domain, NodeType type,
                                  const std::string& path) {
  RETURN_IF_ERROR(CheckName(spec.hostname, ".-_", path + ".Hostname", "host name"));
  std::map<std::string, std::string> vars = {{"Hostname", spec.hostname}, {"Domain", domain}};
  std::string cn_template =
      spec.common_name.empty() ? "{{.Hostname}}.{{.Domain}}" : spec.common_name;
  StatusOr<std::string> cn = RenderTemplate(cn_template, vars);
  if (!cn.ok()) {
    return cn.status().Annotate(path + ".CommonName");
  }
  RETURN_IF_ERROR(CheckName(*cn, ".-_@", path + ".CommonName", "common name"));
  vars["CommonName"] = *cn;
  ResolvedNode node{*cn, {*cn, spec.hostname}, type};
  for (size_t i = 0; i < spec.sans.size(); ++i) {
    std::string field = path + ".SANS[" + std::to_string(i) + "]";
    StatusOr<std::string> san = RenderTemplate(spec.sans[i], vars);
    if (!san.ok()) {
      return san.status().Annotate(field);
    }
    RETURN_IF_ERROR(CheckSan(*san, field));
    node.sans.push_back(*std::move(san));
  }
  return node;
}

// Appends the Template's node specs to the explicit ones (Fabric's renderOrgSpec order: the
// templated nodes come after the explicit Specs).
StatusOr<std::vector<std::pair<NodeSpec, std::string>>> ExpandSpecs(const OrgSpec& org,
                                                                    bool peer_org,
                                                                    const std::string& path) {
  std::vector<std::pair<NodeSpec, std::string>> specs;
  for (size_t i = 0; i < org.specs.size(); ++i) {
    specs.emplace_back(org.specs[i], path + ".Specs[" + std::to_string(i) + "]");
  }
  const NodeTemplate& t = org.node_template;
  std::string hostname_template = t.hostname.empty() ? "{{.Prefix}}{{.Index}}" : t.hostname;
  for (int i = 0; i < t.count; ++i) {
    std::map<std::string, std::string> vars = {{"Prefix", peer_org ? "peer" : "orderer"},
                                               {"Index", std::to_string(i + t.start)},
                                               {"Domain", org.domain}};
    StatusOr<std::string> hostname = RenderTemplate(hostname_template, vars);
    if (!hostname.ok()) {
      return hostname.status().Annotate(path + ".Template.Hostname");
    }
    specs.emplace_back(NodeSpec{*hostname, "", t.sans}, path + ".Template");
  }
  return specs;
}

Status ResolveCa(const OrgSpec& org, const std::string& path, ResolvedOrg* out) {
  out->ca = org.ca;
  NodeSpec ca_spec{org.ca.hostname.empty() ? "ca" : org.ca.hostname, org.ca.common_name, {}};
  ASSIGN_OR_RETURN(ResolvedNode ca_node,
                   RenderNode(ca_spec, org.domain, NodeType::kClient, path + ".CA"));
  out->ca_name = ca_node.common_name;
  out->tls_ca_name = "tls" + ca_node.common_name;
  return Status::OK();
}

}  // namespace

std::string_view NodeOu(NodeType type) {
  switch (type) {
    case NodeType::kClient:
      return "client";
    case NodeType::kOrderer:
      return "orderer";
    case NodeType::kPeer:
      return "peer";
    case NodeType::kAdmin:
      return "admin";
  }
  return "client";
}

std::string AdminName(std::string_view domain) { return "Admin@" + std::string(domain); }

StatusOr<std::string> RenderTemplate(std::string_view text,
                                     const std::map<std::string, std::string>& vars) {
  std::string out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t open = text.find("{{", pos);
    if (open == std::string_view::npos) {
      out.append(text.substr(pos));
      break;
    }
    out.append(text.substr(pos, open - pos));
    size_t close = text.find("}}", open + 2);
    if (close == std::string_view::npos) {
      return InvalidArgumentError("unterminated \"{{\" in \"" + std::string(text) + "\"");
    }
    std::string_view inner = text.substr(open + 2, close - open - 2);
    while (!inner.empty() && inner.front() == ' ')
      inner.remove_prefix(1);
    while (!inner.empty() && inner.back() == ' ')
      inner.remove_suffix(1);
    auto it = inner.starts_with('.') ? vars.find(std::string(inner.substr(1))) : vars.end();
    if (it == vars.end()) {
      return InvalidArgumentError("unknown template variable \"{{" + std::string(inner) +
                                  "}}\" in \"" + std::string(text) + "\"");
    }
    out.append(it->second);
    pos = close + 2;
  }
  return out;
}

StatusOr<ResolvedOrg> ResolveOrg(const OrgSpec& org, bool peer_org, const std::string& path) {
  RETURN_IF_ERROR(CheckName(org.domain, ".-", path + ".Domain", "domain"));
  ResolvedOrg out{peer_org, org.name, org.domain, org.enable_node_ous, {}, {}, {}, {}, {}};
  RETURN_IF_ERROR(ResolveCa(org, path, &out));
  ASSIGN_OR_RETURN(auto specs, ExpandSpecs(org, peer_org, path));
  std::set<std::string> seen;
  for (const auto& [spec, spec_path] : specs) {
    ASSIGN_OR_RETURN(
        ResolvedNode node,
        RenderNode(spec, org.domain, peer_org ? NodeType::kPeer : NodeType::kOrderer, spec_path));
    if (!seen.insert(node.common_name).second) {
      return InvalidArgumentError(spec_path + ": node \"" + node.common_name +
                                  "\" is defined twice");
    }
    out.nodes.push_back(std::move(node));
  }
  int users = peer_org ? org.user_count : 0;
  for (int j = 1; j <= users; ++j) {
    out.users.push_back({"User" + std::to_string(j) + "@" + org.domain, {}, NodeType::kClient});
  }
  out.users.push_back({AdminName(org.domain), {}, NodeType::kAdmin});
  return out;
}

StatusOr<std::vector<ResolvedOrg>> ResolveConfig(const Config& config) {
  std::vector<ResolvedOrg> orgs;
  for (bool peer : {true, false}) {
    const std::vector<OrgSpec>& list = peer ? config.peer_orgs : config.orderer_orgs;
    std::set<std::string> domains;
    for (size_t i = 0; i < list.size(); ++i) {
      std::string path =
          std::string(peer ? "PeerOrgs" : "OrdererOrgs") + "[" + std::to_string(i) + "]";
      ASSIGN_OR_RETURN(ResolvedOrg org, ResolveOrg(list[i], peer, path));
      if (!domains.insert(org.domain).second) {
        return InvalidArgumentError(path + ".Domain \"" + org.domain + "\" is used by another org");
      }
      orgs.push_back(std::move(org));
    }
  }
  return orgs;
}

}  // namespace fabric::cryptogen
