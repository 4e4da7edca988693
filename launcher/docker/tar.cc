// SPDX-License-Identifier: Apache-2.0
#include "launcher/docker/tar.h"

#include <zlib.h>

#include <charconv>
#include <cstdio>
#include <cstring>

namespace fabric::launcher::docker {
namespace {

constexpr size_t kBlock = 512;

void PutOctal(char* field, size_t width, uint64_t value) {
  // width-1 octal digits and a NUL.
  std::snprintf(field, width, "%0*llo", static_cast<int>(width - 1),
                static_cast<unsigned long long>(value));
}

uint64_t ParseOctal(const char* field, size_t width) {
  uint64_t v = 0;
  for (size_t i = 0; i < width && field[i] != '\0'; ++i) {
    if (field[i] >= '0' && field[i] <= '7') {
      v = v * 8 + static_cast<uint64_t>(field[i] - '0');
    } else if (field[i] != ' ') {
      break;
    }
  }
  return v;
}

std::string FieldString(const char* field, size_t width) {
  return std::string(field, strnlen(field, width));
}

}  // namespace

TarOwner OwnerOf(std::string_view user) {
  TarOwner owner;
  const size_t colon = user.find(':');
  std::string_view uid = user.substr(0, colon);
  std::string_view gid = colon == std::string_view::npos ? "0" : user.substr(colon + 1);
  auto number = [](std::string_view s, uint32_t* out) {
    auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
    return ec == std::errc() && end == s.data() + s.size();
  };
  if (!number(uid, &owner.uid) || !number(gid, &owner.gid)) {
    return TarOwner{};
  }
  return owner;
}

Status TarWriter::AddEntry(std::string_view name, std::string_view content, int mode, char type,
                           TarOwner owner) {
  if (name.empty() || name[0] == '/') {
    return InvalidArgumentError("tar entry name must be relative: " + std::string(name));
  }
  // The ustar uid and gid fields: 7 octal digits.
  constexpr uint32_t kMaxId = 07777777;
  if (owner.uid > kMaxId || owner.gid > kMaxId) {
    return InvalidArgumentError("tar entry owner beyond ustar's 7 octal digits");
  }
  std::string_view prefix;
  std::string_view base = name;
  if (name.size() > 100) {
    size_t split = name.rfind('/', 155);
    if (split == std::string_view::npos || name.size() - split - 1 > 100) {
      return InvalidArgumentError("tar entry name too long: " + std::string(name));
    }
    prefix = name.substr(0, split);
    base = name.substr(split + 1);
  }
  char h[kBlock];
  std::memset(h, 0, sizeof(h));
  std::memcpy(h, base.data(), base.size());
  PutOctal(h + 100, 8, static_cast<uint64_t>(mode));
  PutOctal(h + 108, 8, owner.uid & kMaxId);
  PutOctal(h + 116, 8, owner.gid & kMaxId);
  PutOctal(h + 124, 12, content.size());
  PutOctal(h + 136, 12, 0);
  h[156] = type;
  std::memcpy(h + 257, "ustar", 6);
  std::memcpy(h + 263, "00", 2);
  prefix.copy(h + 345, prefix.size());  // memcpy may not take the null data() of an empty view
  std::memset(h + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : std::string_view(h, kBlock)) {
    sum += c;
  }
  std::snprintf(h + 148, 8, "%06o", sum);
  h[155] = ' ';
  out_.append(h, kBlock);
  out_.append(content);
  out_.append((kBlock - content.size() % kBlock) % kBlock, '\0');
  return Status::OK();
}

Status TarWriter::AddFile(std::string_view name, std::string_view content, int mode,
                          TarOwner owner) {
  return AddEntry(name, content, mode, '0', owner);
}

Status TarWriter::AddDirectory(std::string_view name, int mode) {
  std::string n(name);
  if (n.empty() || n.back() != '/') {
    n += '/';
  }
  return AddEntry(n, "", mode, '5', TarOwner{});
}

std::string TarWriter::Finish() {
  out_.append(2 * kBlock, '\0');
  std::string out = std::move(out_);
  out_.clear();
  return out;
}

StatusOr<std::map<std::string, std::string>> ReadTarFiles(std::string_view tar) {
  std::map<std::string, std::string> files;
  size_t pos = 0;
  std::string long_name;  // GNU 'L' entries
  while (pos + kBlock <= tar.size()) {
    const char* h = tar.data() + pos;
    if (h[0] == '\0') {
      return files;  // end-of-archive block
    }
    uint64_t size = ParseOctal(h + 124, 12);
    char type = h[156];
    size_t data = pos + kBlock;
    if (size > tar.size() || data + size > tar.size()) {
      return DataLossError("tar archive truncated inside entry " + FieldString(h, 100));
    }
    std::string name = FieldString(h + 345, 155);
    name = name.empty() ? FieldString(h, 100) : name + "/" + FieldString(h, 100);
    if (!long_name.empty()) {
      name = long_name;
      long_name.clear();
    }
    if (type == 'L') {
      long_name = FieldString(tar.data() + data, size);
    } else if (type == '0' || type == '\0') {
      while (name.rfind("./", 0) == 0) {
        name.erase(0, 2);
      }
      files[name] = std::string(tar.substr(data, size));
    }
    pos = data + (size + kBlock - 1) / kBlock * kBlock;
  }
  if (pos == tar.size() && pos > 0) {
    return files;  // no end-of-archive blocks: accepted
  }
  return DataLossError("tar archive truncated");
}

std::string Gzip(std::string_view data) {
  z_stream z{};
  deflateInit2(&z, Z_BEST_SPEED, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY);
  std::string out;
  out.resize(deflateBound(&z, data.size()) + 32);
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  deflate(&z, Z_FINISH);
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

StatusOr<std::string> Gunzip(std::string_view data) {
  z_stream z{};
  if (inflateInit2(&z, 15 + 32) != Z_OK) {
    return InternalError("inflateInit2 failed");
  }
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(data.data()));
  z.avail_in = static_cast<uInt>(data.size());
  std::string out;
  char buf[65536];
  int rc = Z_OK;
  while (rc == Z_OK) {
    z.next_out = reinterpret_cast<Bytef*>(buf);
    z.avail_out = sizeof(buf);
    rc = inflate(&z, Z_NO_FLUSH);
    out.append(buf, sizeof(buf) - z.avail_out);
    if (rc == Z_BUF_ERROR && z.avail_in == 0) {
      break;
    }
  }
  inflateEnd(&z);
  if (rc != Z_STREAM_END) {
    return DataLossError("corrupt or truncated gzip data");
  }
  return out;
}

}  // namespace fabric::launcher::docker
