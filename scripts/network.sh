#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Drives the demo network by hand: an orderer organisation with a solo orderer and two peer
# organisations with one peer each, as host processes on 127.0.0.1. The peers use the Docker
# launcher, so chaincode runs in containers (host networking) built through the Docker API.
# With --cluster the ordering service is three orderer nodes on a three-member etcd cluster
# (consensus type etcd: docs/cluster.md) instead of the solo orderer.
#
#   scripts/network.sh up [--no-tls|--client-auth] [--cluster]
#                              generate crypto + genesis blocks (if missing) and start the nodes;
#                              TLS is on for every listener (as in Fabric's test network), with
#                              --client-auth also required of clients (mutual TLS), --no-tls off;
#                              the choices are kept in the network dir for later commands
#   scripts/network.sh generate [--no-tls|--client-auth] [--cluster]
#                              only the crypto material and genesis blocks (compose uses them)
#   scripts/network.sh down    stop the nodes and remove this network's chaincode containers
#   scripts/network.sh clean   down + remove the network's files and its chaincode images
#   scripts/network.sh env ORG print the `export` lines for the Admin CLI of ORG (1 or 2)
#   scripts/network.sh status  which nodes are running
#   scripts/network.sh start|stop orderer|orderer2|orderer3|etcd1|etcd2|etcd3|peer1|peer2
#                              one node (restarts in tests)
#   scripts/network.sh kill NODE   SIGKILL one node, as the loss of its machine (fault tests)
#
# Ports (all on 127.0.0.1):
#   orderer.example.com      7050
#   orderer2.example.com     7150 (cluster)
#   orderer3.example.com     7250 (cluster)
#   etcd1, etcd2, etcd3      2379/2380, 2479/2480, 2579/2580 (client/peer; cluster)
#   peer0.org1.example.com   7051 (peer), 7052 (chaincode), 9443 (operations)
#   peer0.org2.example.com   9051 (peer), 9052 (chaincode), 9444 (operations)
#
# Env: FABRIC_NETWORK_DIR (default /tmp/fabric-cpp-network: crypto, blocks, ledgers, logs, pids),
#      FABRIC_BUILD_DIR (default build/; binaries in $FABRIC_BUILD_DIR/bin),
#      FABRIC_NETWORK_ID (default fabriccpp: prefix of chaincode image/container names),
#      FABRIC_LOGGING_SPEC (default info), FABRIC_PORT_OFFSET (added to every port; tests),
#      FABRIC_CHAINCODE_LAUNCHER (docker | process | dev; default docker),
#      FABRIC_VM_ENDPOINT_ORG1/_ORG2 (the peer's CORE_VM_ENDPOINT; default the local engine),
#      FABRIC_TLS (1 | 0; default 1), FABRIC_TLS_CLIENTAUTH (0 | 1; default 0) and
#      FABRIC_CLUSTER (0 | 1; default 0): as the flags; FABRIC_ETCD_BIN (default etcd on PATH).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
# shellcheck source=scripts/lib/cluster.sh
. "$root/scripts/lib/cluster.sh"
build=${FABRIC_BUILD_DIR:-$root/build}
bin=$(cd "$build" 2>/dev/null && pwd || echo "$build")/bin
dir=${FABRIC_NETWORK_DIR:-/tmp/fabric-cpp-network}
netid=${FABRIC_NETWORK_ID:-fabriccpp}
export FABRIC_LOGGING_SPEC=${FABRIC_LOGGING_SPEC:-info}

off=${FABRIC_PORT_OFFSET:-0}
declare -A ORDERER_PORT=([1]=$((7050 + off)) [2]=$((7150 + off)) [3]=$((7250 + off)))
declare -A ETCD_PORT=([1]=$((2379 + off)) [2]=$((2479 + off)) [3]=$((2579 + off)))
declare -A PEER_PORT=([1]=$((7051 + off)) [2]=$((9051 + off))) CC_PORT=([1]=$((7052 + off)) [2]=$((9052 + off)))
declare -A OPS_PORT=([1]=$((9443 + off)) [2]=$((9444 + off)))

log() { echo "network: $*" >&2; }
die() { log "error: $*"; exit 1; }

