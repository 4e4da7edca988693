// SPDX-License-Identifier: Apache-2.0

#include "common/archive/archive.h"

#include <archive.h>
#include <archive_entry.h>
#include <sys/stat.h>

#include <algorithm>
#include <cctype>
#include <memory>
#include <optional>

#include <absl/strings/str_format.h>

#include "fabric/base/status_macros.h"

namespace fabric::archive {
namespace {

struct ReadDeleter {
  void operator()(struct archive* a) const { archive_read_free(a); }
};
struct WriteDeleter {
  void operator()(struct archive* a) const { archive_write_free(a); }
};
struct EntryDeleter {
  void operator()(struct archive_entry* e) const { archive_entry_free(e); }
};
using ReadArchive = std::unique_ptr<struct archive, ReadDeleter>;
using WriteArchive = std::unique_ptr<struct archive, WriteDeleter>;
using ArchiveEntry = std::unique_ptr<struct archive_entry, EntryDeleter>;

// libarchive's message for the last error ("Damaged tar archive" -> "damaged tar archive").
std::string LibError(struct archive* a) {
  const char* s = archive_error_string(a);
  std::string m = s != nullptr && *s != '\0' ? s : "unknown libarchive error";
  if (m.size() > 1 && std::isupper(static_cast<unsigned char>(m[0])) &&
      !std::isupper(static_cast<unsigned char>(m[1]))) {
    m[0] = static_cast<char>(std::tolower(static_cast<unsigned char>(m[0])));
  }
  return m;
}

// `raw` without "." components, empty components and a trailing '/'; nullopt (with *why) when
// it is absolute, has a ".." component or a NUL. "" for the root ("." or "./").
std::optional<std::string> CleanPath(std::string_view raw, std::string* why) {
  if (raw.find('\0') != std::string_view::npos) {
    *why = "has a NUL byte";
    return std::nullopt;
  }
  if (!raw.empty() && raw[0] == '/') {
    *why = "is absolute";
    return std::nullopt;
  }
  std::string out;
  while (!raw.empty()) {
    const size_t slash = raw.find('/');
    const std::string_view part = raw.substr(0, slash);
    raw = slash == std::string_view::npos ? std::string_view() : raw.substr(slash + 1);
    if (part.empty() || part == ".") {
      continue;
    }
    if (part == "..") {
      *why = "has a \"..\" component";
      return std::nullopt;
    }
    if (!out.empty()) {
      out += '/';
    }
    out.append(part);
  }
  return out;
}

Status BadName(std::string_view name, const std::string& why) {
  return InvalidArgumentError(absl::StrFormat(
      "archive entry \"%s\" %s: names must be relative, without \"..\"", name, why));
}

la_ssize_t AppendToString(struct archive*, void* client, const void* buf, size_t n) {
  static_cast<std::string*>(client)->append(static_cast<const char*>(buf), n);
  return static_cast<la_ssize_t>(n);
}

// An archive reader over `data`, gzip detected, nothing else (no external programs).
StatusOr<ReadArchive> OpenReader(std::string_view data, bool tar) {
  ReadArchive a(archive_read_new());
  if (a == nullptr) {
    return InternalError("archive: out of memory");
  }
  if (archive_read_support_filter_gzip(a.get()) != ARCHIVE_OK) {
    return InternalError("archive: libarchive has no built-in gzip: " + LibError(a.get()));
  }
  // The format is set, not bid for: a tar whose first header is damaged is reported as such.
  // Raw (Gunzip): the decompressed bytes as one entry, or none ("empty") for an empty stream.
  const int format = tar ? archive_read_set_format(a.get(), ARCHIVE_FORMAT_TAR)
                         : std::min(archive_read_support_format_raw(a.get()),
                                    archive_read_support_format_empty(a.get()));
  if (format != ARCHIVE_OK) {
    return InternalError("archive: " + LibError(a.get()));
  }
  static const char kEmpty[1] = {0};
  if (archive_read_open_memory(a.get(), data.empty() ? kEmpty : data.data(), data.size()) !=
      ARCHIVE_OK) {
    return DataLossError(absl::StrFormat(
        "not %s: %s", tar ? "a tar or tar.gz archive" : "gzip data", LibError(a.get())));
  }
  return a;
}

const char* TypeName(mode_t type) {
  switch (type) {
    case AE_IFLNK:
      return "symbolic link";
    case AE_IFCHR:
      return "character device";
    case AE_IFBLK:
      return "block device";
    case AE_IFIFO:
      return "fifo";
    case AE_IFSOCK:
      return "socket";
    default:
      return "unknown type";
  }
}

StatusOr<std::vector<Entry>> ReadEntries(std::string_view data, const ReadLimits& limits,
                                         bool keep_content) {
  ASSIGN_OR_RETURN(ReadArchive a, OpenReader(data, /*tar=*/true));
  std::vector<Entry> entries;
  uint64_t count = 0;
  uint64_t total = 0;
  std::string last = "(none)";  // the last entry read, for errors
  const auto corrupt = [&](std::string_view what) {
    return DataLossError(absl::StrFormat("corrupt or truncated archive %s (after entry \"%s\"): %s",
                                         what, last, LibError(a.get())));
  };
  for (;;) {
    struct archive_entry* e = nullptr;
    const int rc = archive_read_next_header(a.get(), &e);
    if (rc == ARCHIVE_EOF) {
      break;
    }
    // ARCHIVE_WARN is a header read with a remark (e.g. a name not in the locale's charset);
    // ARCHIVE_RETRY is a damaged header (bad checksum), which is not skipped.
    if (rc == ARCHIVE_RETRY) {
      return DataLossError(absl::StrFormat(
          "corrupt archive: the header after entry \"%s\" is damaged (bad header checksum)", last));
    }
    if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
      return corrupt("header");
    }
    const char* raw = archive_entry_pathname(e);
    if (raw == nullptr) {
      raw = archive_entry_pathname_utf8(e);
    }
    if (raw == nullptr) {
      return corrupt("entry name");
    }
    const std::string name(raw);
    if (++count > limits.max_entries) {
      return ResourceExhaustedError(
          absl::StrFormat("archive has more than %d entries (the limit, reached at entry \"%s\")",
                          limits.max_entries, name));
    }
    const mode_t type = archive_entry_filetype(e);
    if (archive_entry_hardlink(e) != nullptr) {
      return InvalidArgumentError(
          absl::StrFormat("archive entry \"%s\" is not a file or directory (hard link to \"%s\")",
                          name, archive_entry_hardlink(e)));
    }
    if (type != AE_IFREG && type != AE_IFDIR) {
      return InvalidArgumentError(absl::StrFormat(
          "archive entry \"%s\" is not a file or directory (%s)", name, TypeName(type)));
    }
    std::string why;
    std::optional<std::string> path = CleanPath(name, &why);
    if (!path.has_value()) {
      return BadName(name, why);
    }
    if (path->empty() && (type != AE_IFDIR || name.empty())) {
      return BadName(name, "has no name");
    }
    const int64_t size = archive_entry_size(e);
    if (size < 0) {
      return corrupt("header");
    }
    total += static_cast<uint64_t>(size);
    if (total > limits.max_total_bytes) {
      return ResourceExhaustedError(absl::StrFormat(
          "archive expands to more than %d bytes (the limit, reached at entry \"%s\" of %d bytes)",
          limits.max_total_bytes, name, size));
    }
    if (static_cast<uint64_t>(size) > limits.max_entry_bytes) {
      return ResourceExhaustedError(
          absl::StrFormat("archive entry \"%s\" has %d bytes, more than the limit of %d per entry",
                          name, size, limits.max_entry_bytes));
    }
    last = name;
    Entry entry;
    entry.path = std::move(*path);
    entry.type = type == AE_IFDIR ? EntryType::kDirectory : EntryType::kFile;
    entry.mode = static_cast<uint32_t>(archive_entry_perm(e)) & 07777;
    entry.uid = static_cast<uint32_t>(archive_entry_uid(e));
    entry.gid = static_cast<uint32_t>(archive_entry_gid(e));
    if (const char* u = archive_entry_uname(e); u != nullptr) {
      entry.uname = u;
    }
    if (const char* g = archive_entry_gname(e); g != nullptr) {
      entry.gname = g;
    }
    if (keep_content && entry.type == EntryType::kFile && size > 0) {
      entry.content.resize(static_cast<size_t>(size));
      size_t got = 0;
      while (got < entry.content.size()) {
        const la_ssize_t n =
            archive_read_data(a.get(), entry.content.data() + got, entry.content.size() - got);
        if (n < 0) {
          return corrupt("data");
        }
        if (n == 0) {
          return DataLossError(absl::StrFormat(
              "corrupt or truncated archive data: entry \"%s\" ends after %d of its %d bytes", name,
              got, size));
        }
        got += static_cast<size_t>(n);
      }
    } else if (archive_read_data_skip(a.get()) != ARCHIVE_OK) {
      return corrupt("data");
    }
    if (entry.path.empty()) {
      continue;  // "./": the archive's root
    }
    entries.push_back(std::move(entry));
  }
  return entries;
}

}  // namespace

