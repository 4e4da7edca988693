// SPDX-License-Identifier: Apache-2.0
//
// Logging with per-module levels, configured the way Fabric users know: FABRIC_LOGGING_SPEC.
//
// Spec grammar (Fabric's): a colon-separated list of terms; each term is either a level
// ("info") that sets the default, or "<module>[,<module>...]=<level>". Example:
//   FABRIC_LOGGING_SPEC=info:chaincode,endorser=debug:ledger.statedb=warning
// Modules are dotted names; a term for "ledger" also covers "ledger.statedb" unless a longer
// term names it. Levels: debug, info, warning (warn), error, fatal (panic is an alias of fatal).
//
// Output: one line per event on stderr, written with a single write(2) so lines from many
// threads never interleave:
//   2026-11-24 06:19:50.123 UTC [chaincode] INFO launched ccid=mycc:1.0
//
// Usage:
//   static fabric::logging::Logger logger("endorser");
//   FLOG_INFO(logger, "endorsed tx=%s in %d ms", txid, ms);
//
// Thread-safety: every function and Logger method is safe to call concurrently.

#pragma once

#include <atomic>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include <absl/strings/str_format.h>

#include "fabric/base/status.h"

namespace fabric::logging {

enum class Level : int { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3, kFatal = 4 };

// Returns "DEBUG", "INFO", "WARN", "ERROR" or "FATAL".
std::string_view LevelName(Level level);

// Parses a level name (case-insensitive). Returns InvalidArgument for unknown names.
StatusOr<Level> ParseLevel(std::string_view name);

// Replaces the active spec. Returns InvalidArgument (and keeps the old spec) when `spec` is
// malformed: an unknown level, an empty module name, or a term with two '='.
Status SetSpec(std::string_view spec);

// The active spec in Fabric's canonical form: one term per module, sorted, then the default
// level, e.g. "chaincode=debug:endorser=debug:info".
std::string GetSpec();

// Reads FABRIC_LOGGING_SPEC. A malformed value is reported on stderr and the default ("info")
// is kept: a typo in a log setting must not stop a peer from starting.
void InitFromEnv();

// The level in force for `module` under the active spec.
Level LevelFor(std::string_view module);

// Where lines go; stderr by default. Tests install a sink to capture lines. Passing an empty
// function restores stderr.
using Sink = std::function<void(std::string_view line)>;
void SetSink(Sink sink);

// A named logger. Cheap to check: the level is cached and refreshed only when the spec changes.
class Logger {
 public:
  explicit Logger(std::string module) : module_(std::move(module)) {}
  Logger(const Logger&) = delete;
  Logger& operator=(const Logger&) = delete;

  const std::string& module() const { return module_; }
  bool Enabled(Level level) const;
  // Writes one line (adds the timestamp, module and level). Does nothing when not Enabled.
  void Write(Level level, std::string_view message) const;

 private:
  const std::string module_;
  // Cached LevelFor(module_) and the spec generation it was computed for.
  mutable std::atomic<uint64_t> cache_{0};
};

}  // namespace fabric::logging

// Format-checked logging macros; arguments are not evaluated when the level is disabled.
#define FLOG_AT_(logger, level, ...)                           \
  do {                                                         \
    if ((logger).Enabled(level)) {                             \
      (logger).Write((level), ::absl::StrFormat(__VA_ARGS__)); \
    }                                                          \
  } while (false)
#define FLOG_DEBUG(logger, ...) FLOG_AT_(logger, ::fabric::logging::Level::kDebug, __VA_ARGS__)
#define FLOG_INFO(logger, ...) FLOG_AT_(logger, ::fabric::logging::Level::kInfo, __VA_ARGS__)
#define FLOG_WARN(logger, ...) FLOG_AT_(logger, ::fabric::logging::Level::kWarning, __VA_ARGS__)
#define FLOG_ERROR(logger, ...) FLOG_AT_(logger, ::fabric::logging::Level::kError, __VA_ARGS__)
