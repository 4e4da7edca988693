// SPDX-License-Identifier: Apache-2.0
//
// Internal to common/msp: reading the files of an MSP folder (Go: getPemMaterialFromDir in
// msp/configbuilder.go), without exceptions.
//
// Thread-safety: stateless; safe to call concurrently.

#pragma once

#include <string>
#include <vector>

#include "fabric/base/status.h"

namespace fabric::msp::internal {

struct PemFile {
  std::string path;     // Full path, for error messages.
  std::string content;  // The whole file.
};

// True when `path` exists and is a directory.
bool IsDirectory(const std::string& path);

// True when `path` exists (following symlinks).
bool Exists(const std::string& path);

// The regular files (symlinks followed) directly in `dir`, sorted by name, hidden files (names
// starting with '.') skipped. NotFound when `dir` does not exist or is not a directory; Internal
// on other I/O errors.
StatusOr<std::vector<std::string>> ListFiles(const std::string& dir);

// Reads every file of `dir`, each of which must hold at least one PEM CERTIFICATE block (and
// only CERTIFICATE blocks). NotFound when `dir` does not exist; InvalidArgument naming the file
// when one is not such PEM. An empty directory gives an empty vector.
StatusOr<std::vector<PemFile>> ReadCertificateDir(const std::string& dir);

}  // namespace fabric::msp::internal
