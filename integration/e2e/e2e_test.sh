#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End-to-end test on real processes and the real Docker engine (label integration). One network
# (scripts/network.sh with its own dir, network id and ports), then, in order:
#   1. the demo's flow with assertions: channel create/join x2, install x2, instantiate abstore
#      under AND(Org1, Org2), invoke endorsed by both peers, query on both peers
#   2. policy: a tx endorsed by Org1 only under AND is committed as ENDORSEMENT_POLICY_FAILURE
#   3. chaincode-to-chaincode (shim/samples/invoker -> abstore)
#   4. range + composite-key queries and GetHistoryForKey after several commits (asset-transfer)
#   5. upgrade abstore 1.0 -> 2.0: the old containers go, the new ones serve, state is kept
#   6. kill a chaincode container: the next invoke relaunches it
#   7. restart a peer: it catches up (same height) and serves
#   8. restart the orderer: the next invoke commits
#   9. the Docker engine goes away (for peer0.org1, through a socket proxy, so the shared engine
#      other tests use keeps running): a clear error; it comes back: the peer recovers
#  10. Go chaincode (launcher/docker/testdata/go_getput as a module with vendor/, packaged by the
#      CLI with -l golang): built offline in fabric-cpp/goenv, registered over TLS, invoked by
#      both peers (skipped without the host's Go tools or the goenv image)
# Every connection uses TLS (the network's default). With --client-auth every node also requires
# client certificates (mutual TLS, the peers' deliver clients included) and only sections 1, 2, 7
# and 8 run: what a client certificate changes.
# With --node: the channel of section 1, then Node.js chaincode only: fabric-shim 2.5 getput
# (npm install in fabric-cpp/nodeenv, from the registry the host reaches) installed with -l node
# on both peers and instantiated under AND(Org1, Org2), invoked by both, queried on both; and a
# fabric-contract-api 2.5 contract under OR.
# Everything started is stopped at exit, pass or fail (network.sh clean: processes, containers,
# images of this network id).
#   e2e_test.sh BUILD_DIR [--client-auth|--node]
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FABRIC_BUILD_DIR=$(cd "$1" && pwd)
export FABRIC_BUILD_DIR
BIN=$FABRIC_BUILD_DIR/bin
WORK=$(mktemp -d /tmp/fabric_e2e.XXXXXX)
export FABRIC_NETWORK_DIR=$WORK/net FABRIC_NETWORK_ID=e2e$$
export FABRIC_PORT_OFFSET=$((11000 + ($$ % 400) * 10))
export FABRIC_VM_ENDPOINT_ORG1=unix://$WORK/docker.sock
NET=$root/scripts/network.sh
P1=127.0.0.1:$((7051 + FABRIC_PORT_OFFSET)) P2=127.0.0.1:$((9051 + FABRIC_PORT_OFFSET))
MODE=${2:-}
case $MODE in ''|--client-auth|--node) ;; *) echo "usage: $0 BUILD_DIR [--client-auth|--node]" >&2; exit 2 ;; esac
CC1=$FABRIC_NETWORK_ID-peer0.org1.example.com

# shellcheck source=e2e_lib.sh
source "$root/integration/e2e/e2e_lib.sh"
running_cc() { docker ps --format '{{.Names}}' | grep -c "^$1" || true; }
start_proxy() {
  node "$root/integration/e2e/sockproxy.js" "$WORK/docker.sock" /var/run/docker.sock &
  PROXY_PID=$!
  for _ in $(seq 1 50); do [ -S "$WORK/docker.sock" ] && return 0; sleep 0.1; done
  fail "socket proxy did not start"
}

docker info > /dev/null 2>&1 || {
  [ -n "${FABRIC_REQUIRE_DOCKER:-}" ] && fail "no Docker engine"
  echo "SKIP: no Docker engine"; exit 0
}
docker image inspect fabric-cpp/ccenv > /dev/null 2>&1 || fail "fabric-cpp/ccenv missing: scripts/build-images.sh"
command -v node > /dev/null 2>&1 || fail "node is not installed (scripts/install-deps.sh adds it; the Docker socket proxy runs on it)"
if [ "$MODE" = --node ]; then
  for image in nodeenv node-runtime; do
    docker image inspect "fabric-cpp/$image" > /dev/null 2>&1 ||
      fail "fabric-cpp/$image missing: scripts/build-images.sh $image"
  done
