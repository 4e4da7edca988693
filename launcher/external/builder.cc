// SPDX-License-Identifier: Apache-2.0
#include "launcher/external/builder.h"

#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <set>

#include <absl/strings/str_format.h>

#include "common/logging/logging.h"
#include "fabric/base/status_macros.h"

namespace fabric::launcher::external {
namespace {

namespace fs = std::filesystem;

logging::Logger& Log() {
  static logging::Logger logger("chaincode.externalbuilder");
  return logger;
}

bool IsExecutable(const fs::path& p) {
  std::error_code ec;
  return fs::is_regular_file(p, ec) && ::access(p.c_str(), X_OK) == 0;
}

std::string LastLines(const std::vector<std::string>& lines) {
  constexpr size_t kMaxLines = 10;
  if (lines.empty()) {
    return "; it printed nothing";
  }
  std::string out = "; its last output:";
  for (size_t i = lines.size() > kMaxLines ? lines.size() - kMaxLines : 0; i < lines.size(); ++i) {
    out += "\n  " + lines[i];
  }
  return out;
}

}  // namespace

Status ValidateBuilders(const std::vector<BuilderConfig>& builders) {
  std::set<std::string> names;
  for (const BuilderConfig& b : builders) {
    if (b.name.empty()) {
      return InvalidArgumentError(absl::StrFormat(
          "chaincode.externalBuilders: the builder at path \"%s\" has no name", b.path));
    }
    if (!names.insert(b.name).second) {
      return InvalidArgumentError(
          absl::StrFormat("chaincode.externalBuilders: builder name \"%s\" is used twice", b.name));
    }
    if (b.path.empty() || b.path[0] != '/') {
      return InvalidArgumentError(absl::StrFormat(
          "chaincode.externalBuilders: builder \"%s\": path \"%s\" must be absolute", b.name,
          b.path));
    }
    for (const char* step : {"detect", "build"}) {
      if (!IsExecutable(fs::path(b.path) / "bin" / step)) {
        return InvalidArgumentError(absl::StrFormat(
            "chaincode.externalBuilders: builder \"%s\": %s/bin/%s is missing or not executable",
            b.name, b.path, step));
      }
    }
  }
  return Status::OK();
}

Builder::Builder(BuilderConfig config, ProcessLauncher& processes)
    : config_(std::move(config)), processes_(processes) {}

std::vector<std::string> Builder::PropagatedEnv() const {
  std::vector<std::string> env;
  for (const std::string& name : config_.propagate_environment) {
    if (const char* value = std::getenv(name.c_str()); value != nullptr) {
      env.push_back(name + "=" + value);
    }
  }
  return env;
}

Status Builder::StepError(const std::string& ccid, const std::string& step,
                          const std::string& what) {
  const std::string label = absl::StrFormat("%s builder=%s %s", ccid, config_.name, step);
  return UnknownError(absl::StrFormat("external builder '%s' %s of %s %s%s", config_.name, step,
                                      ccid, what, LastLines(processes_.LastLogLines(label))));
}

StatusOr<int> Builder::RunStep(const std::string& ccid, const std::string& step,
                               std::vector<std::string> args, Clock::time_point deadline) {
  StartRequest request;
  request.ccid = absl::StrFormat("%s builder=%s %s", ccid, config_.name, step);
  request.package.executable = (fs::path(config_.path) / "bin" / step).string();
  request.package.args = std::move(args);
  request.env = PropagatedEnv();
  FLOG_DEBUG(Log(), "running external builder %s step %s for ccid=%s", config_.name, step, ccid);
  RETURN_IF_ERROR(processes_.Start(request));
  const auto now = Clock::now();
  const auto wait = deadline <= now
                        ? std::chrono::milliseconds(0)
                        : std::chrono::duration_cast<std::chrono::milliseconds>(
                              std::min(deadline - now, Clock::duration(std::chrono::hours(24))));
  StatusOr<int> code = processes_.Wait(request.ccid, wait);
  (void)processes_.Stop(request.ccid);  // stops it if still running, and joins its reader
  if (!code.ok() && code.status().code() == StatusCode::kDeadlineExceeded) {
    Status s = StepError(ccid, step, "did not finish in time and was stopped");
    return DeadlineExceededError(s.message());
  }
  return code;
}

StatusOr<bool> Builder::Detect(const std::string& ccid, const BuildDirs& dirs,
                               Clock::time_point deadline) {
  ASSIGN_OR_RETURN(int code, RunStep(ccid, "detect", {dirs.source, dirs.metadata}, deadline));
  FLOG_DEBUG(Log(), "external builder %s detect for ccid=%s exited with %d", config_.name, ccid,
             code);
  return code == 0;
}

Status Builder::Build(const std::string& ccid, const BuildDirs& dirs, Clock::time_point deadline) {
  ASSIGN_OR_RETURN(int code,
                   RunStep(ccid, "build", {dirs.source, dirs.metadata, dirs.output}, deadline));
  if (code != 0) {
    return StepError(ccid, "build", absl::StrFormat("failed with exit code %d", code));
  }
  return Status::OK();
}

Status Builder::Release(const std::string& ccid, const BuildDirs& dirs,
                        Clock::time_point deadline) {
  if (!IsExecutable(fs::path(config_.path) / "bin" / "release")) {
    return Status::OK();
  }
  ASSIGN_OR_RETURN(int code, RunStep(ccid, "release", {dirs.output, dirs.release}, deadline));
  if (code != 0) {
    return StepError(ccid, "release", absl::StrFormat("failed with exit code %d", code));
  }
  return Status::OK();
}

bool Builder::HasRun() const { return IsExecutable(fs::path(config_.path) / "bin" / "run"); }

StartRequest Builder::RunRequest(const StartRequest& request, const std::string& output_dir,
                                 const std::string& run_dir) const {
  StartRequest run = request;
  run.package = ChaincodePackage{};
  run.package.ccid = request.ccid;
  run.package.executable = (fs::path(config_.path) / "bin" / "run").string();
  run.package.args = {output_dir, run_dir};
  std::vector<std::string> env = PropagatedEnv();
  run.env.insert(run.env.end(), env.begin(), env.end());
  return run;
}

}  // namespace fabric::launcher::external
