// SPDX-License-Identifier: Apache-2.0
//
// Unit tests of the CLI's pure parts: -c JSON, code packages, response formatting, and
// the commands' argument errors (which fail before any network call).

#include "peer/cli/cli.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include <absl/strings/str_join.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/archive/archive.h"
#include "common/crypto/hash.h"
#include "common/msp/testing/test_org.h"
#include "common/msp/x509_signing_identity.h"
#include "common/protoutil/ccpackage.h"
#include "peer/cli/command.h"
#include "peer/cli/ctor.h"
#include "peer/cli/package.h"
#include "peer/platforms/code_package.h"

namespace fabric::cli {
namespace {

namespace fs = std::filesystem;

TEST(CtorTest, ParsesArgs) {
  auto in = ParseCtor(R"({"Args":["invoke","a","b","10"]})");
  ASSERT_TRUE(in.ok()) << in.status();
  ASSERT_EQ(in->args_size(), 4);
  EXPECT_EQ(in->args(0), "invoke");
  EXPECT_EQ(in->args(3), "10");
}

TEST(CtorTest, FunctionGoesFirstAndKeysAreCaseInsensitive) {
  auto in = ParseCtor(R"({"function":"init","args":["a","100"]})");
  ASSERT_TRUE(in.ok()) << in.status();
  ASSERT_EQ(in->args_size(), 3);
  EXPECT_EQ(in->args(0), "init");
  EXPECT_EQ(in->args(1), "a");
}

TEST(CtorTest, RejectsBadJsonWithAClearMessage) {
  auto bad = ParseCtor(R"({"Args":["a",)");
  ASSERT_FALSE(bad.ok());
  EXPECT_TRUE(bad.status().IsInvalidArgument());
  EXPECT_NE(bad.status().message().find("chaincode argument error: invalid JSON"),
            std::string::npos);
  auto not_strings = ParseCtor(R"({"Args":["a", 10]})");
  ASSERT_FALSE(not_strings.ok());
  EXPECT_NE(not_strings.status().message().find("element 10 is not a string"), std::string::npos);
  auto empty = ParseCtor("{}");
  ASSERT_FALSE(empty.ok());
  EXPECT_NE(empty.status().message().find("empty JSON chaincode parameters must contain"),
            std::string::npos);
  auto array = ParseCtor(R"(["a"])");
  EXPECT_FALSE(array.ok());
  auto extra = ParseCtor(R"({"Args":["a"],"Foo":1})");
  EXPECT_FALSE(extra.ok());
}

// A 60,000-deep array is refused before it is parsed: parsing it, or printing it into the
// error message, recurses once per level and would exhaust the stack.
TEST(CtorTest, RefusesDeepNestingWithoutCrashing) {
  const std::string deep =
      R"({"Args":[)" + std::string(60000, '[') + std::string(60000, ']') + "]}";
  auto r = ParseCtor(deep);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.status().message().find("nested deeper than"), std::string::npos);
  // Brackets inside strings do not count.
  auto in_string = ParseCtor(R"({"Args":[")" + std::string(500, '[') + R"("]})");
  ASSERT_TRUE(in_string.ok()) << in_string.status();
  EXPECT_EQ(in_string->args(0), std::string(500, '['));
}

class TempDir {
 public:
  TempDir() {
    char tmpl[] = "/tmp/peer_cli_test_XXXXXX";
    path_ = mkdtemp(tmpl);
  }
  ~TempDir() { fs::remove_all(path_); }
  const std::string& path() const { return path_; }
  void Write(const std::string& rel, const std::string& data) {
    fs::create_directories(fs::path(path_ + "/" + rel).parent_path());
    std::ofstream(path_ + "/" + rel, std::ios::binary) << data;
  }

