// SPDX-License-Identifier: Apache-2.0
//
// Fabric's MaintenanceFilter (orderer/common/msgprocessor/maintenancefilter.go): the rules of
// consensus-type migration through maintenance mode, applied by the orderer to every config
// update of an existing channel after the update has been validated.
//  - Without the orderer capability V1_4_2 the next config must stay in STATE_NORMAL with the
//    same consensus type.
//  - Entering or leaving maintenance (a State change) must be the update's only change: the
//    write set holds the Orderer group alone, with the ConsensusType value alone, and neither
//    the type nor the metadata changes.
//  - The type may change only while both the current and the next config are in maintenance,
//    and only to "etcdraft", "solo" or "kafka".
//
// Thread-safety: a stateless function.
#pragma once

#include "common/channelconfig/bundle.h"
#include "common/configtx.pb.h"
#include "fabric/base/status.h"

namespace fabric::orderer {

// Checks that `next`, produced from `current` by `update`, respects the rules above.
// InvalidArgument with Fabric's message otherwise, e.g. "attempted to change consensus type from
// solo to kafka, but current config ConsensusType.State is not in maintenance mode".
Status CheckMaintenanceRules(const channelconfig::Bundle& current,
                             const channelconfig::Bundle& next, const common::ConfigUpdate& update);

}  // namespace fabric::orderer
