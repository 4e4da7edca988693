// SPDX-License-Identifier: Apache-2.0
#include "common/logging/logging.h"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <map>
#include <mutex>
#include <shared_mutex>
#include <vector>

#include "fabric/base/status_macros.h"

namespace fabric::logging {
namespace {

struct Spec {
  Level default_level = Level::kInfo;
  std::map<std::string, Level, std::less<>> modules;
};

struct State {
  std::shared_mutex mu;
  // Guarded by mu:
  Spec spec;
  Sink sink;
};

State& GlobalState() {
  static State* state = new State();  // Never destroyed: loggers may log during exit.
  return *state;
}

// Bumped on every SetSpec; starts at 1 so a zero cache means "not computed yet".
std::atomic<uint64_t> g_generation{1};

std::string Lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return out;
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    parts.push_back(
        s.substr(start, pos == std::string_view::npos ? std::string_view::npos : pos - start));
    if (pos == std::string_view::npos) {
      return parts;
    }
    start = pos + 1;
  }
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) {
    s.remove_prefix(1);
  }
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) {
    s.remove_suffix(1);
  }
  return s;
}

Status ParseTerm(std::string_view term, Spec& spec) {
  std::vector<std::string_view> kv = Split(term, '=');
  if (kv.size() > 2) {
    return InvalidArgumentError(
        absl::StrFormat("logging spec term %s has more than one '='", term));
  }
  if (kv.size() == 1) {
    ASSIGN_OR_RETURN(spec.default_level, ParseLevel(Trim(kv[0])));
    return Status();
  }
  ASSIGN_OR_RETURN(Level level, ParseLevel(Trim(kv[1])));
  for (std::string_view module : Split(kv[0], ',')) {
    module = Trim(module);
    if (module.empty()) {
      return InvalidArgumentError(
          absl::StrFormat("logging spec term %s has an empty module name", term));
    }
    spec.modules[std::string(module)] = level;
  }
  return Status();
}

StatusOr<Spec> ParseSpec(std::string_view text) {
  Spec spec;
  if (Trim(text).empty()) {
    return spec;
  }
  for (std::string_view term : Split(text, ':')) {
    term = Trim(term);
    if (term.empty()) {
      continue;
    }
    Status s = ParseTerm(term, spec);
    if (!s.ok()) {
      return s.Annotate(absl::StrFormat("parse logging spec \"%s\"", text));
    }
  }
  return spec;
}

Level LookUp(const Spec& spec, std::string_view module) {
  // Longest matching name: the module itself, then its dotted parents.
  while (true) {
    auto it = spec.modules.find(module);
    if (it != spec.modules.end()) {
      return it->second;
    }
    size_t dot = module.rfind('.');
    if (dot == std::string_view::npos) {
      return spec.default_level;
    }
    module = module.substr(0, dot);
  }
}

std::string Timestamp() {
  auto now = std::chrono::system_clock::now();
  std::time_t secs = std::chrono::system_clock::to_time_t(now);
  auto millis =
      std::chrono::duration_cast<std::chrono::milliseconds>(now.time_since_epoch()).count() % 1000;
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%d %H:%M:%S", &tm);
  return absl::StrFormat("%s.%03d UTC", buf, static_cast<int>(millis));
}

}  // namespace

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "DEBUG";
    case Level::kInfo:
      return "INFO";
    case Level::kWarning:
      return "WARN";
    case Level::kError:
      return "ERROR";
    case Level::kFatal:
      return "FATAL";
  }
  return "UNKNOWN";
}

StatusOr<Level> ParseLevel(std::string_view name) {
  std::string n = Lower(name);
  if (n == "debug")
    return Level::kDebug;
  if (n == "info")
    return Level::kInfo;
  if (n == "warning" || n == "warn")
    return Level::kWarning;
  if (n == "error")
    return Level::kError;
  if (n == "fatal" || n == "panic" || n == "critical")
    return Level::kFatal;
  return InvalidArgumentError(absl::StrFormat(
      "unknown log level \"%s\" (want debug, info, warning, error or fatal)", name));
}

Status SetSpec(std::string_view text) {
  StatusOr<Spec> spec = ParseSpec(text);
  if (!spec.ok()) {
    return spec.status();
  }
  State& state = GlobalState();
  {
    std::unique_lock lock(state.mu);
    state.spec = std::move(spec).value();
  }
  g_generation.fetch_add(1);
  return Status();
}

std::string GetSpec() {
  State& state = GlobalState();
  std::shared_lock lock(state.mu);
  // Fabric's canonical form (flogging LoggerLevels.Spec): one "<module>=<level>" term per module,
  // the terms sorted as strings, then the default level.
  std::vector<std::string> terms;
  for (const auto& [module, level] : state.spec.modules) {
    terms.push_back(module + "=" + Lower(LevelName(level)));
  }
  std::sort(terms.begin(), terms.end());
  std::string out;
  for (const std::string& term : terms) {
    out += term + ":";
  }
  return out + Lower(LevelName(state.spec.default_level));
}

void InitFromEnv() {
  const char* env = std::getenv("FABRIC_LOGGING_SPEC");
  if (env == nullptr) {
    return;
  }
  Status s = SetSpec(env);
  if (!s.ok()) {
    std::fprintf(stderr, "FABRIC_LOGGING_SPEC ignored, using \"info\": %s\n",
                 std::string(s.message()).c_str());
  }
}

Level LevelFor(std::string_view module) {
  State& state = GlobalState();
  std::shared_lock lock(state.mu);
  return LookUp(state.spec, module);
}

void SetSink(Sink sink) {
  State& state = GlobalState();
  std::unique_lock lock(state.mu);
  state.sink = std::move(sink);
}

bool Logger::Enabled(Level level) const {
  uint64_t gen = g_generation.load(std::memory_order_acquire);
  uint64_t cached = cache_.load(std::memory_order_relaxed);
  if ((cached >> 8) != gen) {
    cached = (gen << 8) | static_cast<uint64_t>(LevelFor(module_));
    cache_.store(cached, std::memory_order_relaxed);
  }
  return static_cast<int>(level) >= static_cast<int>(cached & 0xff);
}

void Logger::Write(Level level, std::string_view message) const {
  if (!Enabled(level)) {
    return;
  }
  std::string line =
      absl::StrFormat("%s [%s] %s %s\n", Timestamp(), module_, LevelName(level), message);
  State& state = GlobalState();
  std::shared_lock lock(state.mu);
  if (state.sink) {
    state.sink(std::string_view(line).substr(0, line.size() - 1));
    return;
  }
  // One write(2) per line; a short write on a pipe is retried for the rest.
  const char* p = line.data();
  size_t left = line.size();
  while (left > 0) {
    ssize_t n = ::write(STDERR_FILENO, p, left);
    if (n <= 0) {
      return;
    }
    p += n;
    left -= static_cast<size_t>(n);
  }
}

}  // namespace fabric::logging
