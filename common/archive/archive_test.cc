// SPDX-License-Identifier: Apache-2.0

#include "common/archive/archive.h"

#include <chrono>
#include <cstdio>
#include <cstring>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace fabric::archive {
namespace {

using ::testing::HasSubstr;

// One ustar header block for `name` (checksum filled in), as other tar writers make them, for
// archives this library would not write.
std::string Header(const std::string& name, size_t size, char typeflag = '0', int mode = 0644,
                   const std::string& link = "") {
  std::string b(512, '\0');
  std::memcpy(b.data(), name.data(), std::min<size_t>(name.size(), 100));
  std::snprintf(b.data() + 100, 8, "%07o", mode);
  std::snprintf(b.data() + 108, 8, "%07o", 0);
  std::snprintf(b.data() + 116, 8, "%07o", 0);
  std::snprintf(b.data() + 124, 12, "%011zo", size);
  std::snprintf(b.data() + 136, 12, "%011o", 0);
  b[156] = typeflag;
  std::memcpy(b.data() + 157, link.data(), std::min<size_t>(link.size(), 100));
  std::memcpy(b.data() + 257,
              "ustar\0"
              "00",
              8);
  std::memset(b.data() + 148, ' ', 8);
  unsigned sum = 0;
  for (unsigned char c : b) {
    sum += c;
  }
  std::snprintf(b.data() + 148, 8, "%06o", sum);
  return b;
}

std::string RawEntry(const std::string& name, const std::string& data = "x", char typeflag = '0',
                     const std::string& link = "") {
  std::string out = Header(name, data.size(), typeflag, 0644, link) + data;
  out.resize((out.size() + 511) / 512 * 512, '\0');
  return out;
}

std::string End() { return std::string(1024, '\0'); }

std::string Gz(std::string_view data) { return Gzip(data).value(); }

std::vector<Entry> Sample() {
  Entry owned = File("etc/key.pem", "k", 0600);
  owned.uid = 65534;
  owned.gid = 65533;
  owned.uname = "nobody";
  owned.gname = "nogroup";
  return {Directory("src"),
          File("src/CMakeLists.txt", "project(x)\n"),
          File("src/" + std::string(120, 'd') + "/main.cc", std::string(1000, 'x'), 0755),
          File("src/" + std::string(200, 'e') + "/" + std::string(150, 'f'), "long", 0600),
          File("src/empty", ""),
          owned};
}

TEST(ArchiveTest, RoundTripsPlainAndGzipped) {
  for (bool gzip : {false, true}) {
    auto bytes = Write(Sample(), WriteOptions{.gzip = gzip});
    ASSERT_TRUE(bytes.ok()) << bytes.status();
    EXPECT_EQ(IsGzip(*bytes), gzip);
    auto back = Read(*bytes);
    ASSERT_TRUE(back.ok()) << back.status();
    const std::vector<Entry> in = Sample();
    ASSERT_EQ(back->size(), in.size());
    for (size_t i = 0; i < in.size(); ++i) {
      const Entry& got = (*back)[i];
      EXPECT_EQ(got.path, in[i].path);
      EXPECT_EQ(got.type, in[i].type) << got.path;
      EXPECT_EQ(got.mode, in[i].mode) << got.path;
      EXPECT_EQ(got.content, in[i].content) << got.path;
      EXPECT_EQ(got.uid, in[i].uid) << got.path;
      EXPECT_EQ(got.gid, in[i].gid) << got.path;
      EXPECT_EQ(got.uname, in[i].uname) << got.path;
      EXPECT_EQ(got.gname, in[i].gname) << got.path;
    }
    auto headers = ReadHeaders(*bytes);
    ASSERT_TRUE(headers.ok()) << headers.status();
    ASSERT_EQ(headers->size(), in.size());
    EXPECT_EQ((*headers)[1].path, "src/CMakeLists.txt");
    EXPECT_EQ((*headers)[1].content, "");
  }
}

// Package hashes identify chaincode: the same entries give the same bytes, at any time.
TEST(ArchiveTest, WritingIsDeterministic) {
  auto a = Write(Sample(), {.gzip = true, .gzip_level = 9});
  auto b = Write(Sample(), {.gzip = true, .gzip_level = 9});
  ASSERT_TRUE(a.ok() && b.ok());
  EXPECT_EQ(*a, *b);
  EXPECT_EQ(a->substr(4, 4), std::string(4, '\0'));  // gzip MTIME: none
  auto tar = Write({File("src/a.cc", "int x;\n")});
  ASSERT_TRUE(tar.ok());
  EXPECT_EQ(tar->size(), 512u + 512u + 1024u);  // a header, the data, the end; no padding
  EXPECT_EQ(tar->substr(0, 9), std::string("src/a.cc\0", 9));
  EXPECT_EQ(tar->substr(257, 8), std::string("ustar\0"
                                             "00",
                                             8));
  EXPECT_EQ(std::stoul(tar->substr(136, 11), nullptr, 8), 0u);  // mtime
  EXPECT_EQ(std::stoul(tar->substr(100, 7), nullptr, 8), 0644u);
  EXPECT_EQ(tar->substr(tar->size() - 1024), End());
  EXPECT_EQ(Gz("abc"), Gz("abc"));
}

// Names are bytes: not UTF-8, or not in the locale's charset, they come back as they went in.
TEST(ArchiveTest, NonAsciiNamesRoundTrip) {
  const std::vector<Entry> in = {File("src/caf\xc3\xa9.cc", "x"), File("src/bin\xff.cc", "y")};
  auto tar = Write(in, {.gzip = true});
  ASSERT_TRUE(tar.ok()) << tar.status();
  auto back = Read(*tar);
  ASSERT_TRUE(back.ok()) << back.status();
  ASSERT_EQ(back->size(), 2u);
  EXPECT_EQ((*back)[0].path, in[0].path);
  EXPECT_EQ((*back)[1].path, in[1].path);
}

TEST(ArchiveTest, ReadsOtherWritersArchives) {
  // "./" prefixes (tar -C dir .) are dropped, and the "./" root entry with them; a typeflag of
  // NUL is a regular file.
  const std::string tar = RawEntry("./", "", '5') + RawEntry("./chaincode", "ELF", '0') +
                          RawEntry("old", "v7", '\0') + End();
  auto entries = Read(tar);
  ASSERT_TRUE(entries.ok()) << entries.status();
  ASSERT_EQ(entries->size(), 2u);
  EXPECT_EQ((*entries)[0].path, "chaincode");
  EXPECT_EQ((*entries)[0].content, "ELF");
  EXPECT_EQ((*entries)[1].path, "old");
  // No end-of-archive blocks, and an empty input: accepted.
  EXPECT_EQ(Read(RawEntry("a")).value().size(), 1u);
  EXPECT_TRUE(Read("").value().empty());
  EXPECT_TRUE(Read(Gz(End())).value().empty());
}

TEST(ArchiveTest, DotDotAndAbsoluteNamesAreRefused) {
  for (const char* name : {"../x", "a/../../x", "a/..", "/etc/passwd", "src/../x"}) {
    auto r = Read(Gz(RawEntry(name) + End()));
    EXPECT_TRUE(r.status().IsInvalidArgument()) << name << ": " << r.status();
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(std::string("\"") + name + "\""));
    EXPECT_THAT(std::string(r.status().message()), HasSubstr("must be relative"));
    EXPECT_TRUE(Write({File(name, "x")}).status().IsInvalidArgument()) << name;
  }
  EXPECT_FALSE(Write({File("", "x")}).ok());
  EXPECT_FALSE(Write({File(std::string("a\0b", 3), "x")}).ok());
  // Dots inside names are fine.
  EXPECT_TRUE(Read(RawEntry("src/..a/b..") + End()).ok());
}

