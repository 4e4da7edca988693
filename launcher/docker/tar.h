// SPDX-License-Identifier: Apache-2.0
//
// Minimal ustar archives and gzip, for Docker build contexts, archive upload/download and
// chaincode code packages. Archives are deterministic: entries keep the order they are added
// in, with mtime 0 and uid/gid 0 unless an owner is given.
//
// Thread-safety: TarWriter is a value type (one thread at a time); the free functions are safe.

#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <string_view>

#include "fabric/base/status.h"

namespace fabric::launcher::docker {

// The numeric owner of a tar entry.
struct TarOwner {
  uint32_t uid = 0;
  uint32_t gid = 0;
};

// "uid:gid" (or "uid", gid 0) as a TarOwner; root for anything else (a user name: the archive
// cannot resolve it).
TarOwner OwnerOf(std::string_view user);

class TarWriter {
 public:
  // Adds a regular file. InvalidArgument when `name` does not fit a ustar header (name 100 +
  // prefix 155 bytes) or is absolute.
  Status AddFile(std::string_view name, std::string_view content, int mode = 0644,
                 TarOwner owner = {});
  // Adds a directory entry ("dir/").
  Status AddDirectory(std::string_view name, int mode = 0755);
  // The archive with its end-of-archive blocks; the writer is then empty again.
  std::string Finish();

 private:
  Status AddEntry(std::string_view name, std::string_view content, int mode, char type,
                  TarOwner owner);
  std::string out_;
};

// The regular files of a tar archive, by name ("./" prefixes dropped). DataLoss for a
// truncated or malformed archive.
StatusOr<std::map<std::string, std::string>> ReadTarFiles(std::string_view tar);

// gzip (RFC 1952) compression and decompression with zlib. Gunzip: DataLoss on corrupt input.
std::string Gzip(std::string_view data);
StatusOr<std::string> Gunzip(std::string_view data);

}  // namespace fabric::launcher::docker
