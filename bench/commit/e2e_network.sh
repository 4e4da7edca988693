#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The network bench_commit's e2e_tps runs against, on real processes in WORK: cryptogen and
# configtxgen material (blocks of up to 500 transactions, 200 ms batch timeout), the solo
# orderer, peer0.org1 and peer0.org2 (`peer node start`, process launcher), channel mychannel
# joined by both, the getput chaincode (one GetState + one PutState) installed on both and
# instantiated with AND('Org1MSP.peer','Org2MSP.peer').
#   e2e_network.sh up WORK BIN_DIR GETPUT_BINARY [tls|cluster]
#                                                  writes WORK/ports: "ORDERER PEER1 PEER2" and
#                                                  WORK/pids (their pids); with tls, every
#                                                  listener serves TLS (server certificates from
#                                                  cryptogen, no client authentication, as
#                                                  Fabric's test network) and the CLI dials with
#                                                  TLS; with cluster (plaintext), the ordering
#                                                  service is three orderer nodes on a
#                                                  three-member etcd cluster (consensus type etcd,
#                                                  profile EtcdOrdererGenesis; `etcd` on PATH):
#                                                  ports goes on with ORDERER2 ORDERER3, whose
#                                                  pids are in WORK/orderers.pids, and the
#                                                  members' in WORK/etcd.pids
#   e2e_network.sh down WORK                       stops what up started, removes WORK
set -euo pipefail
cmd=$1
WORK=$2
if [ "$cmd" = down ]; then
  # The etcd members last, so that the orderers do not log their loss.
  for f in pids orderers.pids etcd.pids; do
    [ -f "$WORK/$f" ] || continue
    for p in $(cat "$WORK/$f"); do kill -TERM "$p" 2>/dev/null || true; done
    for p in $(cat "$WORK/$f"); do
      for _ in $(seq 1 50); do kill -0 "$p" 2>/dev/null || break; sleep 0.1; done
      kill -KILL "$p" 2>/dev/null || true
    done
  done
  rm -rf "$WORK"
  exit 0
fi
BIN=$3
GETPUT=$4
TLS=false CLUSTER=false
case "${5:-}" in
  tls) TLS=true ;;
  cluster) CLUSTER=true ;;
  "") ;;
  *) echo "e2e_network: unknown mode ${5} (tls or cluster)" >&2; exit 2 ;;
