// SPDX-License-Identifier: Apache-2.0
#include "common/localconfig/config_file.h"

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <system_error>

#include <absl/strings/str_format.h>

namespace fabric::localconfig {

namespace fs = std::filesystem;

EnvLookup ProcessEnv() {
  return [](const std::string& name) -> std::optional<std::string> {
    const char* v = std::getenv(name.c_str());
    return v == nullptr ? std::nullopt : std::optional<std::string>(v);
  };
}

std::string TranslatePath(const std::string& base, const std::string& path) {
  if (path.empty() || base.empty() || fs::path(path).is_absolute()) {
    return path;
  }
  return (fs::path(base) / path).lexically_normal().string();
}

std::string EnvName(std::string_view prefix, std::string_view path) {
  std::string name(prefix);
  name += '_';
  for (char c : path) {
    name += c == '.' ? '_' : static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  }
  return name;
}

std::string FindConfigFile(const std::string& dir, std::string_view name,
                           std::vector<std::string>* notices) {
  std::string found;
  for (const char* ext : {".yaml", ".yml", ".json"}) {
    std::string path = (fs::path(dir) / (std::string(name) + ext)).string();
    std::error_code ec;
    if (!fs::exists(path, ec)) {
      continue;
    }
    if (found.empty()) {
      found = path;
    } else if (notices != nullptr) {
      notices->push_back(absl::StrFormat("%s: not read (%s is)", path, found));
    }
  }
  return found;
}

}  // namespace fabric::localconfig
