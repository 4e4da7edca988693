#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# The main job, end to end, on a fresh Debian machine:
#   installs what is missing, builds, builds the Docker images, starts the Docker engine, generates
#   crypto (orderer org + Org1 + Org2, one peer each) and genesis blocks, starts the orderer and
#   both peers (host processes on 127.0.0.1; chaincode runs in Docker containers), creates and
#   joins `mychannel`, installs the C++ sample `abstore` on both peers, instantiates it with
#   AND('Org1MSP.peer','Org2MSP.peer'), invokes a transfer endorsed by both peers and waits for
#   the commit, and queries the new balances on both peers.
#
#   scripts/demo.sh            run it and stop the network at the end (containers removed)
#   scripts/demo.sh --keep     leave the network up (then: scripts/network.sh down|clean)
#   scripts/demo.sh --no-setup skip install-deps/build/images (they must be done already)
#   scripts/demo.sh --no-tls | --client-auth
#                              TLS is on for every connection by default, as in Fabric's test
#                              network; --client-auth also requires client certificates (mutual
#                              TLS), --no-tls runs in plaintext
#
# Idempotent: every run starts from a clean network (scripts/network.sh clean).
# Env: FABRIC_BUILD_DIR (default build/), FABRIC_JOBS (default 2), FABRIC_NETWORK_DIR
# (default /tmp/fabric-cpp-network).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
export FABRIC_BUILD_DIR=${FABRIC_BUILD_DIR:-$root/build}
export FABRIC_NETWORK_DIR=${FABRIC_NETWORK_DIR:-/tmp/fabric-cpp-network}
bin=$FABRIC_BUILD_DIR/bin
net=$FABRIC_NETWORK_DIR
keep=0 setup=1 tls_mode=()
for a in "$@"; do
  case $a in
    --keep) keep=1 ;;
    --no-setup) setup=0 ;;
    --no-tls|--client-auth) tls_mode=("$a") ;;
    *) sed -n '3,21p' "$0" | sed 's/^# \{0,1\}//'; exit 2 ;;
  esac
done

start=$(date +%s)
step=0
say() { step=$((step + 1)); printf '\n\033[1m== %d. %s\033[0m\n' "$step" "$*"; }
ok() { printf '   -> %s\n' "$*"; }
fail() {
  printf '\n\033[31mdemo FAILED: %s\033[0m\n' "$*" >&2
  for f in orderer peer0org1 peer0org2; do
    [ -f "$net/$f.log" ] && { echo "---- $net/$f.log (tail)" >&2; tail -n 15 "$net/$f.log" >&2; }
  done
  exit 1
}
finish() {
  local rc=$?
  if [ "$keep" = 1 ] && [ $rc = 0 ]; then
    printf '\nThe network is still up. CLI as Org1 admin:  eval "$(scripts/network.sh env 1)"\n'
    printf 'Stop it with scripts/network.sh down (or clean to remove everything).\n'
  else
    "$root/scripts/network.sh" down > /dev/null 2>&1 || true
  fi
  [ $rc = 0 ] && printf '\ndemo finished in %ds\n' "$(($(date +%s) - start))"
  exit $rc
}
trap finish EXIT

# run LABEL CMD...: runs a CLI command, keeps its output in $out/$err, fails the demo on error.
run() {
  "$@" > "$net/cli.out" 2> "$net/cli.err" || {
    cat "$net/cli.out" "$net/cli.err" >&2
    fail "command failed: $*"
  }
}
as_org() {  # ORG: the Admin CLI identity of Org1/Org2
  eval "$("$root/scripts/network.sh" env "$1")"
}

if [ "$setup" = 1 ]; then
  say "install missing packages (scripts/install-deps.sh)"
  "$root/scripts/install-deps.sh"
  say "build (cmake, -j${FABRIC_JOBS:-2}) into $FABRIC_BUILD_DIR"
  cmake -S "$root" -B "$FABRIC_BUILD_DIR" -DCMAKE_BUILD_TYPE=Release > /dev/null
  # Only what the demo runs (the binaries; build-images.sh builds the shim SDK it stages);
  # scripts/test.sh builds everything else.
  cmake --build "$FABRIC_BUILD_DIR" -j"${FABRIC_JOBS:-2}" --target peer orderer cryptogen configtxgen \
    2>&1 | grep -E 'error|Error|Linking CXX executable' || true
  for b in peer orderer cryptogen configtxgen; do [ -x "$bin/$b" ] || fail "build did not produce $bin/$b"; done
  ok "binaries in $bin"
  say "Docker engine and images (scripts/build-images.sh)"
  "$root/scripts/lib/docker-engine.sh" || fail "no Docker engine"
  "$root/scripts/build-images.sh" 2>&1 | sed 's/^/   /'