 private:
  std::string path_;
};

// Names (long ones too), modes and contents survive the package's gzipped tar.
TEST(PackageTest, PackageKeepsNamesModesAndData) {
  TempDir dir;
  const std::string deep = std::string(120, 'd') + "/main.cc";
  dir.Write("CMakeLists.txt", "add_executable(chaincode main.cc)\n");
  dir.Write(deep, std::string(1000, 'x'));
  dir.Write("empty", "");
  fs::permissions(dir.path() + "/" + deep, fs::perms::owner_exec, fs::perm_options::add);
  auto pkg = BuildCodePackage(protos::ChaincodeSpec::CPP, dir.path());
  ASSERT_TRUE(pkg.ok()) << pkg.status();
  auto out = archive::Read(*pkg);
  ASSERT_TRUE(out.ok()) << out.status();
  ASSERT_EQ(out->size(), 3u);
  EXPECT_EQ((*out)[0].path, "src/CMakeLists.txt");
  EXPECT_EQ((*out)[0].mode, 0644u);
  EXPECT_EQ((*out)[1].path, "src/" + deep);
  EXPECT_EQ((*out)[1].mode, 0755u);
  EXPECT_EQ((*out)[1].content, std::string(1000, 'x'));
  EXPECT_EQ((*out)[2].path, "src/empty");
  EXPECT_EQ((*out)[2].content, "");
}

std::vector<std::string> Names(const std::string& package) {
  std::vector<std::string> names;
  auto files = archive::Read(package);
  EXPECT_TRUE(files.ok()) << files.status();
  for (const auto& f : files.ok() ? *files : std::vector<archive::Entry>{}) {
    names.push_back(f.path);
    EXPECT_EQ(f.mode, 0644u) << f.path;  // Fabric's Go and node platforms refuse other modes
  }
  return names;
}

// $GOPATH set for one test.
class ScopedGopath {
 public:
  explicit ScopedGopath(const std::string& value) {
    const char* old = std::getenv("GOPATH");
    old_ = old == nullptr ? std::nullopt : std::optional<std::string>(old);
    setenv("GOPATH", value.c_str(), 1);
  }
  ~ScopedGopath() {
    if (old_.has_value()) {
      setenv("GOPATH", old_->c_str(), 1);
    } else {
      unsetenv("GOPATH");
    }
  }