StatusOr<std::string> Write(const std::vector<Entry>& entries, const WriteOptions& options) {
  // Before `a`, which may still write to it when it is freed (on an early return).
  std::string out;
  WriteArchive a(archive_write_new());
  ArchiveEntry e(archive_entry_new());
  if (a == nullptr || e == nullptr) {
    return InternalError("archive: out of memory");
  }
  // PAX only where ustar cannot hold a field; no padding of the output to 10 KiB blocks.
  if (archive_write_set_format_pax_restricted(a.get()) != ARCHIVE_OK ||
      archive_write_set_bytes_per_block(a.get(), 0) != ARCHIVE_OK) {
    return InternalError("archive: " + LibError(a.get()));
  }
  // Non-ASCII names are written as the bytes they are (PAX "hdrcharset=BINARY"), not converted
  // from the locale's charset to UTF-8 (which fails in the C locale). Only then: the option puts
  // a PAX header before every entry.
  const auto non_ascii = [](const std::string& s) {
    return std::any_of(s.begin(), s.end(), [](char c) { return (c & 0x80) != 0; });
  };
  if (std::any_of(entries.begin(), entries.end(),
                  [&](const Entry& x) {
                    return non_ascii(x.path) || non_ascii(x.uname) || non_ascii(x.gname);
                  }) &&
      archive_write_set_format_option(a.get(), "pax", "hdrcharset", "BINARY") != ARCHIVE_OK) {
    return InternalError("archive: " + LibError(a.get()));
  }
  if (options.gzip) {
    if (options.gzip_level < 1 || options.gzip_level > 9) {
      return InvalidArgumentError(
          absl::StrFormat("gzip level %d is not between 1 and 9", options.gzip_level));
    }
    if (archive_write_add_filter_gzip(a.get()) != ARCHIVE_OK ||
        archive_write_set_filter_option(a.get(), "gzip", "compression-level",
                                        std::to_string(options.gzip_level).c_str()) != ARCHIVE_OK ||
        archive_write_set_filter_option(a.get(), "gzip", "timestamp", nullptr) != ARCHIVE_OK) {
      return InternalError("archive: gzip: " + LibError(a.get()));
    }
  }
  if (!options.gzip) {  // a header and the padded data per entry, the end: one allocation
    size_t size = 1024;
    for (const Entry& entry : entries) {
      size += 512 + (entry.content.size() + 511) / 512 * 512;
    }
    out.reserve(size);
  }
  if (archive_write_open(a.get(), &out, nullptr, AppendToString, nullptr) != ARCHIVE_OK) {
    return InternalError("archive: " + LibError(a.get()));
  }
  for (const Entry& entry : entries) {
    std::string why;
    std::optional<std::string> path = CleanPath(entry.path, &why);
    if (!path.has_value()) {
      return BadName(entry.path, why);
    }
    if (path->empty()) {
      return BadName(entry.path, "has no name");
    }
    const bool dir = entry.type == EntryType::kDirectory;
    if (dir && !entry.content.empty()) {
      return InvalidArgumentError(
          absl::StrFormat("archive entry \"%s\" is a directory with content", entry.path));
    }
    archive_entry_clear(e.get());
    archive_entry_copy_pathname(e.get(), path->c_str());
    archive_entry_set_filetype(e.get(), dir ? AE_IFDIR : AE_IFREG);
    archive_entry_set_perm(e.get(), entry.mode & 07777);
    archive_entry_set_size(e.get(), static_cast<la_int64_t>(entry.content.size()));
    archive_entry_set_uid(e.get(), entry.uid);
    archive_entry_set_gid(e.get(), entry.gid);
    if (!entry.uname.empty()) {
      archive_entry_copy_uname(e.get(), entry.uname.c_str());
    }
    if (!entry.gname.empty()) {
      archive_entry_copy_gname(e.get(), entry.gname.c_str());
    }
    archive_entry_set_mtime(e.get(), 0, 0);
    if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK) {
      return InvalidArgumentError(
          absl::StrFormat("archive entry \"%s\": %s", entry.path, LibError(a.get())));
    }
    size_t done = 0;
    while (done < entry.content.size()) {
      const la_ssize_t n =
          archive_write_data(a.get(), entry.content.data() + done, entry.content.size() - done);
      if (n <= 0) {
        return InternalError(
            absl::StrFormat("archive entry \"%s\": %s", entry.path, LibError(a.get())));
      }
      done += static_cast<size_t>(n);
    }
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    return InternalError("archive: " + LibError(a.get()));
  }
  return out;
}

