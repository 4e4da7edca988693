// SPDX-License-Identifier: Apache-2.0
//
// ChildProcess (tests only): a real binary run as a child process with its output in a log
// file, for tests that kill and restart servers (orderer nodes, etcd members). The destructor
// kills (SIGKILL) and reaps a child still running, so a failing test leaves nothing behind.
#pragma once

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <fstream>
#include <sstream>
#include <string>
#include <vector>

#include "fabric/base/testing/wait_until.h"

namespace fabric::testing {

inline std::string ReadFileOrEmpty(const std::string& path) {
  std::ifstream in(path);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

class ChildProcess {
 public:
  // Runs `binary` with `args`, the parent's environment plus `env` ("NAME=value", overriding),
  // stdout and stderr appended to `log_path`.
  ChildProcess(const std::string& binary, const std::vector<std::string>& args,
               const std::vector<std::string>& env, std::string log_path)
      : log_path_(std::move(log_path)) {
    pid_ = fork();
    if (pid_ == 0) {
      int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      dup2(fd, 1);
      dup2(fd, 2);
      setpgid(0, 0);  // a signal to the test's group does not reach the child twice
      std::vector<char*> argv = {const_cast<char*>(binary.c_str())};
      for (const auto& a : args) {
        argv.push_back(const_cast<char*>(a.c_str()));
      }
      argv.push_back(nullptr);
      for (const auto& e : env) {
        putenv(const_cast<char*>(e.c_str()));
      }
      execv(binary.c_str(), argv.data());
      _exit(127);
    }
  }
  ~ChildProcess() {
    if (pid_ > 0 && !exited_) {
      kill(pid_, SIGKILL);
      waitpid(pid_, nullptr, 0);
    }
  }
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  pid_t pid() const { return pid_; }

  // Sends `sig` and returns the wait status (or -1 after 15 s).
  int Stop(int sig) {
    kill(pid_, sig);
    return Wait();
  }
  int Wait(std::chrono::milliseconds timeout = std::chrono::seconds(15)) {
    return WaitUntil([&] { return Exited(); }, timeout) ? exit_status_ : -1;
  }
  // Whether the child has exited (reaping it, and keeping its wait status, the first time).
  bool Exited() {
    if (!exited_) {
      int status = 0;
      if (waitpid(pid_, &status, WNOHANG) == pid_) {
        exited_ = true;
        exit_status_ = status;
      }
    }
    return exited_;
  }
  std::string log() const { return ReadFileOrEmpty(log_path_); }
  const std::string& log_path() const { return log_path_; }

 private:
  std::string log_path_;
  pid_t pid_ = -1;
  bool exited_ = false;
  int exit_status_ = 0;
};

}  // namespace fabric::testing
