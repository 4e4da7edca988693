// SPDX-License-Identifier: Apache-2.0
//
// Unit tests of the CLI's pure parts: -c JSON, code packages, response formatting, and
// the commands' argument errors (which fail before any network call).

#include "peer/cli/cli.h"

#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include <gtest/gtest.h>

#include "common/archive/archive.h"
#include "peer/cli/command.h"
#include "peer/cli/ctor.h"
#include "peer/cli/package.h"

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

TEST(PackageTest, ParsesLanguages) {
  EXPECT_EQ(*ParseLanguage("cpp"), protos::ChaincodeSpec::CPP);
  EXPECT_EQ(*ParseLanguage("GOLANG"), protos::ChaincodeSpec::GOLANG);
  EXPECT_EQ(*ParseLanguage("node"), protos::ChaincodeSpec::NODE);
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
  EXPECT_NE(err.find("Error: must supply value for chaincode channelID"), std::string::npos);
  EXPECT_EQ(RunPeer({"channel", "join"}, &out, &err), 1);
  EXPECT_NE(err.find("must supply genesis block file"), std::string::npos);
  EXPECT_EQ(RunPeer({"channel", "fetch", "sideways", "-c", "ch", "-o", "x"}, &out, &err), 1);
  EXPECT_NE(err.find("fetch target illegal: sideways"), std::string::npos);
  EXPECT_EQ(RunPeer({"chaincode", "list"}, &out, &err), 1);
  EXPECT_NE(err.find("--installed"), std::string::npos);
  EXPECT_EQ(RunPeer({"chaincode", "frobnicate"}, &out, &err), 1);
  EXPECT_NE(err.find("unknown command \"frobnicate\""), std::string::npos);
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
  EXPECT_EQ(RunPeer({"channel", "frobnicate", "--help"}, &out, &err), 1);
  EXPECT_NE(err.find("unknown command \"frobnicate\" for \"peer channel\""), std::string::npos);
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

}  // namespace
}  // namespace fabric::cli
