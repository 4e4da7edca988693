// SPDX-License-Identifier: Apache-2.0

#include "peer/platforms/code_package.h"

#include <zlib.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <optional>
#include <regex>
#include <string>
#include <vector>

#include <absl/strings/numbers.h>
#include <absl/strings/str_format.h>

#include "common/archive/archive.h"
#include "fabric/base/status_macros.h"
#include "launcher/external/connection_info.h"

namespace fabric::platforms {
namespace {

// Go's io errors, as the readers below report them.
Status Eof() { return OutOfRangeError("EOF"); }
Status UnexpectedEof() { return DataLossError("unexpected EOF"); }
Status TarHeaderError() { return DataLossError("archive/tar: invalid tar header"); }
bool IsEof(const Status& s) { return s.code() == StatusCode::kOutOfRange; }

// compress/gzip's Reader over `in` (several members read as one stream), decompressing only as
// far as the caller reads: a member's trailer is checked, and the next member's header read,
// only when the caller asks for bytes past the member's end, as in Go.
class GzipReader {
 public:
  explicit GzipReader(std::string_view in) : in_(in) {}
  ~GzipReader() {
    if (inflating_) {
      inflateEnd(&zs_);
    }
  }
  GzipReader(const GzipReader&) = delete;
  GzipReader& operator=(const GzipReader&) = delete;

  // gzip.NewReader: the first member's header.
  Status Open() { return ReadMemberHeader(); }

  // Up to `n` bytes into `out` (null: discarded); *got says how many. OK only when all `n` were
  // read; otherwise the error that stopped it (Eof when the stream ended cleanly).
  Status Read(char* out, size_t n, size_t* got) {
    *got = 0;
    while (*got < n) {
      if (pending_pos_ == pending_.size()) {
        pending_.clear();
        pending_pos_ = 0;
        RETURN_IF_ERROR(Fill());
        continue;
      }
      const size_t take = std::min(n - *got, pending_.size() - pending_pos_);
      if (out != nullptr) {
        std::memcpy(out + *got, pending_.data() + pending_pos_, take);
      }
      pending_pos_ += take;
      *got += take;
    }
    return Status::OK();
  }

 private:
  // Reads the member header at pos_ (compress/gzip readHeader).
  Status ReadMemberHeader() {
    const auto need = [&](size_t k) { return in_.size() - pos_ >= k; };
    if (pos_ == in_.size()) {
      return Eof();
    }
    if (!need(10)) {
      return UnexpectedEof();
    }
    const auto* h = reinterpret_cast<const unsigned char*>(in_.data() + pos_);
    if (h[0] != 0x1f || h[1] != 0x8b || h[2] != 8) {
      return InvalidArgumentError("gzip: invalid header");
    }
    const unsigned char flags = h[3];
    uLong crc = crc32(0, h, 10);
    pos_ += 10;
    const auto take = [&](size_t k) {
      crc = crc32(crc, reinterpret_cast<const Bytef*>(in_.data() + pos_), k);
      pos_ += k;
    };
    if (flags & 0x04) {  // FEXTRA
      if (!need(2)) {
        return UnexpectedEof();
      }
      const size_t len = static_cast<unsigned char>(in_[pos_]) |
                         (static_cast<size_t>(static_cast<unsigned char>(in_[pos_ + 1])) << 8);
      take(2);
      if (!need(len)) {
        return UnexpectedEof();
      }
      take(len);
    }
    for (unsigned char flag : {0x08, 0x10}) {  // FNAME, FCOMMENT: NUL-terminated, < 512 bytes
      if ((flags & flag) == 0) {
        continue;
      }
      const size_t end = in_.find('\0', pos_);
      if (end == std::string_view::npos) {  // Go's readString reports the bare EOF
        return in_.size() - pos_ >= 512 ? InvalidArgumentError("gzip: invalid header") : Eof();
      }
      if (end - pos_ >= 512) {
        return InvalidArgumentError("gzip: invalid header");
      }
      take(end - pos_ + 1);
    }
    if (flags & 0x02) {  // FHCRC
      if (!need(2)) {
        return UnexpectedEof();
      }
      const unsigned digest =
          static_cast<unsigned char>(in_[pos_]) |
          (static_cast<unsigned>(static_cast<unsigned char>(in_[pos_ + 1])) << 8);
      if (digest != (crc & 0xFFFF)) {
        return InvalidArgumentError("gzip: invalid header");
      }
      pos_ += 2;
    }
    if (inflating_) {
      inflateReset(&zs_);
    } else {
      std::memset(&zs_, 0, sizeof(zs_));
      if (inflateInit2(&zs_, -MAX_WBITS) != Z_OK) {
        return InternalError("inflateInit2 failed");
      }
      inflating_ = true;
    }
    member_crc_ = crc32(0, nullptr, 0);
    member_size_ = 0;
    member_done_ = false;
    return Status::OK();
  }

