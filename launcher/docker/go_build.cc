// SPDX-License-Identifier: Apache-2.0
#include "launcher/docker/go_build.h"

#include <algorithm>
#include <set>

#include <absl/strings/str_format.h>

#include "common/archive/archive.h"

namespace fabric::launcher::docker {
namespace {

// Fabric's decodeUrl: the chaincode path may be written as a URL.
std::string NormalizePath(std::string path) {
  for (const char* scheme : {"http://", "https://"}) {
    if (path.starts_with(scheme)) {
      path = path.substr(std::string_view(scheme).size());
    }
  }
  while (!path.empty() && path.back() == '/') {
    path.pop_back();
  }
  return path;
}

// A path `go build` takes as one package argument and that stays inside the package folder.
Status CheckPath(const std::string& ccid, const std::string& path) {
  auto bad = [&](const char* why) {
    return InvalidArgumentError(absl::StrFormat(
        "chaincode %s: Go chaincode path \"%s\" %s: the path is the import path of the "
        "chaincode's main package (e.g. example.com/mycc)",
        ccid, path, why));
  };
  if (path.starts_with("/")) {
    return bad("is absolute");
  }
  if (path.starts_with("-")) {
    return bad("starts with '-'");
  }
  if (std::any_of(path.begin(), path.end(),
                  [](unsigned char c) { return c <= ' ' || c == 0x7f || c == '\\'; })) {
    return bad("holds spaces, control characters or '\\'");
  }
  if (path == ".." || path.starts_with("../") || path.find("/../") != std::string::npos ||
      path.ends_with("/..")) {
    return bad("has a \"..\" component");
  }
  return Status::OK();
}

// The package's file names, without a leading "/" or "./".
StatusOr<std::set<std::string>> FileNames(const std::string& ccid, std::string_view package) {
  StatusOr<std::vector<archive::Entry>> entries = archive::ReadHeaders(
      package, {.max_entries = 1000000, .max_total_bytes = ~0ull, .max_entry_bytes = ~0ull});
  if (!entries.ok()) {
    return InvalidArgumentError(
        absl::StrFormat("chaincode %s: the Go code package is not a readable tar.gz: %s", ccid,
                        entries.status().message()));
  }
  std::set<std::string> names;
  for (const archive::Entry& e : *entries) {
    if (e.type == archive::EntryType::kFile) {
      names.insert(e.path.substr(e.path.find_first_not_of('/')));
    }
  }
  return names;
}

bool HasGoFileIn(const std::set<std::string>& names, const std::string& dir) {
  for (auto it = names.lower_bound(dir); it != names.end() && it->starts_with(dir); ++it) {
    if (it->ends_with(".go") && it->find('/', dir.size()) == std::string::npos) {
      return true;
    }
  }
  return false;
}

std::vector<std::string> CommonEnv() {
  return {"CGO_ENABLED=0",     "GOPROXY=off", "GOSUMDB=off",        "GONOSUMDB=*",
          "GOTOOLCHAIN=local", "HOME=/tmp",   "GOFLAGS=-mod=vendor"};
}

}  // namespace

StatusOr<GoBuildPlan> PlanGoBuild(const std::string& ccid, std::string_view code_package,
                                  const std::string& raw_path) {
  const std::string path = NormalizePath(raw_path);
  if (!path.empty()) {
    if (Status s = CheckPath(ccid, path); !s.ok()) {
      return s;
    }
  }
  auto names = FileNames(ccid, code_package);
  if (!names.ok()) {
    return names.status();
  }
  if (std::none_of(names->begin(), names->end(),
                   [](const std::string& n) { return n.ends_with(".go"); })) {
    return InvalidArgumentError(absl::StrFormat(
        "chaincode %s is not a Go chaincode package: it holds no .go file (package it with peer "
        "chaincode package -l golang -p <path>)",
        ccid));
  }
  GoBuildPlan plan;
  plan.env = CommonEnv();
  const std::string input = kBuildInputDir;
  if (names->contains("src/go.mod")) {
    plan.layout = GoLayout::kModule;
    plan.working_dir = input + "/src";
    plan.target = path.empty() ? "." : path;
  } else if (!path.empty() && names->contains("src/" + path + "/go.mod")) {
    plan.layout = GoLayout::kModule;
    plan.working_dir = input + "/src/" + path;
    plan.target = ".";
  } else {
    if (path.empty()) {
      return InvalidArgumentError(absl::StrFormat(
          "chaincode %s: a Go package without go.mod needs its chaincode path (the import path "
          "under src/) to be built",
          ccid));
    }
    if (!HasGoFileIn(*names, "src/" + path + "/")) {
      return InvalidArgumentError(absl::StrFormat(
          "chaincode %s: the package has neither src/go.mod nor Go files in src/%s/: package the "
          "chaincode with -p <import path> (GOPATH) or -p <module folder>",
          ccid, path));
    }
    plan.layout = GoLayout::kGopath;
    plan.working_dir = input;
    plan.target = path;
    plan.env.back() = "GOFLAGS=";
    plan.env.push_back("GO111MODULE=off");
    plan.env.push_back("GOPATH=" + input);
  }
  if (plan.layout == GoLayout::kModule) {
    plan.env.push_back("GO111MODULE=on");
    plan.env.push_back("GOPATH=/tmp/go");  // a module cache nothing is downloaded into
  }
  plan.cmd = {"go", "build", "-trimpath", "-buildvcs=false", "-ldflags=-s -w"};
  if (plan.layout == GoLayout::kModule) {
    plan.cmd.push_back("-mod=vendor");
  }
  plan.cmd.insert(plan.cmd.end(), {"-o", kBinaryOutputFile, plan.target});
  return plan;
}

namespace {

// The text between `prefix` and the first of `ends` in `line` ("" when prefix is absent).
std::string Between(std::string_view line, std::string_view prefix, std::string_view ends) {
  size_t at = line.find(prefix);
  if (at == std::string_view::npos) {
    return "";
  }
  std::string_view rest = line.substr(at + prefix.size());
  return std::string(rest.substr(0, rest.find_first_of(ends)));
}

// What go's output says is missing: "package X" or "module X", or "".
std::string MissingDependency(const std::vector<std::string>& output) {
  for (size_t i = 0; i < output.size(); ++i) {
    const std::string& line = output[i];
    if (std::string p = Between(line, "cannot find package \"", "\""); !p.empty() && p != ".") {
      return "package " + p;
    }
    if (line.find("cannot find package \".\" in:") != std::string::npos && i + 1 < output.size()) {
      if (std::string p = Between(output[i + 1], "/vendor/", " \t"); !p.empty()) {
        return "package " + p;
      }
    }
    if (line.find("not marked as explicit in vendor/modules.txt") != std::string::npos) {
      std::string m = line.substr(line.find_first_not_of(" \t"));
      return "module " + m.substr(0, m.find('@'));
    }
    for (std::string_view prefix : {"no required module provides package ",
                                    "cannot find module providing package ", "package "}) {
      std::string p = Between(line, prefix, " ;:");
      if (!p.empty() &&
          (prefix != "package " || line.find(" is not in GOROOT") != std::string::npos)) {
        return "package " + p;
      }
    }
  }
  return "";
}

std::string Tail(const std::vector<std::string>& output) {
  std::string out;
  for (size_t i = output.size() > 30 ? output.size() - 30 : 0; i < output.size(); ++i) {
    out += "\n  " + output[i];
  }
  return out;
}

}  // namespace

std::string ExplainGoBuildFailure(const std::string& ccid, const GoBuildPlan& plan,
                                  const std::vector<std::string>& output) {
  const std::string missing = MissingDependency(output);
  if (!missing.empty()) {
    return absl::StrFormat(
        "chaincode %s needs %s, which its package does not vendor: the peer builds Go "
        "chaincode offline (GOPROXY=off, -mod=vendor). %s and package the chaincode again. go "
        "build output:%s",
        ccid, missing,
        plan.layout == GoLayout::kModule
            ? "Run `go mod vendor` in the module's folder (the package must hold vendor/)"
            : "Copy it into the chaincode's vendor/ folder (src/<path>/vendor/<import path>)",
        Tail(output));
  }
  for (const std::string& line : output) {
    if (line.find("inconsistent vendoring") != std::string::npos) {
      return absl::StrFormat(
          "chaincode %s: vendor/modules.txt does not match go.mod: run `go mod vendor` in the "
          "module's folder and package the chaincode again. go build output:%s",
          ccid, Tail(output));
    }
    if (line.find("does not contain package") != std::string::npos) {
      return absl::StrFormat(
          "chaincode %s: chaincode path %s is not a package of the chaincode's module: the path "
          "must be the import path of the main package. go build output:%s",
          ccid, plan.target, Tail(output));
    }
  }
  return absl::StrFormat("chaincode %s failed to build (go build %s); go build output:%s", ccid,
                         plan.target, Tail(output));
}

Status CheckGoBinary(const std::string& ccid, const GoBuildPlan& plan, std::string_view binary) {
  if (binary.starts_with("\x7f"
                         "ELF")) {
    return Status::OK();
  }
  return FailedPreconditionError(absl::StrFormat(
      "chaincode %s: Go package %s is not a main package (go build made a library, not a "
      "program): the chaincode path must name the package that has `package main` and func "
      "main",
      ccid, plan.target));
}

StatusOr<BuildRecipe> GoBuildRecipe(const std::string& ccid, std::string_view code_package,
                                    const std::string& path, const std::string& goenv_image,
                                    const std::string& baseos_image) {
  StatusOr<GoBuildPlan> plan = PlanGoBuild(ccid, code_package, path);
  if (!plan.ok()) {
    return plan.status();
  }
  BuildRecipe recipe;
  recipe.type = "GOLANG";
  recipe.image = goenv_image;
  recipe.cmd = plan->cmd;
  recipe.env = plan->env;
  recipe.working_dir = plan->working_dir;
  recipe.explain_failure = [ccid, plan = *plan](const std::vector<std::string>& output) {
    return ExplainGoBuildFailure(ccid, plan, output);
  };
  recipe.check_output = [ccid, plan = *plan](std::string_view binary) {
    return CheckGoBinary(ccid, plan, binary);
  };
  RunAsProgram(baseos_image, recipe);
  return recipe;
}

}  // namespace fabric::launcher::docker
