#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Sets up and runs every test: installs missing packages, configures, builds, runs ctest.
# Exits non-zero on any failure. Extra arguments go to ctest (e.g. -L unit, -R Crypto).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FABRIC_BUILD_DIR:-$root/build}
jobs=${FABRIC_JOBS:-2}

"$root/scripts/install-deps.sh"
# Formatting first: it takes seconds and needs no build.
"$root/scripts/check-format.sh"

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
# Fuzz (label fuzz): libFuzzer needs clang, so a separate instrumented clang build (build-fuzz)
# of the fuzzer and its dependencies only, then process_proposal_fuzz for FABRIC_FUZZ_SECONDS
# (30). FABRIC_FUZZ=0 skips it; so do ctest arguments that do not mention fuzz.
if [ "${FABRIC_FUZZ:-1}" != 0 ] && { [ $# -eq 0 ] || [[ " $* " == *fuzz* ]]; }; then
  fuzz_build=${FABRIC_FUZZ_BUILD_DIR:-$root/build-fuzz}
  fuzz_flags="-O1 -fno-omit-frame-pointer -gline-tables-only -fsanitize=fuzzer-no-link,address"
  CC=clang CXX=clang++ cmake -S "$root" -B "$fuzz_build" -DCMAKE_BUILD_TYPE=Fuzz \
    -DFABRIC_FUZZ=ON -DFABRIC_BUILD_BENCH=OFF -DFABRIC_FUZZ_SECONDS="${FABRIC_FUZZ_SECONDS:-30}" \
    "-DCMAKE_CXX_FLAGS=$fuzz_flags" "-DCMAKE_C_FLAGS=$fuzz_flags" >/dev/null
  cmake --build "$fuzz_build" -j"$jobs" --target process_proposal_fuzzer
  ctest --test-dir "$fuzz_build" --output-on-failure -R '^process_proposal_fuzz$'
fi