  // Makes more bytes pending, or returns why there are none.
  Status Fill() {
    if (!error_.ok()) {
      return error_;
    }
    if (member_done_) {
      if (in_.size() - pos_ < 8) {
        return error_ = UnexpectedEof();
      }
      const auto* t = reinterpret_cast<const unsigned char*>(in_.data() + pos_);
      const uint32_t crc = t[0] | (t[1] << 8) | (t[2] << 16) | (static_cast<uint32_t>(t[3]) << 24);
      const uint32_t size = t[4] | (t[5] << 8) | (t[6] << 16) | (static_cast<uint32_t>(t[7]) << 24);
      pos_ += 8;
      if (crc != member_crc_ || size != static_cast<uint32_t>(member_size_)) {
        return error_ = DataLossError("gzip: invalid checksum");
      }
      if (Status s = ReadMemberHeader(); !s.ok()) {
        return error_ = s;
      }
    }
    pending_.resize(64 * 1024);
    zs_.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in_.data() + pos_));
    zs_.avail_in = static_cast<uInt>(std::min<size_t>(in_.size() - pos_, 1 << 30));
    zs_.next_out = reinterpret_cast<Bytef*>(pending_.data());
    zs_.avail_out = static_cast<uInt>(pending_.size());
    const int rc = inflate(&zs_, Z_NO_FLUSH);
    pos_ = reinterpret_cast<const char*>(zs_.next_in) - in_.data();
    pending_.resize(pending_.size() - zs_.avail_out);
    member_crc_ = crc32(member_crc_, reinterpret_cast<const Bytef*>(pending_.data()),
                        static_cast<uInt>(pending_.size()));
    member_size_ += pending_.size();
    if (rc == Z_STREAM_END) {
      member_done_ = true;
    } else if (rc == Z_BUF_ERROR && zs_.avail_in == 0) {
      error_ = UnexpectedEof();
    } else if (rc != Z_OK && rc != Z_BUF_ERROR) {
      error_ = DataLossError("flate: corrupt input");
    }
    // Bytes produced before an error are read first, as from Go's reader.
    return pending_.empty() && !member_done_ ? error_ : Status::OK();
  }

  std::string_view in_;
  size_t pos_ = 0;
  z_stream zs_{};
  bool inflating_ = false;
  bool member_done_ = false;
  uLong member_crc_ = 0;
  uint64_t member_size_ = 0;
  Status error_;
  std::string pending_;
  size_t pending_pos_ = 0;
};

struct TarEntry {
  std::string name;
  int64_t mode = 0;
  char typeflag = 0;
  int64_t size = 0;
};

constexpr size_t kBlock = 512;
constexpr size_t kMaxSpecialFile = 1 << 20;

bool HeaderOnly(char typeflag) { return typeflag >= '1' && typeflag <= '6'; }

// archive/tar's parseString: up to the first NUL.
std::string CString(std::string_view b) { return std::string(b.substr(0, b.find('\0'))); }

// strconv.ParseInt(s, 10, 64).
std::optional<int64_t> ParseDecimal(std::string_view s) {
  if (!s.empty() && s[0] == '+') {
    s.remove_prefix(1);
    if (s.empty() || s[0] == '-' || s[0] == '+') {
      return std::nullopt;
    }
  }
  int64_t v = 0;
  if (s.empty() || !absl::SimpleAtoi(absl::string_view(s.data(), s.size()), &v) ||
      s.find_first_not_of("-0123456789") != std::string_view::npos) {
    return std::nullopt;
  }
  return v;
}

