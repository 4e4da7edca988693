#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The compose deployment (label integration): validates docker-compose.yaml with every compose
# available (Debian's docker-compose v1, `docker compose` v2), then, when the fabric-cpp/peer and
# fabric-cpp/orderer images exist, brings the network up with its own ports and project name,
# creates + joins a channel from the CLI container, installs abstore on both peers, instantiates
# it (container built and started by the peer container through the mounted Docker socket),
# invokes with both peers' endorsements and queries on both peers, all over TLS (the compose
# file's default). With --cluster, the ordering service is docker-compose-cluster.yaml's (three
# etcd members, three orderer nodes): after the invoke, the orderer the CLI used is killed
# (SIGKILL), a second invoke goes through another node and must commit on both peers (their
# deliver clients fail over), then the killed node restarts and a third invoke goes through it.
# Brought down at exit (down -v, chaincode containers and images removed), pass or fail.
#   compose_test.sh BUILD_DIR [--cluster]
set -euo pipefail
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
root=$(cd "$here/../.." && pwd)
FABRIC_BUILD_DIR=$(cd "${1:?usage: compose_test.sh BUILD_DIR}" && pwd)
export FABRIC_BUILD_DIR
file=$here/docker-compose.yaml
WORK=$(mktemp -d /tmp/fabric_compose.XXXXXX)
chmod 755 "$WORK"
project=fabriccompose$$
cluster_mode=false
[ "${2:-}" = --cluster ] && { cluster_mode=true; project=fabriccluster$$; }
fail() { echo "compose: FAIL $*" >&2; exit 1; }
# shellcheck source=../../scripts/lib/testnet.sh
source "$root/scripts/lib/testnet.sh"

