// SPDX-License-Identifier: Apache-2.0

#include "launcher/docker/lazy_docker_launcher.h"

#include <absl/strings/str_format.h>

#include "common/logging/logging.h"

namespace fabric::launcher::docker {
namespace {

logging::Logger& Log() {
  static logging::Logger logger("chaincode.docker");
  return logger;
}

}  // namespace

LazyDockerLauncher::LazyDockerLauncher(DockerLauncherOptions options, Opener opener)
    : endpoint_(options.client.endpoint),
      opener_(opener ? std::move(opener) : [options] { return DockerLauncher::Open(options); }) {
  if (StatusOr<Launcher*> l = Open(); !l.ok()) {
    FLOG_WARN(Log(), "%s: the peer runs without launching chaincodes until the engine is back",
              l.status().message());
  }
}

StatusOr<Launcher*> LazyDockerLauncher::Open() {
  std::lock_guard<std::mutex> lock(mu_);
  if (launcher_ != nullptr) {
    return launcher_.get();
  }
  StatusOr<std::unique_ptr<DockerLauncher>> opened = opener_();
  if (!opened.ok()) {
    return UnavailableError(
        absl::StrFormat("docker engine unreachable at %s: %s (CORE_VM_ENDPOINT)", endpoint_,
                        opened.status().message()));
  }
  launcher_ = std::move(*opened);
  if (shutting_down_.load()) {
    launcher_->Shutdown();
  }
  FLOG_INFO(Log(), "docker engine at %s is available", endpoint_);
  return launcher_.get();
}

Launcher* LazyDockerLauncher::Current() const {
  std::lock_guard<std::mutex> lock(mu_);
  return launcher_.get();
}

bool LazyDockerLauncher::IsOpen() const { return Current() != nullptr; }

Status LazyDockerLauncher::Start(const StartRequest& request) {
  if (shutting_down_.load()) {
    return Status(StatusCode::kCancelled,
                  "cannot launch " + request.ccid + ": the peer is shutting down");
  }
  StatusOr<Launcher*> l = Open();
  if (!l.ok()) {
    return l.status().Annotate("cannot launch " + request.ccid);
  }
  return (*l)->Start(request);
}

Status LazyDockerLauncher::Stop(const std::string& ccid) {
  Launcher* l = Current();
  return l == nullptr ? Status::OK() : l->Stop(ccid);
}

StatusOr<int> LazyDockerLauncher::Wait(const std::string& ccid, std::chrono::milliseconds timeout) {
  Launcher* l = Current();
  if (l == nullptr) {
    return NotFoundError("no chaincode was launched: " + ccid);
  }
  return l->Wait(ccid, timeout);
}

bool LazyDockerLauncher::IsRunning(const std::string& ccid) const {
  Launcher* l = Current();
  return l != nullptr && l->IsRunning(ccid);
}

std::vector<std::string> LazyDockerLauncher::LastLogLines(const std::string& ccid) const {
  Launcher* l = Current();
  return l == nullptr ? std::vector<std::string>() : l->LastLogLines(ccid);
}

void LazyDockerLauncher::Shutdown() {
  shutting_down_.store(true);
  if (Launcher* l = Current(); l != nullptr) {
    l->Shutdown();
  }
}

}  // namespace fabric::launcher::docker