// archive/tar's parseOctal: spaces and NULs around, up to an inner NUL; false on error.
bool ParseOctal(std::string_view b, int64_t* out) {
  const size_t first = b.find_first_not_of(std::string_view(" \0", 2));
  if (first == std::string_view::npos) {
    *out = 0;
    return true;
  }
  b = b.substr(first, b.find_last_not_of(std::string_view(" \0", 2)) - first + 1);
  b = b.substr(0, b.find('\0'));
  if (b.empty() || b.find_first_not_of("01234567") != std::string_view::npos || b.size() > 22) {
    return false;
  }
  uint64_t x = 0;
  for (char c : b) {
    if (x >> 61) {
      return false;  // overflows uint64
    }
    x = x * 8 + (c - '0');
  }
  *out = static_cast<int64_t>(x);
  return true;
}

// archive/tar's parseNumeric (octal, or base-256 when the high bit is set); false on error.
bool ParseNumeric(std::string_view b, int64_t* out) {
  if (!b.empty() && (static_cast<unsigned char>(b[0]) & 0x80)) {
    const unsigned char inv = (static_cast<unsigned char>(b[0]) & 0x40) ? 0xff : 0;
    uint64_t x = 0;
    for (size_t i = 0; i < b.size(); ++i) {
      unsigned char c = static_cast<unsigned char>(b[i]) ^ inv;
      if (i == 0) {
        c &= 0x7f;
      }
      if ((x >> 56) > 0) {
        return false;
      }
      x = x << 8 | c;
    }
    if ((x >> 63) > 0) {
      return false;
    }
    *out = inv == 0xff ? ~static_cast<int64_t>(x) : static_cast<int64_t>(x);
    return true;
  }
  return ParseOctal(b, out);
}

// archive/tar's Reader.Next over a GzipReader, keeping only what the platforms look at.
class TarReader {
 public:
  explicit TarReader(GzipReader& in) : in_(in) {}

  StatusOr<TarEntry> Next() {
    std::map<std::string, std::string> pax;
    std::string long_name;
    for (;;) {
      RETURN_IF_ERROR(Discard());
      ASSIGN_OR_RETURN(TarEntry entry, ReadHeader());
      RETURN_IF_ERROR(StartData(entry));
      if (entry.typeflag == 'x' || entry.typeflag == 'g') {
        ASSIGN_OR_RETURN(std::string data, ReadSpecialFile());
        ASSIGN_OR_RETURN(pax, ParsePax(data));
        if (entry.typeflag == 'g') {  // returned as an entry of its own, without a mode
          RETURN_IF_ERROR(MergePax(entry, pax));
          entry.mode = 0;
          return entry;
        }
        continue;
      }
      if (entry.typeflag == 'L' || entry.typeflag == 'K') {
        ASSIGN_OR_RETURN(std::string data, ReadSpecialFile());
        if (entry.typeflag == 'L') {
          long_name = CString(data);
        }
        continue;
      }
      RETURN_IF_ERROR(MergePax(entry, pax));
      if (!long_name.empty()) {
        entry.name = long_name;
      }
      if (entry.typeflag == '\0') {
        entry.typeflag = !entry.name.empty() && entry.name.back() == '/' ? '5' : '0';
      }
      RETURN_IF_ERROR(StartData(entry));
      return entry;
    }
  }

 private:
  // Skips the rest of the current entry and its padding (the start of Go's next()).
  Status Discard() {
    size_t got = 0;
    Status s = in_.Read(nullptr, remaining_, &got);
    remaining_ = 0;
    if (!s.ok()) {
      return IsEof(s) ? UnexpectedEof() : s;
    }
    s = in_.Read(nullptr, padding_, &got);  // tryReadFull: a short padding is the end
    padding_ = 0;
    return s;
  }

  // Go's handleRegularFile.
  Status StartData(const TarEntry& entry) {
    const int64_t nb = HeaderOnly(entry.typeflag) ? 0 : entry.size;
    if (nb < 0) {
      return TarHeaderError();
    }
    remaining_ = static_cast<uint64_t>(nb);
    padding_ = (kBlock - remaining_ % kBlock) % kBlock;
    return Status::OK();
  }

