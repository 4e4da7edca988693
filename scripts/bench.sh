#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Runs the benchmarks (all, or the one named: scripts/bench.sh ledger). Each prints one line per
# figure: "name value unit". Builds first if needed.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FABRIC_BUILD_DIR:-$root/build}
"$root/scripts/install-deps.sh" >/dev/null
cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"${FABRIC_JOBS:-2}"
shopt -s nullglob
benches=("$build"/bench/bench_*)
if [ $# -gt 0 ]; then
  benches=("$build/bench/bench_$1")
  [ -x "${benches[0]}" ] || { echo "bench.sh: no benchmark named $1 (have: $(ls "$build/bench" 2>/dev/null | sed 's/^bench_//' | tr '\n' ' '))" >&2; exit 2; }
fi
for b in "${benches[@]}"; do
  echo "# $(basename "$b")"
  "$b"
done