TEST(ArchiveTest, LinksAndDevicesAreRefused) {
  struct Case {
    std::string tar;
    const char* want;
  };
  const Case cases[] = {
      {RawEntry("src/evil", "", '2', "../../etc/passwd"), "symbolic link"},
      {RawEntry("src/inside", "", '2', "a.cc"), "symbolic link"},
      {RawEntry("src/a.cc") + RawEntry("src/hard", "", '1', "/etc/shadow"), "hard link"},
      {RawEntry("src/a.cc") + RawEntry("src/hard", "", '1', "src/a.cc"), "hard link"},
      {RawEntry("dev/null", "", '3'), "character device"},
      {RawEntry("dev/sda", "", '4'), "block device"},
      {RawEntry("fifo", "", '6'), "fifo"},
  };
  for (const Case& c : cases) {
    auto r = Read(Gz(c.tar + End()));
    EXPECT_TRUE(r.status().IsInvalidArgument()) << c.want << ": " << r.status();
    EXPECT_THAT(std::string(r.status().message()), HasSubstr("is not a file or directory"));
    EXPECT_THAT(std::string(r.status().message()), HasSubstr(c.want));
  }
}

// A few KB of gzip that would expand to gigabytes fails on the entry's header, before its data
// is read or any of it allocated.
TEST(ArchiveTest, GzipBombFailsFastOnTheLimits) {
  const std::string lying = Gz(Header("src/big.bin", 4ull << 30) + std::string(1 << 20, '\0'));
  EXPECT_LT(lying.size(), 8192u);
  const auto start = std::chrono::steady_clock::now();
  auto r = Read(lying);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(2));
  EXPECT_TRUE(r.status().code() == StatusCode::kResourceExhausted) << r.status();
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("expands to more than 104857600 bytes"));
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("\"src/big.bin\""));

  // A real one: 64 MiB of zeros in one entry, against a 1 MiB limit (total and per entry).
  const std::string zeros =
      Write({File("z", std::string(64 << 20, '\0'))}, {.gzip = true, .gzip_level = 9}).value();
  EXPECT_LT(zeros.size(), 128u << 10);
  r = Read(zeros, {.max_entries = 10, .max_total_bytes = 1 << 20, .max_entry_bytes = 1 << 20});
  EXPECT_TRUE(r.status().code() == StatusCode::kResourceExhausted) << r.status();
  r = Read(zeros, {.max_entries = 10, .max_total_bytes = 1 << 30, .max_entry_bytes = 1 << 20});
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("entry \"z\" has 67108864 bytes, more than the limit of 1048576"));

  // The total over several entries, and the number of entries.
  std::vector<Entry> many;
  for (int i = 0; i < 20; ++i) {
    many.push_back(File("f" + std::to_string(i), std::string(100 << 10, 'a')));
  }
  const std::string gz = Write(many, {.gzip = true}).value();
  r = Read(gz, {.max_entries = 100, .max_total_bytes = 1 << 20, .max_entry_bytes = 1 << 20});
  EXPECT_TRUE(r.status().code() == StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("\"f10\""));
  r = Read(gz, {.max_entries = 5});
  EXPECT_TRUE(r.status().code() == StatusCode::kResourceExhausted);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("more than 5 entries"));
  EXPECT_TRUE(ReadHeaders(gz, {.max_entries = 5}).status().code() ==
              StatusCode::kResourceExhausted);
  EXPECT_TRUE(Read(gz).ok());

  // Raw gzip stops at its limit too.
  auto g = Gunzip(Gz(std::string(16 << 20, '\0')), 1 << 20);
  EXPECT_TRUE(g.status().code() == StatusCode::kResourceExhausted) << g.status();
}

