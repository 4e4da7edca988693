#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Interop with Hyperledger Fabric's Node shim: installs npm fabric-shim 2.5.8 (pinned in
# package.json / package-lock.json) into this directory, then runs the test binary, which
# starts fabric-cpp's chaincode support in dev mode and launches chaincode.js with node.
# Usage: run.sh PATH/TO/fabric_chaincode_interop_test
# Fails (never skips) when node, npm or the npm registry is unavailable.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=$(realpath "${1:?usage: run.sh INTEROP_TEST_BIN}")

fail() {
  echo "interop: FAIL $*" >&2
  exit 1
}

command -v node >/dev/null 2>&1 || fail "node is not installed (scripts/install-deps.sh adds it)"
command -v npm >/dev/null 2>&1 || fail "npm is not installed (scripts/install-deps.sh adds it)"

stamp=$here/node_modules/.fabric-cpp-installed
if [ ! -f "$stamp" ] || [ "$here/package-lock.json" -nt "$stamp" ]; then
  echo "interop: installing npm packages (fabric-shim 2.5.8)"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) ||
    fail "npm ci failed: is the npm registry reachable? (needed to fetch fabric-shim 2.5.8)"
  touch "$stamp"
fi

NODE_INTEROP_DIR=$here exec "$bin"
