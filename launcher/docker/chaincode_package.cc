// SPDX-License-Identifier: Apache-2.0
#include "launcher/docker/chaincode_package.h"

#include <filesystem>
#include <fstream>
#include <sstream>
#include <vector>

#include "common/archive/archive.h"
#include "common/crypto/hash.h"
#include "fabric/base/status_macros.h"

namespace fabric::launcher::docker {

namespace fs = std::filesystem;

StatusOr<std::string> PackageFiles(const std::map<std::string, std::string>& files) {
  if (files.count("CMakeLists.txt") == 0) {
    return InvalidArgumentError("chaincode package has no CMakeLists.txt at its top");
  }
  std::vector<archive::Entry> entries;
  for (const auto& [path, content] : files) {
    if (path.empty() || path[0] == '/' || path.find("..") != std::string::npos) {
      return InvalidArgumentError("bad path in chaincode package: " + path);
    }
    entries.push_back(archive::File("src/" + path, content));
  }
  // gzip level 1, as before (fast); deterministic: the same files give the same bytes (and
  // PackageHash).
  return archive::Write(entries, {.gzip = true, .gzip_level = 1});
}

StatusOr<std::string> PackageDirectory(const std::string& dir) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return NotFoundError("chaincode source folder " + dir + " not found");
  }
  std::map<std::string, std::string> files;
  fs::recursive_directory_iterator it(dir, fs::directory_options::skip_permission_denied, ec);
  for (; !ec && it != fs::recursive_directory_iterator(); it.increment(ec)) {
    const fs::path& p = it->path();
    std::string name = p.filename().string();
    if (it->is_directory(ec) && (name[0] == '.' || name == "build")) {
      it.disable_recursion_pending();
      continue;
    }
    if (!it->is_regular_file(ec) || name[0] == '.') {
      continue;
    }
    std::ifstream in(p, std::ios::binary);
    std::ostringstream content;
    content << in.rdbuf();
    if (!in.good() && !in.eof()) {
      return InternalError("read " + p.string() + " failed");
    }
    files[fs::relative(p, dir, ec).generic_string()] = content.str();
  }
  if (ec) {
    return InternalError("walk " + dir + ": " + ec.message());
  }
  return PackageFiles(files);
}

std::string PackageHash(const std::string& code_package) {
  return crypto::HexEncode(crypto::Sha256(code_package));
}

}  // namespace fabric::launcher::docker
