#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Interop on a real fabric-cpp network (label interop): the orderer and peers from
# scripts/network.sh with the peers in dev mode, and
#   - Fabric's Node chaincode shim (npm fabric-shim 2.5.8) running chaincode.js, registered with
#     peer0.org1 and answering invokes and queries from the real peer CLI;
#   - Fabric's Node SDK (npm fabric-common 2.2.20) running sdk_client.js: endorsement by our
#     peer (signature checked), Committer to our orderer, EventService for the commit and the
#     chaincode event, Query.
# npm packages are pinned in {shim,sdk}/package.json + package-lock.json, installed on first run.
# Fails (never skips) when node, npm or the npm registry is unavailable.
#   run.sh BUILD_DIR
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
FABRIC_BUILD_DIR=$(cd "${1:?usage: run.sh BUILD_DIR}" && pwd)
export FABRIC_BUILD_DIR
BIN=$FABRIC_BUILD_DIR/bin
WORK=$(mktemp -d /tmp/fabric_interop.XXXXXX)
export FABRIC_NETWORK_DIR=$WORK/net FABRIC_NETWORK_ID=interop$$ FABRIC_CHAINCODE_LAUNCHER=dev
export FABRIC_PORT_OFFSET=$((15000 + ($$ % 400) * 10))
NET=$root/scripts/network.sh
PEER=127.0.0.1:$((7051 + FABRIC_PORT_OFFSET)) CCADDR=127.0.0.1:$((7052 + FABRIC_PORT_OFFSET))
ORDERER=127.0.0.1:$((7050 + FABRIC_PORT_OFFSET))
CC_PID=

fail() { echo "interop: FAIL $*" >&2; exit 1; }
cleanup() {
  local rc=$?
  set +e
  [ -n "$CC_PID" ] && kill "$CC_PID" 2>/dev/null
  if [ $rc -ne 0 ]; then
    echo "---- peer0org1.log (tail)"; tail -n 30 "$FABRIC_NETWORK_DIR/peer0org1.log" 2>/dev/null || true
    echo "---- node chaincode (tail)"; tail -n 30 "$WORK/nodecc.log" 2>/dev/null || true
  fi
  "$NET" clean > /dev/null 2>&1 || true
  if [ $rc -ne 0 ]; then echo "FAILED (work dir kept: $WORK)"; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
cli() {
  (eval "$("$NET" env 1)"; "$BIN/peer" "$@" > "$WORK/out" 2> "$WORK/err") ||
    { cat "$WORK/out" "$WORK/err"; fail "peer $*"; }
}

command -v node > /dev/null 2>&1 || fail "node is not installed (scripts/install-deps.sh adds it)"
command -v npm > /dev/null 2>&1 || fail "npm is not installed (scripts/install-deps.sh adds it)"
# Two folders, so each package keeps its own @grpc/grpc-js (one shared copy breaks fabric-shim).
for d in shim sdk; do
  stamp=$here/$d/node_modules/.fabric-cpp-installed
  if [ ! -f "$stamp" ] || [ "$here/$d/package-lock.json" -nt "$stamp" ]; then
    echo "interop: installing npm packages in $d/ ($(grep -o '"fabric-[a-z]*": "[0-9.]*"' "$here/$d/package.json"))"
    (cd "$here/$d" && npm ci --no-audit --no-fund --loglevel=error) ||
      fail "npm ci failed in $d/: is the npm registry reachable?"
    touch "$stamp"
  fi
done

# Plaintext: in dev mode the chaincodes are started by hand, and the chaincode listener only
# accepts the client certificates a peer issues when it launches a chaincode itself.
"$NET" up --no-tls > "$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; fail "network up"; }
cli channel create -o "$ORDERER" -c mychannel -f "$FABRIC_NETWORK_DIR/mychannel.tx" \
  --outputBlock "$WORK/mychannel.block"
cli channel join -b "$WORK/mychannel.block"
echo "interop: network up (orderer $ORDERER, peer0.org1 $PEER in dev mode), channel mychannel joined"

# fabric-shim: the chaincode, started the dev-mode way.
CORE_CHAINCODE_ID_NAME=nodecc:1.0 CORE_PEER_TLS_ENABLED=false CORE_PEER_LOCALMSPID=Org1MSP \
  node "$here/shim/chaincode.js" --peer.address "$CCADDR" > "$WORK/nodecc.log" 2>&1 &
CC_PID=$!
mkdir -p "$WORK/src/nodecc" && cp "$here/shim/chaincode.js" "$WORK/src/nodecc/"
printf '{"name":"nodecc","version":"1.0.0","main":"chaincode.js","dependencies":{"fabric-shim":"2.5.8"}}\n' \
  > "$WORK/src/nodecc/package.json"
cli chaincode package -n nodecc -v 1.0 -l node -p "$WORK/src/nodecc" "$WORK/nodecc.pak"
cli chaincode install "$WORK/nodecc.pak"
cli chaincode instantiate -o "$ORDERER" -C mychannel -n nodecc -v 1.0 -l node \
  -c '{"Args":["init","a","100","b","200"]}' -P "OR('Org1MSP.peer')" --waitForEvent
grep -q 'committed with status (VALID)' "$WORK/err" || { cat "$WORK/err"; fail "instantiate"; }
cli chaincode invoke -o "$ORDERER" -C mychannel -n nodecc -c '{"Args":["transfer","a","b","10"]}' \
  --waitForEvent
grep -q 'result: status:200 payload:"90,210"' "$WORK/err" || { cat "$WORK/err"; fail "invoke"; }
grep -q 'committed with status (VALID)' "$WORK/err" || { cat "$WORK/err"; fail "invoke commit"; }
cli chaincode query -C mychannel -n nodecc -c '{"Args":["query","b"]}'
[ "$(cat "$WORK/out")" = 210 ] || fail "query b: want 210, got $(cat "$WORK/out")"
echo "interop: fabric-shim chaincode served instantiate, invoke (90,210, VALID) and query (b=210) through the peer CLI"

EXPECT_A=83 node "$here/sdk/sdk_client.js" "$FABRIC_NETWORK_DIR/crypto-config" "$PEER" "$ORDERER" \
  mychannel nodecc || fail "fabric-common client"
cli chaincode query -C mychannel -n nodecc -c '{"Args":["query","b"]}'
[ "$(cat "$WORK/out")" = 217 ] || fail "query b after the SDK's transfer: want 217, got $(cat "$WORK/out")"
echo "interop: PASS"
