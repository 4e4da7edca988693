// SPDX-License-Identifier: Apache-2.0
//
// MspManager: the MSPs of one channel (its application and orderer organisations), keyed by MSP
// id (Go: msp/mspmgrimpl.go). It is the IdentityDeserializer of a channel: it routes a
// SerializedIdentity to the MSP named by its mspid.
//
// Built once from the MSPConfig list that channelconfig extracts from a channel's config; a
// config update builds a new manager. Owns its MSPs.
//
// Thread-safety: immutable after Create; every method may be called concurrently.

#pragma once

#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "common/msp/identity.h"
#include "common/msp/msp.h"
#include "fabric/base/status.h"
#include "msp/msp_config.pb.h"

namespace fabric::msp {

class MspManager : public IdentityDeserializer {
 public:
  // Builds one Msp per config with `options`. InvalidArgument when two configs have the same MSP
  // id; otherwise the first Msp::Create error, annotated with the config's index. An empty list
  // gives a manager that knows no MSP (Fabric's manager of an unknown channel).
  static StatusOr<std::unique_ptr<MspManager>> Create(const std::vector<::msp::MSPConfig>& configs);
  static StatusOr<std::unique_ptr<MspManager>> Create(const std::vector<::msp::MSPConfig>& configs,
                                                      const Msp::Options& options);

  // Deserializes with the MSP named by the SerializedIdentity's mspid. InvalidArgument when the
  // bytes are not a SerializedIdentity or the certificate is malformed; NotFound ("msp id X is
  // not a member of this channel") when no MSP of the manager has that id.
  StatusOr<std::shared_ptr<const Identity>> DeserializeIdentity(
      std::string_view serialized) const override;

  // The MSP with id `msp_id`, or null. Owned by the manager.
  const Msp* GetMsp(std::string_view msp_id) const;

  // The MSP ids, sorted.
  std::vector<std::string> MspIds() const;

 private:
  explicit MspManager(std::map<std::string, std::unique_ptr<Msp>, std::less<>> msps)
      : msps_(std::move(msps)) {}

  const std::map<std::string, std::unique_ptr<Msp>, std::less<>> msps_;
};

}  // namespace fabric::msp