composes=()
command -v docker-compose > /dev/null 2>&1 && composes+=("docker-compose")
docker compose version > /dev/null 2>&1 && composes+=("docker compose")
[ ${#composes[@]} -gt 0 ] || fail "neither docker-compose nor docker compose is installed (scripts/install-deps.sh)"
cluster=$here/docker-compose-cluster.yaml
for c in "${composes[@]}"; do
  $c -f "$file" config -q || fail "$c config rejects $file"
  echo "compose: $file is valid for $c ($($c version --short 2>/dev/null || $c version | head -1))"
  $c -f "$file" -f "$cluster" config -q || fail "$c config rejects $file with $cluster"
  echo "compose: $cluster is valid over it"
done
files=(-f "$file")
[ "$cluster_mode" = true ] && files+=(-f "$cluster")
dc() { ${composes[0]} -p "$project" "${files[@]}" "$@"; }

if ! docker info > /dev/null 2>&1; then
  [ -n "${FABRIC_REQUIRE_DOCKER:-}" ] && fail "no Docker engine"
  echo "compose: SKIP bring-up: no Docker engine"; exit 0
fi
images=(peer orderer ccenv)
[ "$cluster_mode" = true ] && images+=(etcd)
for i in "${images[@]}"; do
  docker image inspect "fabric-cpp/$i" > /dev/null 2>&1 || {
    [ -n "${FABRIC_REQUIRE_DOCKER:-}" ] && fail "image fabric-cpp/$i missing (scripts/build-images.sh)"
    echo "compose: SKIP bring-up: image fabric-cpp/$i missing (scripts/build-images.sh)"; exit 0
  }
done

off=$((17000 + ($$ % 400) * 10))
export FABRIC_NETWORK_DIR=$WORK/net FABRIC_COMPOSE_WORK=$WORK/cli FABRIC_PORT_OFFSET=$off
export ORDERER_PORT=$((7050 + off)) PEER1_PORT=$((7051 + off)) PEER1_CC_PORT=$((7052 + off))
export PEER1_OPS_PORT=$((9443 + off)) PEER2_PORT=$((9051 + off)) PEER2_CC_PORT=$((9052 + off))
export PEER2_OPS_PORT=$((9444 + off))
ports=("$ORDERER_PORT" "$PEER1_PORT" "$PEER2_PORT")
generate=(generate)
if [ "$cluster_mode" = true ]; then
  export ORDERER2_PORT=$((7150 + off)) ORDERER3_PORT=$((7250 + off))
  for m in 1 2 3; do
    export "ETCD${m}_PORT=$((2279 + 100 * m + off))" "ETCD${m}_PEER_PORT=$((2280 + 100 * m + off))"
  done
  ports+=("$ORDERER2_PORT" "$ORDERER3_PORT")
  generate+=(--cluster)
fi
cleanup() {
  local rc=$?
  set +e
  [ $rc -ne 0 ] && dc logs --tail=30 2>&1 | tail -n 80
  dc down -v --timeout 15 > /dev/null 2>&1 || true
  local ids
  ids=$(docker ps -aq --filter "name=^/compose-" 2>/dev/null || true)
  [ -n "$ids" ] && docker rm -f $ids > /dev/null 2>&1
  ids=$(docker images --format '{{.Repository}}' | grep '^compose-' || true)
  [ -n "$ids" ] && docker rmi -f $ids > /dev/null 2>&1
  if [ $rc -ne 0 ]; then echo "FAILED (work dir kept: $WORK)"; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT

"$root/scripts/network.sh" "${generate[@]}" > /dev/null 2>&1 || fail "network.sh ${generate[*]}"
mkdir -p "$WORK/cli"
cp "$FABRIC_NETWORK_DIR/mychannel.tx" "$WORK/cli/"
"$root/scripts/lib/cc-package-src.sh" abstore "$WORK/cli/abstore"
dc up -d 2>&1 | tail -n 5
for p in "${ports[@]}"; do wait_port "$p" 200 || fail "port $p never opened"; done
echo "compose: orderer$([ "$cluster_mode" = true ] && echo " nodes") and peers up (project $project)"

C=/etc/hyperledger/network/crypto-config
ORG2=(-e CORE_PEER_LOCALMSPID=Org2MSP -e CORE_PEER_ADDRESS="127.0.0.1:$PEER2_PORT"
      -e CORE_PEER_MSPCONFIGPATH=$C/peerOrganizations/org2.example.com/users/Admin@org2.example.com/msp
      -e CORE_PEER_TLS_ROOTCERT_FILE=$C/peerOrganizations/org2.example.com/peers/peer0.org2.example.com/tls/ca.crt)
O=(-o "127.0.0.1:$ORDERER_PORT" --tls
   --cafile "$C/ordererOrganizations/example.com/orderers/orderer.example.com/msp/tlscacerts/tlsca.example.com-cert.pem")
PEER_CA=$C/peerOrganizations/org%s.example.com/peers/peer0.org%s.example.com/tls/ca.crt
run() {  # run [ORG2 exec flags...] -- peer ARGS
  dc exec -T "$@" > "$WORK/out" 2>&1 || { cat "$WORK/out"; fail "exec $*"; }
}
run cli peer channel create "${O[@]}" -c mychannel -f mychannel.tx --outputBlock mychannel.block
run cli peer channel join -b mychannel.block
run "${ORG2[@]}" cli peer channel join -b mychannel.block
run cli peer chaincode package -n mycc -v 1.0 -l cpp -p /work/abstore mycc.pak
run cli peer chaincode install mycc.pak
run "${ORG2[@]}" cli peer chaincode install mycc.pak
echo "compose: channel created and joined by both peers, abstore installed on both"
run cli peer chaincode instantiate "${O[@]}" -C mychannel -n mycc -v 1.0 -l cpp \
  -c '{"Args":["init","a","100","b","200"]}' -P "AND('Org1MSP.peer','Org2MSP.peer')" --waitForEvent
grep -q 'committed with status (VALID)' "$WORK/out" || { cat "$WORK/out"; fail "instantiate"; }
invoke_via() {  # invoke_via ORDERER_PORT: moves 10 from a to b, committed on both peers
  local o=("${O[@]}")
  o[1]=127.0.0.1:$1
  run cli peer chaincode invoke "${o[@]}" -C mychannel -n mycc -c '{"Args":["invoke","a","b","10"]}' \
    --peerAddresses 127.0.0.1:$PEER1_PORT --tlsRootCertFiles "$(printf "$PEER_CA" 1 1)" \
    --peerAddresses 127.0.0.1:$PEER2_PORT --tlsRootCertFiles "$(printf "$PEER_CA" 2 2)" --waitForEvent
  grep -q 'committed with status (VALID)' "$WORK/out" || { cat "$WORK/out"; fail "invoke via $1"; }
}
invoke_via "$ORDERER_PORT"
run cli peer chaincode query -C mychannel -n mycc -c '{"Args":["query","a"]}'
[ "$(tail -n 1 "$WORK/out")" = 90 ] || fail "org1 query a: want 90, got $(cat "$WORK/out")"
run "${ORG2[@]}" cli peer chaincode query -C mychannel -n mycc -c '{"Args":["query","b"]}'
[ "$(tail -n 1 "$WORK/out")" = 210 ] || fail "org2 query b: want 210, got $(cat "$WORK/out")"
echo "compose: instantiate (AND policy), invoke by both peers and queries (a=90, b=210) over TLS OK"

if [ "$cluster_mode" = true ]; then
  expect_a() {  # expect_a VALUE: both peers' a
    run cli peer chaincode query -C mychannel -n mycc -c '{"Args":["query","a"]}'
    [ "$(tail -n 1 "$WORK/out")" = "$1" ] || fail "org1 query a: want $1, got $(cat "$WORK/out")"
    run "${ORG2[@]}" cli peer chaincode query -C mychannel -n mycc -c '{"Args":["query","a"]}'
    [ "$(tail -n 1 "$WORK/out")" = "$1" ] || fail "org2 query a: want $1, got $(cat "$WORK/out")"
  }
  dc kill -s SIGKILL orderer > /dev/null 2>&1 || fail "kill orderer"
  invoke_via "$ORDERER2_PORT"
  expect_a 80
  echo "compose: orderer node 1 killed; invoke through node 2 committed on both peers (a=80)"
  dc start orderer > /dev/null 2>&1 || fail "restart orderer"
  wait_port "$ORDERER_PORT" 200 || fail "restarted orderer never opened port $ORDERER_PORT"
  invoke_via "$ORDERER_PORT"
  expect_a 70
  echo "compose: orderer node 1 restarted; invoke through it committed on both peers (a=70)"
fi
echo "compose: PASS"
