#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Chaincode as an external service on real processes (label integration; no Docker): a network
# of an orderer and two peers (scripts/network.sh, process launcher, TLS on), and the abstore
# sample running as a chaincode server (CHAINCODE_SERVER_ADDRESS) with mutual TLS. Then:
#   1. `peer chaincode package -l external` of a folder holding connection.json, install on both
#      peers, instantiate, invoke endorsed by both, query both: the peers dial the server
#   2. the server goes down: a query fails with a clear error and the peer keeps serving
#      (channel info, the system chaincodes); the server comes back: queries work again
#   3. an external package whose connection.json trusts another CA: the launch fails with the
#      TLS handshake error
# Everything started is stopped at exit, pass or fail.
#   external_test.sh BUILD_DIR
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
FABRIC_BUILD_DIR=$(cd "$1" && pwd)
export FABRIC_BUILD_DIR
BIN=$FABRIC_BUILD_DIR/bin
WORK=$(mktemp -d /tmp/fabric_ext.XXXXXX)
export FABRIC_NETWORK_DIR=$WORK/net FABRIC_NETWORK_ID=ext$$ FABRIC_CHAINCODE_LAUNCHER=process
export FABRIC_PORT_OFFSET=$((15000 + ($$ % 400) * 10))
NET=$root/scripts/network.sh
P1=127.0.0.1:$((7051 + FABRIC_PORT_OFFSET)) P2=127.0.0.1:$((9051 + FABRIC_PORT_OFFSET))
CC_PORT=$((7059 + FABRIC_PORT_OFFSET))
SERVER_PID=
# shellcheck source=../e2e/e2e_lib.sh
source "$root/integration/e2e/e2e_lib.sh"
on_cleanup() {  # RC: the chaincode server this test started
  [ -n "$SERVER_PID" ] && kill "$SERVER_PID" 2>/dev/null
  if [ "$1" -ne 0 ]; then
    echo "---- chaincode server (tail)"; tail -n 20 "$WORK/server.log" 2>/dev/null || true
  fi
}

# A CA (NAME.ca.crt) and, issued by it, a server certificate for 127.0.0.1 and a client one.
make_pki() {
  local d=$WORK/pki/$1
  mkdir -p "$d"
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 -subj "/CN=$1-ca" \
    -keyout "$d/ca.key" -out "$d/ca.crt" 2> /dev/null
  for who in server client; do
    openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1-$who" \
      -keyout "$d/$who.key" -out "$d/$who.csr" 2> /dev/null
    printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\n' > "$d/ext"
    openssl x509 -req -in "$d/$who.csr" -CA "$d/ca.crt" -CAkey "$d/ca.key" -CAcreateserial \
      -days 2 -extfile "$d/ext" -out "$d/$who.crt" 2> /dev/null
  done
}
# connection.json in folder DIR for the server, trusting CA (a make_pki name), with our client pair.
connection() {  # DIR CA
  mkdir -p "$1"
  jq -n --arg address "127.0.0.1:$CC_PORT" --rawfile root "$WORK/pki/$2/ca.crt" \
    --rawfile cert "$WORK/pki/good/client.crt" --rawfile key "$WORK/pki/good/client.key" \
    '{address: $address, dial_timeout: "3s", tls_required: true, client_auth_required: true,
      root_cert: $root, client_cert: $cert, client_key: $key}' > "$1/connection.json"
}
start_server() {
  CHAINCODE_SERVER_ADDRESS=127.0.0.1:$CC_PORT CORE_CHAINCODE_ID=mycc:1.0 \
    CORE_CHAINCODE_TLS_CERT_FILE=$WORK/pki/good/server.crt \
    CORE_CHAINCODE_TLS_KEY_FILE=$WORK/pki/good/server.key \
    CORE_CHAINCODE_TLS_CLIENT_CACERT_FILE=$WORK/pki/good/ca.crt \
    "$BIN/abstore" >> "$WORK/server.log" 2>&1 &
  SERVER_PID=$!
  for _ in $(seq 1 50); do grep -q "listening on" "$WORK/server.log" && return 0; sleep 0.1; done
  fail "the chaincode server did not start"
}

for b in peer orderer configtxgen cryptogen abstore; do
  [ -x "$BIN/$b" ] || fail "$BIN/$b missing: build the peer, orderer, tools and samples"
done
command -v jq > /dev/null && command -v openssl > /dev/null || fail "needs jq and openssl"
"$NET" up > "$WORK/up.log" 2>&1 || { cat "$WORK/up.log"; fail "network up"; }
eval "$("$NET" env 1)"
read -ra O <<< "$ORDERER_ARGS"
make_pki good
make_pki other
start_server

section "1. external package: install, instantiate, invoke by both peers, query both"
ok 1 channel create "${O[@]}" -c mychannel -f "$FABRIC_NETWORK_DIR/mychannel.tx" \
  --outputBlock "$WORK/mychannel.block"
for n in 1 2; do ok $n channel join -b "$WORK/mychannel.block"; done
connection "$WORK/ext" good
ok 1 chaincode package -n mycc -v 1.0 -l external -p "$WORK/ext" "$WORK/mycc.pak"
for n in 1 2; do
  ok $n chaincode install "$WORK/mycc.pak"
  expect "$WORK/err" 'status:200 payload:"OK"'
done
ok 1 chaincode instantiate "${O[@]}" -C mychannel -n mycc -v 1.0 -l external \
  -c '{"Args":["init","a","100","b","200"]}' -P "AND('Org1MSP.peer','Org2MSP.peer')" --waitForEvent
expect "$WORK/err" "committed with status (VALID)"
ok 1 chaincode invoke "${O[@]}" -C mychannel -n mycc -c '{"Args":["invoke","a","b","10"]}' \
  --peerAddresses "$P1" --tlsRootCertFiles "$PEER0_ORG1_CA" --peerAddresses "$P2" \
  --tlsRootCertFiles "$PEER0_ORG2_CA" --waitForEvent
expect "$WORK/err" "committed with status (VALID) at $P1"
for n in 1 2; do query $n mycc '{"Args":["query","a"]}' 90; query $n mycc '{"Args":["query","b"]}' 210; done
expect "$WORK/server.log" "peer connected from"

section "2. the server goes down: a clear error, the peer keeps serving; it comes back"
kill "$SERVER_PID"
wait "$SERVER_PID" 2> /dev/null || true
SERVER_PID=
sleep 0.5
cli 1 chaincode query -C mychannel -n mycc -c '{"Args":["query","a"]}' && fail "query with the server down"
expect "$WORK/err" "cannot connect to chaincode server of mycc:1.0 at 127.0.0.1:$CC_PORT within 3s"
ok 1 channel getinfo -c mychannel
ok 1 chaincode list --instantiated -C mychannel
expect "$WORK/out" "Name: mycc, Version: 1.0"
start_server
query 1 mycc '{"Args":["query","a"]}' 90

section "3. connection.json trusting another CA: the TLS handshake fails, named"
connection "$WORK/ext2" other
ok 1 chaincode package -n mycc -v 2.0 -l external -p "$WORK/ext2" "$WORK/mycc2.pak"
ok 1 chaincode install "$WORK/mycc2.pak"
cli 1 chaincode upgrade "${O[@]}" -C mychannel -n mycc -v 2.0 -l external \
  -c '{"Args":["init","a","100","b","200"]}' -P "OR('Org1MSP.peer')" &&
  fail "upgrade to a server the peer cannot trust"
expect "$WORK/err" "cannot connect to chaincode server of mycc:2.0"
expect "$WORK/err" "certificate verify failed"
query 1 mycc '{"Args":["query","a"]}' 90
section "done"