 private:
  std::optional<std::string> old_;
};

// Fabric 1.4's layout (its `peer chaincode package` output for the same tree, GO111MODULE=off):
// src/<import path>/ with the sources, their vendor/ folder and sub-packages, META-INF at the
// top; other files left out; every mode 0644.
TEST(PackageTest, GoGopathPackageFollowsFabric14) {
  TempDir gopath;
  ScopedGopath scoped(gopath.path() + ":/elsewhere");
  const std::string cc = "src/example.com/gp/";
  gopath.Write(cc + "main.go", "package main\n");
  gopath.Write(cc + "sub/sub.go", "package sub\n");
  gopath.Write(cc + "vendor/example.org/dep/dep.go", "package dep\n");
  gopath.Write(cc + "README.md", "not packed");
  gopath.Write(cc + "run.sh", "#!/bin/sh\n");
  gopath.Write(cc + "META-INF/statedb/couchdb/indexes/i.json", "{}");
  fs::permissions(gopath.path() + "/" + cc + "main.go", fs::perms::owner_exec,
                  fs::perm_options::add);
  auto pkg = BuildCodePackage(protos::ChaincodeSpec::GOLANG, "example.com/gp");
  ASSERT_TRUE(pkg.ok()) << pkg.status();
  EXPECT_EQ(Names(*pkg),
            (std::vector<std::string>{"META-INF/statedb/couchdb/indexes/i.json",
                                      "src/example.com/gp/main.go", "src/example.com/gp/sub/sub.go",
                                      "src/example.com/gp/vendor/example.org/dep/dep.go"}));
  EXPECT_EQ(ChaincodePath(protos::ChaincodeSpec::GOLANG, "example.com/gp").value(),
            "example.com/gp");
  Status missing = BuildCodePackage(protos::ChaincodeSpec::GOLANG, "example.com/none").status();
  EXPECT_TRUE(missing.IsNotFound()) << missing;
}

// Fabric 2.x's layout for a module: the module's folder as src/ (go.mod, vendor/, every file),
// the chaincode path recorded as the import path.
TEST(PackageTest, GoModulePacksTheModuleFolderAndRecordsTheImportPath) {
  TempDir mod;
  mod.Write("go.mod", "// the module\nmodule \"example.com/mod\"\n\ngo 1.19\n");
  mod.Write("main.go", "package main\n");
  mod.Write("cmd/cc/main.go", "package main\n");
  mod.Write("vendor/modules.txt", "# example.org/dep v1.0.0\n");
  mod.Write("vendor/example.org/dep/dep.go", "package dep\n");
  mod.Write("cmd/cc/META-INF/statedb/couchdb/indexes/i.json", "{}");
  mod.Write(".git/config", "hidden");
  auto pkg = BuildCodePackage(protos::ChaincodeSpec::GOLANG, mod.path());
  ASSERT_TRUE(pkg.ok()) << pkg.status();
  EXPECT_EQ(Names(*pkg), (std::vector<std::string>{
                             "src/cmd/cc/META-INF/statedb/couchdb/indexes/i.json",
                             "src/cmd/cc/main.go", "src/go.mod", "src/main.go",
                             "src/vendor/example.org/dep/dep.go", "src/vendor/modules.txt"}));
  EXPECT_EQ(ChaincodePath(protos::ChaincodeSpec::GOLANG, mod.path()).value(), "example.com/mod");
  // A package inside the module: the whole module is packed, its META-INF at the top.
  auto sub = BuildCodePackage(protos::ChaincodeSpec::GOLANG, mod.path() + "/cmd/cc");
  ASSERT_TRUE(sub.ok()) << sub.status();
  EXPECT_EQ(Names(*sub)[0], "META-INF/statedb/couchdb/indexes/i.json");
  EXPECT_EQ(ChaincodePath(protos::ChaincodeSpec::GOLANG, mod.path() + "/cmd/cc").value(),
            "example.com/mod/cmd/cc");
  EXPECT_EQ(ChaincodePath(protos::ChaincodeSpec::CPP, "any/where").value(), "any/where");
}

TEST(PackageTest, GoFolderWithoutGoModNeedsAnImportPath) {
  TempDir dir;
  dir.Write("main.go", "package main\n");
  Status s = BuildCodePackage(protos::ChaincodeSpec::GOLANG, dir.path()).status();
  EXPECT_TRUE(s.IsInvalidArgument()) << s;
  EXPECT_NE(s.message().find("has no go.mod"), std::string::npos) << s;
  dir.Write("go.mod", "go 1.19\n");
  s = BuildCodePackage(protos::ChaincodeSpec::GOLANG, dir.path()).status();
  EXPECT_NE(s.message().find("has no module line"), std::string::npos) << s;
}

// As Fabric's node platform: no node_modules, META-INF at the top, every file 0644 (so the
// platform's install check accepts it).
TEST(PackageTest, NodePackageLeavesOutNodeModulesAndKeepsMetaInfAtTheTop) {
  TempDir dir;
  dir.Write("package.json", R"({"scripts":{"start":"node index.js"}})");
  dir.Write("index.js", "require('fabric-shim');\n");
  dir.Write("node_modules/fabric-shim/index.js", "ignored");
  dir.Write("lib/node_modules/kept.js", "kept: only the top-level node_modules is left out");
  dir.Write("META-INF/statedb/couchdb/indexes/owner.json", "{}");
  fs::permissions(dir.path() + "/index.js", fs::perms::owner_exec, fs::perm_options::add);
  auto pkg = BuildCodePackage(protos::ChaincodeSpec::NODE, dir.path());
  ASSERT_TRUE(pkg.ok()) << pkg.status();
  EXPECT_EQ(Names(*pkg),
            (std::vector<std::string>{"META-INF/statedb/couchdb/indexes/owner.json", "src/index.js",
                                      "src/lib/node_modules/kept.js", "src/package.json"}));
  EXPECT_TRUE(platforms::ValidateInstallPackage(protos::ChaincodeSpec::NODE, *pkg).ok());
}

TEST(PackageTest, CppPackageIsDeterministicAndNeedsCMakeLists) {
  TempDir dir;
  dir.Write("main.cc", "int main() {}\n");
  auto missing = BuildCodePackage(protos::ChaincodeSpec::CPP, dir.path());
  ASSERT_FALSE(missing.ok());
  EXPECT_NE(missing.status().message().find("no CMakeLists.txt"), std::string::npos);

  dir.Write("CMakeLists.txt", "project(cc)\n");
  dir.Write(".git/config", "ignored");
  dir.Write("build/CMakeCache.txt", "ignored");
  dir.Write("lib/util.h", "#pragma once\n");
  auto a = BuildCodePackage(protos::ChaincodeSpec::CPP, dir.path());
  auto b = BuildCodePackage(protos::ChaincodeSpec::CPP, dir.path());
  ASSERT_TRUE(a.ok()) << a.status();
  EXPECT_EQ(*a, *b);
  auto files = archive::Read(*a);
  ASSERT_TRUE(files.ok());
  std::vector<std::string> names;
  for (const auto& f : *files) {
    names.push_back(f.path);
  }
  EXPECT_EQ(names,
            (std::vector<std::string>{"src/CMakeLists.txt", "src/lib/util.h", "src/main.cc"}));
  EXPECT_TRUE(BuildCodePackage(protos::ChaincodeSpec::CPP, "/no/such/dir").status().IsNotFound());
}

TEST(PackageTest, ExternalPackageHoldsTheFolderWithConnectionJsonAtItsTop) {
  TempDir dir;
  auto missing = BuildCodePackage(protos::ChaincodeSpec::EXTERNAL, dir.path());
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(std::string(missing.status().message()),
              ::testing::HasSubstr("is not an external chaincode: no connection.json in it"));
  dir.Write("connection.json", R"({"address": "cc:9999", "dial_timeout": "ten"})");
  auto bad = BuildCodePackage(protos::ChaincodeSpec::EXTERNAL, dir.path());
  ASSERT_FALSE(bad.ok());
  EXPECT_THAT(std::string(bad.status().message()),
              ::testing::HasSubstr("dial_timeout \"ten\" is not a duration"));
  dir.Write("connection.json", R"({"address": "cc:9999", "dial_timeout": "10s"})");
  dir.Write("META-INF/statedb/couchdb/indexes/i.json", "{}");
  auto pkg = BuildCodePackage(protos::ChaincodeSpec::EXTERNAL, dir.path());
  ASSERT_TRUE(pkg.ok()) << pkg.status();
  auto files = archive::Read(*pkg);
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 2u);
  EXPECT_EQ((*files)[0].path, "META-INF/statedb/couchdb/indexes/i.json");
  EXPECT_EQ((*files)[1].path, "connection.json");
  EXPECT_TRUE(platforms::ValidateInstallPackage(protos::ChaincodeSpec::EXTERNAL, *pkg).ok());
}

