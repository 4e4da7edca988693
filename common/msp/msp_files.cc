// SPDX-License-Identifier: Apache-2.0
#include "common/msp/msp_files.h"

#include <algorithm>
#include <filesystem>
#include <system_error>

#include <absl/strings/str_format.h>

#include "common/crypto/file_util.h"
#include "common/crypto/x509.h"
#include "fabric/base/status_macros.h"

namespace fabric::msp::internal {

namespace fs = std::filesystem;

bool IsDirectory(const std::string& path) {
  std::error_code ec;
  return fs::is_directory(path, ec);
}

bool Exists(const std::string& path) {
  std::error_code ec;
  return fs::exists(path, ec);
}

StatusOr<std::vector<std::string>> ListFiles(const std::string& dir) {
  if (!IsDirectory(dir)) {
    return NotFoundError(absl::StrFormat("directory %s does not exist", dir));
  }
  std::error_code ec;
  fs::directory_iterator it(dir, ec);
  std::vector<std::string> files;
  for (; !ec && it != fs::directory_iterator(); it.increment(ec)) {
    const std::string name = it->path().filename().string();
    std::error_code type_ec;
    if (name.empty() || name[0] == '.' || !fs::is_regular_file(it->path(), type_ec)) {
      continue;
    }
    files.push_back(it->path().string());
  }
  if (ec) {
    return InternalError(absl::StrFormat("read directory %s: %s", dir, ec.message()));
  }
  std::sort(files.begin(), files.end());
  return files;
}

StatusOr<std::vector<PemFile>> ReadCertificateDir(const std::string& dir) {
  ASSIGN_OR_RETURN(std::vector<std::string> paths, ListFiles(dir));
  std::vector<PemFile> out;
  for (const std::string& path : paths) {
    ASSIGN_OR_RETURN(std::string content, crypto::ReadFile(path));
    StatusOr<std::vector<crypto::Certificate>> certs = crypto::ParseCertificateChainPem(content);
    if (!certs.ok()) {
      return InvalidArgumentError(
          absl::StrFormat("file %s is not a PEM certificate: %s", path, certs.status().message()));
    }
    out.push_back(PemFile{path, std::move(content)});
  }
  return out;
}

}  // namespace fabric::msp::internal
