// SPDX-License-Identifier: Apache-2.0
// Tests for the crypto-config parser and the name/template resolution.
#include "tools/cryptogen/config.h"

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "tools/cryptogen/resolve.h"

namespace fabric::cryptogen {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::string ParseError(const std::string& json) {
  StatusOr<Config> config = ParseConfig(json);
  if (config.ok()) {
    return "parsed";
  }
  EXPECT_TRUE(config.status().IsInvalidArgument()) << config.status();
  return std::string(config.status().message());
}

std::string ResolveError(const std::string& json) {
  StatusOr<Config> config = ParseConfig(json);
  if (!config.ok()) {
    return "parse: " + std::string(config.status().message());
  }
  StatusOr<std::vector<ResolvedOrg>> orgs = ResolveConfig(*config);
  return orgs.ok() ? "resolved" : std::string(orgs.status().message());
}

TEST(ConfigTest, DefaultConfigHasOneOrdererOrgAndTwoPeerOrgsWithNodeOus) {
  Config config = DefaultConfig();
  ASSERT_EQ(config.orderer_orgs.size(), 1u);
  EXPECT_EQ(config.orderer_orgs[0].name, "Orderer");
  EXPECT_EQ(config.orderer_orgs[0].domain, "example.com");
  ASSERT_EQ(config.orderer_orgs[0].specs.size(), 1u);
  EXPECT_EQ(config.orderer_orgs[0].specs[0].hostname, "orderer");
  ASSERT_EQ(config.peer_orgs.size(), 2u);
  EXPECT_EQ(config.peer_orgs[1].name, "Org2");
  EXPECT_EQ(config.peer_orgs[1].domain, "org2.example.com");
  EXPECT_EQ(config.peer_orgs[1].node_template.count, 1);
  EXPECT_EQ(config.peer_orgs[1].user_count, 1);
  for (const OrgSpec& org : config.peer_orgs) {
    EXPECT_TRUE(org.enable_node_ous);
  }
  EXPECT_TRUE(config.orderer_orgs[0].enable_node_ous);
}

TEST(ConfigTest, ReportsMissingAndMistypedFieldsWithTheirPath) {
  EXPECT_EQ(ParseError(R"({"PeerOrgs":[{"Name":"A","Domain":"a.com"},{"Name":"B"}]})"),
            "PeerOrgs[1].Domain is missing");
  EXPECT_EQ(ParseError(R"({"PeerOrgs":[{"Name":"A","Domain":"a.com","Template":{"Count":-1}}]})"),
            "PeerOrgs[0].Template.Count must be >= 0, got -1");
  EXPECT_EQ(ParseError(R"({"PeerOrgs":[{"Name":"A","Domain":"a.com","Users":{"Count":1.5}}]})"),
            "PeerOrgs[0].Users.Count must be an integer");
  EXPECT_EQ(ParseError(R"({"PeerOrgs":[{"Name":"A","Domain":7}]})"),
            "PeerOrgs[0].Domain must be a string");
  EXPECT_EQ(ParseError(R"({"OrdererOrgs":[{"Name":"O","Domain":"o.com","Specs":[{}]}]})"),
            "OrdererOrgs[0].Specs[0].Hostname is missing");
  EXPECT_EQ(ParseError(R"({"PeerOrgs":[{"Name":"A","Domain":"a.com","EnableNodeOUs":"yes"}]})"),
            "PeerOrgs[0].EnableNodeOUs must be true or false");
  EXPECT_THAT(
      ParseError(R"({"PeerOrgs":[{"Name":"A","Domain":"a.com","Template":{"Count":1e9}}]})"),
      HasSubstr("must be an integer"));
  EXPECT_THAT(ParseError(R"({"PeerOrgs":[{"Name":"A","Domain":"a.com","Users":{"Count":99999}}]})"),
              HasSubstr("PeerOrgs[0].Users.Count must be <= 10000"));
}

TEST(ConfigTest, RejectsGarbageUnknownFieldsAndEmptyConfigs) {
  EXPECT_EQ(ParseError("PeerOrgs:\n  - Name: a\n  Domain: b\n"),
            "config is not valid YAML: line 3, column 3: end of map not found");
  EXPECT_EQ(ParseError("PeerOrgs: [ {"),
            "config is not valid YAML: line 1, column 1: end of map flow not found");
  EXPECT_EQ(ParseError("[1,2]"), "config must be a map with OrdererOrgs and PeerOrgs");
  EXPECT_EQ(ParseError(R"({"ClientOrgs":[]})"),
            "unknown field \"ClientOrgs\" in top level; want one of OrdererOrgs, PeerOrgs");
  EXPECT_THAT(
      ParseError(R"({"PeerOrgs":[{"Name":"A","Domain":"a.com","Specs":[{"Hostnme":"p"}]}]})"),
      HasSubstr("unknown field \"Hostnme\" in PeerOrgs[0].Specs[0]"));
  EXPECT_THAT(ParseError(R"({"OrdererOrgs":[{"Name":"O","Domain":"o.com","Users":{"Count":1}}]})"),
              HasSubstr("unknown field \"Users\" in OrdererOrgs[0]"));
  EXPECT_EQ(ParseError(R"({"PeerOrgs":[]})"),
            "config defines no organizations (OrdererOrgs and PeerOrgs are empty)");
  EXPECT_EQ(ParseError(R"({"PeerOrgs":{}})"), "PeerOrgs must be a list");
}

TEST(ResolveTest, ExpandsTemplateSpecsUsersAndCaNamesAsFabric) {
  StatusOr<Config> config = ParseConfig(R"({"PeerOrgs":[{"Name":"Org1","Domain":"org1.example.com",
      "CA":{"Hostname":"myca"},
      "Specs":[{"Hostname":"foo","CommonName":"foo27.org5.example.com",
                "SANS":["bar.{{.Domain}}","{{ .Hostname }}.org6.net","172.16.10.31"]}],
      "Template":{"Count":2,"Start":5,"SANS":["{{.Hostname}}.alt.{{.Domain}}"]},
      "Users":{"Count":2}}]})");
  ASSERT_TRUE(config.ok()) << config.status();
  StatusOr<std::vector<ResolvedOrg>> orgs = ResolveConfig(*config);
  ASSERT_TRUE(orgs.ok()) << orgs.status();
  const ResolvedOrg& org = (*orgs)[0];
  EXPECT_EQ(org.ca_name, "myca.org1.example.com");
  EXPECT_EQ(org.tls_ca_name, "tlsmyca.org1.example.com");
  ASSERT_EQ(org.nodes.size(), 3u);
  EXPECT_EQ(org.nodes[0].common_name, "foo27.org5.example.com");
  EXPECT_THAT(org.nodes[0].sans,
              ElementsAre("foo27.org5.example.com", "foo", "bar.org1.example.com", "foo.org6.net",
                          "172.16.10.31"));
  EXPECT_EQ(org.nodes[1].common_name, "peer5.org1.example.com");
  EXPECT_THAT(org.nodes[2].sans,
              ElementsAre("peer6.org1.example.com", "peer6", "peer6.alt.org1.example.com"));
  ASSERT_EQ(org.users.size(), 3u);
  EXPECT_EQ(org.users[0].common_name, "User1@org1.example.com");
  EXPECT_EQ(org.users[1].common_name, "User2@org1.example.com");
  EXPECT_EQ(org.users[2].common_name, "Admin@org1.example.com");
  EXPECT_EQ(org.users[2].type, NodeType::kAdmin);
}

