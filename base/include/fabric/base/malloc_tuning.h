// SPDX-License-Identifier: Apache-2.0
//
// TuneMallocForServers: turns off glibc malloc's "fast bins" for the whole process. A peer, an
// orderer or a chaincode under load frees many small blocks (protobuf fields, gRPC slices) and
// asks for many of 1 KiB and more (signed proposals, certificates, serialized messages). In
// glibc every request of that size first merges all fast-bin chunks back into the free lists
// (malloc_consolidate), so the small frees are paid for again and again: malloc_consolidate,
// unlink_chunk and _int_free were ~5% of a network's CPU in bench/commit's e2e run. Without fast
// bins small blocks still come from the per-thread cache (tcache) first; what falls out of it is
// merged when freed, once. Measured on the e2e network (the same effect as
// GLIBC_TUNABLES=glibc.malloc.mxfast=0, five alternating pairs): e2e_tps +9.5%, network CPU per
// transaction lower in every pair. Call first thing in main, before threads exist. A no-op
// outside glibc, and for the allocations of a process linked with tcmalloc (the peer and orderer
// daemons are, by default: FABRIC_TCMALLOC in CMakeLists.txt); it matters for chaincodes, the
// benchmarks' clients and builds without tcmalloc. Header-only.

#pragma once

#include <cstdlib>  // defines __GLIBC__ with glibc

#if defined(__GLIBC__)
#include <malloc.h>
#endif

namespace fabric {

inline void TuneMallocForServers() {
#if defined(__GLIBC__)
  (void)mallopt(M_MXFAST, 0);
#endif
}

}  // namespace fabric