  Status ReadBlock(std::string& block) {
    block.assign(kBlock, '\0');
    size_t got = 0;
    Status s = in_.Read(block.data(), kBlock, &got);
    if (IsEof(s) && got > 0) {
      return UnexpectedEof();
    }
    return s;
  }

  StatusOr<TarEntry> ReadHeader() {
    std::string b;
    RETURN_IF_ERROR(ReadBlock(b));
    if (b.find_first_not_of('\0') == std::string::npos) {
      RETURN_IF_ERROR(ReadBlock(b));
      if (b.find_first_not_of('\0') == std::string::npos) {
        return Eof();
      }
      return TarHeaderError();
    }
    const std::string_view v(b);
    int64_t sum = 0;
    if (!ParseOctal(v.substr(148, 8), &sum)) {
      return TarHeaderError();
    }
    int64_t unsigned_sum = 0;
    int64_t signed_sum = 0;
    for (size_t i = 0; i < kBlock; ++i) {
      const char c = i >= 148 && i < 156 ? ' ' : b[i];
      unsigned_sum += static_cast<unsigned char>(c);
      signed_sum += static_cast<signed char>(c);
    }
    if (sum != unsigned_sum && sum != signed_sum) {
      return TarHeaderError();
    }
    const bool ustar = v.substr(257, 6) == std::string_view("ustar\0", 6);
    const bool star = ustar && v.substr(508, 4) == std::string_view("tar\0", 4);
    const bool gnu = v.substr(257, 6) == "ustar " && v.substr(263, 2) == std::string_view(" \0", 2);
    TarEntry entry;
    entry.typeflag = b[156];
    entry.name = CString(v.substr(0, 100));
    bool ok = true;
    int64_t ignored = 0;
    ok &= ParseNumeric(v.substr(124, 12), &entry.size);
    ok &= ParseNumeric(v.substr(100, 8), &entry.mode);
    ok &= ParseNumeric(v.substr(108, 8), &ignored) && ParseNumeric(v.substr(116, 8), &ignored);
    ok &= ParseNumeric(v.substr(136, 12), &ignored);
    std::string prefix;
    if (ustar || gnu) {
      ok &= ParseNumeric(v.substr(329, 8), &ignored) && ParseNumeric(v.substr(337, 8), &ignored);
    }
    if (star) {
      prefix = CString(v.substr(345, 131));
      ok &= ParseNumeric(v.substr(476, 12), &ignored) && ParseNumeric(v.substr(488, 12), &ignored);
    } else if (ustar) {
      prefix = CString(v.substr(345, 155));
    } else if (gnu) {
      // GNU keeps times where ustar has its prefix; unparsable times make Go read a prefix.
      bool times = true;
      for (size_t off : {345, 357}) {
        if (b[off] != '\0') {
          times &= ParseNumeric(v.substr(off, 12), &ignored);
        }
      }
      std::string p = CString(v.substr(345, 155));
      if (!times && std::all_of(p.begin(), p.end(),
                                [](char c) { return static_cast<unsigned char>(c) < 0x80; })) {
        prefix = std::move(p);
      }
    }
    if (!ok) {
      return TarHeaderError();
    }
    if (!prefix.empty()) {
      entry.name = prefix + "/" + entry.name;
    }
    return entry;
  }

  // The current entry's data, at most 1 MiB (Go's readSpecialFile).
  StatusOr<std::string> ReadSpecialFile() {
    std::string data(std::min<uint64_t>(remaining_, kMaxSpecialFile + 1), '\0');
    size_t got = 0;
    Status s = in_.Read(data.data(), data.size(), &got);
    remaining_ -= got;
    if (!s.ok()) {
      return IsEof(s) ? UnexpectedEof() : s;
    }
    if (data.size() > kMaxSpecialFile) {
      return DataLossError("archive/tar: header field too long");
    }
    return data;
  }

