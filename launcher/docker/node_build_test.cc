// SPDX-License-Identifier: Apache-2.0
//
// Node.js chaincode building: the package checks (package.json, start script), the builder's
// script, environment and uploaded npm settings, the host defaults, the runtime Dockerfile and
// the container's command.

#include "launcher/docker/node_build.h"

#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <map>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/archive/archive.h"

namespace fabric::launcher::docker {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;
using ::testing::UnorderedElementsAre;

constexpr char kPackageJson[] =
    R"({"name":"getput","version":"1.0.0","scripts":{"start":"node index.js"},)"
    R"("dependencies":{"fabric-shim":"^2.5.0"}})";

std::string Package(const std::map<std::string, std::string>& files) {
  std::vector<archive::Entry> entries;
  for (const auto& [path, content] : files) {
    entries.push_back(archive::File(path, content));
  }
  return archive::Write(entries, {.gzip = true}).value();
}

NodePackageInfo Locked(bool has_lock) {
  NodePackageInfo info;
  info.has_lock = has_lock;
  return info;
}

NodePackageInfo Scripts(std::string prestart, std::string start, std::string poststart) {
  NodePackageInfo info;
  info.prestart = std::move(prestart);
  info.start = std::move(start);
  info.poststart = std::move(poststart);
  return info;
}

std::string MessageOf(const Status& s) { return std::string(s.message()); }

TEST(NodeBuildTest, PackageWithStartScriptIsAccepted) {
  auto info = CheckNodePackage(
      "cc:1", Package({{"src/package.json", kPackageJson}, {"src/index.js", "// js"}}));
  ASSERT_TRUE(info.ok()) << info.status();
  EXPECT_FALSE(info->has_lock);
  EXPECT_EQ(info->name, "getput");
  EXPECT_EQ(info->version, "1.0.0");
  EXPECT_EQ(info->start, "node index.js");
  EXPECT_EQ(info->prestart, "");
  auto locked =
      CheckNodePackage("cc:1", Package({{"src/package.json", kPackageJson},
                                        {"src/package-lock.json", "{}"},
                                        {"META-INF/statedb/couchdb/indexes/i.json", "{}"}}));
  ASSERT_TRUE(locked.ok()) << locked.status();
  EXPECT_TRUE(locked->has_lock);
}

TEST(NodeBuildTest, PackageWithoutPackageJsonSaysWhatToPackage) {
  auto s =
      CheckNodePackage("cc:1", Package({{"src/index.js", "x"}, {"src/lib/package.json", "{}"}}));
  ASSERT_TRUE(s.status().IsInvalidArgument()) << s.status();
  EXPECT_THAT(MessageOf(s.status()), HasSubstr("node chaincode cc:1: no package.json"));
  EXPECT_THAT(MessageOf(s.status()), HasSubstr("peer chaincode package -l node"));
}

TEST(NodeBuildTest, PackageJsonWithoutStartScriptIsRefused) {
  for (const char* json : {R"({"name":"x"})", R"({"scripts":{"test":"mocha"}})",
                           R"({"scripts":{"start":""}})", R"({"scripts":"node index.js"})"}) {
    auto s = CheckNodePackage("cc:1", Package({{"src/package.json", json}}));
    ASSERT_TRUE(s.status().IsInvalidArgument()) << json;
    EXPECT_THAT(MessageOf(s.status()), HasSubstr("no \"start\" script")) << json;
    EXPECT_THAT(MessageOf(s.status()), HasSubstr("npm start")) << json;
  }
}

TEST(NodeBuildTest, BrokenPackageJsonAndArchiveAreRefused) {
  auto json = CheckNodePackage("cc:1", Package({{"src/package.json", "{\"scripts\":"}}));
  ASSERT_TRUE(json.status().IsInvalidArgument());
  EXPECT_THAT(MessageOf(json.status()), HasSubstr("package.json is not a JSON object"));
  auto tar = CheckNodePackage("cc:1", "not a tar.gz at all");
  ASSERT_TRUE(tar.status().IsInvalidArgument());
  EXPECT_THAT(MessageOf(tar.status()), HasSubstr("cannot be read"));
}

TEST(NodeBuildTest, ScriptInstallsProductionDependenciesWithCiWhenLocked) {
  const std::string install = NodeBuildScript(Locked(false));
  EXPECT_THAT(install, HasSubstr("cp -R /chaincode/input/src/. /chaincode/output/src/"));
  EXPECT_THAT(install, HasSubstr("\nnpm install --omit=dev\n"));
  EXPECT_THAT(install,
              HasSubstr("cp /chaincode/npm-start /chaincode/output/lib/fabric-cpp/npm-start"));
  EXPECT_THAT(install, HasSubstr("tar -cf /chaincode/binpackage.tar src lib\n"));
  EXPECT_THAT(install, Not(HasSubstr("npm ci")));
  EXPECT_THAT(NodeBuildScript(Locked(true)), HasSubstr("\nnpm ci --omit=dev\n"));
}

class TempFiles {
 public:
  TempFiles() {
    char tmpl[] = "/tmp/node_build_test.XXXXXX";
    dir_ = mkdtemp(tmpl);
  }
  ~TempFiles() { std::filesystem::remove_all(dir_); }
  std::string Write(const std::string& name, const std::string& content) {
    std::ofstream(dir_ + "/" + name) << content;
    return dir_ + "/" + name;
  }
  const std::string& dir() const { return dir_; }