TEST(ArchiveTest, CorruptAndTruncatedInputIsDataLoss) {
  const std::string tar = Write(Sample()).value();
  const std::string gz = Write(Sample(), {.gzip = true}).value();
  // Truncated inside an entry's data, inside a header, and a truncated gzip stream.
  for (const std::string& bad : {tar.substr(0, 700), tar.substr(0, 1100),
                                 gz.substr(0, gz.size() / 2), Gz(tar).substr(0, 100)}) {
    auto r = Read(bad);
    EXPECT_TRUE(r.status().IsDataLoss()) << r.status();
    EXPECT_TRUE(ReadHeaders(bad).status().IsDataLoss()) << r.status();
  }
  // Corrupt deflate data.
  std::string corrupt = gz;
  for (size_t i = 20; i < 60; ++i) {
    corrupt[i] = static_cast<char>(corrupt[i] ^ 0x5a);
  }
  EXPECT_TRUE(Read(corrupt).status().IsDataLoss());
  // Not an archive at all.
  EXPECT_TRUE(Read("not a tar, not gzip").status().IsDataLoss());
  EXPECT_TRUE(Read(std::string(600, 'x')).status().IsDataLoss());
  EXPECT_TRUE(Gunzip("not gzip").status().IsDataLoss());
  EXPECT_TRUE(Gunzip(Gz(tar).substr(0, 100)).status().IsDataLoss());
  EXPECT_TRUE(Gunzip(corrupt).status().IsDataLoss());
  auto plain = Gunzip(Gz(tar));
  ASSERT_TRUE(plain.ok()) << plain.status();
  EXPECT_EQ(*plain, tar);
  auto empty = Gunzip(Gz(""));
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_EQ(*empty, "");
}

TEST(ArchiveTest, BadHeaderChecksumIsRefused) {
  for (size_t entry : {0, 1}) {
    std::string tar = RawEntry("a") + RawEntry("b") + End();
    tar[entry * 1024 + 1] = 'z';  // the name, checksum left as it was
    for (const std::string& in : {tar, Gz(tar)}) {
      auto r = Read(in);
      EXPECT_TRUE(r.status().IsDataLoss()) << entry << ": " << r.status();
      EXPECT_THAT(std::string(r.status().message()), HasSubstr("checksum")) << r.status();
    }
  }
}

}  // namespace
}  // namespace fabric::archive
