// SPDX-License-Identifier: Apache-2.0
//
// fabric::archive: tar and tar.gz in memory, on libarchive. The one archive implementation of
// fabric-cpp: chaincode code packages (`peer chaincode package`, the launcher's packages), the
// peer's install checks, Docker build contexts and files uploaded into or downloaded from
// containers.
//
// Writing is deterministic: entries keep the order given, mtime is 0, owner is what the entry
// says (root by default), and a gzip header carries no timestamp, so the same entries always
// give the same bytes (package hashes identify chaincode). Names that fit are written as plain
// ustar headers; longer names (or large ids) get PAX extended headers, which Go's archive/tar,
// Docker and every tar reader understand.
//
// Reading accepts a tar (ustar, PAX or GNU) optionally gzipped, and only what is safe to
// extract: regular files and directories with relative names and no ".." component. Links
// (symbolic or hard), devices, FIFOs and sockets are refused: no caller needs them and a link
// is the classic way out of an extraction folder. Each entry's declared size is checked against
// ReadLimits before its data is read, so a small archive that would expand past the limits
// (a "gzip bomb") fails at once, without the output being allocated or decompressed.
//
// Errors: InvalidArgument for an entry that is refused (its name and why), ResourceExhausted
// for a limit crossed (the entry and the limit), DataLoss for data that is not a (gzipped)
// tar, corrupt or truncated (bad header checksum, bad gzip data).
//
// Thread-safety: free functions, safe to call concurrently.

#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fabric/base/status.h"

namespace fabric::archive {

enum class EntryType { kFile, kDirectory };

struct Entry {
  // Relative, '/'-separated, without "." or ".." components; a directory's name has no
  // trailing '/' when read (one is added when written).
  std::string path;
  EntryType type = EntryType::kFile;
  uint32_t mode = 0644;  // permission bits (07777)
  std::string content;   // kFile only
  // The owner; uname/gname are written only when set (the archive does not resolve them).
  uint32_t uid = 0;
  uint32_t gid = 0;
  std::string uname;
  std::string gname;
};

// A regular file and a directory, owned by root.
inline Entry File(std::string path, std::string content, uint32_t mode = 0644) {
  Entry e;
  e.path = std::move(path);
  e.content = std::move(content);
  e.mode = mode;
  return e;
}
inline Entry Directory(std::string path, uint32_t mode = 0755) {
  Entry e;
  e.path = std::move(path);
  e.type = EntryType::kDirectory;
  e.mode = mode;
  return e;
}

struct WriteOptions {
  bool gzip = false;
  int gzip_level = 6;  // 1 (fastest) .. 9 (smallest)
};

// The archive of `entries`, in their order, names cleaned ("./a//b" is written "a/b").
// InvalidArgument for an entry Read would refuse (empty, absolute or ".." name, a NUL in it) or
// content on a directory.
StatusOr<std::string> Write(const std::vector<Entry>& entries, const WriteOptions& options = {});

// What a reader accepts. Sizes are the entries' declared (uncompressed) sizes.
struct ReadLimits {
  uint64_t max_entries = 10000;
  uint64_t max_total_bytes = 100ull << 20;  // sum of the entries' sizes
  uint64_t max_entry_bytes = 100ull << 20;  // any one entry
};

// The entries of a tar or tar.gz (detected from the data). A leading "./" and a "." entry
// (the archive's own root) are dropped. An empty input is an empty archive. Errors as above.
StatusOr<std::vector<Entry>> Read(std::string_view archive, const ReadLimits& limits = {});

// As Read, with every check, but the entries' data is skipped: `content` stays empty.
StatusOr<std::vector<Entry>> ReadHeaders(std::string_view archive, const ReadLimits& limits = {});

// True when `data` starts with the gzip magic bytes.
bool IsGzip(std::string_view data);

// gzip (RFC 1952) of raw bytes, deterministic (no name, no timestamp).
StatusOr<std::string> Gzip(std::string_view data, int level = 6);
// The bytes of a gzip stream (several members are read as one). DataLoss for data that is not
// gzip or is corrupt or truncated; ResourceExhausted, as soon as it is known, when the output
// would be longer than `max_bytes`.
StatusOr<std::string> Gunzip(std::string_view data,
                             uint64_t max_bytes = ReadLimits{}.max_total_bytes);

}  // namespace fabric::archive
