// SPDX-License-Identifier: Apache-2.0
//
// Chaincode code packages: the gzipped tar in ChaincodeDeploymentSpec.code_package, built from a
// source folder as Fabric's platforms do (deterministic: entries sorted by path, mtime 0, uid and
// gid 0, so the same folder always gives the same bytes and the same code hash).
// Layout by language:
//   golang  src/<path>/<file>   (path = the -p import path; the folder is $GOPATH/src/<path>
//                                 when it exists, else -p taken as a folder)
//   node, java, cpp   src/<file>
// A C++ package must have CMakeLists.txt at its top: images/ccenv's fabric-cc-build builds
// INPUT/src with it.
//
// Thread-safety: stateless.

#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "fabric/base/status.h"
#include "peer/chaincode.pb.h"

namespace fabric::cli {

struct TarEntry {
  std::string name;  // relative path, '/' separated
  uint32_t mode = 0644;
  std::string data;
};

// Serialises `entries` as a POSIX ustar archive (regular files only). InvalidArgument when a
// name cannot be stored (longer than 255 bytes, or no '/' to split it at 100).
StatusOr<std::string> WriteTar(const std::vector<TarEntry>& entries);
// Parses a tar archive into its regular files (directories and links are skipped).
// InvalidArgument for a truncated or corrupt archive (bad header checksum).
StatusOr<std::vector<TarEntry>> ReadTar(std::string_view tar);

// gzip compression and decompression (zlib). InvalidArgument for bytes that are not gzip.
StatusOr<std::string> Gzip(std::string_view data);
StatusOr<std::string> Gunzip(std::string_view data);

// The files of folder `dir` (recursively; hidden entries and CMake build folders skipped) named
// `prefix` + relative path, sorted. NotFound when `dir` is not a folder; Internal on read errors.
StatusOr<std::vector<TarEntry>> CollectFiles(const std::string& dir, const std::string& prefix);

// Parses a -l value: golang, node, java, car, cpp (case-insensitive). InvalidArgument
// "unknown chaincode language ..." otherwise.
StatusOr<protos::ChaincodeSpec::Type> ParseLanguage(std::string_view lang);

// The gzipped tar for a chaincode at `path` in `type`. InvalidArgument when a cpp folder has no
// CMakeLists.txt at its top ("... is not a C++ chaincode: no CMakeLists.txt in <dir>"); NotFound
// when the folder does not exist.
StatusOr<std::string> BuildCodePackage(protos::ChaincodeSpec::Type type, const std::string& path);

}  // namespace fabric::cli