# The TLS and ordering modes: flags of `up`, else those recorded when the network was generated,
# else env.
tls=${FABRIC_TLS:-1} clientauth=${FABRIC_TLS_CLIENTAUTH:-0} cluster=${FABRIC_CLUSTER:-0}
[ -f "$dir/tls.env" ] && . "$dir/tls.env"
if [ "${1:-}" = up ] || [ "${1:-}" = generate ]; then
  for a in "${@:2}"; do
    case $a in
      --no-tls) tls=0 clientauth=0 ;;
      --client-auth) tls=1 clientauth=1 ;;
      --cluster) cluster=1 ;;
      *) die "unknown option for $1: $a (use --no-tls, --client-auth or --cluster)" ;;
    esac
  done
  if [ "$cluster" = 1 ] && [ -f "$dir/genesis.block" ] && [ ! -f "$dir/cluster.profile" ]; then
    die "$dir holds a solo network: run '$0 clean' before 'up --cluster'"
  fi
fi
etcd_bin=${FABRIC_ETCD_BIN:-etcd}
bool() { if [ "$1" = 1 ]; then echo true; else echo false; fi; }


port_open() { (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null; }
wait_port() {  # PORT NAME LOGFILE
  for _ in $(seq 1 150); do
    port_open "$1" && return 0
    sleep 0.1
  done
  tail -n 20 "$3" >&2 || true
  die "$2 did not open port $1 (log: $3)"
}

generate() {
  [ -f "$dir/genesis.block" ] && return 0
  for b in cryptogen configtxgen orderer peer; do
    [ -x "$bin/$b" ] || die "$bin/$b is missing: build first (cmake --build $build)"
  done
  local genesis_profile=TwoOrgsOrdererGenesis
  [ "$cluster" = 1 ] && genesis_profile=EtcdOrdererGenesis
  mkdir -p "$dir"
  log "generating crypto material and genesis blocks in $dir"
  (
    cd "$dir"
    if [ "$cluster" = 1 ]; then
      cluster_crypto_template "$bin" > crypto-config.yaml
      echo "$genesis_profile" > cluster.profile
    else
      "$bin/cryptogen" showtemplate > crypto-config.yaml
    fi
    "$bin/cryptogen" generate --config crypto-config.yaml --output crypto-config > /dev/null
    # Every well-known port of the sample moves by the offset; with TLS the etcd members serve TLS.
    local moved="" p
    for p in $CLUSTER_SAMPLE_PORTS; do moved+="${moved:+ }$((p + off))"; done
    cluster_configtx "$root/sampleconfig/configtx.yaml" "$tls" "$moved" > configtx.yaml
    "$bin/configtxgen" -profile $genesis_profile -channelID syschannel \
      -outputBlock genesis.block -configPath . > configtxgen.log 2>&1
    "$bin/configtxgen" -profile TwoOrgsChannel -channelID mychannel \
      -outputCreateChannelTx mychannel.tx -configPath . >> configtxgen.log 2>&1
  ) || { rm -f "$dir/genesis.block"; die "material generation failed (see $dir/configtxgen.log)"; }
}

# setsid (a new session, so Ctrl-C in the caller's terminal does not reach the nodes) forks when
# the caller is a process group leader; the node writes its own pid before exec'ing.
wait_pidfile() {
  for _ in $(seq 1 50); do [ -s "$dir/$1.pid" ] && return 0; sleep 0.05; done
  die "$1 did not start"
}

tls_note() {
  [ "$tls" = 1 ] || return 0
  if [ "$clientauth" = 1 ]; then printf ' with mutual TLS'; else printf ' with TLS'; fi
}

running() { [ -f "$dir/$1.pid" ] && kill -0 "$(cat "$dir/$1.pid")" 2>/dev/null; }

# start_orderer [N]: orderer.example.com (1), orderer2.example.com, orderer3.example.com.
start_orderer() {
  local n=${1:-1} name=orderer${1:-} host
  [ "$n" = 1 ] && name=orderer
  host=$name.example.com
  running "$name" && { log "$name already running"; return 0; }
  local port=${ORDERER_PORT[$n]}
  port_open "$port" && die "port $port is in use by another process"
  local node=$dir/crypto-config/ordererOrganizations/example.com/orderers/$host
  rm -f "$dir/$name.pid"
  ORDERER_GENERAL_LISTENADDRESS=127.0.0.1 ORDERER_GENERAL_LISTENPORT=$port \
  ORDERER_GENERAL_LOCALMSPDIR=$node/msp \
  ORDERER_GENERAL_LOCALMSPID=OrdererMSP ORDERER_GENERAL_GENESISFILE=$dir/genesis.block \
  ORDERER_FILELEDGER_LOCATION=$dir/$name-data ORDERER_GENERAL_TLS_ENABLED=$(bool $tls) \
  ORDERER_GENERAL_TLS_PRIVATEKEY=$node/tls/server.key \
  ORDERER_GENERAL_TLS_CERTIFICATE=$node/tls/server.crt \
  ORDERER_GENERAL_TLS_ROOTCAS="[$node/tls/ca.crt]" \
  ORDERER_GENERAL_TLS_CLIENTAUTHREQUIRED=$(bool $clientauth) \
  ORDERER_ETCD_TLS_ENABLED=$(bool $tls) ORDERER_ETCD_TLS_PRIVATEKEY=$node/tls/server.key \
  ORDERER_ETCD_TLS_CERTIFICATE=$node/tls/server.crt ORDERER_ETCD_TLS_ROOTCAS="[$node/tls/ca.crt]" \
    setsid bash -c 'echo $$ > "$1"; shift; exec "$@"' _ "$dir/$name.pid" "$bin/orderer" start \
    >> "$dir/$name.log" 2>&1 < /dev/null &
  wait_pidfile "$name"
  wait_port "$port" "$name" "$dir/$name.log"
  log "$host up on 127.0.0.1:$port$(tls_note) (pid $(cat "$dir/$name.pid"), log $dir/$name.log)"
}

# spawn_etcd N: member etcdN of the three-member cluster; with TLS, clients and members must
# present a certificate of the orderer org's TLS CA (etcd's client certificate authentication).
# A member serves clients only once a quorum is up, so start_etcd starts all members it is given
# before waiting for any.
spawn_etcd() {
  local n=$1 name=etcd$1 scheme=http
  running "$name" && return 0
  command -v "$etcd_bin" > /dev/null || die "$etcd_bin not found: apt-get install -y etcd-server"
  local port=${ETCD_PORT[$n]} tlsargs=()
  port_open "$port" && die "port $port is in use by another process"
  if [ "$tls" = 1 ]; then
    scheme=https
    local t=$dir/crypto-config/ordererOrganizations/example.com/orderers/$name.example.com/tls
    tlsargs=(--cert-file "$t/server.crt" --key-file "$t/server.key" --trusted-ca-file "$t/ca.crt"
             --client-cert-auth --peer-cert-file "$t/server.crt" --peer-key-file "$t/server.key"
             --peer-trusted-ca-file "$t/ca.crt" --peer-client-cert-auth)
  fi
  etcd_member_start "$etcd_bin" "$dir" "$n" "$scheme" "$port" \
    "$((ETCD_PORT[1] + 1)) $((ETCD_PORT[2] + 1)) $((ETCD_PORT[3] + 1))" "$netid-etcd" \
    "${tlsargs[@]}" || die "$name did not start"
}

start_etcd() {  # N...
  local n
  for n in "$@"; do spawn_etcd "$n"; done
  for n in "$@"; do
    wait_port "${ETCD_PORT[$n]}" "etcd$n" "$dir/etcd$n.log"
    log "etcd$n up on 127.0.0.1:${ETCD_PORT[$n]} (pid $(cat "$dir/etcd$n.pid"), log $dir/etcd$n.log)"
  done
}

start_peer() {  # ORG
  local n=$1 name=peer0org$1 vm_var=FABRIC_VM_ENDPOINT_ORG$1
  running "$name" && { log "$name already running"; return 0; }
  port_open "${PEER_PORT[$n]}" && die "port ${PEER_PORT[$n]} is in use by another process"
  local org=$dir/crypto-config/peerOrganizations/org$n.example.com
  rm -f "$dir/$name.pid"
  CORE_PEER_ID=peer0.org$n.example.com CORE_PEER_NETWORKID=$netid CORE_PEER_LOCALMSPID=Org${n}MSP \
  CORE_PEER_MSPCONFIGPATH=$org/peers/peer0.org$n.example.com/msp \
  CORE_PEER_LISTENADDRESS=127.0.0.1:${PEER_PORT[$n]} CORE_PEER_ADDRESS=127.0.0.1:${PEER_PORT[$n]} \
  CORE_PEER_CHAINCODELISTENADDRESS=127.0.0.1:${CC_PORT[$n]} \
  CORE_PEER_FILESYSTEMPATH=$dir/peer0.org$n-data CORE_CHAINCODE_LAUNCHER=${FABRIC_CHAINCODE_LAUNCHER:-docker} \
  CORE_VM_ENDPOINT=${!vm_var:-${CORE_VM_ENDPOINT:-unix:///var/run/docker.sock}} \
  CORE_OPERATIONS_LISTENADDRESS=127.0.0.1:${OPS_PORT[$n]} FABRIC_CFG_PATH=$dir \
  CORE_PEER_TLS_ENABLED=$(bool $tls) CORE_PEER_TLS_CLIENTAUTHREQUIRED=$(bool $clientauth) \
  CORE_PEER_TLS_CERT_FILE=$org/peers/peer0.org$n.example.com/tls/server.crt \
  CORE_PEER_TLS_KEY_FILE=$org/peers/peer0.org$n.example.com/tls/server.key \
  CORE_PEER_TLS_ROOTCERT_FILE=$org/peers/peer0.org$n.example.com/tls/ca.crt \
    setsid bash -c 'echo $$ > "$1"; shift; exec "$@"' _ "$dir/$name.pid" "$bin/peer" node start \
    >> "$dir/$name.log" 2>&1 < /dev/null &
  wait_pidfile "$name"
  wait_port "${PEER_PORT[$n]}" "peer0.org$n" "$dir/$name.log"
  log "peer0.org$n.example.com up on 127.0.0.1:${PEER_PORT[$n]}$(tls_note) (pid $(cat "$dir/$name.pid"), log $dir/$name.log)"
}

stop() {  # NAME
  running "$1" || { rm -f "$dir/$1.pid"; return 0; }
  local pid
  pid=$(cat "$dir/$1.pid")
  kill -TERM "$pid" 2>/dev/null || true
  for _ in $(seq 1 100); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  kill -0 "$pid" 2>/dev/null && kill -KILL "$pid" 2>/dev/null || true
  rm -f "$dir/$1.pid"
  log "stopped $1 (pid $pid)"
}

remove_containers() {
  docker info > /dev/null 2>&1 || return 0
  local ids
  ids=$(docker ps -aq --filter "name=^/$netid-" 2>/dev/null || true)
  [ -z "$ids" ] && return 0
  # shellcheck disable=SC2086
  docker rm -f $ids > /dev/null 2>&1 || true
  log "removed chaincode containers: $(echo "$ids" | wc -l)"
}

remove_images() {
  docker info > /dev/null 2>&1 || return 0
  local imgs
  imgs=$(docker images --format '{{.Repository}}' | grep "^$netid-" || true)
  [ -z "$imgs" ] && return 0
  # shellcheck disable=SC2086
  docker rmi -f $imgs > /dev/null 2>&1 || true
  log "removed chaincode images: $(echo "$imgs" | wc -l)"
}

# The Admin CLI's environment for ORG, as Fabric's test network sets it: the peer's address and
# TLS CA, the admin's MSP (and TLS client certificate under mutual TLS), ORDERER_CA and
# PEER0_ORG<N>_CA for --cafile and --tlsRootCertFiles, and ORDERER_ARGS (the -o/--tls/--cafile
# [--clientauth ...] flags this network needs, for scripts: read -ra O <<< "$ORDERER_ARGS").
print_env() {  # ORG
  local n=$1
  local peers=$dir/crypto-config/peerOrganizations org=$dir/crypto-config/peerOrganizations/org$n.example.com
  local ord=$dir/crypto-config/ordererOrganizations/example.com
  local admin=$org/users/Admin@org$n.example.com
  echo "export CORE_PEER_LOCALMSPID=Org${n}MSP"
  echo "export CORE_PEER_ADDRESS=127.0.0.1:${PEER_PORT[$n]}"
  echo "export CORE_PEER_MSPCONFIGPATH=$admin/msp"
  echo "export CORE_PEER_TLS_ENABLED=$(bool $tls)"
  echo "export CORE_PEER_TLS_ROOTCERT_FILE=$org/peers/peer0.org$n.example.com/tls/ca.crt"
  echo "export CORE_PEER_TLS_CLIENTAUTHREQUIRED=$(bool $clientauth)"
  echo "export CORE_PEER_TLS_CLIENTCERT_FILE=$admin/tls/client.crt"
  echo "export CORE_PEER_TLS_CLIENTKEY_FILE=$admin/tls/client.key"
  echo "export ORDERER_CA=$ord/orderers/orderer.example.com/msp/tlscacerts/tlsca.example.com-cert.pem"
  echo "export PEER0_ORG1_CA=$peers/org1.example.com/peers/peer0.org1.example.com/tls/ca.crt"
  echo "export PEER0_ORG2_CA=$peers/org2.example.com/peers/peer0.org2.example.com/tls/ca.crt"
  local args="-o 127.0.0.1:${ORDERER_PORT[1]}"
  [ "$tls" = 1 ] && args+=" --tls --cafile \$ORDERER_CA"
  [ "$clientauth" = 1 ] && args+=" --clientauth --certfile $admin/tls/client.crt --keyfile $admin/tls/client.key"
  echo "export ORDERER_ARGS=\"$args\""
  echo "export PATH=$bin:\$PATH"
}

# The ordering service's nodes, in start order.
ordering_nodes() {
  if [ "$cluster" = 1 ]; then echo etcd1 etcd2 etcd3 orderer orderer2 orderer3; else echo orderer; fi
}

start_node() {  # NAME
  case $1 in
    orderer) start_orderer 1 ;;
    orderer2|orderer3) start_orderer "${1#orderer}" ;;
    etcd1|etcd2|etcd3) start_etcd "${1#etcd}" ;;
    peer1|peer2) start_peer "${1#peer}" ;;
    *) die "unknown node $1 (orderer, orderer2, orderer3, etcd1, etcd2, etcd3, peer1, peer2)" ;;
  esac
}
pid_name() {  # NODE: the name of its pid and log files
  case $1 in peer1|peer2) echo "peer0org${1#peer}" ;; *) echo "$1" ;; esac
}

