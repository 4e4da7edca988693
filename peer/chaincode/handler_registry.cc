// SPDX-License-Identifier: Apache-2.0
#include "peer/chaincode/handler_registry.h"

#include <vector>

#include <openssl/crypto.h>

namespace fabric::chaincode {

bool LaunchState::Done(Status status) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (status_.has_value()) {
      return false;
    }
    status_ = std::move(status);
  }
  cv_.notify_all();
  return true;
}

std::optional<Status> LaunchState::Wait(std::chrono::steady_clock::time_point deadline) {
  std::unique_lock<std::mutex> lock(mu_);
  if (!cv_.wait_until(lock, deadline, [this] { return status_.has_value(); })) {
    return std::nullopt;
  }
  return status_;
}

void LaunchState::set_secret(std::string secret) {
  std::lock_guard<std::mutex> lock(mu_);
  secret_ = std::move(secret);
}

bool LaunchState::Accepts(std::string_view presented) const {
  std::lock_guard<std::mutex> lock(mu_);
  return secret_.empty() || (presented.size() == secret_.size() &&
                             CRYPTO_memcmp(presented.data(), secret_.data(), secret_.size()) == 0);
}

std::pair<std::shared_ptr<LaunchState>, bool> HandlerRegistry::Launching(const std::string& ccid) {
  std::lock_guard<std::mutex> lock(mu_);
  auto h = handlers_.find(ccid);
  if (h != handlers_.end() && h->second.ready) {
    auto done = std::make_shared<LaunchState>();
    done->Done(Status::OK());
    return {done, false};
  }
  auto it = launching_.find(ccid);
  if (it != launching_.end()) {
    return {it->second, false};
  }
  auto state = std::make_shared<LaunchState>();
  launching_[ccid] = state;
  return {state, true};
}

void HandlerRegistry::Failed(const std::string& ccid, const std::shared_ptr<LaunchState>& state,
                             const Status& status) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = launching_.find(ccid);
    if (it != launching_.end() && it->second == state) {
      launching_.erase(it);
    }
  }
  state->Done(status);
}

Status HandlerRegistry::Register(const std::string& ccid, const std::shared_ptr<Handler>& handler,
                                 std::string_view secret) {
  std::lock_guard<std::mutex> lock(mu_);
  if (handlers_.count(ccid) != 0) {
    return AlreadyExistsError("duplicate chaincodeID: " + ccid);
  }
  auto launch = launching_.find(ccid);
  if (!dev_mode_ && launch == launching_.end()) {
    return PermissionDeniedError("peer will not accept external chaincode connection " + ccid +
                                 " (except in dev mode)");
  }
  if (launch != launching_.end() && !launch->second->Accepts(secret)) {
    return PermissionDeniedError(
        "chaincode " + ccid +
        " did not present the launch secret the peer gave the runtime it started: only that "
        "runtime may register (another process raced it)");
  }
  handlers_[ccid] = Entry{handler, false};
  return Status::OK();
}

void HandlerRegistry::Ready(const std::string& ccid) {
  std::shared_ptr<LaunchState> state;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto h = handlers_.find(ccid);
    if (h != handlers_.end()) {
      h->second.ready = true;
    }
    auto it = launching_.find(ccid);
    if (it != launching_.end()) {
      state = std::move(it->second);
      launching_.erase(it);
    }
  }
  if (state != nullptr) {
    state->Done(Status::OK());
  }
}

void HandlerRegistry::Deregister(const std::string& ccid, const Handler* handler) {
  std::lock_guard<std::mutex> lock(mu_);
  auto h = handlers_.find(ccid);
  if (h != handlers_.end() && h->second.handler.get() == handler) {
    handlers_.erase(h);
  }
}

std::shared_ptr<Handler> HandlerRegistry::Get(const std::string& ccid) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto h = handlers_.find(ccid);
  return h != handlers_.end() && h->second.ready ? h->second.handler : nullptr;
}

std::vector<std::shared_ptr<Handler>> HandlerRegistry::All() const {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<std::shared_ptr<Handler>> out;
  for (const auto& [ccid, entry] : handlers_) {
    if (entry.ready) {
      out.push_back(entry.handler);
    }
  }
  return out;
}

}  // namespace fabric::chaincode
