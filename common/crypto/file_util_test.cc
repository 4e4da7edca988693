// SPDX-License-Identifier: Apache-2.0
#include "common/crypto/file_util.h"

#include <sys/stat.h>

#include <filesystem>
#include <string>

#include <gtest/gtest.h>

namespace fabric::crypto {
namespace {

class FileUtilTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string tmpl = (std::filesystem::temp_directory_path() / "fabric_crypto_XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  std::string dir_;
};

TEST_F(FileUtilTest, WritesWithModeAndReadsBack) {
  std::string path = dir_ + "/priv_sk";
  ASSERT_TRUE(WriteFileAtomic(path, std::string("key\0bytes", 9), 0600).ok());
  struct stat st {};
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  StatusOr<std::string> data = ReadFile(path);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(*data, std::string("key\0bytes", 9));

  // Overwrite replaces the content and applies the new mode; no temporary file is left.
  ASSERT_TRUE(WriteFileAtomic(path, "cert", 0644).ok());
  EXPECT_EQ(*ReadFile(path), "cert");
  ASSERT_EQ(stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0644u);
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(dir_),
                          std::filesystem::directory_iterator()),
            1);
}

TEST_F(FileUtilTest, MissingFileOrDirectoryIsNotFound) {
  StatusOr<std::string> missing = ReadFile(dir_ + "/nope");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(missing.status().IsNotFound()) << missing.status();
  EXPECT_NE(missing.status().message().find(dir_ + "/nope"), std::string::npos);

  Status write = WriteFileAtomic(dir_ + "/no/such/dir/file", "x", 0600);
  EXPECT_TRUE(write.IsNotFound()) << write;
}

}  // namespace
}  // namespace fabric::crypto
