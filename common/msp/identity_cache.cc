// SPDX-License-Identifier: Apache-2.0
#include "common/msp/x509_identity.h"

namespace fabric::msp::internal {

std::shared_ptr<const X509Identity> IdentityCache::Get(std::string_view serialized) {
  if (capacity_ == 0) {
    return nullptr;
  }
  std::lock_guard<std::mutex> lock(mu_);
  auto it = index_.find(serialized);
  if (it == index_.end()) {
    return nullptr;
  }
  lru_.splice(lru_.begin(), lru_, it->second);
  return *it->second;
}

void IdentityCache::Put(std::shared_ptr<const X509Identity> identity) {
  if (capacity_ == 0 || identity == nullptr) {
    return;
  }
  std::lock_guard<std::mutex> lock(mu_);
  std::string_view key = identity->Serialize();
  auto it = index_.find(key);
  if (it != index_.end()) {
    // Another thread cached the same bytes first; keep that one (it may hold a memo).
    lru_.splice(lru_.begin(), lru_, it->second);
    return;
  }
  lru_.push_front(std::move(identity));
  index_.emplace(lru_.front()->Serialize(), lru_.begin());
  while (lru_.size() > capacity_) {
    index_.erase(lru_.back()->Serialize());
    lru_.pop_back();
  }
}

size_t IdentityCache::size() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lru_.size();
}

}  // namespace fabric::msp::internal
