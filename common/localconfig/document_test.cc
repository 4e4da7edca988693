// SPDX-License-Identifier: Apache-2.0
#include "common/localconfig/document.h"

#include <gtest/gtest.h>

namespace fabric::localconfig {
namespace {

// Applies a scalar setting and returns what the setter got ("<unset>" when it was not called).
std::string ScalarAt(Document& doc, std::string_view path) {
  std::string got = "<unset>";
  Status s = doc.Apply(path, [&](const std::string& v) {
    got = v;
    return Status::OK();
  });
  EXPECT_TRUE(s.ok()) << s;
  return got;
}

std::vector<std::string> ListAt(Document& doc, std::string_view path) {
  std::vector<std::string> got;
  Status s = doc.Apply(
      path,
      [&](const std::string& v) {
        got = SplitList(v);
        return Status::OK();
      },
      [&](const std::vector<std::string>& items) {
        got = items;
        return Status::OK();
      });
  EXPECT_TRUE(s.ok()) << s;
  return got;
}

TEST(DocumentTest, ReadsScalarsListsAndNullsCaseInsensitively) {
  auto doc = Document::Parse(R"(
peer:
    id: peer0
    tls:
        enabled:  true
        clientRootCAs:
            files:
              - tls/ca.crt
              - "/abs/other ca.crt"
        clientKey:
            file:
    limits: {concurrency: {endorserService: 16}}
vm:
    docker:
        hostConfig:
            Memory: 2147483648
            Dns: ~
chaincode:
    externalBuilders: []
)",
                             "core.yaml");
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(ScalarAt(*doc, "peer.id"), "peer0");
  EXPECT_EQ(ScalarAt(*doc, "PEER.TLS.ENABLED"), "true");
  EXPECT_EQ(ListAt(*doc, "peer.tls.clientrootcas.files"),
            (std::vector<std::string>{"tls/ca.crt", "/abs/other ca.crt"}));
  EXPECT_EQ(ScalarAt(*doc, "peer.tls.clientKey.file"), "<unset>");
  EXPECT_EQ(ScalarAt(*doc, "peer.limits.concurrency.endorserService"), "16");
  EXPECT_EQ(ScalarAt(*doc, "vm.docker.hostConfig.Memory"), "2147483648");
  EXPECT_EQ(ScalarAt(*doc, "vm.docker.hostConfig.Dns"), "<unset>");
  EXPECT_EQ(ListAt(*doc, "chaincode.externalBuilders"), std::vector<std::string>{});
  EXPECT_EQ(ScalarAt(*doc, "peer.absent"), "<unset>");
}

TEST(DocumentTest, PlainYaml11BooleansReadAsGoReadsThem) {
  auto doc = Document::Parse("a: yes\nb: Off\nc: 'no'\nd: on\n", "f.yaml");
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(ScalarAt(*doc, "a"), "true");
  EXPECT_EQ(ScalarAt(*doc, "b"), "false");
  EXPECT_EQ(ScalarAt(*doc, "c"), "no") << "a quoted string stays a string";
  EXPECT_EQ(ScalarAt(*doc, "d"), "true");
}

TEST(DocumentTest, ResolvesAnchorsAliasesAndMergeKeys) {
  auto doc = Document::Parse(R"(
Defaults: &defaults
    Address: 127.0.0.1:8443
    TLS: &tls
        Enabled: true
Operations:
    <<: *defaults
    Address: 0.0.0.0:9443
Admin:
    TLS: *tls
)",
                             "orderer.yaml");
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(ScalarAt(*doc, "Operations.Address"), "0.0.0.0:9443") << "own keys win";
  EXPECT_EQ(ScalarAt(*doc, "Operations.TLS.Enabled"), "true");
  EXPECT_EQ(ScalarAt(*doc, "Admin.TLS.Enabled"), "true");
}

TEST(DocumentTest, MergeKeysApplyInDocumentOrderAsFabricsYamlLibrary) {
  auto doc = Document::Parse(R"(
A: &a
    Address: a
    Port: 1
B: &b
    Address: b
    Port: 2
    Extra: b
Before:
    Address: own
    <<: *a
After:
    <<: *a
    Address: own
List:
    <<: [*a, *b]
)",
                             "orderer.yaml");
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(ScalarAt(*doc, "Before.Address"), "a") << "a key before the merge is overridden";
  EXPECT_EQ(ScalarAt(*doc, "After.Address"), "own") << "a key after the merge wins";
  EXPECT_EQ(ScalarAt(*doc, "List.Address"), "a") << "of merged maps, the earlier wins";
  EXPECT_EQ(ScalarAt(*doc, "List.Port"), "1");
  EXPECT_EQ(ScalarAt(*doc, "List.Extra"), "b");
}

TEST(DocumentTest, JsonIsReadToo) {
  auto doc =
      Document::Parse(R"({"peer": {"id": "p1", "tls": {"enabled": false}, "n": 3}})", "core.json");
  ASSERT_TRUE(doc.ok()) << doc.status();
  EXPECT_EQ(ScalarAt(*doc, "peer.id"), "p1");
  EXPECT_EQ(ScalarAt(*doc, "peer.tls.enabled"), "false");
  EXPECT_EQ(ScalarAt(*doc, "peer.n"), "3");
}