esac
# Ports from BASE: orderers +0..2, etcd members +3/+4, +5/+6, +7/+8 (client/peer), peer1
# +10..12, peer2 +20..22 (peer, chaincode, operations).
BASE=$((30000 + ($$ % 1000) * 10))
ORDERER_PORT=$BASE
fail() {
  echo "e2e_network: $*" >&2
  local f
  for f in gen orderer orderer2 orderer3 etcd1 etcd2 etcd3 peer1 peer2 cli; do
    [ -f "$WORK/$f.log" ] || continue
    echo "---- $f.log (tail)" >&2
    tail -15 "$WORK/$f.log" >&2 || true
  done
  exit 1
}
ROOT=$(cd "$(dirname "$0")/../.." && pwd)
# shellcheck source=scripts/lib/testnet.sh
source "$ROOT/scripts/lib/testnet.sh"
# shellcheck source=scripts/lib/cluster.sh
source "$ROOT/scripts/lib/cluster.sh"
# Blocks of up to 500 transactions cut every 200 ms, as the benchmark wants them.
batch_size() {
  python3 -c 'import json,sys; c=json.load(sys.stdin); c["Orderer"]["BatchTimeout"]="200ms"; c["Orderer"]["BatchSize"]["MaxMessageCount"]=500; json.dump(c,sys.stdout,indent=1)'
}
# The cluster's material: the cluster's cryptogen template, and the sample configtx.yaml with
# its orderer, etcd (plaintext) and anchor peer ports moved to this network's, blocks as
# batch_size makes them.
cluster_material() {
  cluster_crypto_template "$BIN" > crypto-config.yaml || return 1
  "$BIN/cryptogen" generate --config crypto-config.yaml --output crypto-config > gen.log 2>&1 || return 1
  cluster_configtx "$ROOT/sampleconfig/configtx.yaml" 0 "$BASE $((BASE + 1)) $((BASE + 2)) \
    $((BASE + 3)) $((BASE + 5)) $((BASE + 7)) $((BASE + 10)) $((BASE + 20))" 200ms 500 \
    > configtx.yaml || return 1
  "$BIN/configtxgen" -profile EtcdOrdererGenesis -channelID syschannel \
    -outputBlock genesis.block -configPath . >> gen.log 2>&1 &&
    "$BIN/configtxgen" -profile TwoOrgsChannel -channelID mychannel \
      -outputCreateChannelTx channel.tx -configPath . >> gen.log 2>&1
}
# start_etcd N: member N of the three-member cluster, plaintext, data in WORK/etcdN-data.
start_etcd() {
  etcd_member_start etcd "$WORK" "$1" http $((BASE + 1 + 2 * $1)) \
    "$((BASE + 4)) $((BASE + 6)) $((BASE + 8))" "e2e-$BASE" || fail "etcd$1 did not start"
  cat "etcd$1.pid" >> etcd.pids
}
# start_orderer NAME PORT: orderer node NAME.example.com (orderer, orderer2, orderer3).
start_orderer() {
  local node=$ORD/orderers/$1.example.com
  ORDERER_GENERAL_LISTENADDRESS=127.0.0.1 ORDERER_GENERAL_LISTENPORT=$2 \
  ORDERER_GENERAL_LOCALMSPDIR=$node/msp ORDERER_GENERAL_LOCALMSPID=OrdererMSP \
  ORDERER_GENERAL_GENESISFILE=$WORK/genesis.block ORDERER_FILELEDGER_LOCATION=$WORK/$1-data \
  ORDERER_GENERAL_TLS_ENABLED=$TLS ORDERER_GENERAL_TLS_PRIVATEKEY=$node/tls/server.key \
  ORDERER_GENERAL_TLS_CERTIFICATE=$node/tls/server.crt \
  ORDERER_GENERAL_TLS_ROOTCAS="[$node/tls/ca.crt]" \
    setsid "$BIN/orderer" start > "$1.log" 2>&1 < /dev/null &
  echo $! >> "$3"
}
cd "$WORK"
ORD=$WORK/crypto-config/ordererOrganizations/example.com
if [ "$CLUSTER" = true ]; then
  command -v etcd > /dev/null || fail "etcd not found (apt-get install -y etcd-server)"
  cluster_material || fail "network material (gen.log)"
  for n in 1 2 3; do start_etcd $n; done
  for n in 1 2 3; do wait_port $((BASE + 1 + 2 * n)) 150 || fail "etcd$n never opened its port"; done
  start_orderer orderer2 $((BASE + 1)) orderers.pids
  start_orderer orderer3 $((BASE + 2)) orderers.pids
else
  testnet_material "$BIN" "$ORDERER_PORT" batch_size || fail "network material"
