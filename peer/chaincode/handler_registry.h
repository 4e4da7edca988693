// SPDX-License-Identifier: Apache-2.0
//
// HandlerRegistry: the chaincodes connected to this peer, by ccid "name:version", and the
// launches in progress (Fabric's core/chaincode/handler_registry.go).
//
// Launch protocol: the first Launching(ccid) caller gets started=true and starts the runtime;
// concurrent callers get the same LaunchState and wait on it. The chaincode's REGISTER calls
// Register (which reserves the ccid; it is refused unless a launch is in progress or the
// registry is in dev mode), the handler sends REGISTERED and READY, then Ready() publishes the
// handler and completes the launch. Failed() completes a launch with an error.
//
// Thread-safety: all methods are safe to call concurrently.

#pragma once

#include <chrono>
#include <condition_variable>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fabric/base/status.h"

namespace fabric::chaincode {

class Handler;

// The outcome of one launch, shared by every caller waiting for it.
class LaunchState {
 public:
  // Completes the launch; the first call wins. Returns false if already done.
  bool Done(Status status);
  // Waits until done or `deadline`; nullopt on timeout.
  std::optional<Status> Wait(std::chrono::steady_clock::time_point deadline);

  // The secret this launch gave its runtime; a REGISTER must then present it. Set before the
  // runtime starts.
  void set_secret(std::string secret);
  // True when no secret was set, or `presented` is it (compared in constant time).
  bool Accepts(std::string_view presented) const;

 private:
  mutable std::mutex mu_;
  std::condition_variable cv_;
  // Guarded by mu_:
  std::optional<Status> status_;
  std::string secret_;
};

class HandlerRegistry {
 public:
  explicit HandlerRegistry(bool dev_mode) : dev_mode_(dev_mode) {}

  // The launch state for `ccid` and whether this caller must start the runtime. When the
  // chaincode is already registered the returned state is already done (OK).
  std::pair<std::shared_ptr<LaunchState>, bool> Launching(const std::string& ccid);
  // Completes `state` with `status` and forgets it if it is still the launch of `ccid`.
  void Failed(const std::string& ccid, const std::shared_ptr<LaunchState>& state,
              const Status& status);

  // Reserves `ccid` for `handler`, whose stream presented `secret`. AlreadyExists "duplicate
  // chaincodeID: mycc:1.0" when connected already; PermissionDenied "peer will not accept
  // external chaincode connection mycc:1.0 (except in dev mode)" when nobody launches it and not
  // in dev mode, and PermissionDenied when the launch has a secret and `secret` is not it.
  Status Register(const std::string& ccid, const std::shared_ptr<Handler>& handler,
                  std::string_view secret = {});
  // Publishes the handler registered under `ccid` and completes its launch.
  void Ready(const std::string& ccid);
  // Removes `handler` (if it is the one under `ccid`), failing its launch if still pending.
  void Deregister(const std::string& ccid, const Handler* handler);

  // The ready handler for `ccid`, or null.
  std::shared_ptr<Handler> Get(const std::string& ccid) const;
  // Every ready handler (keepalive, shutdown).
  std::vector<std::shared_ptr<Handler>> All() const;

 private:
  struct Entry {
    std::shared_ptr<Handler> handler;
    bool ready = false;
  };

  const bool dev_mode_;
  mutable std::mutex mu_;
  // Guarded by mu_:
  std::map<std::string, Entry> handlers_;
  std::map<std::string, std::shared_ptr<LaunchState>> launching_;
};

}  // namespace fabric::chaincode
