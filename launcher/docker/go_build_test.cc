// SPDX-License-Identifier: Apache-2.0
//
// go_build: the layout chosen from a Go package's entries, the builder's command and
// environment, refused packages and paths, and the messages made of go's real failure output.

#include "launcher/docker/go_build.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/archive/archive.h"

namespace fabric::launcher::docker {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Not;

std::string Package(const std::vector<std::string>& names) {
  std::vector<archive::Entry> entries;
  for (const auto& n : names) {
    entries.push_back(archive::File(n, "package main\n"));
  }
  return archive::Write(entries, {.gzip = true}).value();
}

std::string Message(const Status& s) { return std::string(s.message()); }

TEST(GoBuildTest, ModuleAtTheTopBuildsTheImportPathWithVendoredModules) {
  auto plan = PlanGoBuild("cc:1", Package({"src/go.mod", "src/main.go", "src/vendor/modules.txt"}),
                          "example.com/cc/cmd/cc");
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->layout, GoLayout::kModule);
  EXPECT_EQ(plan->working_dir, "/chaincode/input/src");
  EXPECT_EQ(plan->cmd,
            (std::vector<std::string>{"go", "build", "-trimpath", "-buildvcs=false",
                                      "-ldflags=-s -w", "-mod=vendor", "-o",
                                      "/chaincode/output/chaincode", "example.com/cc/cmd/cc"}));
  for (const char* kv : {"GO111MODULE=on", "GOFLAGS=-mod=vendor", "GOPROXY=off", "GOSUMDB=off",
                         "GONOSUMDB=*", "CGO_ENABLED=0", "GOTOOLCHAIN=local"}) {
    EXPECT_THAT(plan->env, Contains(kv));
  }
  // No path: the module's root package.
  plan = PlanGoBuild("cc:1", Package({"src/go.mod", "src/main.go"}), "");
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->target, ".");
}

TEST(GoBuildTest, ModuleUnderItsPathBuildsThere) {
  auto plan = PlanGoBuild("cc:1", Package({"src/example.com/cc/go.mod", "src/example.com/cc/a.go"}),
                          "https://example.com/cc/");
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->layout, GoLayout::kModule);
  EXPECT_EQ(plan->working_dir, "/chaincode/input/src/example.com/cc");
  EXPECT_EQ(plan->target, ".");
}

TEST(GoBuildTest, GopathPackageBuildsWithModulesOff) {
  auto plan =
      PlanGoBuild("cc:1",
                  Package({"META-INF/statedb/couchdb/indexes/i.json", "src/example.com/cc/main.go",
                           "src/example.com/cc/vendor/example.org/dep/dep.go"}),
                  "example.com/cc");
  ASSERT_TRUE(plan.ok()) << plan.status();
  EXPECT_EQ(plan->layout, GoLayout::kGopath);
  EXPECT_EQ(plan->working_dir, "/chaincode/input");
  EXPECT_EQ(plan->cmd.back(), "example.com/cc");
  EXPECT_THAT(plan->cmd, Not(Contains("-mod=vendor")));
  EXPECT_THAT(plan->env, Contains("GO111MODULE=off"));
  EXPECT_THAT(plan->env, Contains("GOPATH=/chaincode/input"));
  EXPECT_THAT(plan->env, Contains("GOFLAGS="));
  EXPECT_THAT(plan->env, Contains("GOPROXY=off"));
}

TEST(GoBuildTest, BadPackagesAndPathsAreRefusedWithWhatToDo) {
  const std::string gopath = Package({"src/example.com/cc/main.go"});
  Status s = PlanGoBuild("cc:1", gopath.substr(0, gopath.size() / 2), "example.com/cc").status();
  EXPECT_TRUE(s.IsInvalidArgument()) << s;
  EXPECT_THAT(Message(s), HasSubstr("not a readable tar.gz"));
  s = PlanGoBuild("cc:1", "not a package", "example.com/cc").status();
  EXPECT_TRUE(s.IsInvalidArgument()) << s;
  s = PlanGoBuild("cc:1", Package({"src/CMakeLists.txt", "src/main.cc"}), "x").status();
  EXPECT_THAT(Message(s), HasSubstr("holds no .go file"));
  s = PlanGoBuild("cc:1", gopath, "").status();
  EXPECT_THAT(Message(s), HasSubstr("needs its chaincode path"));
  s = PlanGoBuild("cc:1", gopath, "example.com/other").status();
  EXPECT_TRUE(s.IsInvalidArgument()) << s;
  EXPECT_THAT(Message(s), HasSubstr("neither src/go.mod nor Go files in src/example.com/other/"));
  // A path that go would read as a flag, or that leaves the package.
  for (const char* bad : {"-toolexec=/bin/sh", "/etc", "example.com/../../x", "a b", ".."}) {
    s = PlanGoBuild("cc:1", gopath, bad).status();
    EXPECT_TRUE(s.IsInvalidArgument()) << bad << ": " << s;
    EXPECT_THAT(Message(s), HasSubstr("import path of the chaincode's main package")) << bad;
  }
}

