// SPDX-License-Identifier: Apache-2.0

#include "tools/common/yaml_json.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fabric::tools {
namespace {

using nlohmann::json;
using ::testing::HasSubstr;

json Parse(std::string_view text) {
  StatusOr<json> value = ParseYaml(text, "test.yaml");
  EXPECT_TRUE(value.ok()) << value.status();
  return value.ok() ? *value : json();
}

TEST(ParseYamlTest, TypesPlainScalarsAsYaml11) {
  json v = Parse(
      "a: 7051\nb: -3\nc: 0x10\nd: 010\ne: 1.5\nf: true\ng: yes\nh: Off\ni: ~\nj:\n"
      "k: 127.0.0.1\nl: 10 MB\nm: \"7051\"\nn: 'true'\no: !!str 12\np: 2s\n");
  EXPECT_EQ(v["a"], 7051);
  EXPECT_EQ(v["b"], -3);
  EXPECT_EQ(v["c"], 16);
  EXPECT_EQ(v["d"], 8);
  EXPECT_EQ(v["e"], 1.5);
  EXPECT_EQ(v["f"], true);
  EXPECT_EQ(v["g"], true);
  EXPECT_EQ(v["h"], false);
  EXPECT_TRUE(v["i"].is_null());
  EXPECT_TRUE(v["j"].is_null());
  EXPECT_EQ(v["k"], "127.0.0.1");
  EXPECT_EQ(v["l"], "10 MB");
  EXPECT_EQ(v["m"], "7051");
  EXPECT_EQ(v["n"], "true");
  EXPECT_EQ(v["o"], "12");
  EXPECT_EQ(v["p"], "2s");
}

TEST(ParseYamlTest, ExpandsAnchorsAndAliases) {
  json v = Parse("orgs:\n  - &Org1\n    Name: Org1\n    Port: 1\nuse:\n  - *Org1\n");
  EXPECT_EQ(v["use"][0], (json{{"Name", "Org1"}, {"Port", 1}}));
}

// gopkg.in/yaml.v2's order: what comes later wins, so a key before "<<" is overridden (Fabric's
// sampleconfig SampleInsecureKafka profile ends up solo this way).
TEST(ParseYamlTest, MergeKeysApplyInDocumentOrderAsGoYaml) {
  json v = Parse(
      "base: &base\n  Type: solo\n  Count: 1\n"
      "before:\n  Type: kafka\n  <<: *base\n"
      "after:\n  <<: *base\n  Type: etcdraft\n");
  EXPECT_EQ(v["before"], (json{{"Type", "solo"}, {"Count", 1}}));
  EXPECT_EQ(v["after"], (json{{"Type", "etcdraft"}, {"Count", 1}}));
}

TEST(ParseYamlTest, MergeListEarlierMapsWin) {
  json v = Parse("a: &a {x: 1, y: 1}\nb: &b {y: 2, z: 2}\nc:\n  <<: [*a, *b]\n");
  EXPECT_EQ(v["c"], (json{{"x", 1}, {"y", 1}, {"z", 2}}));
}

TEST(ParseYamlTest, NestedMergeOverridesOneEntry) {
  json v = Parse(
      "p: &p\n  Readers: r\n  Admins: a\n"
      "org:\n  Policies:\n    <<: *p\n    Admins: member\n");
  EXPECT_EQ(v["org"]["Policies"], (json{{"Readers", "r"}, {"Admins", "member"}}));
}

TEST(ParseYamlTest, JsonTextIsYaml) {
  json v = Parse(R"({"Profiles": {"A": {"Orderer": null, "List": [1, "x"]}}})");
  EXPECT_TRUE(v["Profiles"]["A"]["Orderer"].is_null());
  EXPECT_EQ(v["Profiles"]["A"]["List"], (json{1, "x"}));
}

TEST(ParseYamlTest, BadYamlNamesFileAndLine) {
  StatusOr<json> v = ParseYaml("a: 1\nb: [1, 2\nc: 3\n", "dir/configtx.yaml");
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.status().code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(v.status().message(), HasSubstr("dir/configtx.yaml:"));
  v = ParseYaml("a: 1\nb:\n  - x\n  y: 2\n", "c.yaml");
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.status().message(), HasSubstr("c.yaml:4:"));
}

TEST(ParseYamlTest, UnknownAliasAndBadMergeAreErrors) {
  StatusOr<json> v = ParseYaml("a: *nothing\n", "c.yaml");
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.status().message(), HasSubstr("c.yaml:1:"));
  v = ParseYaml("a:\n  <<: 3\n", "c.yaml");
  ASSERT_FALSE(v.ok());
  EXPECT_THAT(v.status().message(), HasSubstr("c.yaml:2:"));
  EXPECT_THAT(v.status().message(), HasSubstr("merge key"));
}

TEST(ParseYamlTest, EmptyDocumentIsNull) { EXPECT_TRUE(Parse("").is_null()); }

}  // namespace
}  // namespace fabric::tools
