// SPDX-License-Identifier: Apache-2.0

#include "peer/cli/package.h"

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <absl/strings/str_format.h>

#include "fabric/base/status_macros.h"
#include "launcher/external/connection_info.h"

namespace fabric::cli {
namespace {
namespace fs = std::filesystem;
}  // namespace

StatusOr<std::vector<archive::Entry>> CollectFiles(const std::string& dir,
                                                   const std::string& prefix,
                                                   const std::vector<std::string>& skip_dirs) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return NotFoundError(absl::StrFormat("chaincode folder %s does not exist", dir));
  }
  std::vector<archive::Entry> entries;
  fs::recursive_directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    std::string leaf = p.filename().string();
    bool is_build_dir = it->is_directory() && fs::exists(p / "CMakeCache.txt");
    bool skipped = it.depth() == 0 && it->is_directory() &&
                   std::find(skip_dirs.begin(), skip_dirs.end(), leaf) != skip_dirs.end();
    if (leaf.starts_with(".") || is_build_dir || skipped) {
      if (it->is_directory()) {
        it.disable_recursion_pending();
      }
      continue;
    }
    if (!it->is_regular_file()) {
      continue;
    }
    std::ifstream in(p, std::ios::binary);
    std::ostringstream data;
    data << in.rdbuf();
    if (!in) {
      return InternalError("read " + p.string());
    }
    archive::Entry e;
    e.path = prefix + fs::relative(p, dir).generic_string();
    auto perms = fs::status(p).permissions();
    e.mode = (perms & fs::perms::owner_exec) != fs::perms::none ? 0755 : 0644;
    e.content = data.str();
    entries.push_back(std::move(e));
  }
  if (ec) {
    return InternalError(absl::StrFormat("read folder %s: %s", dir, ec.message()));
  }
  std::sort(entries.begin(), entries.end(),
            [](const archive::Entry& a, const archive::Entry& b) { return a.path < b.path; });
  return entries;
}

StatusOr<protos::ChaincodeSpec::Type> ParseLanguage(std::string_view lang) {
  std::string l(lang);
  std::transform(l.begin(), l.end(), l.begin(), [](unsigned char c) { return std::tolower(c); });
  if (l == "golang" || l == "go") {
    return protos::ChaincodeSpec::GOLANG;
  }
  if (l == "node") {
    return protos::ChaincodeSpec::NODE;
  }
  if (l == "java") {
    return protos::ChaincodeSpec::JAVA;
  }
  if (l == "car") {
    return protos::ChaincodeSpec::CAR;
  }
  if (l == "cpp" || l == "c++") {
    return protos::ChaincodeSpec::CPP;
  }
  if (l == "external" || l == "ccaas") {
    return protos::ChaincodeSpec::EXTERNAL;
  }
  return InvalidArgumentError(absl::StrFormat(
      "unknown chaincode language \"%s\" (use golang, node, java, cpp or external)", lang));
}

// An external chaincode's folder must hold a valid connection.json.
Status CheckExternalFolder(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return NotFoundError(absl::StrFormat("chaincode folder %s does not exist", dir));
  }
  const std::string path = (fs::path(dir) / launcher::external::kConnectionFile).string();
  if (!fs::exists(path, ec)) {
    return InvalidArgumentError(absl::StrFormat(
        "%s is not an external chaincode: no connection.json in it (it says where the chaincode "
        "server listens: {\"address\": \"host:port\", \"dial_timeout\": \"10s\", "
        "\"tls_required\": false})",
        dir));
  }
  return launcher::external::ReadConnectionInfo(path, path).status();
}

namespace {

// The first element of $GOPATH, or Go's default $HOME/go.
std::string FirstGopath() {
  const char* gopath = std::getenv("GOPATH");
  if (gopath != nullptr && *gopath != '\0') {
    std::string g = gopath;
    return g.substr(0, g.find(':'));
  }
  const char* home = std::getenv("HOME");
  return home == nullptr ? "" : std::string(home) + "/go";
}

// The module path of a go.mod ("module example.com/cc", possibly quoted), or "".
std::string ModulePath(const fs::path& go_mod) {
  std::ifstream in(go_mod);
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream words(line);
    std::string keyword, module;
    if (words >> keyword >> module && keyword == "module") {
      if (module.size() >= 2 && (module.front() == '"' || module.front() == '`')) {
        module = module.substr(1, module.size() - 2);
      }
      return module;
    }
  }
  return "";
}

// Fabric's Go and node platforms write every file 0644 (their validation refuses other bits;
// Fabric 1.4 peers refuse executable bits in a Go package at commit) and the chaincode folder's
// META-INF/ (collected as `meta`) at the package's top; the entries end sorted by name.
void ToPlatformLayout(std::vector<archive::Entry>& files, const std::string& meta) {
  for (archive::Entry& f : files) {
    f.mode = 0644;
    if (f.path.starts_with(meta)) {
      f.path = "META-INF/" + f.path.substr(meta.size());
    }
  }
  std::sort(files.begin(), files.end(),
            [](const archive::Entry& a, const archive::Entry& b) { return a.path < b.path; });
}