TEST(PackageTest, ParsesLanguages) {
  EXPECT_EQ(*ParseLanguage("cpp"), protos::ChaincodeSpec::CPP);
  EXPECT_EQ(*ParseLanguage("GOLANG"), protos::ChaincodeSpec::GOLANG);
  EXPECT_EQ(*ParseLanguage("node"), protos::ChaincodeSpec::NODE);
  EXPECT_EQ(*ParseLanguage("external"), protos::ChaincodeSpec::EXTERNAL);
  EXPECT_EQ(*ParseLanguage("CCAAS"), protos::ChaincodeSpec::EXTERNAL);
  EXPECT_FALSE(ParseLanguage("rust").ok());
}

TEST(FormatResponseTest, MatchesGoCompactText) {
  protos::Response r;
  r.set_status(200);
  r.set_payload("90");
  EXPECT_EQ(FormatResponse(r), "status:200 payload:\"90\"");
  protos::Response e;
  e.set_status(500);
  e.set_message("say \"hi\"\n");
  EXPECT_EQ(FormatResponse(e), "status:500 message:\"say \\\"hi\\\"\\n\"");
}

int RunPeer(const std::vector<std::string>& args, std::string* out, std::string* err) {
  std::ostringstream o, e;
  int rc = RunCli(args, o, e);
  *out = o.str();
  *err = e.str();
  return rc;
}

TEST(RunCliTest, ArgumentErrorsExitNonZeroWithAMessage) {
  std::string out, err;
  EXPECT_EQ(RunPeer({"chaincode", "invoke", "-C", "ch", "-n", "cc", "-c", "{bad"}, &out, &err), 1);
  EXPECT_NE(err.find("Error: chaincode argument error: invalid JSON"), std::string::npos) << err;
  EXPECT_EQ(RunPeer({"chaincode", "invoke", "-c", R"({"Args":[]})"}, &out, &err), 1);
  EXPECT_NE(err.find("Error: The required parameter 'channelID' is empty."), std::string::npos);
  EXPECT_EQ(RunPeer({"channel", "join"}, &out, &err), 1);
  EXPECT_NE(err.find("Must supply genesis block path"), std::string::npos);
  EXPECT_EQ(RunPeer({"channel", "fetch", "sideways", "-c", "ch", "-o", "x"}, &out, &err), 1);
  EXPECT_NE(err.find("fetch target illegal: sideways"), std::string::npos);
  EXPECT_EQ(RunPeer({"chaincode", "list"}, &out, &err), 1);
  EXPECT_NE(err.find("--installed"), std::string::npos);
  EXPECT_EQ(RunPeer({"channel", "list", "--bogus"}, &out, &err), 1);
  EXPECT_NE(err.find("unknown flag: --bogus"), std::string::npos);
  EXPECT_EQ(RunPeer({"chaincode", "instantiate", "-C", "ch", "-n", "cc", "-v", "1", "-c",
                     R"({"Args":["init"]})", "-P", "AND('Org1MSP.peer'"},
                    &out, &err),
            1);
  EXPECT_NE(err.find("invalid policy"), std::string::npos) << err;
}

