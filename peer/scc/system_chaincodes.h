// SPDX-License-Identifier: Apache-2.0
//
// SystemChaincodes: creates lscc, cscc, qscc, escc and vscc and registers them with Fabric
// 1.x's flags (registry.h). What the peer wiring constructs once at start-up:
//
//   scc::PackageStore packages(fs_path);
//   scc::AclProvider acl(channels, local_msp);
//   scc::Registry registry;
//   scc::SystemChaincodes sccs({channels, packages, acl, signer}, registry);
//
// Ownership: owns the chaincodes; borrows the dependencies and the registry, which must
// outlive it (and the registry must not be used after it is destroyed).

#pragma once

#include <memory>

#include "common/msp/signing_identity.h"
#include "peer/scc/acl.h"
#include "peer/scc/channel_resources.h"
#include "peer/scc/cscc.h"
#include "peer/scc/escc.h"
#include "peer/scc/lscc.h"
#include "peer/scc/package_store.h"
#include "peer/scc/qscc.h"
#include "peer/scc/registry.h"
#include "peer/scc/vscc.h"

namespace fabric::scc {

class SystemChaincodes {
 public:
  struct Deps {
    ChannelResources& channels;
    PackageStore& packages;
    const AclProvider& acl;
    const msp::SigningIdentity& signer;
  };

  SystemChaincodes(Deps deps, Registry& registry)
      : lscc_(deps.channels, deps.packages, deps.acl, registry),
        cscc_(deps.channels, deps.acl),
        qscc_(deps.channels, deps.acl),
        escc_(deps.signer),
        vscc_(deps.channels) {
    registry.Register({kLscc, &lscc_, true, true, true});
    registry.Register({kCscc, &cscc_, true, false, false});
    registry.Register({kQscc, &qscc_, true, true, false});
    registry.Register({kEscc, &escc_, false, false, true});
    registry.Register({kVscc, &vscc_, false, false, true});
  }

  Lscc& lscc() { return lscc_; }

 private:
  Lscc lscc_;
  Cscc cscc_;
  Qscc qscc_;
  Escc escc_;
  Vscc vscc_;
};

}  // namespace fabric::scc