  // Go's parsePAX and parsePAXRecord.
  static StatusOr<std::map<std::string, std::string>> ParsePax(std::string_view s) {
    std::map<std::string, std::string> out;
    size_t sparse = 0;
    while (!s.empty()) {
      const size_t space = s.find(' ');
      if (space == std::string_view::npos) {
        return TarHeaderError();
      }
      std::optional<int64_t> n = ParseDecimal(s.substr(0, space));
      if (!n || *n < 5 || *n > static_cast<int64_t>(s.size()) ||
          *n <= static_cast<int64_t>(space + 1)) {
        return TarHeaderError();
      }
      const std::string_view rec = s.substr(space + 1, *n - space - 2);
      if (s[*n - 1] != '\n') {
        return TarHeaderError();
      }
      s.remove_prefix(*n);
      const size_t eq = rec.find('=');
      if (eq == std::string_view::npos || eq == 0) {
        return TarHeaderError();
      }
      const std::string key(rec.substr(0, eq));
      const std::string value(rec.substr(eq + 1));
      const bool string_key =
          key == "path" || key == "linkpath" || key == "uname" || key == "gname";
      if ((string_key ? value : key).find('\0') != std::string::npos) {
        return TarHeaderError();
      }
      if (key == "GNU.sparse.offset" || key == "GNU.sparse.numbytes") {
        if ((sparse % 2 == 0) != (key == "GNU.sparse.offset") ||
            value.find(',') != std::string::npos) {
          return TarHeaderError();
        }
        ++sparse;
        continue;
      }
      out[key] = value;
    }
    return out;
  }

  // Go's mergePAX for the fields the platforms read (and the numeric fields whose errors fail).
  static Status MergePax(TarEntry& entry, const std::map<std::string, std::string>& pax) {
    for (const auto& [key, value] : pax) {
      if (value.empty()) {
        continue;
      }
      bool ok = true;
      if (key == "path") {
        entry.name = value;
      } else if (key == "size") {
        std::optional<int64_t> n = ParseDecimal(value);
        ok = n.has_value();
        entry.size = n.value_or(0);
      } else if (key == "uid" || key == "gid") {
        ok = ParseDecimal(value).has_value();
      } else if (key == "atime" || key == "mtime" || key == "ctime") {
        const size_t dot = value.find('.');
        ok = ParseDecimal(std::string_view(value).substr(0, dot)).has_value() &&
             (dot == std::string::npos ||
              value.find_first_not_of("0123456789", dot + 1) == std::string::npos);
      }
      if (!ok) {
        return TarHeaderError();
      }
    }
    return Status::OK();
  }

  GzipReader& in_;
  uint64_t remaining_ = 0;
  uint64_t padding_ = 0;
};

struct PlatformRules {
  std::regex allowed;
  std::optional<std::regex> refused;
  bool stop_at_any_error;  // golang, node: a read error ends the scan; java: it fails it
  bool needs_package_json;
};

Status CheckEntries(std::string_view code, const PlatformRules& rules) {
  GzipReader gz(code);
  if (Status s = gz.Open(); !s.ok()) {
    return InvalidArgumentError(
        absl::StrFormat("failure opening codepackage gzip stream: %s", s.message()));
  }
  TarReader tar(gz);
  bool package_json = false;
  for (;;) {
    StatusOr<TarEntry> entry = tar.Next();
    if (!entry.ok()) {
      if (IsEof(entry.status()) || rules.stop_at_any_error) {
        break;
      }
      return InvalidArgumentError(entry.status().message());
    }
    if (!std::regex_search(entry->name, rules.allowed, std::regex_constants::match_continuous) ||
        (rules.refused && std::regex_search(entry->name, *rules.refused))) {
      return InvalidArgumentError(
          absl::StrFormat("illegal file detected in payload: \"%s\"", entry->name));
    }
    package_json |= entry->name == "src/package.json";
    if ((entry->mode & ~static_cast<int64_t>(0100666)) != 0) {
      return InvalidArgumentError(
          absl::StrFormat("illegal file mode detected for file %s: %o", entry->name, entry->mode));
    }
  }
  if (rules.needs_package_json && !package_json) {
    return InvalidArgumentError("no package.json found at the root of the chaincode package");
  }
  return Status::OK();
}

