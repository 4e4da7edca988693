// SPDX-License-Identifier: Apache-2.0
//
// Thread names, as `top -H`, `ps -L`, perf, gdb and /proc/PID/task/TID/comm show them. A thread
// otherwise keeps the name of the thread that created it, so every thread the peer starts from
// inside a gRPC handler (a channel's deliver client, the committer's validators) is listed as one
// of gRPC's ("nexting_thread", "grpcpp_sync_ser") and a profile cannot tell them apart.
//
// Linux keeps at most 15 bytes; longer names are cut (e.g. "deliver/mychannel" becomes
// "deliver/mychann"). Naming never fails the caller: an error leaves the old name.
// Header-only, part of fabric_base.

#pragma once

#include <pthread.h>

#include <algorithm>
#include <cstring>
#include <string>
#include <string_view>

namespace fabric {

inline constexpr size_t kMaxThreadNameBytes = 15;

// Names the calling thread `name` (its first 15 bytes).
inline void SetThreadName(std::string_view name) {
  char buf[kMaxThreadNameBytes + 1] = {};
  std::memcpy(buf, name.data(), std::min(name.size(), kMaxThreadNameBytes));
  (void)pthread_setname_np(pthread_self(), buf);
}

// The calling thread's name; empty if it cannot be read.
inline std::string ThreadName() {
  char buf[kMaxThreadNameBytes + 1] = {};
  if (pthread_getname_np(pthread_self(), buf, sizeof(buf)) != 0) {
    return std::string();
  }
  return std::string(buf);
}

// Names the calling thread for a scope and gives the old name back at its end: for work that
// borrows a thread from a pool it does not own (a gRPC server thread serving one long stream).
class ScopedThreadName {
 public:
  explicit ScopedThreadName(std::string_view name) : old_(ThreadName()) { SetThreadName(name); }
  ~ScopedThreadName() { SetThreadName(old_); }
  ScopedThreadName(const ScopedThreadName&) = delete;
  ScopedThreadName& operator=(const ScopedThreadName&) = delete;

 private:
  const std::string old_;
};

}  // namespace fabric
