// SPDX-License-Identifier: Apache-2.0
//
// The verdicts below are Fabric 1.4.12's, observed on its peer (lscc deploys with these code
// packages, committed or refused with ENDORSEMENT_POLICY_FAILURE), plus the reading rules of
// Go's archive/tar and compress/gzip that decide them.

#include "peer/platforms/code_package.h"

#include <cstring>

#include <absl/strings/str_format.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/archive/archive.h"
#include "common/msp/testing/status_testing.h"

namespace fabric::platforms {
namespace {

using Type = protos::ChaincodeSpec;

std::string Gzip(std::string_view data) { return archive::Gzip(data).value(); }

// One ustar header block (checksum filled in) for `name`, `mode`, `size`, `typeflag`.
std::string Header(const std::string& name, int mode, size_t size, char typeflag = '0') {
  std::string b(512, '\0');
  std::memcpy(b.data(), name.data(), std::min<size_t>(name.size(), 100));
  std::snprintf(b.data() + 100, 8, "%07o", mode);
  std::snprintf(b.data() + 108, 8, "%07o", 0);
  std::snprintf(b.data() + 116, 8, "%07o", 0);
  std::snprintf(b.data() + 124, 12, "%011zo", size);
  std::snprintf(b.data() + 136, 12, "%011o", 0);
  b[156] = typeflag;
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

std::string Entry(const std::string& name, const std::string& data = "x", int mode = 0100644,
                  char typeflag = '0') {
  std::string out = Header(name, mode, data.size(), typeflag) + data;
  out.resize((out.size() + 511) / 512 * 512, '\0');
  return out;
}

std::string End() { return std::string(1024, '\0'); }

bool Valid(Type::Type type, const std::string& code) {
  return ValidateCodePackage(type, code).ok();
}

TEST(CodePackageTest, GolangEntriesUnderSrcOrMetaInfWithPlainModes) {
  EXPECT_TRUE(Valid(Type::GOLANG, ""));
  EXPECT_TRUE(Valid(Type::GOLANG, Gzip(End())));
  EXPECT_TRUE(Valid(Type::GOLANG, Gzip(Entry("src/a/main.go") + Entry("META-INF/x") + End())));
  EXPECT_TRUE(Valid(Type::GOLANG, Gzip(Entry("/src/a.go") + End())));
  // Only the prefix is looked at, and the type flag not at all.
  EXPECT_TRUE(Valid(Type::GOLANG, Gzip(Entry("src/../../etc/x.go") + End())));
  EXPECT_TRUE(Valid(Type::GOLANG, Gzip(Entry("src/link", "", 0644, '2') + End())));
  Status s = ValidateCodePackage(Type::GOLANG, Gzip(Entry("other/x.go") + End()));
  EXPECT_EQ(s.message(), "illegal file detected in payload: \"other/x.go\"");
  EXPECT_FALSE(Valid(Type::GOLANG, Gzip(Entry("../x.go") + End())));
  EXPECT_FALSE(Valid(Type::GOLANG, Gzip(Entry("srcx/a.go") + End())));
  s = ValidateCodePackage(Type::GOLANG, Gzip(Entry("src/a.go", "x", 0100755) + End()));
  EXPECT_EQ(s.message(), "illegal file mode detected for file src/a.go: 100755");
  EXPECT_FALSE(Valid(Type::GOLANG, Gzip(Entry("src/link", "", 0120777, '2') + End())));
  EXPECT_FALSE(Valid(Type::GOLANG, Gzip(Entry("src/dir/", "", 040755, '5') + End())));
}

TEST(CodePackageTest, GzipHeaderMustBeValidButTheArchiveIsReadOnlyUntilItsFirstError) {
  Status s = ValidateCodePackage(Type::GOLANG, "not gzip at all");
  EXPECT_EQ(s.message(), "failure opening codepackage gzip stream: gzip: invalid header");
  EXPECT_FALSE(Valid(Type::GOLANG, std::string("\x1f\x8b", 2)));
  // A good entry, then a truncated or corrupt archive: Fabric stops reading and accepts.
  const std::string good = Entry("src/a.go", std::string(3000, 'a'));
  std::string gz = Gzip(good + Entry("bad/x") + End());
  EXPECT_TRUE(Valid(Type::GOLANG, Gzip(good).substr(0, 40)));
  EXPECT_TRUE(Valid(Type::GOLANG, Gzip(good + "garbage garbage garbage")));
  // The bad entry is read when the stream is intact...
  EXPECT_FALSE(Valid(Type::GOLANG, gz));
  // ...and also after a corrupt gzip trailer, which is only checked when read past.
  std::string bad_crc = Gzip(good + End());
  bad_crc[bad_crc.size() - 8] ^= 1;
  EXPECT_TRUE(Valid(Type::GOLANG, bad_crc));
  // A second gzip member continues the stream.
  EXPECT_FALSE(Valid(Type::GOLANG, Gzip(good) + Gzip(Entry("bad/x") + End())));
  // Header checksum errors end the archive.
  std::string broken = Entry("bad/x");
  broken[0] = 'c';
  EXPECT_TRUE(Valid(Type::GOLANG, Gzip(good + broken + End())));
}

TEST(CodePackageTest, PaxAndGnuLongNamesAreTheEntryNames) {
  const std::string record = "20 path=bad/name.go\n";
  ASSERT_EQ(record.size(), 20u);
  EXPECT_FALSE(Valid(Type::GOLANG,
                     Gzip(Entry("PaxHeaders/x", record, 0644, 'x') + Entry("src/a.go") + End())));
  EXPECT_TRUE(Valid(Type::GOLANG, Gzip(Entry("PaxHeaders/x", "20 path=src/name.go\n", 0644, 'x') +
                                       Entry("bad/a.go") + End())));
  EXPECT_FALSE(
      Valid(Type::GOLANG, Gzip(Entry("././@LongLink", std::string("bad/long\0", 9), 0644, 'L') +
                               Entry("src/a.go") + End())));
  // A malformed PAX record is a header error: the scan stops there.
  EXPECT_TRUE(Valid(Type::GOLANG, Gzip(Entry("PaxHeaders/x", "99 path=bad\n", 0644, 'x') +
                                       Entry("bad/a.go") + End())));
  // A global PAX header is returned as an entry: its name must pass.
  EXPECT_FALSE(
      Valid(Type::GOLANG, Gzip(Entry("pax_global_header", "11 a=bcdef\n", 0644, 'g') + End())));
}

TEST(CodePackageTest, NodeNeedsPackageJsonJavaItsLayoutCarNothing) {
  EXPECT_TRUE(Valid(Type::NODE, Gzip(Entry("src/package.json") + Entry("src/a.js") + End())));
  Status s = ValidateCodePackage(Type::NODE, Gzip(Entry("src/a.js") + End()));
  EXPECT_EQ(s.message(), "no package.json found at the root of the chaincode package");
  EXPECT_FALSE(Valid(Type::NODE, "garbage"));
  EXPECT_TRUE(Valid(Type::JAVA, Gzip(Entry("src/src/main/A.java") + Entry("src/pom.xml") +
                                     Entry("src/build.gradle") + End())));
  EXPECT_FALSE(Valid(Type::JAVA, Gzip(Entry("src/src/main/A.class") + End())));
  EXPECT_FALSE(Valid(Type::JAVA, Gzip(Entry("src/other.txt") + End())));
  EXPECT_FALSE(Valid(Type::JAVA, "garbage"));
  // Java refuses an archive that does not end cleanly.
  EXPECT_FALSE(Valid(Type::JAVA, Gzip(Entry("src/pom.xml", std::string(2000, 'a'))).substr(0, 60)));
  EXPECT_TRUE(Valid(Type::CAR, "garbage"));
  s = ValidateCodePackage(Type::UNDEFINED, "");
  EXPECT_EQ(s.message(), "Unknown chaincodeType: UNDEFINED");
}

TEST(InstallPackageTest, CppPackagesAreRelativeFilesAndDirectoriesWithinTheLimits) {
  EXPECT_OK(ValidateInstallPackage(
      Type::CPP, Gzip(Entry("src/", "", 0755, '5') + Entry("src/main.cc") + End())));
  Status s = ValidateInstallPackage(Type::CPP, "");
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("empty"));
  s = ValidateInstallPackage(Type::CPP, "not gzip");
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("not gzip data"));
  for (const char* name : {"../x", "a/../../x", "/etc/passwd", "a/.."}) {
    s = ValidateInstallPackage(Type::CPP, Gzip(Entry(name) + End()));
    EXPECT_TRUE(s.IsInvalidArgument()) << name;
    EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("must be relative")) << name;
  }
  s = ValidateInstallPackage(Type::CPP, Gzip(Entry("src/link", "", 0777, '2') + End()));
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("not a file or directory"));
  // A truncated archive is refused (the package would not build).
  EXPECT_FALSE(ValidateInstallPackage(Type::CPP,
                                      Gzip(Entry("src/a.cc", std::string(3000, 'a'))).substr(0, 50))
                   .ok());
}