TEST(RunCliTest, HelpAfterASubcommandPrintsItsFlags) {
  std::string out, err;
  EXPECT_EQ(RunPeer({"chaincode", "invoke", "-C", "ch", "--help"}, &out, &err), 0);
  EXPECT_NE(out.find("Usage:\n  peer chaincode invoke [flags]"), std::string::npos) << out;
  EXPECT_NE(out.find("      --peerAddresses stringArray"), std::string::npos) << out;
  EXPECT_EQ(RunPeer({"channel", "fetch", "-h"}, &out, &err), 0);
  EXPECT_NE(out.find("  -o, --orderer string"), std::string::npos) << out;
  EXPECT_EQ(RunPeer({"channel", "frobnicate", "--help"}, &out, &err), 0);
  EXPECT_EQ(out.rfind("Operate a channel: ", 0), 0u) << out;
}

// Every command and subcommand answers -h and --help with its usage on stdout and exit 0, as
// cobra does; a command group without a (known) subcommand prints its usage and succeeds.
TEST(RunCliTest, HelpOnEveryCommandExitsZero) {
  const std::vector<std::vector<std::string>> commands = {
      {},
      {"chaincode"},
      {"chaincode", "install"},
      {"chaincode", "instantiate"},
      {"chaincode", "invoke"},
      {"chaincode", "list"},
      {"chaincode", "package"},
      {"chaincode", "query"},
      {"chaincode", "signpackage"},
      {"chaincode", "upgrade"},
      {"channel"},
      {"channel", "create"},
      {"channel", "fetch"},
      {"channel", "getinfo"},
      {"channel", "join"},
      {"channel", "list"},
      {"logging"},
      {"logging", "getlevel"},
      {"logging", "setlevel"},
      {"logging", "revertlevels"},
      {"logging", "getlogspec"},
      {"logging", "setlogspec"},
      {"node"},
      {"node", "status"},
  };
  for (const auto& command : commands) {
    for (const char* help : {"-h", "--help"}) {
      std::vector<std::string> args = command;
      args.push_back(help);
      std::string out, err;
      EXPECT_EQ(RunPeer(args, &out, &err), 0) << absl::StrJoin(args, " ") << ": " << err;
      EXPECT_NE(out.find("Usage:\n  peer "), std::string::npos) << absl::StrJoin(args, " ");
      EXPECT_TRUE(err.empty()) << absl::StrJoin(args, " ") << ": " << err;
    }
  }
  std::string out, err;
  EXPECT_EQ(RunPeer({}, &out, &err), 0);
  EXPECT_EQ(RunPeer({"chaincode", "frobnicate"}, &out, &err), 0);
  EXPECT_EQ(out.rfind("Operate a chaincode: ", 0), 0u) << out;
  EXPECT_EQ(RunPeer({"logging", "setlevel", "--help"}, &out, &err), 0);
  EXPECT_NE(out.find("peer logging setlevel <logger> <log level> [flags]"), std::string::npos);
  EXPECT_EQ(RunPeer({"chaincode", "package", "--help"}, &out, &err), 0);
  EXPECT_NE(out.find("  -i, --instantiate-policy string"), std::string::npos) << out;
}

