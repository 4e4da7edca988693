// SPDX-License-Identifier: Apache-2.0
//
// What Fabric checks between two configs of a channel (common/channelconfig/bundle.go
// ValidateNew) and which capabilities this binary supports (common/capabilities/*.go).

#include <set>
#include <string>
#include <string_view>
#include <vector>

#include <absl/strings/ascii.h>
#include <absl/strings/str_format.h>

#include "common/channelconfig/bundle.h"
#include "fabric/base/status_macros.h"

namespace fabric::channelconfig {
namespace {

// The capabilities Fabric 1.4.12 knows; a config requiring another one cannot be processed.
const std::set<std::string>& SupportedChannelCapabilities() {
  static const auto* names = new std::set<std::string>{"V1_1", "V1_3", "V1_4_2", "V1_4_3"};
  return *names;
}
const std::set<std::string>& SupportedOrdererCapabilities() {
  static const auto* names = new std::set<std::string>{"V1_1", "V1_4_2"};
  return *names;
}
const std::set<std::string>& SupportedApplicationCapabilities() {
  static const auto* names = new std::set<std::string>{"V1_1",
                                                       "V1_2",
                                                       "V1_3",
                                                       "V1_4_2",
                                                       "V1_1_PVTDATA_EXPERIMENTAL",
                                                       "V1_1_RESOURCETREE_EXPERIMENTAL"};
  return *names;
}

Status CheckSupported(std::string_view kind, const std::set<std::string>& required,
                      const std::set<std::string>& supported) {
  for (const std::string& name : required) {
    if (supported.count(name) == 0) {
      return InvalidArgumentError(absl::StrFormat(
          "config requires unsupported %s capabilities: %s capability %s is required but not "
          "supported",
          absl::AsciiStrToLower(std::string(kind)), kind, name));
    }
  }
  return Status::OK();
}

// An org present in both configs (same group name) keeps its MSP ID; orgs may come and go.
Status CheckMspIdsKept(std::string_view what, const std::vector<Organization>& current,
                       const std::vector<Organization>& next) {
  for (const Organization& org : current) {
    for (const Organization& next_org : next) {
      if (next_org.name == org.name && next_org.msp_id != org.msp_id) {
        return InvalidArgumentError(
            absl::StrFormat("%s %s attempted to change MSP ID from %s to %s", what, org.name,
                            org.msp_id, next_org.msp_id));
      }
    }
  }
  return Status::OK();
}

Status ValidateNewConsortiums(const Bundle& current, const Bundle& next) {
  if (!current.has_consortiums()) {
    if (next.has_consortiums()) {
      return InvalidArgumentError("current config has no consortiums section, but new config does");
    }
    return Status::OK();
  }
  if (!next.has_consortiums()) {
    return InvalidArgumentError("current config has consortiums section, but new config does not");
  }
  for (const auto& [name, orgs] : current.consortium_orgs()) {
    auto it = next.consortium_orgs().find(name);
    if (it != next.consortium_orgs().end()) {
      RETURN_IF_ERROR(CheckMspIdsKept("consortium " + name + " org", orgs, it->second));
    }
  }
  return Status::OK();
}

}  // namespace

Status Bundle::ValidateNew(const Bundle& next) const {
  // Channel capability V1_4_2 and later allow consensus-type migration (through maintenance
  // mode, which the orderer polices); before it the type is fixed for the channel's life.
  const bool migration =
      channel_capabilities_.count("V1_4_2") + channel_capabilities_.count("V1_4_3") > 0;
  if (!migration && consensus_type_ != next.consensus_type_) {
    return InvalidArgumentError(absl::StrFormat("attempted to change consensus type from %s to %s",
                                                consensus_type_, next.consensus_type_));
  }
  RETURN_IF_ERROR(CheckMspIdsKept("orderer org", orderer_orgs_, next.orderer_orgs_));
  if (has_application_) {
    if (!next.has_application_) {
      return InvalidArgumentError(
          "current config has application section, but new config does not");
    }
    RETURN_IF_ERROR(CheckMspIdsKept("application org", application_orgs_, next.application_orgs_));
  }
  return ValidateNewConsortiums(*this, next);
}

Status Bundle::CheckOrdererCapabilitiesSupported() const {
  RETURN_IF_ERROR(CheckSupported("Orderer", orderer_capabilities_, SupportedOrdererCapabilities()));
  return CheckSupported("Channel", channel_capabilities_, SupportedChannelCapabilities());
}

Status Bundle::CheckPeerCapabilitiesSupported() const {
  RETURN_IF_ERROR(
      CheckSupported("Application", application_capabilities_, SupportedApplicationCapabilities()));
  return CheckSupported("Channel", channel_capabilities_, SupportedChannelCapabilities());
}

}  // namespace fabric::channelconfig