fi
start_proxy
NET_MODE=$MODE
[ "$MODE" = --node ] && NET_MODE=
"$NET" up $NET_MODE > "$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; fail "network up"; }
eval "$("$NET" env 1)"
read -ra O <<< "$ORDERER_ARGS"
[ "$CORE_PEER_TLS_ENABLED" = true ] || fail "the network should run with TLS"
echo "   TLS on, client authentication required: $CORE_PEER_TLS_CLIENTAUTHREQUIRED"

section "1. demo flow: channel, install, instantiate under AND, invoke by both, query both"
ok 1 channel create "${O[@]}" -c mychannel -f "$FABRIC_NETWORK_DIR/mychannel.tx" \
  --outputBlock "$WORK/mychannel.block"
expect "$WORK/err" "Received block: 0"
for n in 1 2; do
  ok $n channel join -b "$WORK/mychannel.block"
  expect "$WORK/err" "Successfully submitted proposal to join channel"
  ok $n channel list
  expect "$WORK/out" mychannel
done
if [ "$MODE" = --node ]; then
  section "N1. Node.js (fabric-shim 2.5): install -l node x2, instantiate under AND, invoke by both"
  for cc in getput contract; do
    cp -r "$root/launcher/docker/testdata/node-$cc" "$WORK/node-$cc"
    ok 1 chaincode package -n "node$cc" -v 1.0 -l node -p "$WORK/node-$cc" "$WORK/node$cc.pak"
    for n in 1 2; do
      ok "$n" chaincode install "$WORK/node$cc.pak"
      expect "$WORK/err" 'status:200 payload:"OK"'
    done
  done
  ok 1 chaincode instantiate "${O[@]}" -C mychannel -n nodegetput -v 1.0 -l node \
    -c '{"Args":["init","a","100"]}' -P "AND('Org1MSP.peer','Org2MSP.peer')" --waitForEvent
  expect "$WORK/err" "committed with status (VALID)"
  [ "$(running_cc "$CC1-nodegetput-1.0")" = 1 ] || fail "no nodegetput container for peer0.org1"
  invoke_both nodegetput '{"Args":["put","k","v1"]}'
  invoke_both nodegetput '{"Args":["getput","a"]}'
  for n in 1 2; do
    query $n nodegetput '{"Args":["get","k"]}' v1
    query $n nodegetput '{"Args":["get","a"]}' 100x
  done
  section "N2. fabric-contract-api 2.5: instantiate, invoke, query on both peers"
  ok 1 chaincode instantiate "${O[@]}" -C mychannel -n nodecontract -v 1.0 -l node \
    -c '{"Args":[]}' -P "OR('Org1MSP.peer','Org2MSP.peer')" --waitForEvent
  expect "$WORK/err" "committed with status (VALID)"
  invoke_both nodecontract '{"Args":["CreateAsset","asset1","blue"]}'
  for n in 1 2; do query $n nodecontract '{"Args":["ReadAsset","asset1"]}' blue; done
  cli 2 chaincode query -C mychannel -n nodecontract -c '{"Args":["ReadAsset","asset9"]}' &&
    fail "reading a missing asset should fail"
  expect "$WORK/err" "asset asset9 does not exist"
  section "PASS"
  exit 0
fi
install abstore mycc 1.0 1 2
ok 1 chaincode instantiate "${O[@]}" -C mychannel -n mycc -v 1.0 -l cpp \
  -c '{"Args":["init","a","100","b","200"]}' -P "AND('Org1MSP.peer','Org2MSP.peer')" --waitForEvent
expect "$WORK/err" "committed with status (VALID)"
[ "$(running_cc "$CC1-mycc-1.0")" = 1 ] || fail "no mycc 1.0 container for peer0.org1"
invoke_both mycc '{"Args":["invoke","a","b","10"]}'
expect "$WORK/err" "Chaincode invoke successful. result: status:200"
for n in 1 2; do query $n mycc '{"Args":["query","a"]}' 90; query $n mycc '{"Args":["query","b"]}' 210; done
ok 2 chaincode list --instantiated -C mychannel
expect "$WORK/out" "Name: mycc, Version: 1.0"

section "2. policy: endorsed by Org1 only under AND -> ENDORSEMENT_POLICY_FAILURE"
cli 1 chaincode invoke "${O[@]}" -C mychannel -n mycc -c '{"Args":["invoke","a","b","1"]}' \
  --peerAddresses "$P1" --tlsRootCertFiles "$PEER0_ORG1_CA" --waitForEvent &&
  fail "one-org invoke under AND should not commit VALID"
