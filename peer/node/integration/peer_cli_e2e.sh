#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# End to end through real processes: cryptogen + configtxgen material, the solo `orderer`, `peer
# node start` with the process launcher (abstore as a prebuilt binary), and the `peer` CLI:
# channel create/join/list/getinfo/fetch, chaincode package (raw and signed)/signpackage/install/
# instantiate/invoke/query/list, node status, logging, operations /healthz and /metrics,
# graceful stop; then the orderer and the same peer restarted with mutual TLS (Endorser,
# Deliver, the chaincode listener, the deliver client to the orderer): query, invoke
# --waitForEvent, fetch, refusals of a plaintext client, of one trusting another CA, of one from
# no application org (logged), and of a CLI without its client certificate. Every process is
# stopped at exit.
#   peer_cli_e2e.sh BIN_DIR ABSTORE_BINARY
set -euo pipefail
BIN=$1
ABSTORE=$2
WORK=$(mktemp -d /tmp/peer_e2e.XXXXXX)
# Ports from a range derived from the pid, to avoid clashes with parallel tests.
BASE=$((20000 + ($$ % 2000) * 10))
ORDERER_PORT=$BASE PEER_PORT=$((BASE + 1)) CC_PORT=$((BASE + 2)) OPS_PORT=$((BASE + 3))
PIDS=()
cleanup() {
  local rc=$?
  for p in "${PIDS[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  for p in "${PIDS[@]}"; do wait "$p" 2>/dev/null || true; done
  if [ $rc -ne 0 ]; then
    echo "---- peer log (tail)"; tail -40 "$WORK/peer.log" 2>/dev/null || true
    echo "---- orderer log (tail)"; tail -20 "$WORK/orderer.log" 2>/dev/null || true
    echo "FAILED (work dir kept: $WORK)"
  else
    rm -rf "$WORK"
  fi
  exit $rc
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
expect() {  # expect <file> <text>
  grep -qF -- "$2" "$1" || { echo "---- $1:"; cat "$1"; fail "expected '$2' in $1"; }
}
source "$(dirname "$0")/../../../scripts/lib/testnet.sh"

cd "$WORK"
testnet_material "$BIN" "$ORDERER_PORT" || fail "network material"

ORG1=$WORK/crypto-config/peerOrganizations/org1.example.com
ORD=$WORK/crypto-config/ordererOrganizations/example.com
start_orderer() {  # start_orderer LOG [VAR=value ...]: the solo orderer; sets ORDERER_PID
  local log=$1
  shift
  env ORDERER_GENERAL_LISTENADDRESS=127.0.0.1 ORDERER_GENERAL_LISTENPORT=$ORDERER_PORT \
    ORDERER_GENERAL_LOCALMSPDIR=$ORD/orderers/orderer.example.com/msp \
    ORDERER_GENERAL_LOCALMSPID=OrdererMSP ORDERER_GENERAL_GENESISFILE=$WORK/genesis.block \
    ORDERER_FILELEDGER_LOCATION=$WORK/orderer-data "$@" "$BIN/orderer" start > "$log" 2>&1 &
  ORDERER_PID=$!
}
start_orderer orderer.log
PIDS+=($ORDERER_PID)
wait_port "$ORDERER_PORT" || fail "orderer never opened port $ORDERER_PORT"

mkdir -p ccbin && ln -s "$ABSTORE" ccbin/mycc
start_peer() {  # start_peer LOG [VAR=value ...]: peer0.org1 in the background; sets PEER_PID
  local log=$1
  shift
  env CORE_PEER_ID=peer0.org1.example.com CORE_PEER_LOCALMSPID=Org1MSP \
    CORE_PEER_MSPCONFIGPATH="$ORG1/peers/peer0.org1.example.com/msp" \
    CORE_PEER_LISTENADDRESS=127.0.0.1:$PEER_PORT CORE_PEER_ADDRESS=127.0.0.1:$PEER_PORT \
    CORE_PEER_CHAINCODELISTENADDRESS=127.0.0.1:$CC_PORT CORE_PEER_FILESYSTEMPATH="$WORK/peer-data" \
    CORE_CHAINCODE_LAUNCHER=process CORE_CHAINCODE_PROCESS_BINDIR="$WORK/ccbin" \
    CORE_OPERATIONS_LISTENADDRESS=127.0.0.1:$OPS_PORT FABRIC_CFG_PATH="$WORK" "$@" \
    "$BIN/peer" node start > "$log" 2>&1 &
  PEER_PID=$!
}
start_peer peer.log
PIDS+=($PEER_PID)
wait_port "$PEER_PORT" || fail "peer never opened port $PEER_PORT"
wait_port "$OPS_PORT" || fail "peer never opened operations port $OPS_PORT"

export CORE_PEER_LOCALMSPID=Org1MSP CORE_PEER_ADDRESS=127.0.0.1:$PEER_PORT
export CORE_PEER_MSPCONFIGPATH=$ORG1/users/Admin@org1.example.com/msp
O="-o 127.0.0.1:$ORDERER_PORT"

echo "== channel create / join / list"
"$BIN/peer" channel create $O -c mychannel -f channel.tx --outputBlock mychannel.block > out 2> err
expect err "Received block: 0"
[ -s mychannel.block ] || fail "no mychannel.block"
"$BIN/peer" channel join -b mychannel.block > out 2> err
expect err "Successfully submitted proposal to join channel"
"$BIN/peer" channel list > out 2> err
expect out "Channels peers has joined:"
expect out "mychannel"

echo "== chaincode package / install / list --installed"
mkdir -p src/abstore && printf 'cmake_minimum_required(VERSION 3.16)\nproject(abstore CXX)\n' > src/abstore/CMakeLists.txt
cp "$(dirname "$0")/../../../shim/samples/abstore/"*.cc src/abstore/ 2>/dev/null || echo "int main() {}" > src/abstore/main.cc
"$BIN/peer" chaincode package -n mycc -v 1.0 -l cpp -p src/abstore mycc.pak > out 2> err
"$BIN/peer" chaincode install mycc.pak > out 2> err
expect err 'status:200 payload:"OK"'
"$BIN/peer" chaincode install mycc.pak > out 2> err && fail "second install should fail"
expect err "Error: Bad response: 500"
"$BIN/peer" chaincode list --installed > out 2> err
expect out "Name: mycc, Version: 1.0"

echo "== signed package / signpackage / install; node status; logging"
"$BIN/peer" chaincode package -n mycc -v 2.0 -l cpp -p src/abstore -s -S \
  -i "OR('Org1MSP.member')" signed.pak > out 2> err || { cat err; fail "signed package"; }
"$BIN/peer" chaincode signpackage signed.pak signed2.pak > out 2> err
expect out "Wrote signed package to signed2.pak successfully"
"$BIN/peer" chaincode install signed2.pak > out 2> err
expect err 'status:200 payload:"OK"'
"$BIN/peer" chaincode list --installed > out 2> err
expect out "Name: mycc, Version: 2.0"
"$BIN/peer" node status > out 2> err
[ "$(cat out)" = "status:STARTED " ] || { cat out err; fail "node status"; }
"$BIN/peer" logging setlevel endorser debug > out 2> err
expect err "Log level set for logger name/prefix 'endorser': DEBUG"
"$BIN/peer" logging getlogspec > out 2> err
expect err "Current logging spec: endorser=debug:info"
"$BIN/peer" logging revertlevels > out 2> err
CORE_PEER_MSPCONFIGPATH=$ORG1/users/User1@org1.example.com/msp "$BIN/peer" logging getlogspec \
  > out 2> err && fail "a non-admin must be refused"
expect err "Error: rpc error: code = Unknown desc = access denied"

echo "== instantiate (waitForEvent) / query / invoke / query"
"$BIN/peer" chaincode instantiate $O -C mychannel -n mycc -v 1.0 -l cpp \
  -c '{"Args":["init","a","100","b","200"]}' -P "OR('Org1MSP.peer','Org2MSP.peer')" \
  --waitForEvent > out 2> err || { cat err; fail "instantiate"; }
expect err "committed with status (VALID)"
"$BIN/peer" chaincode list --instantiated -C mychannel > out 2> err
expect out "Name: mycc, Version: 1.0"
"$BIN/peer" chaincode query -C mychannel -n mycc -c '{"Args":["query","a"]}' > out 2> err
[ "$(cat out)" = "100" ] || { cat out err; fail "query a = 100"; }
"$BIN/peer" chaincode invoke $O -C mychannel -n mycc -c '{"Args":["invoke","a","b","10"]}' \
  --waitForEvent > out 2> err || { cat err; fail "invoke"; }
expect err 'Chaincode invoke successful. result: status:200'
expect err "committed with status (VALID)"
"$BIN/peer" chaincode query -C mychannel -n mycc -c '{"Args":["query","a"]}' > out 2> err
[ "$(cat out)" = "90" ] || { cat out err; fail "query a = 90"; }
"$BIN/peer" chaincode query -C mychannel -n mycc -c '{"Args":["query","b"]}' > out 2> err
[ "$(cat out)" = "210" ] || { cat out err; fail "query b = 210"; }

echo "== errors a user can act on"
"$BIN/peer" chaincode invoke $O -C mychannel -n mycc -c '{"Args":["invoke","a","b"]}' > out 2> err \
  && fail "bad invoke should fail"
expect err "Error: endorsement failure during invoke. response: status:500"
"$BIN/peer" chaincode query -C mychannel -n mycc -c '{"Args":["query"' > out 2> err && fail "bad json"
expect err "chaincode argument error"
"$BIN/peer" chaincode query -C mychannel -n nosuchcc -c '{"Args":["query","a"]}' > out 2> err \
  && fail "query of an unknown chaincode"
expect err 'Error: endorsement failure during query. response: status:500 message:"make sure the chaincode nosuchcc has been successfully instantiated and try again'
CORE_PEER_ADDRESS=127.0.0.1:1 "$BIN/peer" channel list > out 2> err && fail "no peer"
expect err "Error: error getting endorser client for channel: endorser client failed to connect to 127.0.0.1:1: "

echo "== getinfo / fetch"
"$BIN/peer" channel getinfo -c mychannel > out 2> err
expect out 'Blockchain info: {"height":3,'
"$BIN/peer" channel fetch newest newest.block $O -c mychannel > out 2> err
expect err "Received block: 2"
"$BIN/peer" channel fetch config cfg.block $O -c mychannel > out 2> err
expect err "Received block: 0"

echo "== operations"
exec 3<>/dev/tcp/127.0.0.1/$OPS_PORT; printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' >&3; cat <&3 > health; exec 3<&-
expect health "HTTP/1.1 200 OK"
expect health '"status":"OK"'
exec 3<>/dev/tcp/127.0.0.1/$OPS_PORT; printf 'GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n' >&3; cat <&3 > metrics; exec 3<&-
expect metrics "endorser_proposals_received"
expect metrics "endorser_successful_proposals"
# the second install, the bad invoke and the query of an unknown chaincode
expect metrics 'endorser_proposals_failed{reason="chaincode_error"} 3'
expect metrics "chaincode_launches 1"
expect metrics "chaincode_execute_duration_count"

echo "== graceful stop"
kill -TERM "$PEER_PID"
for _ in $(seq 1 100); do kill -0 "$PEER_PID" 2>/dev/null || break; sleep 0.1; done
kill -0 "$PEER_PID" 2>/dev/null && fail "peer did not stop within 10 s of SIGTERM"
wait "$PEER_PID" || fail "peer exited non-zero after SIGTERM"
expect peer.log "stopped"

echo "== the orderer and the peer restarted with mutual TLS"
kill -TERM "$ORDERER_PID"
wait "$ORDERER_PID" || fail "orderer exited non-zero after SIGTERM"
OTLS=$ORD/orderers/orderer.example.com/tls
start_orderer orderer-tls.log ORDERER_GENERAL_TLS_ENABLED=true \
  ORDERER_GENERAL_TLS_CERTIFICATE="$OTLS/server.crt" ORDERER_GENERAL_TLS_PRIVATEKEY="$OTLS/server.key" \
  ORDERER_GENERAL_TLS_ROOTCAS="$OTLS/ca.crt" ORDERER_GENERAL_TLS_CLIENTAUTHREQUIRED=true
PIDS+=($ORDERER_PID)
wait_port "$ORDERER_PORT" || fail "TLS orderer never opened port $ORDERER_PORT"
PTLS=$ORG1/peers/peer0.org1.example.com/tls
start_peer peer-tls.log CORE_PEER_TLS_ENABLED=true CORE_PEER_TLS_CERT_FILE="$PTLS/server.crt" \
  CORE_PEER_TLS_KEY_FILE="$PTLS/server.key" CORE_PEER_TLS_ROOTCERT_FILE="$PTLS/ca.crt" \
  CORE_PEER_TLS_CLIENTAUTHREQUIRED=true
PIDS+=($PEER_PID)
wait_port "$PEER_PORT" || fail "TLS peer never opened port $PEER_PORT"
# The ledger survived the restart; the chaincode is relaunched and registers over TLS with the
# client certificate the peer issued it. The CLI presents Org1's admin TLS certificate to both.
ATLS=$ORG1/users/Admin@org1.example.com/tls
tls_env() {
  CORE_PEER_TLS_ENABLED=true CORE_PEER_TLS_ROOTCERT_FILE=$PTLS/ca.crt \
  CORE_PEER_TLS_SERVERHOSTOVERRIDE=peer0.org1.example.com CORE_PEER_TLS_CLIENTAUTHREQUIRED=true \
  CORE_PEER_TLS_CLIENTCERT_FILE=$ATLS/client.crt CORE_PEER_TLS_CLIENTKEY_FILE=$ATLS/client.key "$@"
}
OTLS_FLAGS="--tls --cafile $OTLS/ca.crt --clientauth --certfile $ATLS/client.crt --keyfile $ATLS/client.key"
tls_env "$BIN/peer" chaincode query -C mychannel -n mycc -c '{"Args":["query","a"]}' > out 2> err \
  || { cat err; tail -20 peer-tls.log; fail "query over TLS"; }
[ "$(cat out)" = "90" ] || { cat out err; fail "query a = 90 over TLS"; }
# Through the orderer and back to the peer's deliver client, each over mutual TLS.
tls_env "$BIN/peer" chaincode invoke $O $OTLS_FLAGS -C mychannel -n mycc \
  -c '{"Args":["invoke","a","b","5"]}' --waitForEvent > out 2> err || { cat err; fail "invoke over TLS"; }
expect err "committed with status (VALID)"
tls_env "$BIN/peer" chaincode query -C mychannel -n mycc -c '{"Args":["query","b"]}' > out 2> err
[ "$(cat out)" = "215" ] || { cat out err; fail "query b = 215 over TLS"; }
# A client without TLS, or trusting another CA, cannot connect and is told what to check.
"$BIN/peer" channel list > out 2> err && fail "plaintext client must not reach a TLS peer"
expect err "endorser client failed to connect to 127.0.0.1:$PEER_PORT"
CORE_PEER_TLS_ENABLED=true \
CORE_PEER_TLS_ROOTCERT_FILE=$WORK/crypto-config/peerOrganizations/org2.example.com/peers/peer0.org2.example.com/tls/ca.crt \
CORE_PEER_TLS_SERVERHOSTOVERRIDE=peer0.org1.example.com "$BIN/peer" channel list > out 2> err \
  && fail "a client trusting org2's TLS CA must not reach org1's peer"
expect err "TLS is on: check the CA file and the host name"
# The orderer org is no application org of the peer's channels: its clients are refused at the
# handshake, and the peer says why.
OADMIN=$ORD/users/Admin@example.com/tls
CORE_PEER_TLS_ENABLED=true CORE_PEER_TLS_ROOTCERT_FILE=$PTLS/ca.crt \
CORE_PEER_TLS_SERVERHOSTOVERRIDE=peer0.org1.example.com CORE_PEER_TLS_CLIENTAUTHREQUIRED=true \
CORE_PEER_TLS_CLIENTCERT_FILE=$OADMIN/client.crt CORE_PEER_TLS_CLIENTKEY_FILE=$OADMIN/client.key \
  "$BIN/peer" channel list > out 2> err && fail "a client of no application org must be refused"
expect peer-tls.log "TLS client certificate refused: certificate signed by unknown authority"
expect peer-tls.log "client CN=Admin@example.com"
# Without its client certificate the orderer refuses the CLI.
"$BIN/peer" channel fetch newest x.block $O -c mychannel --tls --cafile "$OTLS/ca.crt" > out 2> err \
  && fail "the orderer must require a client certificate"
tls_env "$BIN/peer" channel fetch newest x.block $O $OTLS_FLAGS -c mychannel > out 2> err \
  || { cat err; fail "fetch over mutual TLS"; }
# The CLI's TLS settings from a core.yaml in FABRIC_CFG_PATH, relative paths resolved against its
# folder (as are relative --cafile/--certfile/--keyfile), as Fabric's CLI reads them.
mkdir -p "$WORK/clicfg/tls"
cp "$PTLS/ca.crt" "$WORK/clicfg/tls/peer-ca.crt"
cp "$OTLS/ca.crt" "$WORK/clicfg/tls/orderer-ca.crt"
cp "$ATLS/client.crt" "$ATLS/client.key" "$WORK/clicfg/tls/"
cat > "$WORK/clicfg/core.yaml" << 'YAML'
peer:
  tls:
    enabled: true
    clientAuthRequired: true
    rootcert: {file: tls/peer-ca.crt}
    clientCert: {file: tls/client.crt}
    clientKey: {file: tls/client.key}
    serverhostoverride: peer0.org1.example.com
YAML
FABRIC_CFG_PATH=$WORK/clicfg "$BIN/peer" chaincode query -C mychannel -n mycc \
  -c '{"Args":["query","b"]}' > out 2> err || { cat err; fail "query with TLS settings from core.yaml"; }
[ "$(cat out)" = "215" ] || { cat out err; fail "query b = 215 with core.yaml"; }
FABRIC_CFG_PATH=$WORK/clicfg "$BIN/peer" channel fetch newest x.block $O -c mychannel --tls \
  --cafile tls/orderer-ca.crt --clientauth --certfile tls/client.crt --keyfile tls/client.key \
  > out 2> err || { cat err; fail "fetch with relative --cafile under core.yaml's folder"; }
kill -TERM "$PEER_PID"
wait "$PEER_PID" || fail "TLS peer exited non-zero after SIGTERM"

echo "== the same peer with the Docker launcher while no engine answers"
start_peer peer-noengine.log CORE_CHAINCODE_LAUNCHER=docker \
  CORE_VM_ENDPOINT="unix://$WORK/no-engine.sock"
PIDS+=($PEER_PID)
wait_port "$PEER_PORT" || { tail -5 peer-noengine.log; fail "peer did not start without an engine"; }
wait_port "$OPS_PORT" || fail "peer never opened operations port $OPS_PORT"
exec 3<>/dev/tcp/127.0.0.1/$OPS_PORT; printf 'GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n' >&3; cat <&3 > health; exec 3<&-
expect health "HTTP/1.1 503 Service Unavailable"
expect health '"component":"docker"'
"$BIN/peer" channel list > out 2> err || { cat err; fail "channel list without an engine"; }
expect out "mychannel"
"$BIN/peer" chaincode query -C mychannel -n mycc -c '{"Args":["query","a"]}' > out 2> err \
  && fail "a chaincode was launched without an engine"
expect err "docker engine unreachable"
kill -TERM "$PEER_PID"
wait "$PEER_PID" || fail "peer without an engine exited non-zero after SIGTERM"
echo "PASS"
