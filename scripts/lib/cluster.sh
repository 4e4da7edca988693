# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
# The pieces of an etcd-cluster network (three orderer nodes on three etcd members, all on
# 127.0.0.1) that scripts/network.sh and bench/commit/e2e_network.sh share (source it):
#   cluster_crypto_template BIN
#                 prints cryptogen's default template with orderer2, orderer3 and etcd1..3
#                 added to the orderer org (the members' TLS certificates come from the orderer
#                 org's TLS CA, which the orderers trust); every added node's certificate also
#                 names localhost and 127.0.0.1
#   cluster_configtx SAMPLE ETCD_TLS PORTS [BATCH_TIMEOUT MAX_MESSAGES]
#                 prints the sample configtx.yaml SAMPLE with its well-known ports
#                 (CLUSTER_SAMPLE_PORTS, in that order) replaced by the eight in PORTS; with
#                 ETCD_TLS 1 the etcd members are dialled with TLS (the sample's only
#                 `TLS: false` lines are its Etcd sections'); with BATCH_TIMEOUT and
#                 MAX_MESSAGES, blocks are cut as they say instead of the sample's 2s / 10
#   etcd_member_start ETCD DIR N SCHEME CLIENT_PORT PEER_PORTS TOKEN [ARG...]
#                 starts member etcdN (binary ETCD) of the three-member cluster in a new
#                 session: clients on SCHEME://127.0.0.1:CLIENT_PORT, members on the ports
#                 PEER_PORTS lists (etcd1's first), cluster token TOKEN, etcd's further ARGs
#                 (TLS flags); data in DIR/etcdN-data, log appended to DIR/etcdN.log, pid in
#                 DIR/etcdN.pid; returns once the pid is there, 1 if it never is

# The sample's orderer, orderer2, orderer3, etcd1..3 (client) and the two anchor peers' ports.
CLUSTER_SAMPLE_PORTS="7050 7150 7250 2379 2479 2579 7051 9051"

cluster_crypto_template() {
  local specs h
  specs=$(for h in orderer2 orderer3 etcd1 etcd2 etcd3; do
    printf '      - Hostname: %s\n        SANS:\n          - localhost\n          - 127.0.0.1\n' "$h"
  done)
  "$1/cryptogen" showtemplate | awk -v specs="$specs" \
    '{ print } /^      - Hostname: orderer$/ { o = 1 } o && /- 127.0.0.1$/ { print specs; o = 0 }'
}

cluster_configtx() {
  local ports
  read -ra ports <<< "$3"
  if [ "${#ports[@]}" != 8 ]; then
    echo "cluster: cluster_configtx needs 8 ports ($CLUSTER_SAMPLE_PORTS), got '$3'" >&2
    return 1
  fi
  # One pass over the file, so that a new port equal to another well-known one is not moved twice.
  FROM=$CLUSTER_SAMPLE_PORTS TO=$3 ETCD_TLS=$2 BATCH_TIMEOUT=${4:-} MAX_MESSAGES=${5:-} perl -pe '
    BEGIN { @to{split " ", $ENV{FROM}} = split " ", $ENV{TO} }
    s{(127\.0\.0\.1:|Port: )(\d+)\b}{$1 . ($to{$2} // $2)}ge;
    s/^(\s+)TLS: false$/$1TLS: true/ if $ENV{ETCD_TLS} eq "1";
    s/BatchTimeout: 2s\b/BatchTimeout: $ENV{BATCH_TIMEOUT}/ if $ENV{BATCH_TIMEOUT} ne "";
    s/MaxMessageCount: 10\b/MaxMessageCount: $ENV{MAX_MESSAGES}/ if $ENV{MAX_MESSAGES} ne "";' "$1"
}

etcd_member_start() {
  local etcd=$1 dir=$2 n=$3 scheme=$4 client_port=$5 peer_ports token=$7 name=etcd$3 members="" i
  read -ra peer_ports <<< "$6"
  shift 7
  for i in 1 2 3; do members+="${members:+,}etcd$i=$scheme://127.0.0.1:${peer_ports[$((i - 1))]}"; done
  local peer_url=$scheme://127.0.0.1:${peer_ports[$((n - 1))]}
  rm -f "$dir/$name.pid"
  # setsid (a new session: Ctrl-C in the caller's terminal does not reach the member) forks when
  # its caller leads a process group, so the member writes its own pid before exec'ing.
  # shellcheck disable=SC2016
  setsid bash -c 'echo $$ > "$1"; shift; exec "$@"' _ "$dir/$name.pid" "$etcd" \
    --name "$name" --data-dir "$dir/$name-data" --log-level warn --logger zap \
    --listen-client-urls "$scheme://127.0.0.1:$client_port" \
    --advertise-client-urls "$scheme://127.0.0.1:$client_port" \
    --listen-peer-urls "$peer_url" --initial-advertise-peer-urls "$peer_url" \
    --initial-cluster "$members" --initial-cluster-state new --initial-cluster-token "$token" \
    "$@" >> "$dir/$name.log" 2>&1 < /dev/null &
  for _ in $(seq 1 50); do [ -s "$dir/$name.pid" ] && return 0; sleep 0.05; done
  return 1
}