case "${1:-}" in
  up)
    generate
    printf 'tls=%s clientauth=%s cluster=%s\n' "$tls" "$clientauth" "$cluster" > "$dir/tls.env"
    if [ "$cluster" = 1 ]; then
      start_etcd 1 2 3
      for n in 1 2 3; do start_orderer $n; done
    else
      start_orderer 1
    fi
    start_peer 1
    start_peer 2
    log "network up$(tls_note); CLI as Org1 admin: eval \"\$($0 env 1)\""
    ;;
  down)
    stop peer0org1
    stop peer0org2
    for n in orderer orderer2 orderer3 etcd1 etcd2 etcd3; do stop $n; done
    remove_containers
    ;;
  clean)
    "$0" down
    remove_images
    rm -rf "$dir"
    log "removed $dir"
    ;;
  generate)
    generate
    printf 'tls=%s clientauth=%s cluster=%s\n' "$tls" "$clientauth" "$cluster" > "$dir/tls.env"
    log "material in $dir"
    ;;
  start|stop|kill)
    [ -n "${2:-}" ] || die "usage: $0 $1 NODE (orderer, orderer2, orderer3, etcd1, etcd2, etcd3, peer1, peer2)"
    case $1 in
      start) start_node "$2" ;;
      stop) stop "$(pid_name "$2")" ;;
      kill)
        n=$(pid_name "$2")
        running "$n" || die "$2 is not running"
        kill -KILL "$(cat "$dir/$n.pid")"
        rm -f "$dir/$n.pid"
        log "killed $2 (SIGKILL)"
        ;;
    esac
    ;;
  env)
    [ "${2:-}" = 1 ] || [ "${2:-}" = 2 ] || die "usage: $0 env 1|2"
    print_env "$2"
    ;;
  status)
    for n in $(ordering_nodes) peer0org1 peer0org2; do
      if running $n; then echo "$n running (pid $(cat "$dir/$n.pid"))"; else echo "$n stopped"; fi
    done
    ;;
  *)
    sed -n '3,/^set -euo/p' "$0" | grep '^#' | sed 's/^# \{0,1\}//'
    exit 2
    ;;
esac