expect "$WORK/err" "transaction invalidated with status (ENDORSEMENT_POLICY_FAILURE)"
query 1 mycc '{"Args":["query","a"]}' 90
query 2 mycc '{"Args":["query","a"]}' 90

# Under --client-auth: what a client certificate changes (the peers' deliver clients catching up
# and reconnecting over mutual TLS); the rest runs once, without it.
if [ "$MODE" = --client-auth ]; then
  section "7. restart a peer: it catches up over mutual TLS and serves"
  "$NET" stop peer2 > /dev/null 2>&1
  # A block while peer0.org2 is down (one endorsement under AND: committed as invalid).
  cli 1 chaincode invoke "${O[@]}" -C mychannel -n mycc -c '{"Args":["invoke","a","b","1"]}' \
    --peerAddresses "$P1" --tlsRootCertFiles "$PEER0_ORG1_CA" --waitForEvent || true
  expect "$WORK/err" "ENDORSEMENT_POLICY_FAILURE"
  restart_peer2_and_wait_for_height
  section "8. restart the orderer: the next invoke commits on both peers"
  "$NET" stop orderer > /dev/null 2>&1
  "$NET" start orderer > /dev/null 2>&1
  invoke_both mycc '{"Args":["invoke","a","b","1"]}'
  query 2 mycc '{"Args":["query","a"]}' 89
  section "PASS"
  exit 0
fi

section "3. chaincode-to-chaincode: invoker -> mycc"
install invoker inv 1.0 1 2
ok 1 chaincode instantiate "${O[@]}" -C mychannel -n inv -v 1.0 -l cpp -c '{"Args":["init"]}' \
  -P "OR('Org1MSP.peer','Org2MSP.peer')" --waitForEvent
expect "$WORK/err" "committed with status (VALID)"
query 1 inv '{"Args":["query","mycc","a"]}' 90
invoke_both inv '{"Args":["transfer","mycc","a","b","5"]}'
query 2 mycc '{"Args":["query","a"]}' 85
query 2 mycc '{"Args":["query","b"]}' 215

section "4. range, composite-key and history queries (asset-transfer)"
install asset-transfer asset 1.0 1
ok 1 chaincode instantiate "${O[@]}" -C mychannel -n asset -v 1.0 -l cpp \
  -c '{"Args":["InitLedger"]}' -P "OR('Org1MSP.peer','Org2MSP.peer')" --waitForEvent
expect "$WORK/err" "committed with status (VALID)"
ok 1 chaincode query -C mychannel -n asset -c '{"Args":["GetAssetsByRange","asset2","asset5"]}'
for a in asset2 asset3 asset4; do expect "$WORK/out" "\"ID\":\"$a\""; done
grep -q '"ID":"asset5"' "$WORK/out" && fail "range end asset5 must be exclusive"
grep -q '"ID":"asset1"' "$WORK/out" && fail "asset1 is before the range"
for owner in Alice Bob Alice; do
  ok 1 chaincode invoke "${O[@]}" -C mychannel -n asset -c \
    "{\"Args\":[\"TransferAsset\",\"asset1\",\"$owner\"]}" --waitForEvent
  expect "$WORK/err" "committed with status (VALID)"
done
ok 1 chaincode query -C mychannel -n asset -c '{"Args":["QueryAssetsByOwner","Alice"]}'
expect "$WORK/out" '"ID":"asset1"'
ok 1 chaincode query -C mychannel -n asset -c '{"Args":["QueryAssetsByOwner","Tomoko"]}'
[ "$(cat "$WORK/out")" = "[]" ] || fail "Tomoko should own nothing after the transfers: $(cat "$WORK/out")"
ok 1 chaincode query -C mychannel -n asset -c '{"Args":["GetAssetHistory","asset1"]}'
n=$(grep -o '"txId"' "$WORK/out" | wc -l)
[ "$n" = 4 ] || fail "history of asset1: want 4 entries (init + 3 transfers), got $n: $(cat "$WORK/out")"
for owner in Tomoko Alice Bob; do expect "$WORK/out" "\"Owner\":\"$owner\""; done

section "5. upgrade mycc 1.0 -> 2.0: old containers gone, new ones serve, state kept"
install abstore mycc 2.0 1 2
ok 1 chaincode upgrade "${O[@]}" -C mychannel -n mycc -v 2.0 -l cpp \
  -c '{"Args":["init","c","7","d","8"]}' -P "AND('Org1MSP.peer','Org2MSP.peer')" --waitForEvent
