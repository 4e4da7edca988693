// SPDX-License-Identifier: Apache-2.0
//
// LazyDockerLauncher: a DockerLauncher opened when the engine can be reached. The peer starts,
// commits blocks and serves its running chaincodes while the Docker engine is down; a launch
// then fails with Unavailable naming the endpoint, and the first launch after the engine is
// back opens the DockerLauncher (removing this peer's stale containers) and proceeds. The
// peer's /healthz reports the engine meanwhile (PingDockerEngine).
//
// Thread-safety: all methods are safe to call concurrently; opening is serialized.

#pragma once

#include <atomic>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "launcher/docker/docker_launcher.h"
#include "launcher/launcher.h"

namespace fabric::launcher::docker {

class LazyDockerLauncher : public Launcher {
 public:
  using Opener = std::function<StatusOr<std::unique_ptr<DockerLauncher>>()>;

  // Opens with DockerLauncher::Open(options); tests inject `opener`. Tries once right away.
  explicit LazyDockerLauncher(DockerLauncherOptions options, Opener opener = nullptr);

  // Unavailable "docker engine unreachable at <endpoint>: ..." while it cannot be opened.
  Status Start(const StartRequest& request) override;
  Status Stop(const std::string& ccid) override;
  StatusOr<int> Wait(const std::string& ccid, std::chrono::milliseconds timeout) override;
  bool IsRunning(const std::string& ccid) const override;
  std::vector<std::string> LastLogLines(const std::string& ccid) const override;
  void Shutdown() override;

  // True once the DockerLauncher is open.
  bool IsOpen() const;

 private:
  StatusOr<Launcher*> Open();
  Launcher* Current() const;

  const std::string endpoint_;
  const Opener opener_;
  std::atomic<bool> shutting_down_{false};
  mutable std::mutex mu_;
  // Guarded by mu_ (set once, never reset):
  std::unique_ptr<DockerLauncher> launcher_;
};

}  // namespace fabric::launcher::docker