fi
start_orderer orderer "$ORDERER_PORT" pids
mkdir -p ccbin && ln -s "$GETPUT" ccbin/getput
start_peer() {  # start_peer N
  local n=$1 port=$((BASE + 10 * $1)) org=$WORK/crypto-config/peerOrganizations/org$1.example.com
  CORE_PEER_ID=peer0.org$n.example.com CORE_PEER_LOCALMSPID=Org${n}MSP \
  CORE_PEER_MSPCONFIGPATH=$org/peers/peer0.org$n.example.com/msp \
  CORE_PEER_LISTENADDRESS=127.0.0.1:$port CORE_PEER_ADDRESS=127.0.0.1:$port \
  CORE_PEER_CHAINCODELISTENADDRESS=127.0.0.1:$((port + 1)) CORE_PEER_FILESYSTEMPATH=$WORK/peer$n-data \
  CORE_CHAINCODE_LAUNCHER=process CORE_CHAINCODE_PROCESS_BINDIR=$WORK/ccbin \
  CORE_OPERATIONS_LISTENADDRESS=127.0.0.1:$((port + 2)) FABRIC_CFG_PATH=$WORK \
  CORE_LOGGING_LEVEL=warning FABRIC_LOGGING_SPEC=warning CORE_PEER_TLS_ENABLED=$TLS \
  CORE_PEER_TLS_CERT_FILE=$org/peers/peer0.org$n.example.com/tls/server.crt \
  CORE_PEER_TLS_KEY_FILE=$org/peers/peer0.org$n.example.com/tls/server.key \
  CORE_PEER_TLS_ROOTCERT_FILE=$org/peers/peer0.org$n.example.com/tls/ca.crt \
    setsid "$BIN/peer" node start > "peer$n.log" 2>&1 < /dev/null &
  echo $! >> pids
}
start_peer 1
start_peer 2
wait_port "$ORDERER_PORT" 150 || fail "orderer never opened port $ORDERER_PORT"
wait_port $((BASE + 10)) 150 || fail "peer1 never opened port $((BASE + 10))"
wait_port $((BASE + 20)) 150 || fail "peer2 never opened port $((BASE + 20))"
if [ "$CLUSTER" = true ]; then
  wait_port $((BASE + 1)) 150 || fail "orderer2 never opened port $((BASE + 1))"
  wait_port $((BASE + 2)) 150 || fail "orderer3 never opened port $((BASE + 2))"
fi
as_admin() {  # as_admin N cmd...
  local n=$1; shift
  local org=$WORK/crypto-config/peerOrganizations/org$n.example.com
  CORE_PEER_LOCALMSPID=Org${n}MSP CORE_PEER_ADDRESS=127.0.0.1:$((BASE + 10 * n)) \
  CORE_PEER_MSPCONFIGPATH=$org/users/Admin@org$n.example.com/msp CORE_PEER_TLS_ENABLED=$TLS \
  CORE_PEER_TLS_ROOTCERT_FILE=$org/peers/peer0.org$n.example.com/tls/ca.crt \
    "$BIN/peer" "$@" >> cli.log 2>&1
}
O=(-o "127.0.0.1:$ORDERER_PORT")
[ "$TLS" = true ] && O+=(--tls --cafile "$ORD/orderers/orderer.example.com/msp/tlscacerts/tlsca.example.com-cert.pem")
as_admin 1 channel create "${O[@]}" -c mychannel -f channel.tx --outputBlock mychannel.block || fail "channel create"
as_admin 1 channel join -b mychannel.block || fail "join peer1"
as_admin 2 channel join -b mychannel.block || fail "join peer2"
mkdir -p src/getput && echo "int main() {}" > src/getput/main.cc
printf 'cmake_minimum_required(VERSION 3.16)\nproject(getput CXX)\n' > src/getput/CMakeLists.txt
as_admin 1 chaincode package -n getput -v 1.0 -l cpp -p src/getput getput.pak || fail "package"
as_admin 1 chaincode install getput.pak || fail "install peer1"
as_admin 2 chaincode install getput.pak || fail "install peer2"
as_admin 1 chaincode instantiate "${O[@]}" -C mychannel -n getput -v 1.0 -l cpp -c '{"Args":["init"]}' \
  -P "AND('Org1MSP.peer','Org2MSP.peer')" --waitForEvent || fail "instantiate"
if [ "$CLUSTER" = true ]; then
  echo "$ORDERER_PORT $((BASE + 10)) $((BASE + 20)) $((BASE + 1)) $((BASE + 2))" > ports
else
  echo "$ORDERER_PORT $((BASE + 10)) $((BASE + 20))" > ports
fi