StatusOr<std::vector<Entry>> Read(std::string_view archive, const ReadLimits& limits) {
  return ReadEntries(archive, limits, /*keep_content=*/true);
}

StatusOr<std::vector<Entry>> ReadHeaders(std::string_view archive, const ReadLimits& limits) {
  return ReadEntries(archive, limits, /*keep_content=*/false);
}

bool IsGzip(std::string_view data) {
  return data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
         static_cast<unsigned char>(data[1]) == 0x8b;
}

StatusOr<std::string> Gzip(std::string_view data, int level) {
  if (level < 1 || level > 9) {
    return InvalidArgumentError(absl::StrFormat("gzip level %d is not between 1 and 9", level));
  }
  std::string out;  // before `a`, as in Write
  WriteArchive a(archive_write_new());
  ArchiveEntry e(archive_entry_new());
  if (a == nullptr || e == nullptr) {
    return InternalError("archive: out of memory");
  }
  if (archive_write_set_format_raw(a.get()) != ARCHIVE_OK ||
      archive_write_set_bytes_per_block(a.get(), 0) != ARCHIVE_OK ||
      archive_write_add_filter_gzip(a.get()) != ARCHIVE_OK ||
      archive_write_set_filter_option(a.get(), "gzip", "compression-level",
                                      std::to_string(level).c_str()) != ARCHIVE_OK ||
      archive_write_set_filter_option(a.get(), "gzip", "timestamp", nullptr) != ARCHIVE_OK) {
    return InternalError("gzip: " + LibError(a.get()));
  }
  if (archive_write_open(a.get(), &out, nullptr, AppendToString, nullptr) != ARCHIVE_OK) {
    return InternalError("gzip: " + LibError(a.get()));
  }
  archive_entry_set_filetype(e.get(), AE_IFREG);
  archive_entry_set_size(e.get(), static_cast<la_int64_t>(data.size()));
  if (archive_write_header(a.get(), e.get()) != ARCHIVE_OK) {
    return InternalError("gzip: " + LibError(a.get()));
  }
  size_t done = 0;
  while (done < data.size()) {
    const la_ssize_t n = archive_write_data(a.get(), data.data() + done, data.size() - done);
    if (n <= 0) {
      return InternalError("gzip: " + LibError(a.get()));
    }
    done += static_cast<size_t>(n);
  }
  if (archive_write_close(a.get()) != ARCHIVE_OK) {
    return InternalError("gzip: " + LibError(a.get()));
  }
  return out;
}