 private:
  std::string dir_;
};

TEST(NodeBuildTest, BuilderGetsTheNpmSettingsCaBundleAndProxyEnv) {
  TempFiles tmp;
  NodeBuildOptions o;
  o.npmrc_file = tmp.Write("npmrc", "registry=https://npm.example.com/\ncafile=/host/only.pem\n");
  o.ca_file = tmp.Write("ca.pem", "-----BEGIN CERTIFICATE-----\n");
  o.env = {"HTTPS_PROXY=http://proxy:3128"};
  auto spec = NodeBuilder(o, Locked(true));
  ASSERT_TRUE(spec.ok()) << spec.status();
  ASSERT_EQ(spec->cmd.size(), 3u);
  EXPECT_EQ(spec->cmd[0], "/bin/sh");
  EXPECT_EQ(spec->cmd[1], "-c");
  EXPECT_EQ(spec->cmd[2], NodeBuildScript(Locked(true)));
  EXPECT_THAT(spec->env, UnorderedElementsAre("HTTPS_PROXY=http://proxy:3128",
                                              "NPM_CONFIG_USERCONFIG=/etc/fabric-cpp/npm/npmrc",
                                              "NODE_EXTRA_CA_CERTS=/etc/fabric-cpp/npm/ca.crt",
                                              "NPM_CONFIG_CAFILE=/etc/fabric-cpp/npm/ca.crt"));
  EXPECT_EQ(spec->files["/etc/fabric-cpp/npm/npmrc"],
            "registry=https://npm.example.com/\ncafile=/host/only.pem\n");
  EXPECT_EQ(spec->files["/etc/fabric-cpp/npm/ca.crt"], "-----BEGIN CERTIFICATE-----\n");
  EXPECT_EQ(spec->files["/chaincode/npm-start"], NodeStartScript(Locked(true)));
}

TEST(NodeBuildTest, BuilderWithoutSettingsUsesNpmDefaults) {
  auto spec = NodeBuilder(NodeBuildOptions{}, NodePackageInfo{});
  ASSERT_TRUE(spec.ok()) << spec.status();
  EXPECT_THAT(spec->env, IsEmpty());
  EXPECT_THAT(spec->files, ElementsAre(::testing::Key("/chaincode/npm-start")));
}

TEST(NodeBuildTest, UnreadableSettingsNameTheFileAndKey) {
  NodeBuildOptions o;
  o.npmrc_file = "/no/such/npmrc";
  auto s = NodeBuilder(o, {});
  ASSERT_TRUE(s.status().IsFailedPrecondition()) << s.status();
  EXPECT_THAT(MessageOf(s.status()), HasSubstr("/no/such/npmrc (chaincode.node.npmrc)"));
  o = {};
  o.ca_file = "/no/such/ca.pem";
  s = NodeBuilder(o, {});
  ASSERT_TRUE(s.status().IsFailedPrecondition()) << s.status();
  EXPECT_THAT(MessageOf(s.status()), HasSubstr("/no/such/ca.pem (chaincode.node.cafile)"));
}

TEST(NodeBuildTest, HostDefaultsComeFromTheEnvironmentWhenTheFilesExist) {
  TempFiles tmp;
  const std::string npmrc = tmp.Write(".npmrc", "registry=https://r/\n");
  const std::string ca = tmp.Write("extra.pem", "pem");
  std::map<std::string, std::string> env = {{"HOME", tmp.dir()},
                                            {"NODE_EXTRA_CA_CERTS", ca},
                                            {"https_proxy", "http://p:1"},
                                            {"NO_PROXY", "localhost"},
                                            {"PATH", "/bin"}};
  auto getenv = [&](const char* name) -> const char* {
    auto it = env.find(name);
    return it == env.end() ? nullptr : it->second.c_str();
  };
  NodeBuildOptions o;
  o.WithHostDefaults(getenv);
  EXPECT_EQ(o.npmrc_file, npmrc);
  EXPECT_EQ(o.ca_file, ca);
  EXPECT_THAT(o.env, ElementsAre("https_proxy=http://p:1", "NO_PROXY=localhost"));

  // Configured values win; files that do not exist are not defaults.
  env = {{"HOME", "/nonexistent"}, {"NODE_EXTRA_CA_CERTS", "/nonexistent/ca.pem"}};
  NodeBuildOptions none;
  none.WithHostDefaults(getenv);
  EXPECT_EQ(none.npmrc_file, "");
  EXPECT_EQ(none.ca_file, "");
  NodeBuildOptions configured;
  configured.ca_file = "/etc/my-ca.pem";
  configured.env = {"HTTPS_PROXY=x"};
  configured.WithHostDefaults(getenv);
  EXPECT_EQ(configured.ca_file, "/etc/my-ca.pem");
  EXPECT_THAT(configured.env, ElementsAre("HTTPS_PROXY=x"));
}

TEST(NodeBuildTest, RuntimeImageAddsTheBuiltFolderAndRunsTheStartScript) {
  const std::string dockerfile = NodeRuntimeDockerfile("fabric-cpp/node-runtime:latest");
  EXPECT_THAT(dockerfile, HasSubstr("FROM fabric-cpp/node-runtime:latest\n"));
  EXPECT_THAT(dockerfile, HasSubstr("ADD binpackage.tar /usr/local/\n"));
  EXPECT_THAT(dockerfile, HasSubstr("WORKDIR /usr/local/src\n"));
  EXPECT_THAT(dockerfile, HasSubstr("CMD [\"/usr/local/lib/fabric-cpp/npm-start\"]\n"));
  const std::string run =
      "[ -x /usr/local/lib/fabric-cpp/npm-start ] && exec /usr/local/lib/fabric-cpp/npm-start "
      "\"$@\"; exec npm start -- \"$@\"";
  EXPECT_THAT(NodeStartCommand("10.0.0.1:7052", {}),
              ElementsAre("/bin/sh", "-c", run, "npm-start", "--peer.address", "10.0.0.1:7052"));
  EXPECT_THAT(NodeStartCommand("p:1", {"--x"}),
              ElementsAre("/bin/sh", "-c", run, "npm-start", "--peer.address", "p:1", "--x"));
  EXPECT_THAT(NodeStartCommand("", {}), ElementsAre("/bin/sh", "-c", run, "npm-start"));
}

// Runs NodeStartScript(info) with its package folder moved to a temporary one (holding
// node_modules/.bin/hello) and `args`; with `terminate`, SIGTERM is sent to it once the start
// script has created the file "ready". Returns its exit status and what the scripts wrote.
struct StartRun {
  int status = -1;
  std::string log;
};

StartRun RunStartScript(const NodePackageInfo& info, const std::string& args,
                        bool terminate = false) {
  TempFiles tmp;
  std::filesystem::create_directories(tmp.dir() + "/node_modules/.bin");
  const std::string hello = tmp.Write("node_modules/.bin/hello", "#!/bin/sh\necho hello \"$@\"\n");
  std::filesystem::permissions(hello, std::filesystem::perms::owner_all);
  std::string script = NodeStartScript(info);
  for (size_t at; (at = script.find("/usr/local/src")) != std::string::npos;) {
    script.replace(at, 14, tmp.dir());
  }
  const std::string path = tmp.Write("npm-start", script);
  StartRun r;
  std::string run = "sh " + path + " " + args + " > " + tmp.dir() + "/log 2>&1";
  if (terminate) {
    run += " & pid=$!; while [ ! -e " + tmp.dir() +
           "/ready ]; do sleep 0.01; done; kill -TERM $pid; wait $pid";
  }
  r.status = std::system(run.c_str());
  std::ifstream in(tmp.dir() + "/log");
  r.log.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  return r;
}

TEST(NodeBuildTest, StartScriptRunsPreStartAndPostStartWithArgumentsAsNpmDoes) {
  NodePackageInfo info = Scripts("echo pre \"$npm_lifecycle_event\" \"$#\"",
                                 "hello \"$npm_package_name@$npm_package_version\" "
                                 "\"$npm_lifecycle_event\" \"$(basename \"$npm_package_json\")\"",
                                 "echo 'post it''s'");
  info.name = "getput";
  info.version = "1.0.0";
  StartRun r = RunStartScript(info, "--peer.address \"a b'c\"");
  EXPECT_EQ(r.status, 0);
  EXPECT_EQ(
      r.log,
      "pre prestart 0\nhello getput@1.0.0 start package.json --peer.address a b'c\npost its\n");
}

TEST(NodeBuildTest, StartScriptStopsAtTheFirstFailureWithItsStatus) {
  StartRun pre = RunStartScript(Scripts("exit 4", "echo start", ""), "");
  EXPECT_EQ(WEXITSTATUS(pre.status), 4);
  EXPECT_EQ(pre.log, "");
  StartRun start = RunStartScript(Scripts("", "echo start; exit 3", "echo post"), "");
  EXPECT_EQ(WEXITSTATUS(start.status), 3);
  EXPECT_EQ(start.log, "start\n");
}

TEST(NodeBuildTest, StartScriptForwardsSigtermToTheChaincode) {
  // The start script traps SIGTERM and reports it; the wrapper must pass it on and return.
  const auto t0 = std::chrono::steady_clock::now();
  StartRun r = RunStartScript(
      Scripts("", "trap 'echo got TERM; exit 7' TERM; touch ready; sleep 5 & wait", "echo post"),
      "",
      /*terminate=*/true);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(10));
  EXPECT_EQ(WEXITSTATUS(r.status), 7);
  EXPECT_EQ(r.log, "got TERM\n");
}

