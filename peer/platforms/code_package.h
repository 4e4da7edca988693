// SPDX-License-Identifier: Apache-2.0
//
// ValidateCodePackage: the check Fabric 1.4's lscc validation makes of a deployment spec's code
// package at commit (utils.GetChaincodeDeploymentSpec -> platforms.ValidateDeploymentSpec; a
// failure is ENDORSEMENT_POLICY_FAILURE). Every peer of a channel must reach the same verdict
// on the same bytes, so the package is read exactly as Go's compress/gzip and archive/tar read
// it, including where they stop early:
//  - an empty package is valid for every type;
//  - GOLANG and NODE: the gzip header must be valid; then tar entries are read until the first
//    error or the end, whichever comes first (a truncated or corrupt archive is valid up to
//    there); every entry name must start with "src/" or "META-INF/" (optionally after "/"), and
//    its mode must have no bits outside 0100666; NODE also needs an entry "src/package.json";
//  - JAVA: the same, but entries must be under src/src/, src/META-INF/ or be
//    src/build.gradle, src/settings.gradle or src/pom.xml (names ending in ".class" are not
//    allowed), and any read error other than the archive's end refuses the package;
//  - CAR: nothing is inspected; UNDEFINED (and any type Fabric has no platform for): refused.
// Entry data is skipped, not kept: memory stays bounded whatever the package expands to (the
// CPU cost of decompressing it is Fabric's too).
// GNU sparse entries are read by their headers only (Go also reads their sparse maps; no
// chaincode packager writes sparse files).
// This reader is on purpose not fabric_archive (libarchive), which reads every other archive of
// fabric-cpp: libarchive decides differently where Go stops (it skips a malformed PAX record
// where Go ends the archive, consumes a global PAX header that Go returns as an entry, checks a
// gzip member's trailer before it is read past), and a verdict at commit that differs from
// Fabric's peers' would fork the channel. ValidateInstallPackage's own checks (local to this
// peer) use fabric_archive.
//
// Thread-safety: a pure function.

#pragma once

#include <cstdint>
#include <string_view>

#include "common/archive/archive.h"
#include "fabric/base/status.h"
#include "peer/chaincode.pb.h"

namespace fabric::platforms {

// OK, or InvalidArgument with Fabric's text ("illegal file detected in payload: ...",
// "illegal file mode detected for file ...", "failure opening codepackage gzip stream: ...",
// "no package.json found at the root of the chaincode package", "Unknown chaincodeType: ...").
Status ValidateCodePackage(protos::ChaincodeSpec::Type type, std::string_view code);

// What this peer accepts at install, beyond the platform's rules (install is local to the peer,
// so it may refuse more than Fabric): the archive's declared content is bounded, so that a
// small package cannot expand to gigabytes in a launcher or a builder container.
struct InstallLimits {
  uint64_t max_expanded_bytes = 512ull << 20;  // sum of the entries' sizes (and any one's)
  uint64_t max_entries = 100000;

  // The same limits for fabric_archive's readers (what reads an installed package).
  archive::ReadLimits AsReadLimits() const {
    return {.max_entries = max_entries,
            .max_total_bytes = max_expanded_bytes,
            .max_entry_bytes = max_expanded_bytes};
  }
};

// The check of `peer chaincode install`: a GOLANG, NODE, JAVA or CAR package must pass
// ValidateCodePackage; a CPP package (fabric-cpp's) must be a gzipped tar of regular files and
// directories with relative names and no ".." component, read to its end without error (by
// fabric_archive: links, devices and corrupt data refused); an EXTERNAL package (fabric-cpp's)
// the same, holding a connection.json at its top that ParseConnectionInfo accepts; every
// package within `limits`
// (checked on the entries' declared sizes, before their data is read). InvalidArgument naming
// the problem and what to do.
Status ValidateInstallPackage(protos::ChaincodeSpec::Type type, std::string_view code,
                              const InstallLimits& limits = {});

}  // namespace fabric::platforms