// The first "Error: ..." line and the exit status Fabric 1.4.12's peer prints for the failures
// scripts look for, observed with CORE_PEER_ADDRESS=127.0.0.1:1 (nothing listening). Where
// Fabric connects before checking flags and so reports the connection instead, the expected
// line is Fabric's for the same command with a reachable peer (its source's wording).
TEST(RunCliTest, FailuresPrintFabricsFirstErrorLine) {
  setenv("CORE_PEER_ADDRESS", "127.0.0.1:1", 1);
  struct Case {
    std::vector<std::string> args;
    std::string first_line;  // a prefix of the first line of stderr
  };
  const std::vector<Case> cases = {
      {{"foo"}, "Error: unknown command \"foo\" for \"peer\""},
      {{"chaincode", "invoke", "--bogus"}, "Error: unknown flag: --bogus"},
      {{"chaincode", "--bogus"}, "Error: unknown flag: --bogus"},
      {{"chaincode", "invoke", "-C", "ch"},
       "Error: must supply value for chaincode name parameter"},
      {{"chaincode", "invoke", "-n", "x"},
       "Error: The required parameter 'channelID' is empty. Rerun the command with -C flag"},
      {{"chaincode", "query", "-n", "x"},
       "Error: The required parameter 'channelID' is empty. Rerun the command with -C flag"},
      {{"chaincode", "invoke", "-n", "x", "-C", "ch", "-c", "notjson"},
       "Error: chaincode argument error: "},
      {{"chaincode", "list", "--instantiated"},
       "Error: The required parameter 'channelID' is empty. Rerun the command with -C flag"},
      {{"chaincode", "list"},
       "Error: Must explicitly specify \"--installed\" or \"--instantiated\""},
      {{"chaincode", "install"},
       "Error: Must supply value for chaincode name, path and version parameters."},
      {{"channel", "create"}, "Error: must supply channel ID"},
      {{"channel", "join"}, "Error: Must supply genesis block path"},
      {{"node", "status", "extra"}, "Error: trailing args detected: [extra]"},
      {{"logging", "getlevel"}, "Error: no parameters provided"},
      {{"logging", "setlevel", "x"}, "Error: no log level provided"},
      {{"logging", "setlevel", "x", "bogus"}, "Error: invalid log level provided - bogus"},
      {{"logging", "getlogspec", "a"},
       "Error: more parameters than necessary were provided. Expected 0, received 1"},
      {{"logging", "getlogspec"}, "Error: admin client failed to connect to 127.0.0.1:1: "},
      {{"node", "status"}, "Error: admin client failed to connect to 127.0.0.1:1: "},
  };
  for (const Case& c : cases) {
    std::string out, err;
    EXPECT_EQ(RunPeer(c.args, &out, &err), 1) << absl::StrJoin(c.args, " ");
    std::string first;
    std::istringstream lines(err);
    while (std::getline(lines, first) && first.find(" WARN ") != std::string::npos) {
    }
    EXPECT_EQ(first.rfind(c.first_line, 0), 0u) << absl::StrJoin(c.args, " ") << ": " << err;
  }
  std::string out, err;
  EXPECT_EQ(RunPeer({"node", "status"}, &out, &err), 1);
  EXPECT_EQ(out, "status:UNKNOWN \n");
  unsetenv("CORE_PEER_ADDRESS");
}

TEST(RunCliTest, UnreachablePeerSaysIsThePeerRunning) {
  TempDir dir;
  setenv("CORE_PEER_MSPCONFIGPATH", (dir.path() + "/msp").c_str(), 1);
  std::string out, err;
  // No MSP: the identity error names the folder and the variables.
  EXPECT_EQ(RunPeer({"channel", "list"}, &out, &err), 1);
  EXPECT_NE(err.find("CORE_PEER_MSPCONFIGPATH"), std::string::npos) << err;
  unsetenv("CORE_PEER_MSPCONFIGPATH");
}

TEST(RunCliTest, PackageWritesADeploymentSpec) {
  TempDir dir;
  dir.Write("cc/CMakeLists.txt", "project(cc)\n");
  dir.Write("cc/main.cc", "int main() {}\n");
  std::string out, err;
  std::string pak = dir.path() + "/cc.pak";
  ASSERT_EQ(RunPeer({"chaincode", "package", "-n", "mycc", "-v", "1.0", "-l", "cpp", "-p",
                     dir.path() + "/cc", pak},
                    &out, &err),
            0)
      << err;
  std::ifstream f(pak, std::ios::binary);
  std::string bytes((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  protos::ChaincodeDeploymentSpec cds;
  ASSERT_TRUE(cds.ParseFromString(bytes));
  EXPECT_EQ(cds.chaincode_spec().chaincode_id().name(), "mycc");
  EXPECT_EQ(cds.chaincode_spec().chaincode_id().version(), "1.0");
  EXPECT_EQ(cds.chaincode_spec().type(), protos::ChaincodeSpec::CPP);
  auto files = archive::Read(cds.code_package());
  ASSERT_TRUE(files.ok());
  EXPECT_EQ(files->size(), 2u);
}

// A local MSP (the admin of a test organisation named SampleOrg, as Fabric's sampleconfig) in
// CORE_PEER_MSPCONFIGPATH/CORE_PEER_LOCALMSPID for the life of the fixture.
class SignedPackageTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto org = msp::testing::MakeTestOrg(dir_.path() + "/org", "SampleOrg", "example.com");
    ASSERT_TRUE(org.ok()) << org.status();
    org_.emplace(std::move(org).value());
    setenv("CORE_PEER_MSPCONFIGPATH", org_->admin.msp_dir.c_str(), 1);
    setenv("CORE_PEER_LOCALMSPID", "SampleOrg", 1);
    dir_.Write("nodecc/package.json", "{\"name\":\"x\"}\n");
  }
  void TearDown() override {
    unsetenv("CORE_PEER_MSPCONFIGPATH");
    unsetenv("CORE_PEER_LOCALMSPID");
  }
  std::string Path(const std::string& rel) const { return dir_.path() + "/" + rel; }
  static std::string Read(const std::string& path) {
    std::ifstream f(path, std::ios::binary);
    return std::string((std::istreambuf_iterator<char>(f)), std::istreambuf_iterator<char>());
  }
  // Runs `peer chaincode package -n nodecc -v 1 -l node -p <dir>/nodecc <extra...> <out>`.
  int PackageNode(const std::vector<std::string>& extra, const std::string& out_file) {
    std::vector<std::string> args = {"chaincode", "package", "-n",   "nodecc", "-v",
                                     "1",         "-l",      "node", "-p",     Path("nodecc")};
    args.insert(args.end(), extra.begin(), extra.end());
    args.push_back(out_file);
    return RunPeer(args, &out_, &err_);
  }
  protoutil::SignedCCDepSpec Extract(const std::string& file) {
    common::Envelope env;
    EXPECT_TRUE(env.ParseFromString(Read(file)));
    auto pkg = protoutil::ExtractSignedCCDepSpec(env);
    EXPECT_TRUE(pkg.ok()) << pkg.status();
    return pkg.ok() ? *pkg : protoutil::SignedCCDepSpec{};
  }

  TempDir dir_;
  std::optional<msp::testing::TestOrg> org_;
  std::string out_, err_;
};