expect "$WORK/err" "committed with status (VALID)"
query 1 mycc '{"Args":["query","a"]}' 85
query 2 mycc '{"Args":["query","b"]}' 215
query 2 mycc '{"Args":["query","c"]}' 7
for _ in $(seq 1 50); do [ "$(running_cc "$FABRIC_NETWORK_ID-.*-mycc-1.0")" = 0 ] && break; sleep 0.2; done
[ "$(running_cc "$FABRIC_NETWORK_ID-.*-mycc-1.0")" = 0 ] || fail "mycc 1.0 containers still running"
[ "$(running_cc "$FABRIC_NETWORK_ID-.*-mycc-2.0")" = 2 ] || fail "want two mycc 2.0 containers"
ok 2 chaincode list --instantiated -C mychannel
expect "$WORK/out" "Name: mycc, Version: 2.0"

section "6. kill a chaincode container: the next invoke relaunches it"
docker kill "$CC1-mycc-2.0" > /dev/null
sleep 1
invoke_both mycc '{"Args":["invoke","a","b","5"]}'
[ "$(running_cc "$CC1-mycc-2.0")" = 1 ] || fail "mycc 2.0 not relaunched for peer0.org1"
query 1 mycc '{"Args":["query","a"]}' 80

section "7. restart a peer: it catches up and serves"
"$NET" stop peer2 > /dev/null 2>&1
ok 1 chaincode invoke "${O[@]}" -C mychannel -n inv -c '{"Args":["queryAndRecord","mycc","a"]}' \
  --waitForEvent
expect "$WORK/err" "committed with status (VALID)"
restart_peer2_and_wait_for_height
query 2 mycc '{"Args":["query","a"]}' 80
invoke_both mycc '{"Args":["invoke","b","a","5"]}'

section "8. restart the orderer: the next invoke commits"
"$NET" stop orderer > /dev/null 2>&1
"$NET" start orderer > /dev/null 2>&1
invoke_both mycc '{"Args":["invoke","a","b","1"]}'
query 2 mycc '{"Args":["query","a"]}' 84

section "9. the Docker engine goes away (peer0.org1's view): clear error, then recovery"
kill "$PROXY_PID"; wait "$PROXY_PID" 2>/dev/null || true; PROXY_PID=
rm -f "$WORK/docker.sock"
docker kill "$CC1-mycc-2.0" > /dev/null
sleep 1
cli 1 chaincode query -C mychannel -n mycc -c '{"Args":["query","a"]}' && fail "query without Docker engine should fail"
grep -qi 'docker' "$WORK/err" || { cat "$WORK/err"; fail "error should name the Docker engine"; }
echo "   error seen: $(grep -i docker "$WORK/err" | head -1 | cut -c1-200)"
start_proxy
query 1 mycc '{"Args":["query","a"]}' 84
invoke_both mycc '{"Args":["invoke","a","b","1"]}'
query 2 mycc '{"Args":["query","a"]}' 83

section "10. Go chaincode: a vendored module packaged with -l golang, built offline, over TLS"
if ! docker image inspect fabric-cpp/goenv > /dev/null 2>&1 ||
   ! "$root/launcher/docker/testdata/go_getput/assemble.sh" "$WORK/gocc" module \
     > "$WORK/assemble.log" 2>&1; then
  [ -n "${FABRIC_REQUIRE_DOCKER:-}" ] && { cat "$WORK/assemble.log"; fail "Go chaincode: goenv image or Go tools missing"; }
  echo "   SKIP: fabric-cpp/goenv or the host's Go tools missing (build-images.sh, install-deps.sh)"
else
  ok 1 chaincode package -n gocc -v 1.0 -l golang -p "$WORK/gocc" "$WORK/gocc.pak"
  for n in 1 2; do
    ok "$n" chaincode install "$WORK/gocc.pak"
    expect "$WORK/err" 'status:200 payload:"OK"'
  done
  ok 1 chaincode instantiate "${O[@]}" -C mychannel -n gocc -v 1.0 -l golang \
    -c '{"Args":["init"]}' -P "AND('Org1MSP.peer','Org2MSP.peer')" --waitForEvent
  expect "$WORK/err" "committed with status (VALID)"
  invoke_both gocc '{"Args":["put","k","v"]}'
  invoke_both gocc '{"Args":["invoke","k"]}'
  for n in 1 2; do query $n gocc '{"Args":["get","k"]}' vx; done
  [ "$(running_cc "$CC1-gocc-1.0")" = 1 ] || fail "no gocc container for peer0.org1"
fi

section "PASS"
