// SPDX-License-Identifier: Apache-2.0
//
// TempDir: a fresh directory under $TMPDIR (or /tmp) removed, with its content, on destruction.
// For tests only. Not thread-safe.

#pragma once

#include <stdlib.h>

#include <filesystem>
#include <string>

namespace fabric::ledger::testing {

class TempDir {
 public:
  TempDir() {
    const char* base = getenv("TMPDIR");
    std::string tmpl = std::string(base != nullptr ? base : "/tmp") + "/fabric-ledger-XXXXXX";
    char* p = mkdtemp(tmpl.data());
    path_ = p != nullptr ? std::string(p) : std::string();
  }
  ~TempDir() {
    std::error_code ec;
    std::filesystem::remove_all(path_, ec);
  }
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;

  const std::string& path() const { return path_; }
  std::string Sub(const std::string& name) const { return path_ + "/" + name; }

 private:
  std::string path_;
};

}  // namespace fabric::ledger::testing
