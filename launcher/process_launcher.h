// SPDX-License-Identifier: Apache-2.0
//
// ProcessLauncher: runs each chaincode as a local child process of the peer.
//
// The child gets the request's env entries (CORE_CHAINCODE_ID_NAME, CORE_PEER_ADDRESS, ...) and
// of the peer's environment only PATH, HOME, USER, LANG, LANGUAGE, LC_*, TZ, TMPDIR,
// LD_LIBRARY_PATH and CORE_CHAINCODE_* (the peer's own settings name its key files); a request
// entry replaces an inherited one of the same name. argv =
// [executable, package args...]. It is spawned with posix_spawn, so nothing runs in the child
// between fork and exec (safe in a multithreaded peer); its stdout and stderr are pipes whose
// lines are forwarded into the peer log ("[mycc:1.0] line" under module "chaincode.process").
// One owned thread per child forwards the output and then reaps the child.
//
// StartRequest.files are written under a fresh private directory (mkdtemp in $TMPDIR, mode
// 0700; files 0600, at <dir>/<absolute path>); env entries whose value is one of the files'
// paths are rewritten to the written copy. The directory is removed when the child exits (or
// when it cannot be started).
//
// Stop sends SIGTERM, waits `grace_period`, then SIGKILL, and waits for the exit. The
// destructor stops every child still running.
//
// Thread-safety: all methods are safe to call concurrently.

#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "launcher/launcher.h"

namespace fabric::launcher {

class LogTail;

class ProcessLauncher : public Launcher {
 public:
  struct Options {
    std::chrono::milliseconds grace_period{5000};
    // Start each child in a process group of its own and signal the whole group, so that what
    // a child started (a builder script's commands) stops with it and releases its output.
    bool process_group = false;
  };

  ProcessLauncher();
  explicit ProcessLauncher(Options options);
  ~ProcessLauncher() override;
  ProcessLauncher(const ProcessLauncher&) = delete;
  ProcessLauncher& operator=(const ProcessLauncher&) = delete;

  // InvalidArgument for an empty executable or a relative file path; Internal "spawn /path:
  // <errno text>" when the executable cannot be started, or when the files cannot be written.
  Status Start(const StartRequest& request) override;
  Status Stop(const std::string& ccid) override;
  StatusOr<int> Wait(const std::string& ccid, std::chrono::milliseconds timeout) override;
  bool IsRunning(const std::string& ccid) const override;
  // The last 50 lines the chaincode printed (kept after it exits, until the next Start).
  std::vector<std::string> LastLogLines(const std::string& ccid) const override;
  // Children run on the peer's host: they can dial its chaincode socket.
  bool SharesPeerFileSystem() const override { return true; }

  // The pid of the running child (tests kill it to simulate crashes), or -1.
  int Pid(const std::string& ccid) const;

 private:
  class Child;

  std::shared_ptr<Child> Find(const std::string& ccid) const;

  const Options options_;
  mutable std::mutex mu_;
  // Guarded by mu_:
  std::map<std::string, std::shared_ptr<Child>> children_;
  std::map<std::string, std::shared_ptr<LogTail>> tails_;
};

}  // namespace fabric::launcher
