// SPDX-License-Identifier: Apache-2.0

#include "peer/cli/package.h"

#include <zlib.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>

#include <absl/strings/str_format.h>

#include "fabric/base/status_macros.h"

namespace fabric::cli {
namespace {

namespace fs = std::filesystem;
constexpr size_t kBlock = 512;

void PutOctal(char* field, size_t width, uint64_t value) {
  // width-1 octal digits, NUL terminated, zero padded.
  std::string s = absl::StrFormat("%0*o", static_cast<int>(width - 1), value);
  std::memcpy(field, s.data(), width - 1);
  field[width - 1] = '\0';
}

uint64_t GetOctal(const char* field, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width && field[i] != '\0' && field[i] != ' '; ++i) {
    if (field[i] < '0' || field[i] > '7') {
      break;
    }
    v = v * 8 + static_cast<uint64_t>(field[i] - '0');
  }
  return v;
}

uint32_t HeaderChecksum(const char* header) {
  uint32_t sum = 0;
  for (size_t i = 0; i < kBlock; ++i) {
    bool in_chksum = i >= 148 && i < 156;
    sum += in_chksum ? ' ' : static_cast<unsigned char>(header[i]);
  }
  return sum;
}

Status SplitName(const std::string& name, std::string* prefix, std::string* base) {
  if (name.size() <= 100) {
    *base = name;
    return Status::OK();
  }
  for (size_t pos = name.find('/'); pos != std::string::npos; pos = name.find('/', pos + 1)) {
    if (pos <= 155 && name.size() - pos - 1 <= 100) {
      *prefix = name.substr(0, pos);
      *base = name.substr(pos + 1);
      return Status::OK();
    }
  }
  return InvalidArgumentError("file name too long for a tar archive: " + name);
}

}  // namespace

StatusOr<std::string> WriteTar(const std::vector<TarEntry>& entries) {
  std::string out;
  for (const TarEntry& e : entries) {
    std::string prefix, base;
    RETURN_IF_ERROR(SplitName(e.name, &prefix, &base));
    char h[kBlock] = {};
    std::memcpy(h, base.data(), base.size());
    PutOctal(h + 100, 8, e.mode & 07777);
    PutOctal(h + 108, 8, 0);
    PutOctal(h + 116, 8, 0);
    PutOctal(h + 124, 12, e.data.size());
    PutOctal(h + 136, 12, 0);
    h[156] = '0';
    std::memcpy(h + 257, "ustar", 6);
    std::memcpy(h + 263, "00", 2);
    std::memcpy(h + 345, prefix.data(), prefix.size());
    PutOctal(h + 148, 7, HeaderChecksum(h));
    h[155] = ' ';
    out.append(h, kBlock);
    out += e.data;
    out.append((kBlock - e.data.size() % kBlock) % kBlock, '\0');
  }
  out.append(2 * kBlock, '\0');
  return out;
}

StatusOr<std::vector<TarEntry>> ReadTar(std::string_view tar) {
  std::vector<TarEntry> entries;
  size_t off = 0;
  while (off + kBlock <= tar.size()) {
    const char* h = tar.data() + off;
    if (std::all_of(h, h + kBlock, [](char c) { return c == '\0'; })) {
      return entries;
    }
    if (GetOctal(h + 148, 8) != HeaderChecksum(h)) {
      return InvalidArgumentError(absl::StrFormat("tar: bad header checksum at offset %d", off));
    }
    uint64_t size = GetOctal(h + 124, 12);
    off += kBlock;
    if (size > tar.size() - off) {
      return InvalidArgumentError("tar: truncated archive");
    }
    char type = h[156];
    if (type == '0' || type == '\0') {
      TarEntry e;
      std::string base(h, strnlen(h, 100));
      std::string prefix(h + 345, strnlen(h + 345, 155));
      e.name = prefix.empty() ? base : prefix + "/" + base;
      e.mode = static_cast<uint32_t>(GetOctal(h + 100, 8));
      e.data.assign(tar.data() + off, size);
      entries.push_back(std::move(e));
    }
    off += (size + kBlock - 1) / kBlock * kBlock;
  }
  if (off != tar.size()) {
    return InvalidArgumentError("tar: truncated archive");
  }
  return entries;
}

StatusOr<std::string> Gzip(std::string_view data) {
  z_stream zs{};
  if (deflateInit2(&zs, Z_BEST_COMPRESSION, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) {
    return InternalError("gzip: deflateInit2 failed");
  }
  std::string out(deflateBound(&zs, data.size()) + 32, '\0');
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  zs.next_out = reinterpret_cast<Bytef*>(out.data());
  zs.avail_out = static_cast<uInt>(out.size());
  int rc = deflate(&zs, Z_FINISH);
  out.resize(zs.total_out);
  deflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    return InternalError(absl::StrFormat("gzip: deflate failed (%d)", rc));
  }
  return out;
}

StatusOr<std::string> Gunzip(std::string_view data) {
  z_stream zs{};
  if (inflateInit2(&zs, 15 + 16) != Z_OK) {
    return InternalError("gunzip: inflateInit2 failed");
  }
  zs.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  zs.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[64 * 1024];
  int rc = Z_OK;
  while (rc == Z_OK) {
    zs.next_out = reinterpret_cast<Bytef*>(buf);
    zs.avail_out = sizeof(buf);
    rc = inflate(&zs, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - zs.avail_out);
    if (rc == Z_BUF_ERROR && zs.avail_in == 0) {
      break;
    }
  }
  inflateEnd(&zs);
  if (rc != Z_STREAM_END) {
    return InvalidArgumentError("gunzip: not a complete gzip stream");
  }
  return out;
}

StatusOr<std::vector<TarEntry>> CollectFiles(const std::string& dir, const std::string& prefix) {
  std::error_code ec;
  if (!fs::is_directory(dir, ec)) {
    return NotFoundError(absl::StrFormat("chaincode folder %s does not exist", dir));
  }
  std::vector<TarEntry> entries;
  fs::recursive_directory_iterator it(dir, ec), end;
  for (; !ec && it != end; it.increment(ec)) {
    const fs::path& p = it->path();
    std::string leaf = p.filename().string();
    bool is_build_dir = it->is_directory() && fs::exists(p / "CMakeCache.txt");
    if (leaf.starts_with(".") || is_build_dir) {
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
    TarEntry e;
    e.name = prefix + fs::relative(p, dir).generic_string();
    auto perms = fs::status(p).permissions();
    e.mode = (perms & fs::perms::owner_exec) != fs::perms::none ? 0755 : 0644;
    e.data = data.str();
    entries.push_back(std::move(e));
  }
  if (ec) {
    return InternalError(absl::StrFormat("read folder %s: %s", dir, ec.message()));
  }
  std::sort(entries.begin(), entries.end(),
            [](const TarEntry& a, const TarEntry& b) { return a.name < b.name; });
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
  return InvalidArgumentError(
      absl::StrFormat("unknown chaincode language \"%s\" (use golang, node, java or cpp)", lang));
}

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
  ASSIGN_OR_RETURN(std::vector<TarEntry> files, CollectFiles(dir, prefix));
  ASSIGN_OR_RETURN(std::string tar, WriteTar(files));
  return Gzip(tar);
}

}  // namespace fabric::cli