TEST(NodeBuildTest, RecipeBuildsInNodeenvWithTheNetworkAndRunsOnNodeRuntime) {
  TempFiles tmp;
  NodeBuildOptions o;
  o.builder_image = "my/nodeenv:1";
  o.runtime_image = "my/node-runtime:1";
  o.npmrc_file = tmp.Write("npmrc", "registry=https://npm.example.com/\n");
  auto recipe = NodeBuildRecipe("cc:1", Package({{"src/package.json", kPackageJson}}), o);
  ASSERT_TRUE(recipe.ok()) << recipe.status();
  EXPECT_EQ(recipe->type, "NODE");
  EXPECT_EQ(recipe->image, "my/nodeenv:1");
  EXPECT_EQ(recipe->cmd, NodeBuilder(o, {}).value().cmd);
  EXPECT_THAT(recipe->env, ElementsAre("NPM_CONFIG_USERCONFIG=/etc/fabric-cpp/npm/npmrc"));
  EXPECT_TRUE(recipe->needs_network);
  EXPECT_EQ(recipe->output, "/chaincode/binpackage.tar");
  ASSERT_EQ(recipe->uploads.count("/"), 1u);
  auto files = archive::Read(recipe->uploads.at("/"));
  ASSERT_TRUE(files.ok()) << files.status();
  ASSERT_EQ(files->size(), 2u);  // the start script the image will run, and the npm settings
  EXPECT_EQ((*files)[0].path, "chaincode/npm-start");
  EXPECT_EQ((*files)[1].path, "etc/fabric-cpp/npm/npmrc");
  EXPECT_EQ(recipe->runtime_image, "my/node-runtime:1");
  EXPECT_EQ(recipe->dockerfile, NodeRuntimeDockerfile("my/node-runtime:1"));
  EXPECT_EQ(recipe->command("p:1", {}), NodeStartCommand("p:1", {}));

  auto bad = NodeBuildRecipe("cc:1", Package({{"src/index.js", "x"}}), o);
  EXPECT_TRUE(bad.status().IsInvalidArgument()) << bad.status();
}

}  // namespace
}  // namespace fabric::launcher::docker
