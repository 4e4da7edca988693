// SPDX-License-Identifier: Apache-2.0
#include "tools/cryptogen/config.h"

#include <algorithm>
#include <initializer_list>

#include <nlohmann/json.hpp>

#include "fabric/base/status_macros.h"
#include "tools/common/yaml_json.h"

namespace fabric::cryptogen {
namespace {

using Json = nlohmann::json;

// Reads the fields of one JSON object whose position in the document is `path` ("PeerOrgs[0]").
// Absent and null fields both count as missing.
class ObjectReader {
 public:
  ObjectReader(const Json& object, std::string path) : object_(object), path_(std::move(path)) {}

  // Fails when the object has a field not in `allowed`.
  Status CheckKnown(std::initializer_list<std::string_view> allowed) const {
    for (const auto& [key, value] : object_.items()) {
      if (std::find(allowed.begin(), allowed.end(), key) == allowed.end()) {
        std::string want;
        for (std::string_view a : allowed) {
          want += want.empty() ? "" : ", ";
          want += a;
        }
        return InvalidArgumentError("unknown field \"" + key + "\" in " + Where() +
                                    "; want one of " + want);
      }
    }
    return Status::OK();
  }

  // Returns the field or null when it is absent or JSON null.
  const Json* Get(std::string_view key) const {
    auto it = object_.find(key);
    return it == object_.end() || it->is_null() ? nullptr : &*it;
  }

  Status String(std::string_view key, bool required, std::string* out) const {
    const Json* v = Get(key);
    if (v == nullptr) {
      return required ? InvalidArgumentError(Field(key) + " is missing") : Status::OK();
    }
    if (!v->is_string()) {
      return InvalidArgumentError(Field(key) + " must be a string");
    }
    *out = v->get<std::string>();
    if (required && out->empty()) {
      return InvalidArgumentError(Field(key) + " is empty");
    }
    return Status::OK();
  }

  Status Bool(std::string_view key, bool* out) const {
    const Json* v = Get(key);
    if (v == nullptr) {
      return Status::OK();
    }
    if (!v->is_boolean()) {
      return InvalidArgumentError(Field(key) + " must be true or false");
    }
    *out = v->get<bool>();
    return Status::OK();
  }

  Status Count(std::string_view key, int* out) const {
    const Json* v = Get(key);
    if (v == nullptr) {
      return Status::OK();
    }
    if (!v->is_number_integer()) {
      return InvalidArgumentError(Field(key) + " must be an integer");
    }
    int64_t n = 0;
    if (v->is_number_unsigned()) {
      uint64_t u = v->get<uint64_t>();
      n = u > static_cast<uint64_t>(kMaxCount) ? kMaxCount + 1 : static_cast<int64_t>(u);
    } else {
      n = v->get<int64_t>();
    }
    if (n < 0) {
      return InvalidArgumentError(Field(key) + " must be >= 0, got " + v->dump());
    }
    if (n > kMaxCount) {
      return InvalidArgumentError(Field(key) + " must be <= " + std::to_string(kMaxCount) +
                                  ", got " + v->dump());
    }
    *out = static_cast<int>(n);
    return Status::OK();
  }

  Status StringList(std::string_view key, std::vector<std::string>* out) const {
    const Json* v = Get(key);
    if (v == nullptr) {
      return Status::OK();
    }
    if (!v->is_array()) {
      return InvalidArgumentError(Field(key) + " must be a list of strings");
    }
    for (size_t i = 0; i < v->size(); ++i) {
      if (!(*v)[i].is_string()) {
        return InvalidArgumentError(Field(key) + "[" + std::to_string(i) + "] must be a string");
      }
      out->push_back((*v)[i].get<std::string>());
    }
    return Status::OK();
  }

  // Returns the field as an object reader; null when absent. InvalidArgument when not an object.
  StatusOr<const Json*> Object(std::string_view key) const {
    const Json* v = Get(key);
    if (v != nullptr && !v->is_object()) {
      return InvalidArgumentError(Field(key) + " must be an object");
    }
    return v;
  }

