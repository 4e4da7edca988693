// SPDX-License-Identifier: Apache-2.0
//
// FilteredBlock: what DeliverFiltered sends instead of a block (Fabric 1.4
// core/peer/deliverevents.go): channel id, number, and per transaction its txid, header type
// and validation code (from TRANSACTIONS_FILTER); endorser transactions also list their
// chaincode events without payload. A transaction whose envelope does not parse is listed
// with its code only (Fabric would end the stream).
//
// Thread-safety: stateless.

#pragma once

#include <string>

#include "common/common.pb.h"
#include "peer/events.pb.h"

namespace fabric::deliver {

protos::FilteredBlock ToFilteredBlock(const std::string& channel_id, const common::Block& block);

}  // namespace fabric::deliver
