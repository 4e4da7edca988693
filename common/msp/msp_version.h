// SPDX-License-Identifier: Apache-2.0

#pragma once

namespace fabric::msp {

// Fabric's MSP versions: the rules a channel's MSPs follow, chosen by the channel capabilities
// (V1_4_3 -> 1.4.3; V1_3 or V1_4_2 -> 1.3; V1_1 -> 1.1; else 1.0). Local MSPs use the latest.
//   1.0  no NodeOUs: identities cannot be told apart by role (CLIENT, PEER refused);
//   1.1  NodeOUs (client and peer OUs both required when configured): an identity must carry
//        exactly one of them, admins must be valid clients, ADMIN only through admin certs;
//   1.3  as 1.1, and COMBINED and ANONYMITY principals are understood;
//   1.4.3 admin and orderer OUs too (an identity has exactly one of the four), admins are
//        clients or admins, ADMIN also through the admin OU, and an MSP with neither admin
//        certificates nor an admin OU is refused.
enum class MspVersion { kV1_0, kV1_1, kV1_3, kV1_4_3 };

}  // namespace fabric::msp
