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

// Fabric's node platform (WriteFolderToTarPackage): node_modules is left out (the peer runs npm
// install), META-INF/ goes to the package's top, everything else under src/, every file with
// mode 0644 (the platform's validation refuses other bits).
StatusOr<std::string> BuildNodePackage(const std::string& dir) {
  ASSIGN_OR_RETURN(std::vector<archive::Entry> files, CollectFiles(dir, "src/", {"node_modules"}));
  for (archive::Entry& e : files) {
    if (e.path.starts_with("src/META-INF/")) {
      e.path = e.path.substr(4);
    }
    e.mode = 0644;
  }
  std::sort(files.begin(), files.end(),
            [](const archive::Entry& a, const archive::Entry& b) { return a.path < b.path; });
  return archive::Write(files, {.gzip = true, .gzip_level = 9});
}

}  // namespace

StatusOr<std::string> BuildCodePackage(protos::ChaincodeSpec::Type type, const std::string& path) {
  std::string dir = path;
  std::string prefix = "src/";
  if (type == protos::ChaincodeSpec::GOLANG) {
    const char* gopath = std::getenv("GOPATH");
    std::string candidate = std::string(gopath ? gopath : "") + "/src/" + path;
    std::error_code ec;
    if (gopath != nullptr && fs::is_directory(candidate, ec)) {
      dir = candidate;
    }
    prefix = "src/" + path + "/";
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