// Fabric 1.4.12's `peer chaincode package -n nodecc -v 1 -l node -p <dir> -s -S [-i ...]` with
// local MSP id SampleOrg, decoded: the instantiation policy bytes below are Fabric's, the
// envelope is unsigned, its payload header holds only a channel header {type 6
// (CHAINCODE_PACKAGE), timestamp in whole seconds}, the ChaincodeSpec has type NODE, the path as
// given and an empty input, and the code package holds src/package.json.
constexpr char kFabricDefaultPolicyHex[] =
    "120812060801120208001a0f120d0a0953616d706c654f72671001";  // AND('SampleOrg.admin')
constexpr char kFabricMemberPolicyHex[] =
    "120812060801120208001a0d120b0a0953616d706c654f7267";  // OR('SampleOrg.member')

TEST_F(SignedPackageTest, SignedPackageDecodesAsFabricsDoes) {
  ASSERT_EQ(PackageNode({"-s", "-S"}, Path("signed.pak")), 0) << err_;
  common::Envelope env;
  ASSERT_TRUE(env.ParseFromString(Read(Path("signed.pak"))));
  EXPECT_TRUE(env.signature().empty());
  common::Payload payload;
  ASSERT_TRUE(payload.ParseFromString(env.payload()));
  EXPECT_TRUE(payload.header().signature_header().empty());
  protoutil::SignedCCDepSpec pkg = Extract(Path("signed.pak"));
  const common::ChannelHeader& ch = pkg.channel_header;
  EXPECT_EQ(ch.type(), common::CHAINCODE_PACKAGE);
  EXPECT_EQ(ch.version(), 0);
  EXPECT_TRUE(ch.channel_id().empty() && ch.tx_id().empty() && ch.extension().empty());
  EXPECT_EQ(ch.epoch(), 0u);
  EXPECT_GT(ch.timestamp().seconds(), 0);
  EXPECT_EQ(ch.timestamp().nanos(), 0);
  EXPECT_EQ(crypto::HexEncode(pkg.signed_cds.instantiation_policy()), kFabricDefaultPolicyHex);

  protos::ChaincodeDeploymentSpec cds;
  ASSERT_TRUE(cds.ParseFromString(pkg.signed_cds.chaincode_deployment_spec()));
  EXPECT_EQ(cds.chaincode_spec().type(), protos::ChaincodeSpec::NODE);
  EXPECT_EQ(cds.chaincode_spec().chaincode_id().name(), "nodecc");
  EXPECT_EQ(cds.chaincode_spec().chaincode_id().version(), "1");
  EXPECT_EQ(cds.chaincode_spec().chaincode_id().path(), Path("nodecc"));
  EXPECT_TRUE(cds.chaincode_spec().has_input());
  EXPECT_EQ(cds.chaincode_spec().input().args_size(), 0);
  auto files = archive::Read(cds.code_package());
  ASSERT_TRUE(files.ok());
  ASSERT_EQ(files->size(), 1u);
  EXPECT_EQ((*files)[0].path, "src/package.json");

  // One owner endorsement by the local identity over cds || policy || endorser.
  ASSERT_EQ(pkg.signed_cds.owner_endorsements_size(), 1);
  const protos::Endorsement& e = pkg.signed_cds.owner_endorsements(0);
  auto signer = msp::LoadSigningIdentity(org_->admin.msp_dir, "SampleOrg");
  ASSERT_TRUE(signer.ok());
  EXPECT_EQ(e.endorser(), (*signer)->Serialize());
  auto key = org_->admin.cert.public_key();
  ASSERT_TRUE(key.ok());
  EXPECT_TRUE(key->Verify(pkg.signed_cds.chaincode_deployment_spec() +
                              pkg.signed_cds.instantiation_policy() + e.endorser(),
                          e.signature())
                  .ok());
}

