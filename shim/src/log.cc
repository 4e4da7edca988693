// SPDX-License-Identifier: Apache-2.0

#include "src/log.h"

#include <cctype>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

namespace fabric::shim::internal {
namespace {

LogLevel ThresholdFromEnv() {
  const char* v = std::getenv("CORE_CHAINCODE_LOGGING_SHIM");
  std::string s = v ? v : "";
  for (char& c : s) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  if (s == "debug") {
    return LogLevel::kDebug;
  }
  if (s == "warning" || s == "warn") {
    return LogLevel::kWarning;
  }
  if (s == "error" || s == "critical" || s == "fatal") {
    return LogLevel::kError;
  }
  return LogLevel::kInfo;
}

const char* Name(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "DEBU";
    case LogLevel::kInfo:
      return "INFO";
    case LogLevel::kWarning:
      return "WARN";
    case LogLevel::kError:
      return "ERRO";
  }
  return "????";
}

}  // namespace

bool LogEnabled(LogLevel level) {
  static const LogLevel threshold = ThresholdFromEnv();
  return level >= threshold;
}

void Log(LogLevel level, std::string_view message) {
  if (!LogEnabled(level)) {
    return;
  }
  auto now = std::chrono::system_clock::now();
  std::time_t t = std::chrono::system_clock::to_time_t(now);
  auto ms = std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()) % 1000;
  std::tm tm{};
  gmtime_r(&t, &tm);
  char ts[32];
  std::strftime(ts, sizeof(ts), "%Y-%m-%dT%H:%M:%S", &tm);
  std::fprintf(stderr, "%s.%03dZ shim %s %.*s\n", ts, static_cast<int>(ms.count()), Name(level),
               static_cast<int>(message.size()), message.data());
}

}  // namespace fabric::shim::internal