fi
docker image inspect fabric-cpp/ccenv > /dev/null 2>&1 || fail "image fabric-cpp/ccenv missing: run scripts/build-images.sh"
ok "$(docker version --format 'Docker engine {{.Server.Version}}')"

say "clean old state, generate crypto + genesis blocks, start orderer and peers"
"$root/scripts/network.sh" clean 2>&1 | sed 's/^/   /'
"$root/scripts/network.sh" up "${tls_mode[@]}" 2>&1 | sed 's/^/   /' || fail "network up"
cd "$net"
as_org 1
read -ra O <<< "$ORDERER_ARGS"  # -o 127.0.0.1:7050 --tls --cafile $ORDERER_CA (...)
PEERS=(--peerAddresses 127.0.0.1:7051 --tlsRootCertFiles "$PEER0_ORG1_CA"
       --peerAddresses 127.0.0.1:9051 --tlsRootCertFiles "$PEER0_ORG2_CA")
ok "TLS: $CORE_PEER_TLS_ENABLED, client authentication: $CORE_PEER_TLS_CLIENTAUTHREQUIRED"

say "peer channel create -c mychannel (through the orderer's system channel)"
as_org 1
run peer channel create "${O[@]}" -c mychannel -f mychannel.tx --outputBlock mychannel.block
ok "$(grep -o 'Received block: [0-9]*' cli.err | tail -1) -> mychannel.block"

for n in 1 2; do
  say "peer channel join (peer0.org$n)"
  as_org $n
  run peer channel join -b mychannel.block
  ok "$(grep -o 'Successfully submitted proposal to join channel' cli.err)"
done

say "package the C++ sample abstore (shim/samples/abstore)"
"$root/scripts/lib/cc-package-src.sh" abstore "$net/src/abstore"
run peer chaincode package -n mycc -v 1.0 -l cpp -p "$net/src/abstore" mycc.pak
ok "mycc.pak ($(stat -c %s mycc.pak) bytes, gzipped tar of the source folder)"

for n in 1 2; do
  say "peer chaincode install (peer0.org$n)"
  as_org $n
  run peer chaincode install mycc.pak
  ok "$(grep -o 'status:200 payload:"OK"' cli.err || tail -1 cli.err)"
done

say "peer chaincode instantiate -P \"AND('Org1MSP.peer','Org2MSP.peer')\" (builds + starts the container)"
as_org 1
t0=$(date +%s)
run peer chaincode instantiate "${O[@]}" -C mychannel -n mycc -v 1.0 -l cpp \
  -c '{"Args":["init","a","100","b","200"]}' -P "AND('Org1MSP.peer','Org2MSP.peer')" --waitForEvent
grep -q 'committed with status (VALID)' cli.err || { cat cli.err; fail "instantiate not VALID"; }
ok "committed VALID in $(($(date +%s) - t0))s; container: $(docker ps --format '{{.Names}}' | grep peer0.org1 | grep mycc | head -1)"

say "peer chaincode invoke a->b 10, endorsed by both peers (--peerAddresses), --waitForEvent"
t0=$(date +%s)
run peer chaincode invoke "${O[@]}" -C mychannel -n mycc -c '{"Args":["invoke","a","b","10"]}' \
  "${PEERS[@]}" --waitForEvent
grep -q 'Chaincode invoke successful. result: status:200' cli.err || { cat cli.err; fail "invoke"; }
grep -q 'committed with status (VALID)' cli.err || { cat cli.err; fail "invoke not VALID"; }
ok "invoke successful, committed VALID in $(($(date +%s) - t0))s (peer0.org2's container started on first use)"

for n in 1 2; do
  say "peer chaincode query a and b on peer0.org$n"
  as_org $n
  run peer chaincode query -C mychannel -n mycc -c '{"Args":["query","a"]}'
  a=$(cat cli.out)
  run peer chaincode query -C mychannel -n mycc -c '{"Args":["query","b"]}'
  b=$(cat cli.out)
  [ "$a" = 90 ] && [ "$b" = 210 ] || fail "peer0.org$n: expected a=90 b=210, got a=$a b=$b"
  ok "a=$a b=$b"
done

say "chaincode containers"
docker ps --filter "name=^/${FABRIC_NETWORK_ID:-fabriccpp}-" --format '   {{.Names}}  ({{.Status}})'
printf '\n\033[32mdemo OK\033[0m (TLS %s, client auth %s): channel mychannel, chaincode mycc 1.0 on two peers, transfer committed, balances a=90 b=210\n' "$CORE_PEER_TLS_ENABLED" "$CORE_PEER_TLS_CLIENTAUTHREQUIRED"