// fabric-cpp's own checks at install, with fabric_archive (every entry's header read, the data
// skipped, each declared size checked before its data is read). `cpp`: the package must be a
// gzipped tar of regular files and directories with relative names and no "..", read to its end,
// within `limits`. Fabric's types: only the limits; their platform rules (checked before) decide
// the rest, so another read error ends the check quietly, as it ends Fabric's.
Status CheckInstallEntries(std::string_view code, const InstallLimits& limits, bool cpp) {
  if (!archive::IsGzip(code)) {
    return cpp ? InvalidArgumentError(
                     "the code package is not gzip data: package the chaincode with `peer "
                     "chaincode package` or as a .tar.gz")
               : Status::OK();
  }
  StatusOr<std::vector<archive::Entry>> entries = archive::ReadHeaders(code, limits.AsReadLimits());
  const bool limit = entries.status().code() == StatusCode::kResourceExhausted;
  if (entries.ok() || (!cpp && !limit)) {
    return Status::OK();
  }
  return InvalidArgumentError(absl::StrFormat(
      "the code package is refused: %s; %s", entries.status().message(),
      limit ? "leave build outputs and dependencies out"
            : "package the chaincode with `peer chaincode package` or as a .tar.gz"));
}

}  // namespace

// An EXTERNAL package: a safe gzipped tar holding a valid connection.json at its top.
Status CheckExternalPackage(std::string_view code, const InstallLimits& limits) {
  if (code.empty()) {
    return InvalidArgumentError(
        "the external package is empty: it must hold connection.json (peer chaincode package -l "
        "external -p DIR)");
  }
  RETURN_IF_ERROR(CheckInstallEntries(code, limits, /*cpp=*/true));
  ASSIGN_OR_RETURN(std::vector<archive::Entry> entries, archive::Read(code, limits.AsReadLimits()));
  for (const archive::Entry& e : entries) {
    if (e.path == launcher::external::kConnectionFile) {
      return launcher::external::ParseConnectionInfo(e.content, "connection.json of the package")
          .status();
    }
  }
  return InvalidArgumentError(
      "the external package has no connection.json at its top: package a folder holding it with "
      "`peer chaincode package -l external -p DIR`");
}

Status ValidateInstallPackage(protos::ChaincodeSpec::Type type, std::string_view code,
                              const InstallLimits& limits) {
  if (type == protos::ChaincodeSpec::CPP) {
    if (code.empty()) {
      return InvalidArgumentError("the code package is empty: nothing to build");
    }
    return CheckInstallEntries(code, limits, /*cpp=*/true);
  }
  if (type == protos::ChaincodeSpec::EXTERNAL) {
    return CheckExternalPackage(code, limits);
  }
  RETURN_IF_ERROR(ValidateCodePackage(type, code));
  if (code.empty() || type == protos::ChaincodeSpec::CAR) {
    return Status::OK();
  }
  return CheckInstallEntries(code, limits, /*cpp=*/false);
}

Status ValidateCodePackage(protos::ChaincodeSpec::Type type, std::string_view code) {
  // Go's regexp `.` does not match a newline; what follows the prefix is never looked at, so
  // the patterns below only anchor the prefix.
  switch (type) {
    case protos::ChaincodeSpec::GOLANG:
    case protos::ChaincodeSpec::NODE:
      if (code.empty()) {
        return Status::OK();
      }
      return CheckEntries(code, PlatformRules{std::regex("/?(src|META-INF)/"), std::nullopt, true,
                                              type == protos::ChaincodeSpec::NODE});
    case protos::ChaincodeSpec::JAVA:
      if (code.empty()) {
        return Status::OK();
      }
      return CheckEntries(
          code, PlatformRules{std::regex("/?src/((src|META-INF)/|(build\\.gradle|settings\\.gradle|"
                                         "pom\\.xml))"),
                              std::regex("\\.class$"), false, false});
    case protos::ChaincodeSpec::CAR:
      return Status::OK();
    default:
      return InvalidArgumentError(
          absl::StrFormat("Unknown chaincodeType: %s", protos::ChaincodeSpec::Type_Name(type)));
  }
}

}  // namespace fabric::platforms