TEST(ResolveTest, RejectsUnsafeNamesDuplicatesAndBadTemplates) {
  EXPECT_THAT(ResolveError(R"({"PeerOrgs":[{"Name":"A","Domain":"../etc"}]})"),
              HasSubstr("PeerOrgs[0].Domain \"../etc\" is not a valid domain"));
  EXPECT_THAT(
      ResolveError(R"({"PeerOrgs":[{"Name":"A","Domain":"a.com","Specs":[{"Hostname":"x/y"}]}]})"),
      HasSubstr("PeerOrgs[0].Specs[0].Hostname \"x/y\" is not a valid host name"));
  EXPECT_THAT(ResolveError(R"({"PeerOrgs":[{"Name":"A","Domain":"a.com",
                 "Specs":[{"Hostname":"peer0"}],"Template":{"Count":1}}]})"),
              HasSubstr("node \"peer0.a.com\" is defined twice"));
  EXPECT_THAT(ResolveError(R"({"PeerOrgs":[{"Name":"A","Domain":"a.com","Template":{"Count":1,
                 "Hostname":"{{.Nope}}"}}]})"),
              HasSubstr("PeerOrgs[0].Template.Hostname: unknown template variable"));
  EXPECT_THAT(
      ResolveError(R"({"PeerOrgs":[{"Name":"A","Domain":"a.com"},{"Name":"B","Domain":"a.com"}]})"),
      HasSubstr("PeerOrgs[1].Domain \"a.com\" is used by another org"));
}

