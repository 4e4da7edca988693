#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sets up and runs every test: installs missing packages, configures, builds, runs ctest.
# Exits non-zero on any failure. Extra arguments go to ctest (e.g. -L unit, -R Crypto).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FABRIC_BUILD_DIR:-$root/build}
jobs=${FABRIC_JOBS:-2}

"$root/scripts/install-deps.sh"

cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release
cmake --build "$build" -j"$jobs"
# Chaincode containers: a running Docker engine and the fabric-cpp images (both idempotent;
# an up-to-date image is not rebuilt). Docker integration tests skip only if no engine can run.
if "$root/scripts/lib/docker-engine.sh"; then
  FABRIC_BUILD_DIR="$build" "$root/scripts/build-images.sh"
  export FABRIC_REQUIRE_DOCKER=1
else
  echo "test.sh: *** WARNING: no Docker engine; Docker integration tests will SKIP ***" >&2
fi
ctest --test-dir "$build" --output-on-failure --timeout 900 "$@"
