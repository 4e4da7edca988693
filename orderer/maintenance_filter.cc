// SPDX-License-Identifier: Apache-2.0
#include "orderer/maintenance_filter.h"

#include <set>
#include <string>

#include <absl/strings/str_format.h>

#include "common/channelconfig/keys.h"
#include "fabric/base/status_macros.h"

namespace fabric::orderer {
namespace {

namespace cc = channelconfig;
using State = ::orderer::ConsensusType::State;

std::string StateName(State state) { return ::orderer::ConsensusType::State_Name(state); }

// A State change may not travel with any other change (Fabric's ensureConsensusTypeChangeOnly).
Status CheckConsensusTypeChangeOnly(const common::ConfigUpdate& update) {
  const common::ConfigGroup& write_set = update.write_set();
  if (write_set.groups().empty()) {
    return InvalidArgumentError("config update contains no changes");
  }
  if (!write_set.values().empty()) {
    return InvalidArgumentError("config update contains changes to values in group Channel");
  }
  if (write_set.groups().size() > 1) {
    return InvalidArgumentError("config update contains changes to more than one group");
  }
  auto orderer = write_set.groups().find(std::string(cc::kOrdererGroupKey));
  if (orderer == write_set.groups().end()) {
    return InvalidArgumentError("update does not contain the Orderer group");
  }
  if (!orderer->second.groups().empty()) {
    return InvalidArgumentError(
        "config update contains changes to groups within the Orderer group");
  }
  if (orderer->second.values().count(std::string(cc::kConsensusTypeKey)) == 0) {
    return InvalidArgumentError("config update does not contain the ConsensusType value");
  }
  if (orderer->second.values().size() > 1) {
    return InvalidArgumentError(
        "config update contain more then just the ConsensusType value in the Orderer group");
  }
  return Status::OK();
}

Status CheckStateChange(const cc::Bundle& current, const cc::Bundle& next,
                        const common::ConfigUpdate& update) {
  RETURN_IF_ERROR(CheckConsensusTypeChangeOnly(update));
  if (current.consensus_type() != next.consensus_type()) {
    return InvalidArgumentError(absl::StrFormat(
        "attempted to change ConsensusType.Type from %s to %s, but ConsensusType.State is "
        "changing from %s to %s",
        current.consensus_type(), next.consensus_type(), StateName(current.consensus_state()),
        StateName(next.consensus_state())));
  }
  if (current.consensus_metadata() != next.consensus_metadata()) {
    return InvalidArgumentError(absl::StrFormat(
        "attempted to change ConsensusType.Metadata, but ConsensusType.State is changing from "
        "%s to %s",
        StateName(current.consensus_state()), StateName(next.consensus_state())));
  }
  return Status::OK();
}

Status CheckTypeChange(const cc::Bundle& current, const cc::Bundle& next) {
  const std::string from = current.consensus_type();
  const std::string to = next.consensus_type();
  if (current.consensus_state() == ::orderer::ConsensusType::STATE_NORMAL) {
    return InvalidArgumentError(
        absl::StrFormat("attempted to change consensus type from %s to %s, but current config "
                        "ConsensusType.State is not in maintenance mode",
                        from, to));
  }
  if (next.consensus_state() == ::orderer::ConsensusType::STATE_NORMAL) {
    return InvalidArgumentError(absl::StrFormat(
        "attempted to change consensus type from %s to %s, but next config ConsensusType.State "
        "is not in maintenance mode",
        from, to));
  }
  static const auto* targets = new std::set<std::string>{"etcdraft", "solo", "kafka"};
  if (targets->count(to) == 0) {
    return InvalidArgumentError(absl::StrFormat(
        "attempted to change consensus type from %s to %s, transition not supported", from, to));
  }
  return Status::OK();
}

}  // namespace

Status CheckMaintenanceRules(const cc::Bundle& current, const cc::Bundle& next,
                             const common::ConfigUpdate& update) {
  if (current.orderer_capabilities().count("V1_4_2") == 0) {
    if (next.consensus_state() != ::orderer::ConsensusType::STATE_NORMAL) {
      return InvalidArgumentError(absl::StrFormat(
          "next config attempted to change ConsensusType.State to %s, but capability is disabled",
          StateName(next.consensus_state())));
    }
    if (current.consensus_type() != next.consensus_type()) {
      return InvalidArgumentError(absl::StrFormat(
          "next config attempted to change ConsensusType.Type from %s to %s, but capability is "
          "disabled",
          current.consensus_type(), next.consensus_type()));
    }
    return Status::OK();
  }
  if (current.consensus_state() != next.consensus_state()) {
    RETURN_IF_ERROR(CheckStateChange(current, next, update));
  }
  if (current.consensus_type() != next.consensus_type()) {
    RETURN_IF_ERROR(CheckTypeChange(current, next));
  }
  return Status::OK();
}

}  // namespace fabric::orderer
