// SPDX-License-Identifier: Apache-2.0
//
// Builder: one external builder of core.yaml's chaincode.externalBuilders (Fabric 2.x
// core/container/externalbuilder/externalbuilder.go): a folder whose bin/ holds the
// executables
//   detect  <source dir> <metadata dir>            exit 0: this builder takes the package
//   build   <source dir> <metadata dir> <output dir>
//   release <output dir> <release dir>             optional
//   run     <output dir> <run metadata dir>        optional; <run metadata dir>/chaincode.json
// Each step runs as a child process (ProcessLauncher, in its own process group) with the
// peer's PATH, HOME, TMPDIR, LD_LIBRARY_PATH, locale and CORE_CHAINCODE_* variables plus the
// variables the builder's propagateEnvironment names; its output lines go to the peer log
// under "chaincode.process" as "[mycc:1.0 builder=NAME STEP] line". A step that has not ended
// by the deadline is stopped (SIGTERM to its group, then SIGKILL).
//
// Thread-safety: the methods are safe to call concurrently for different ccids.

#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "fabric/base/status.h"
#include "launcher/process_launcher.h"

namespace fabric::launcher::external {

// One entry of chaincode.externalBuilders.
struct BuilderConfig {
  std::string name;
  std::string path;  // absolute; holds bin/detect and bin/build
  // Names of the peer's environment variables the steps also get (propagateEnvironment, or
  // Fabric 2.0's environmentWhitelist).
  std::vector<std::string> propagate_environment;

  bool operator==(const BuilderConfig&) const = default;
};

// InvalidArgument naming the builder and what is wrong: an empty or duplicate name, a path
// that is not absolute, or a folder without an executable bin/detect and bin/build.
Status ValidateBuilders(const std::vector<BuilderConfig>& builders);

// The folders of one build (Fabric's BuildContext).
struct BuildDirs {
  std::string source;
  std::string metadata;
  std::string output;
  std::string release;
};

class Builder {
 public:
  using Clock = std::chrono::steady_clock;
  // `processes` is borrowed and must outlive the builder.
  Builder(BuilderConfig config, ProcessLauncher& processes);

  const std::string& name() const { return config_.name; }

  // True when bin/detect exits 0, false for another exit code. DeadlineExceeded when it has not
  // ended by `deadline`; Internal when it cannot be started.
  StatusOr<bool> Detect(const std::string& ccid, const BuildDirs& dirs, Clock::time_point deadline);
  // Runs bin/build. Unknown "external builder 'NAME' build of mycc:1.0 failed with exit code 2;
  // its last output: ..." for a non-zero exit; DeadlineExceeded as above.
  Status Build(const std::string& ccid, const BuildDirs& dirs, Clock::time_point deadline);
  // Runs bin/release when the builder has one (OK otherwise); errors as Build's.
  Status Release(const std::string& ccid, const BuildDirs& dirs, Clock::time_point deadline);

  bool HasRun() const;
  // The StartRequest that runs bin/run <output dir> <run dir> for `request` (env: the request's
  // plus the propagated variables; files: the request's).
  StartRequest RunRequest(const StartRequest& request, const std::string& output_dir,
                          const std::string& run_dir) const;

 private:
  // Runs bin/<step> with `args` until it ends or `deadline`; returns its exit code.
  StatusOr<int> RunStep(const std::string& ccid, const std::string& step,
                        std::vector<std::string> args, Clock::time_point deadline);
  Status StepError(const std::string& ccid, const std::string& step, const std::string& what);
  std::vector<std::string> PropagatedEnv() const;

  const BuilderConfig config_;
  ProcessLauncher& processes_;
};

}  // namespace fabric::launcher::external