  std::string Field(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  const std::string& path() const { return path_; }

 private:
  std::string Where() const { return path_.empty() ? "top level" : path_; }

  const Json& object_;
  const std::string path_;
};

Status ParseCa(const ObjectReader& r, CaSpec* ca) {
  RETURN_IF_ERROR(r.CheckKnown({"Hostname", "CommonName", "Country", "Province", "Locality",
                                "OrganizationalUnit", "StreetAddress", "PostalCode", "SANS"}));
  RETURN_IF_ERROR(r.String("Hostname", false, &ca->hostname));
  RETURN_IF_ERROR(r.String("CommonName", false, &ca->common_name));
  RETURN_IF_ERROR(r.String("Country", false, &ca->country));
  RETURN_IF_ERROR(r.String("Province", false, &ca->province));
  RETURN_IF_ERROR(r.String("Locality", false, &ca->locality));
  RETURN_IF_ERROR(r.String("OrganizationalUnit", false, &ca->organizational_unit));
  RETURN_IF_ERROR(r.String("StreetAddress", false, &ca->street_address));
  RETURN_IF_ERROR(r.String("PostalCode", false, &ca->postal_code));
  std::vector<std::string> unused_sans;  // Fabric accepts and ignores SANS on the CA.
  return r.StringList("SANS", &unused_sans);
}

Status ParseTemplate(const ObjectReader& r, NodeTemplate* t) {
  RETURN_IF_ERROR(r.CheckKnown({"Count", "Start", "Hostname", "SANS"}));
  RETURN_IF_ERROR(r.Count("Count", &t->count));
  RETURN_IF_ERROR(r.Count("Start", &t->start));
  RETURN_IF_ERROR(r.String("Hostname", false, &t->hostname));
  return r.StringList("SANS", &t->sans);
}

Status ParseSpecs(const ObjectReader& org, std::vector<NodeSpec>* specs) {
  const Json* list = org.Get("Specs");
  if (list == nullptr) {
    return Status::OK();
  }
  if (!list->is_array()) {
    return InvalidArgumentError(org.Field("Specs") + " must be a list");
  }
  for (size_t i = 0; i < list->size(); ++i) {
    std::string path = org.Field("Specs") + "[" + std::to_string(i) + "]";
    if (!(*list)[i].is_object()) {
      return InvalidArgumentError(path + " must be an object");
    }
    ObjectReader r((*list)[i], path);
    NodeSpec spec;
    RETURN_IF_ERROR(r.CheckKnown({"Hostname", "CommonName", "SANS"}));
    RETURN_IF_ERROR(r.String("Hostname", true, &spec.hostname));
    RETURN_IF_ERROR(r.String("CommonName", false, &spec.common_name));
    RETURN_IF_ERROR(r.StringList("SANS", &spec.sans));
    specs->push_back(std::move(spec));
  }
  return Status::OK();
}

Status ParseOrg(const ObjectReader& r, bool peer_org, OrgSpec* org) {
  if (peer_org) {
    RETURN_IF_ERROR(
        r.CheckKnown({"Name", "Domain", "EnableNodeOUs", "CA", "Template", "Specs", "Users"}));
  } else {
    // Fabric generates only Admin for orderer orgs and ignores "Users" there; we reject it.
    RETURN_IF_ERROR(r.CheckKnown({"Name", "Domain", "EnableNodeOUs", "CA", "Template", "Specs"}));
  }
  RETURN_IF_ERROR(r.String("Name", true, &org->name));
  RETURN_IF_ERROR(r.String("Domain", true, &org->domain));
  RETURN_IF_ERROR(r.Bool("EnableNodeOUs", &org->enable_node_ous));
  ASSIGN_OR_RETURN(const Json* ca, r.Object("CA"));
  if (ca != nullptr) {
    RETURN_IF_ERROR(ParseCa(ObjectReader(*ca, r.Field("CA")), &org->ca));
  }
  ASSIGN_OR_RETURN(const Json* tmpl, r.Object("Template"));
  if (tmpl != nullptr) {
    RETURN_IF_ERROR(ParseTemplate(ObjectReader(*tmpl, r.Field("Template")), &org->node_template));
  }
  RETURN_IF_ERROR(ParseSpecs(r, &org->specs));
  ASSIGN_OR_RETURN(const Json* users, r.Object("Users"));
  if (users != nullptr) {
    ObjectReader ur(*users, r.Field("Users"));
    RETURN_IF_ERROR(ur.CheckKnown({"Count"}));
    RETURN_IF_ERROR(ur.Count("Count", &org->user_count));
  }
  return Status::OK();
}

Status ParseOrgList(const ObjectReader& top, std::string_view key, std::vector<OrgSpec>* out) {
  const Json* list = top.Get(key);
  if (list == nullptr) {
    return Status::OK();
  }
  if (!list->is_array()) {
    return InvalidArgumentError(std::string(key) + " must be a list");
  }
  for (size_t i = 0; i < list->size(); ++i) {
    std::string path = std::string(key) + "[" + std::to_string(i) + "]";
    if (!(*list)[i].is_object()) {
      return InvalidArgumentError(path + " must be an object");
    }
    OrgSpec org;
    RETURN_IF_ERROR(ParseOrg(ObjectReader((*list)[i], path), key == "PeerOrgs", &org));
    out->push_back(std::move(org));
  }
  return Status::OK();
}

}  // namespace

StatusOr<Config> ParseConfig(std::string_view text) {
  StatusOr<Json> doc = tools::ParseYaml(text, "");
  if (!doc.ok()) {
    return InvalidArgumentError("config is not valid YAML: " + std::string(doc.status().message()));
  }
  if (!doc->is_object()) {
    return InvalidArgumentError("config must be a map with OrdererOrgs and PeerOrgs");
  }
  ObjectReader top(*doc, "");
  RETURN_IF_ERROR(top.CheckKnown({"OrdererOrgs", "PeerOrgs"}));
  Config config;
  RETURN_IF_ERROR(ParseOrgList(top, "OrdererOrgs", &config.orderer_orgs));
  RETURN_IF_ERROR(ParseOrgList(top, "PeerOrgs", &config.peer_orgs));
  if (config.orderer_orgs.empty() && config.peer_orgs.empty()) {
    return InvalidArgumentError(
        "config defines no organizations (OrdererOrgs and PeerOrgs are "
        "empty)");
  }
  return config;
}

Config DefaultConfig() {
  StatusOr<Config> config = ParseConfig(DefaultConfigYaml());
  FABRIC_CHECK(config.ok());
  return *std::move(config);
}

}  // namespace fabric::cryptogen