TEST_F(SignedPackageTest, InstantiationPolicyFlagAndUnsignedPackage) {
  ASSERT_EQ(PackageNode({"-s", "-i", "OR('SampleOrg.member')"}, Path("unsigned.pak")), 0) << err_;
  protoutil::SignedCCDepSpec pkg = Extract(Path("unsigned.pak"));
  EXPECT_EQ(crypto::HexEncode(pkg.signed_cds.instantiation_policy()), kFabricMemberPolicyHex);
  EXPECT_EQ(pkg.signed_cds.owner_endorsements_size(), 0);
  EXPECT_EQ(fs::status(Path("unsigned.pak")).permissions() & fs::perms::all, fs::perms::owner_all);

  EXPECT_EQ(PackageNode({"-s", "-i", "OR('SampleOrg.member'"}, Path("bad.pak")), 1);
  EXPECT_NE(err_.find("Error: Invalid policy OR('SampleOrg.member', err "), std::string::npos)
      << err_;
}

// Fabric: "Wrote signed package to <out> successfully" on stdout; an unsigned (-s only) or raw
// package is refused, as is a missing argument.
TEST_F(SignedPackageTest, SignPackageAddsAnEndorsementAndRefusesWhatFabricRefuses) {
  ASSERT_EQ(PackageNode({"-s", "-S"}, Path("signed.pak")), 0) << err_;
  ASSERT_EQ(
      RunPeer({"chaincode", "signpackage", Path("signed.pak"), Path("twice.pak")}, &out_, &err_), 0)
      << err_;
  EXPECT_EQ(out_, "Wrote signed package to " + Path("twice.pak") + " successfully\n");
  protoutil::SignedCCDepSpec once = Extract(Path("signed.pak"));
  protoutil::SignedCCDepSpec twice = Extract(Path("twice.pak"));
  ASSERT_EQ(twice.signed_cds.owner_endorsements_size(), 2);
  EXPECT_EQ(twice.signed_cds.chaincode_deployment_spec(),
            once.signed_cds.chaincode_deployment_spec());
  EXPECT_EQ(twice.signed_cds.owner_endorsements(0).signature(),
            once.signed_cds.owner_endorsements(0).signature());

  ASSERT_EQ(PackageNode({"-s"}, Path("unsigned.pak")), 0) << err_;
  EXPECT_EQ(
      RunPeer({"chaincode", "signpackage", Path("unsigned.pak"), Path("x.pak")}, &out_, &err_), 1);
  EXPECT_EQ(err_, "Error: invalid signed deployment spec\n");
  ASSERT_EQ(PackageNode({}, Path("raw.pak")), 0) << err_;
  EXPECT_EQ(RunPeer({"chaincode", "signpackage", Path("raw.pak"), Path("x.pak")}, &out_, &err_), 1);
  EXPECT_EQ(err_, "Error: channel header cannot be nil\n");
  EXPECT_EQ(RunPeer({"chaincode", "signpackage", Path("raw.pak")}, &out_, &err_), 1);
  EXPECT_EQ(err_.substr(0, err_.find('\n')),
            "Error: peer chaincode signpackage <inputpackage> <outputpackage>");
  EXPECT_EQ(RunPeer({"chaincode", "signpackage", Path("none.pak"), Path("x.pak")}, &out_, &err_),
            1);
  EXPECT_NE(err_.find("Error: open " + Path("none.pak")), std::string::npos) << err_;
  dir_.Write("garbage.pak", "garbage\n");
  EXPECT_EQ(RunPeer({"chaincode", "signpackage", Path("garbage.pak"), Path("x.pak")}, &out_, &err_),
            1);
  EXPECT_NE(err_.find("Error: error unmarshaling Envelope"), std::string::npos) << err_;
}

}  // namespace
}  // namespace fabric::cli