TEST(GoBuildTest, MissingDependencyIsNamedFromGoOutput) {
  GoBuildPlan module;
  module.layout = GoLayout::kModule;
  module.target = ".";
  GoBuildPlan gopath;
  gopath.target = "a/b";
  // go 1.19's words, as observed.
  struct Case {
    std::vector<std::string> output;
    const GoBuildPlan& plan;
    std::string named;
  } cases[] = {
      {{"go: inconsistent vendoring in /chaincode/input/src:",
        "\texample.org/absent@v1.2.3: is explicitly required in go.mod, but not marked as "
        "explicit in vendor/modules.txt"},
       module,
       "module example.org/absent,"},
      {{"main.go:3:8: cannot find package \".\" in:",
        "\t/chaincode/input/src/vendor/example.org/absent/thing"},
       module,
       "package example.org/absent/thing,"},
      {{"src/a/b/main.go:3:8: cannot find package \"example.org/absent/thing\" in any of:",
        "\t/usr/lib/go-1.19/src/example.org/absent/thing (from $GOROOT)"},
       gopath,
       "package example.org/absent/thing,"},
      {{"main.go:4:2: no required module provides package example.org/x; to add it:"},
       module,
       "package example.org/x,"},
      {{"main.go:4:2: package nodot/pkg is not in GOROOT (/usr/lib/go-1.19/src/nodot/pkg)"},
       module,
       "package nodot/pkg,"},
  };
  for (const Case& c : cases) {
    std::string m = ExplainGoBuildFailure("cc:1", c.plan, c.output);
    EXPECT_THAT(m, HasSubstr("chaincode cc:1 needs " + c.named)) << m;
    EXPECT_THAT(m, HasSubstr("does not vendor")) << m;
    EXPECT_THAT(m, HasSubstr(c.output.front())) << m;
  }
  EXPECT_THAT(ExplainGoBuildFailure("cc:1", module,
                                    {"cannot find package \".\" in:", "\t/s/vendor/e.org/y"}),
              HasSubstr("go mod vendor"));
  EXPECT_THAT(ExplainGoBuildFailure("cc:1", gopath,
                                    {"src/a/b/main.go:3:8: cannot find package "
                                     "\"e.org/y\" in any of:"}),
              HasSubstr("src/<path>/vendor/"));
  std::string other = ExplainGoBuildFailure("cc:1", gopath, {"main.go:5:1: syntax error"});
  EXPECT_THAT(other, HasSubstr("failed to build (go build a/b)"));
  EXPECT_THAT(other, HasSubstr("syntax error"));
}

TEST(GoBuildTest, LibraryArchiveIsNotAChaincode) {
  GoBuildPlan plan;
  plan.target = "example.com/lib";
  EXPECT_TRUE(CheckGoBinary("cc:1", plan,
                            "\x7f"
                            "ELF\x02\x01")
                  .ok());
  Status s = CheckGoBinary("cc:1", plan, "!<arch>\n__.PKGDEF");
  EXPECT_TRUE(s.IsFailedPrecondition()) << s;
  EXPECT_THAT(Message(s), HasSubstr("example.com/lib is not a main package"));
}

TEST(GoBuildTest, RecipeRunsInGoenvOfflineAndTheProgramOnBaseos) {
  auto recipe = GoBuildRecipe("cc:1", Package({"src/go.mod", "src/main.go"}), "", "my/goenv:1",
                              "my/baseos:1");
  ASSERT_TRUE(recipe.ok()) << recipe.status();
  EXPECT_EQ(recipe->type, "GOLANG");
  EXPECT_EQ(recipe->image, "my/goenv:1");
  EXPECT_EQ(recipe->working_dir, "/chaincode/input/src");
  EXPECT_THAT(recipe->explain_failure({"cannot find package \"e.org/z\" in any of:"}),
              HasSubstr("go mod vendor"));
  EXPECT_FALSE(recipe->check_output("!<arch>\n").ok());
  EXPECT_FALSE(recipe->needs_network);
  EXPECT_EQ(recipe->output, "/chaincode/output/chaincode");
  EXPECT_EQ(recipe->runtime_image, "my/baseos:1");
  EXPECT_THAT(recipe->dockerfile, HasSubstr("FROM my/baseos:1\n"));
  EXPECT_EQ(recipe->command("p:7052", {"-x"}),
            (std::vector<std::string>{"chaincode", "-peer.address=p:7052", "-x"}));
}

}  // namespace
}  // namespace fabric::launcher::docker