TEST(ResolveTest, RenderTemplateSubstitutesKnownVariables) {
  EXPECT_EQ(*RenderTemplate("{{.Prefix}}{{ .Index }}", {{"Prefix", "peer"}, {"Index", "3"}}),
            "peer3");
  EXPECT_FALSE(RenderTemplate("{{.Prefix", {{"Prefix", "peer"}}).ok());
  EXPECT_EQ(*RenderTemplate("plain", {}), "plain");
}

}  // namespace
}  // namespace fabric::cryptogen

namespace fabric::cryptogen {
namespace {

// Fabric's crypto-config.yaml format: comments, block and flow style, anchors and merge keys,
// empty (null) sections.
TEST(ConfigYamlTest, ReadsFabricsYamlFormat) {
  StatusOr<Config> config = ParseConfig(R"(
# Orderer orgs
OrdererOrgs:
  - &orderer
    Name: Orderer
    Domain: example.com
    EnableNodeOUs: true
    Specs:
      - Hostname: orderer
        SANS: [localhost, 127.0.0.1]
      - Hostname: orderer2
PeerOrgs:
  - Name: Org1
    Domain: org1.example.com
    EnableNodeOUs: false
    CA:
      Country: DE
      Province: Berlin
    Template:
      Count: 2
      Start: 5
      SANS:
        - "{{.Hostname}}.alt.example.com"
    Specs:
    Users:
      Count: 3
  - <<: *orderer
    Name: Org2
    Domain: org2.example.com
    Specs:
)");
  ASSERT_TRUE(config.ok()) << config.status();
  ASSERT_EQ(config->orderer_orgs.size(), 1u);
  ASSERT_EQ(config->orderer_orgs[0].specs.size(), 2u);
  EXPECT_THAT(config->orderer_orgs[0].specs[0].sans, ElementsAre("localhost", "127.0.0.1"));
  ASSERT_EQ(config->peer_orgs.size(), 2u);
  const OrgSpec& org1 = config->peer_orgs[0];
  EXPECT_FALSE(org1.enable_node_ous);
  EXPECT_EQ(org1.ca.country, "DE");
  EXPECT_EQ(org1.ca.province, "Berlin");
  EXPECT_EQ(org1.node_template.count, 2);
  EXPECT_EQ(org1.node_template.start, 5);
  EXPECT_THAT(org1.node_template.sans, ElementsAre("{{.Hostname}}.alt.example.com"));
  EXPECT_TRUE(org1.specs.empty());
  EXPECT_EQ(org1.user_count, 3);
  // The merged org takes the anchor's NodeOUs; its own Name, Domain and (empty) Specs win.
  const OrgSpec& org2 = config->peer_orgs[1];
  EXPECT_EQ(org2.domain, "org2.example.com");
  EXPECT_TRUE(org2.enable_node_ous);
  EXPECT_TRUE(org2.specs.empty());
}

TEST(ConfigYamlTest, JsonFormStillAccepted) {
  StatusOr<Config> config =
      ParseConfig(R"({"PeerOrgs": [{"Name": "A", "Domain": "a.com", "Template": {"Count": 1}}]})");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->peer_orgs[0].node_template.count, 1);
}

TEST(ConfigYamlTest, TemplateIsFabricFormatYaml) {
  const std::string text = DefaultConfigYaml();
  EXPECT_THAT(text, HasSubstr("OrdererOrgs:\n  - Name: Orderer\n"));
  EXPECT_EQ(text.find('{'), text.find("{{"));  // No JSON braces, only template variables.
  EXPECT_THAT(ParseError("PeerOrgs:\n  - Name: A\n    Domain: a.com\n    Bogus: 1\n"),
              HasSubstr("unknown field \"Bogus\" in PeerOrgs[0]"));
}

}  // namespace
}  // namespace fabric::cryptogen
