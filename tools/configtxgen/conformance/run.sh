#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# configtxgen conformance: generates the default network with cryptogen, a genesis block and a
# channel creation transaction with configtxgen, and decodes both with Hyperledger Fabric's npm
# fabric-protos 2.2.20 (installed by integration/conformance, whose node_modules we reuse).
# Usage: run.sh CONFIGTXGEN_BIN CRYPTOGEN_BIN
# Fails (never skips) when node or the npm packages are unavailable.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
configtxgen=$(realpath "${1:?usage: run.sh CONFIGTXGEN_BIN CRYPTOGEN_BIN}")
cryptogen=$(realpath "${2:?usage: run.sh CONFIGTXGEN_BIN CRYPTOGEN_BIN}")
npm_dir=$(cd "$here/../../../integration/conformance" && pwd)

fail() {
  echo "configtxgen conformance: FAIL $*" >&2
  exit 1
}

command -v node >/dev/null 2>&1 || fail "node is not installed (scripts/install-deps.sh adds it)"
stamp=$npm_dir/node_modules/.fabric-cpp-installed
if [ ! -f "$stamp" ] || [ "$npm_dir/package-lock.json" -nt "$stamp" ]; then
  command -v npm >/dev/null 2>&1 || fail "npm is not installed"
  echo "configtxgen conformance: installing npm packages (fabric-protos 2.2.20)"
  (cd "$npm_dir" && npm ci --no-audit --no-fund --loglevel=error) ||
    fail "npm install failed: is the npm registry reachable?"
  touch "$stamp"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cd "$work"
"$cryptogen" generate --output crypto-config >/dev/null || fail "cryptogen generate"
"$configtxgen" -printDefaultConfig >configtx.json || fail "configtxgen -printDefaultConfig"
"$configtxgen" -profile TwoOrgsApplicationGenesis -channelID mychannel \
  -outputBlock genesis.block -configPath . || fail "configtxgen -outputBlock"
"$configtxgen" -profile TwoOrgsChannel -channelID mychannel \
  -outputCreateChannelTx channel.tx -configPath . || fail "configtxgen -outputCreateChannelTx"
NODE_PATH=$npm_dir/node_modules node "$here/genesis_check.js" genesis.block channel.tx ||
  fail "fabric-protos could not read configtxgen's artifacts as expected"
echo "configtxgen conformance: all checks passed"