TEST(DocumentTest, WrongKindsNameFileLineAndKey) {
  auto doc = Document::Parse(
      "peer:\n  tls:\n    enabled: true\n  id: [a, b]\n"
      "  handlers:\n    - name: x\n",
      "core.yaml");
  ASSERT_TRUE(doc.ok()) << doc.status();
  Status section = doc->Apply("peer.tls", [](const std::string&) { return Status::OK(); });
  EXPECT_TRUE(section.IsInvalidArgument());
  EXPECT_EQ(section.message(), "core.yaml:2: peer.tls: expected a value, found a section of keys");
  Status list = doc->Apply("peer.id", [](const std::string&) { return Status::OK(); });
  EXPECT_EQ(list.message(), "core.yaml:4: peer.id: expected one value, found a list");
  Status maps = doc->Apply(
      "peer.handlers", [](const std::string&) { return Status::OK(); },
      [](const std::vector<std::string>&) { return Status::OK(); });
  EXPECT_EQ(maps.message(),
            "core.yaml:5: peer.handlers: expected a list of values, found a list of sections");
  Status refused = doc->Apply("peer.tls.enabled", [](const std::string&) {
    return InvalidArgumentError("peer.tls.enabled: not wanted");
  });
  EXPECT_EQ(refused.message(), "core.yaml:3: peer.tls.enabled: not wanted");
}

TEST(DocumentTest, SyntaxErrorsNameFileAndLine) {
  auto doc = Document::Parse("peer:\n  id: a\n  tls: [unclosed\n", "/etc/core.yaml");
  ASSERT_FALSE(doc.ok());
  EXPECT_TRUE(doc.status().IsInvalidArgument());
  EXPECT_EQ(std::string(doc.status().message()).rfind("/etc/core.yaml:", 0), 0u) << doc.status();
  auto tabs = Document::Parse("peer:\n  id: a\n   bad: indentation: here\n", "core.yaml");
  ASSERT_FALSE(tabs.ok());
  EXPECT_NE(std::string(tabs.status().message()).find("core.yaml:3:"), std::string::npos)
      << tabs.status();
  auto scalar = Document::Parse("just text", "core.yaml");
  ASSERT_FALSE(scalar.ok());
  EXPECT_NE(std::string(scalar.status().message()).find("at the top"), std::string::npos);
  EXPECT_TRUE(Document::Load("/no/such/core.yaml").status().IsNotFound());
}

TEST(DocumentTest, UnusedKeysAreListedOnceBySection) {
  auto doc = Document::Parse(R"(
peer:
    id: p
    gossip:
        bootstrap: 127.0.0.1:7051
        election:
            startupGracePeriod: 15s
    tls:
        enabled: false
        cert:
            file: tls/server.crt
    adminService:
    gomaxprocs: -1
vm:
    docker:
        hostConfig:
            NetworkMode: host
            LogConfig:
                Type: json-file
ledger:
    state:
        stateDatabase: goleveldb
metrics:
    provider: disabled
)",
                             "core.yaml");
  ASSERT_TRUE(doc.ok()) << doc.status();
  doc->Get("peer.id");
  doc->Get("peer.tls.enabled");
  doc->Get("peer.tls.cert.file");
  doc->Get("peer.tls.key.file");
  doc->Get("vm.docker.hostConfig.NetworkMode");
  doc->MarkUsed("metrics");
  EXPECT_EQ(doc->Unused(),
            (std::vector<std::string>{"peer.gossip.*", "peer.gomaxprocs",
                                      "vm.docker.hostConfig.LogConfig.*", "ledger.*"}));
  Report report{.file = "core.yaml", .ignored = doc->Unused(), .notices = {}};
  EXPECT_EQ(report.IgnoredLine(),
            "core.yaml: not used by fabric-cpp (ignored): peer.gossip.*, peer.gomaxprocs, "
            "vm.docker.hostConfig.LogConfig.*, ledger.*");
  EXPECT_EQ(Report{}.IgnoredLine(), "");
}

TEST(DocumentTest, AliasBombsAreRefused) {
  std::string text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n";
  std::string prev = "a";
  for (int i = 0; i < 8; ++i) {
    std::string name = "l" + std::to_string(i);
    text += name + ": &" + name + " {";
    for (int j = 0; j < 10; ++j) {
      text += (j ? ", " : "") + std::string("k") + std::to_string(j) + ": *" + prev;
    }
    text += "}\n";
    prev = name;
  }
  auto doc = Document::Parse(text, "bomb.yaml");
  EXPECT_FALSE(doc.ok());
}

TEST(ValueParsingTest, BooleansAndLists) {
  EXPECT_EQ(ParseBool("true"), true);
  EXPECT_EQ(ParseBool("T"), true);
  EXPECT_EQ(ParseBool("0"), false);
  EXPECT_EQ(ParseBool(""), false);
  EXPECT_EQ(ParseBool("yes please"), std::nullopt);
  EXPECT_EQ(SplitList("[a, b]"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(SplitList("a,b"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(SplitList(" a b "), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(SplitList("[]"), std::vector<std::string>{});
}

}  // namespace
}  // namespace fabric::localconfig