TEST(InstallPackageTest, ExternalPackagesHoldAValidConnectionJson) {
  auto package = [](const std::string& name, const std::string& content) {
    return archive::Write({archive::File(name, content)}, {.gzip = true}).value();
  };
  EXPECT_OK(ValidateInstallPackage(
      Type::EXTERNAL, package("connection.json", R"({"address": "cc.example.com:9999"})")));
  Status s = ValidateInstallPackage(Type::EXTERNAL, "");
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("must hold connection.json"));
  s = ValidateInstallPackage(Type::EXTERNAL, package("src/connection.json", "{}"));
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("no connection.json at its top"));
  s = ValidateInstallPackage(Type::EXTERNAL, package("connection.json", R"({"address": "x"})"));
  EXPECT_THAT(
      std::string(s.message()),
      ::testing::HasSubstr("connection.json of the package: address \"x\" is not host:port"));
  s = ValidateInstallPackage(Type::EXTERNAL, "not gzip");
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("not gzip data"));
}

// A package whose entries declare more than the limit is refused on their headers: the data
// (a gzip bomb of zeros here) is never expanded.
TEST(InstallPackageTest, ExpansionAndEntryCountAreBounded) {
  InstallLimits limits;
  limits.max_expanded_bytes = 1 << 20;
  limits.max_entries = 3;
  const std::string big =
      Gzip(Header("src/big.bin", 0644, 4ull << 30) + std::string(1 << 20, '\0'));
  Status s = ValidateInstallPackage(Type::CPP, big, limits);
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("expands to more than 1048576 bytes"));
  s = ValidateInstallPackage(Type::GOLANG, big, limits);
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("expands to more than"));
  s = ValidateInstallPackage(
      Type::CPP, Gzip(Entry("a") + Entry("b") + Entry("c") + Entry("d") + End()), limits);
  EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("more than 3 entries"));
  // Fabric's platform rules apply to Fabric's types before the limits.
  EXPECT_FALSE(ValidateInstallPackage(Type::GOLANG, "code, not gzip").ok());
  EXPECT_OK(ValidateInstallPackage(Type::GOLANG, Gzip(Entry("src/main.go") + End())));
}

}  // namespace
}  // namespace fabric::platforms
