// SPDX-License-Identifier: Apache-2.0
#include "peer/chaincode/transaction_context.h"

#include <utility>

#include <absl/strings/str_format.h>

namespace fabric::chaincode {

TransactionContext::TransactionContext(const TxParams& params,
                                       std::chrono::steady_clock::time_point deadline, bool init)
    : params_(params), deadline_(deadline), init_(init) {}

TransactionContext::~TransactionContext() { Close(); }

bool TransactionContext::Deliver(StatusOr<protos::ChaincodeMessage> outcome) {
  FiberTask* waiter = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (outcome_.has_value()) {
      return false;
    }
    outcome_.emplace(std::move(outcome));
    waiter = std::exchange(waiter_, nullptr);
  }
  outcome_cv_.notify_all();
  if (waiter != nullptr) {
    waiter->Continue();  // The rest of the waiting execution runs here, on this thread.
  }
  return true;
}

void TransactionContext::Expire() {
  FiberTask* waiter = nullptr;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (outcome_.has_value()) {
      return;
    }
    waiter = std::exchange(waiter_, nullptr);
  }
  if (waiter != nullptr) {
    waiter->Continue();  // It finds no outcome: the execution timed out.
  }
}

std::optional<StatusOr<protos::ChaincodeMessage>> TransactionContext::WaitForOutcome(
    std::chrono::steady_clock::time_point deadline) {
  FiberTask* self = FiberTask::Current();
  std::unique_lock<std::mutex> lock(mu_);
  if (self == nullptr) {
    if (!outcome_cv_.wait_until(lock, deadline, [this] { return outcome_.has_value(); })) {
      return std::nullopt;
    }
  } else if (!outcome_.has_value()) {
    // Park the task; Deliver or Expire (whichever takes waiter_ first) resumes it.
    waiter_ = self;
    std::weak_ptr<TransactionContext> weak = weak_from_this();
    const uint64_t timer = DeadlineTimer::Shared().Add(deadline, [weak] {
      if (auto ctx = weak.lock()) {
        ctx->Expire();
      }
    });
    FiberTask::Park(*lock.release());  // mu_ is unlocked once the task is parked
    DeadlineTimer::Shared().Cancel(timer);
    lock = std::unique_lock<std::mutex>(mu_);
    if (!outcome_.has_value()) {
      return std::nullopt;
    }
  }
  return std::move(*outcome_);
}

bool TransactionContext::BeginRequest() {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) {
    return false;
  }
  ++active_requests_;
  return true;
}

void TransactionContext::EndRequest() {
  bool drained = false;
  {
    std::lock_guard<std::mutex> lock(mu_);
    drained = --active_requests_ == 0 && closed_;
  }
  if (drained) {
    drained_cv_.notify_all();
  }
}

void TransactionContext::Close() {
  std::map<std::string, std::unique_ptr<QueryIterator>> iterators;
  {
    std::unique_lock<std::mutex> lock(mu_);
    closed_ = true;
    drained_cv_.wait(lock, [this] { return active_requests_ == 0; });
    iterators.swap(iterators_);
  }
  for (auto& [id, it] : iterators) {
    if (it != nullptr) {
      it->Close();
    }
  }
}

std::string TransactionContext::AddIterator(std::unique_ptr<QueryIterator> it) {
  std::lock_guard<std::mutex> lock(mu_);
  std::string id = absl::StrFormat("%s-%d", params_.tx_id, next_iterator_++);
  iterators_[id] = std::move(it);
  return id;
}

std::unique_ptr<QueryIterator> TransactionContext::TakeIterator(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = iterators_.find(id);
  if (it == iterators_.end()) {
    return nullptr;
  }
  std::unique_ptr<QueryIterator> out = std::move(it->second);
  iterators_.erase(it);
  return out;
}

void TransactionContext::PutIterator(const std::string& id, std::unique_ptr<QueryIterator> it) {
  std::lock_guard<std::mutex> lock(mu_);
  iterators_[id] = std::move(it);
}

bool TransactionContext::CloseIterator(const std::string& id) {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = iterators_.find(id);
  if (it == iterators_.end()) {
    return false;
  }
  if (it->second != nullptr) {
    it->second->Close();
  }
  iterators_.erase(it);
  return true;
}

std::string TransactionContexts::Key(const std::string& channel_id, const std::string& tx_id) {
  std::string key = channel_id;
  key.push_back('\0');
  key += tx_id;
  return key;
}

StatusOr<std::shared_ptr<TransactionContext>> TransactionContexts::Create(
    const TxParams& params, std::chrono::steady_clock::time_point deadline, bool init) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!failed_.ok()) {
    return UnavailableError(failed_.message());
  }
  std::string key = Key(params.channel_id, params.tx_id);
  if (contexts_.count(key) != 0) {
    return AlreadyExistsError(
        absl::StrFormat("txid: %s(%s) exists", params.tx_id, params.channel_id));
  }
  auto ctx = std::make_shared<TransactionContext>(params, deadline, init);
  contexts_[key] = ctx;
  return ctx;
}

std::shared_ptr<TransactionContext> TransactionContexts::Get(const std::string& channel_id,
                                                             const std::string& tx_id) const {
  std::lock_guard<std::mutex> lock(mu_);
  auto it = contexts_.find(Key(channel_id, tx_id));
  return it == contexts_.end() ? nullptr : it->second;
}

void TransactionContexts::Delete(const std::string& channel_id, const std::string& tx_id) {
  std::lock_guard<std::mutex> lock(mu_);
  contexts_.erase(Key(channel_id, tx_id));
}

void TransactionContexts::FailAll(const Status& reason) {
  std::map<std::string, std::shared_ptr<TransactionContext>> contexts;
  {
    std::lock_guard<std::mutex> lock(mu_);
    failed_ = reason;
    contexts = contexts_;
  }
  for (auto& [key, ctx] : contexts) {
    ctx->Deliver(reason);
  }
}

size_t TransactionContexts::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return contexts_.size();
}

}  // namespace fabric::chaincode