// The Go package's files as Fabric names them: META-INF/... at the top (from the chaincode's
// folder), the rest under `prefix`; only source files (Fabric 1.4's .go .c .h .s .yaml .json)
// for GOPATH code, every file of a module.
StatusOr<std::vector<archive::Entry>> CollectGoFiles(const GoSource& source) {
  ASSIGN_OR_RETURN(std::vector<archive::Entry> files,
                   CollectFiles(source.root, source.module ? "src/" : source.prefix));
  ToPlatformLayout(files, source.module ? "src/" + source.meta_dir : source.prefix + "META-INF/");
  if (!source.module) {
    std::erase_if(files, [](const archive::Entry& f) {
      const std::string ext = fs::path(f.path).extension().string();
      return !f.path.starts_with("META-INF/") && ext != ".go" && ext != ".c" && ext != ".h" &&
             ext != ".s" && ext != ".yaml" && ext != ".json";
    });
  }
  return files;
}

// Fabric's node platform (WriteFolderToTarPackage): node_modules is left out (the peer runs npm
// install), everything but META-INF/ under src/.
StatusOr<std::string> BuildNodePackage(const std::string& dir) {
  ASSIGN_OR_RETURN(std::vector<archive::Entry> files, CollectFiles(dir, "src/", {"node_modules"}));
  ToPlatformLayout(files, "src/META-INF/");
  return archive::Write(files, {.gzip = true, .gzip_level = 9});
}

}  // namespace

StatusOr<GoSource> DescribeGoCode(const std::string& path) {
  std::error_code ec;
  std::string dir = FirstGopath() + "/src/" + path;
  const bool in_gopath = !path.empty() && !path.starts_with("/") && fs::is_directory(dir, ec);
  if (!in_gopath) {
    dir = path;
  }
  if (!fs::is_directory(dir, ec)) {
    return NotFoundError(absl::StrFormat(
        "Go chaincode %s not found: neither $GOPATH/src/%s nor the folder %s exists", path, path,
        path));
  }
  const fs::path abs = fs::weakly_canonical(fs::absolute(dir), ec);
  GoSource source;
  for (fs::path m = abs; !m.empty(); m = m.parent_path()) {
    if (fs::is_regular_file(m / "go.mod", ec)) {
      const std::string module = ModulePath(m / "go.mod");
      if (module.empty()) {
        return InvalidArgumentError(
            absl::StrFormat("%s has no module line: not a Go module", (m / "go.mod").string()));
      }
      const std::string rel = fs::relative(abs, m).generic_string();
      source.module = true;
      source.root = m.string();
      source.import_path = rel == "." ? module : module + "/" + rel;
      source.meta_dir = rel == "." ? "META-INF/" : rel + "/META-INF/";
      return source;
    }
    if (m == m.parent_path()) {
      break;
    }
  }
  if (!in_gopath &&
      (path.starts_with("/") || path.starts_with(".") || path.find("/..") != std::string::npos)) {
    return InvalidArgumentError(absl::StrFormat(
        "Go chaincode %s has no go.mod: give a module folder (with go.mod and vendor/) or the "
        "chaincode's import path under $GOPATH/src",
        path));
  }
  source.root = dir;
  source.import_path = path;
  source.prefix = "src/" + path + "/";
  return source;
}

StatusOr<std::string> ChaincodePath(protos::ChaincodeSpec::Type type, const std::string& path) {
  if (type != protos::ChaincodeSpec::GOLANG) {
    return path;
  }
  ASSIGN_OR_RETURN(GoSource source, DescribeGoCode(path));
  return source.import_path;
}

StatusOr<std::string> BuildCodePackage(protos::ChaincodeSpec::Type type, const std::string& path) {
  std::string dir = path;
  std::string prefix = "src/";
  if (type == protos::ChaincodeSpec::GOLANG) {
    ASSIGN_OR_RETURN(GoSource source, DescribeGoCode(path));
    ASSIGN_OR_RETURN(std::vector<archive::Entry> files, CollectGoFiles(source));
    return archive::Write(files, {.gzip = true, .gzip_level = 9});
  }
  if (type == protos::ChaincodeSpec::CPP) {
    std::error_code ec;
    if (fs::is_directory(dir, ec) && !fs::exists(fs::path(dir) / "CMakeLists.txt", ec)) {
      return InvalidArgumentError(absl::StrFormat(
          "%s is not a C++ chaincode: no CMakeLists.txt in %s (the package is built with cmake "
          "and must define an executable target named 'chaincode')",
          path, dir));
    }
  }
  if (type == protos::ChaincodeSpec::NODE) {
    return BuildNodePackage(dir);
  }
  if (type == protos::ChaincodeSpec::EXTERNAL) {
    prefix = "";  // connection.json at the top, as in Fabric 2.x's code.tar.gz
    RETURN_IF_ERROR(CheckExternalFolder(dir));
  }
  ASSIGN_OR_RETURN(std::vector<archive::Entry> files, CollectFiles(dir, prefix));
  return archive::Write(files, {.gzip = true, .gzip_level = 9});
}

}  // namespace fabric::cli