StatusOr<std::string> Gunzip(std::string_view data, uint64_t max_bytes) {
  if (!IsGzip(data)) {
    return DataLossError("not gzip data (no gzip magic bytes)");
  }
  ASSIGN_OR_RETURN(ReadArchive a, OpenReader(data, /*tar=*/false));
  struct archive_entry* e = nullptr;
  const int rc = archive_read_next_header(a.get(), &e);
  if (rc == ARCHIVE_EOF) {
    return std::string();
  }
  if (rc != ARCHIVE_OK && rc != ARCHIVE_WARN) {
    return DataLossError("corrupt or truncated gzip data: " + LibError(a.get()));
  }
  std::string out;
  char buf[64 * 1024];
  for (;;) {
    const la_ssize_t n = archive_read_data(a.get(), buf, sizeof(buf));
    if (n < 0) {
      return DataLossError("corrupt or truncated gzip data: " + LibError(a.get()));
    }
    if (n == 0) {
      return out;
    }
    if (out.size() + static_cast<uint64_t>(n) > max_bytes) {
      return ResourceExhaustedError(
          absl::StrFormat("gzip data expands to more than %d bytes (the limit)", max_bytes));
    }
    out.append(buf, static_cast<size_t>(n));
  }
}

}  // namespace fabric::archive
