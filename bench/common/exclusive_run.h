// SPDX-License-Identifier: Apache-2.0
//
// ExclusiveRun: one benchmark at a time on this machine. Benchmarks share two cores, and those
// that launch chaincode share container names too: a second run started beside the first would
// measure it and remove its containers under it. The second one waits instead, saying so.
// The lock is flock(2) on /tmp/fabric-cpp-bench.lock, released when the process ends however it
// ends; the descriptor is close-on-exec, so peers and chaincodes a benchmark starts never hold it.

#pragma once

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <cstdio>

namespace fabric::bench {

class ExclusiveRun {
 public:
  ExclusiveRun() {
    fd_ = ::open("/tmp/fabric-cpp-bench.lock", O_RDWR | O_CREAT | O_CLOEXEC, 0666);
    if (fd_ < 0) {
      std::perror("# benchmark lock /tmp/fabric-cpp-bench.lock (running without it)");
      return;
    }
    if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
      std::fprintf(stderr, "# another fabric-cpp benchmark is running; waiting for it to end\n");
      ::flock(fd_, LOCK_EX);
    }
  }
  ~ExclusiveRun() {
    if (fd_ >= 0) {
      ::close(fd_);
    }
  }
  ExclusiveRun(const ExclusiveRun&) = delete;
  ExclusiveRun& operator=(const ExclusiveRun&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace fabric::bench
