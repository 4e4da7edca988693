// SPDX-License-Identifier: Apache-2.0
#include "common/msp/msp_manager.h"

#include <absl/strings/str_format.h>

#include "fabric/base/status_macros.h"
#include "msp/identities.pb.h"

namespace fabric::msp {

StatusOr<std::unique_ptr<MspManager>> MspManager::Create(
    const std::vector<::msp::MSPConfig>& configs) {
  return Create(configs, Msp::Options());
}

StatusOr<std::unique_ptr<MspManager>> MspManager::Create(
    const std::vector<::msp::MSPConfig>& configs, const Msp::Options& options) {
  std::map<std::string, std::unique_ptr<Msp>, std::less<>> msps;
  for (size_t i = 0; i < configs.size(); ++i) {
    StatusOr<std::unique_ptr<Msp>> msp = Msp::Create(configs[i], options);
    if (!msp.ok()) {
      return msp.status().Annotate(absl::StrFormat("msp config %d", i));
    }
    const std::string id = (*msp)->MspId();
    if (!msps.emplace(id, *std::move(msp)).second) {
      return InvalidArgumentError(absl::StrFormat("msp config %d: duplicate msp id %s", i, id));
    }
  }
  return std::unique_ptr<MspManager>(new MspManager(std::move(msps)));
}

StatusOr<std::shared_ptr<const Identity>> MspManager::DeserializeIdentity(
    std::string_view serialized) const {
  ::msp::SerializedIdentity sid;
  if (serialized.empty() ||
      !sid.ParseFromArray(serialized.data(), static_cast<int>(serialized.size()))) {
    return InvalidArgumentError("could not deserialize a SerializedIdentity");
  }
  auto it = msps_.find(sid.mspid());
  if (it == msps_.end()) {
    return NotFoundError(absl::StrFormat("msp id %s is not a member of this channel", sid.mspid()));
  }
  return it->second->DeserializeIdentity(serialized);
}

const Msp* MspManager::GetMsp(std::string_view msp_id) const {
  auto it = msps_.find(msp_id);
  return it == msps_.end() ? nullptr : it->second.get();
}

std::vector<std::string> MspManager::MspIds() const {
  std::vector<std::string> ids;
  for (const auto& [id, msp] : msps_) {
    ids.push_back(id);
  }
  return ids;
}

}  // namespace fabric::msp
