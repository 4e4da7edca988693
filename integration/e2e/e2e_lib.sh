# SPDX-License-Identifier: Apache-2.0
# shellcheck shell=bash
# Shell helpers of the end-to-end tests (source it after setting root, BIN, WORK, NET (the
# network.sh to drive), P1 and P2 (the peers' addresses); O, the orderer flags, is read by
# invoke_both and instantiate calls once set):
#   cleanup            EXIT trap: runs the caller's on_cleanup RC if defined (to stop what it
#                      started itself); on failure prints the tail of every node's log and keeps
#                      them in WORK; stops the network (network.sh clean) and the Docker socket
#                      proxy (PROXY_PID) if any
#   fail MSG, section TITLE, expect FILE TEXT
#   cli ORG ARGS...    the peer CLI as ORG's admin; output in $WORK/out, $WORK/err
#   ok ORG ARGS...     cli, failing the test when the command fails
#   query ORG CC ARGS-JSON EXPECTED
#   invoke_both CC ARGS-JSON   endorsed by both peers, waits for the commit on both
#   install SAMPLE NAME VERSION ORGS...   packages shim/samples/SAMPLE and installs it
#   restart_peer2_and_wait_for_height
PROXY_PID=
T0=$(date +%s)

cleanup() {
  local rc=$?
  set +e
  [ -n "$PROXY_PID" ] && kill "$PROXY_PID" 2>/dev/null
  declare -F on_cleanup > /dev/null && on_cleanup "$rc"
  if [ $rc -ne 0 ]; then
    for f in "$FABRIC_NETWORK_DIR"/*.log; do
      echo "---- $(basename "$f") (tail)"; tail -n 30 "$f" 2>/dev/null || true
    done
    cp -r "$FABRIC_NETWORK_DIR"/*.log "$WORK/" 2>/dev/null || true
  fi
  "$NET" clean > /dev/null 2>&1 || true
  if [ $rc -ne 0 ]; then echo "FAILED (logs kept in $WORK)"; else rm -rf "$WORK"; fi
  exit $rc
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; exit 1; }
section() { echo "== [$(($(date +%s) - T0))s] $*"; }
expect() {  # expect FILE TEXT
  grep -qF -- "$2" "$1" || { echo "---- $1:"; cat "$1"; fail "expected '$2' in $1"; }
}
# cli ORG ARGS...: the peer CLI as ORG's admin; output in $WORK/out, $WORK/err; returns its status.
cli() {
  local n=$1
  shift
  (eval "$("$NET" env "$n")"
   CORE_PEER_ADDRESS=$P2
   [ "$n" = 1 ] && CORE_PEER_ADDRESS=$P1
   export CORE_PEER_ADDRESS
   "$BIN/peer" "$@" > "$WORK/out" 2> "$WORK/err")
}
ok() { cli "$@" || { cat "$WORK/out" "$WORK/err"; fail "peer $*"; }; }
query() {  # query ORG CC ARGS-JSON EXPECTED
  ok "$1" chaincode query -C mychannel -n "$2" -c "$3"
  [ "$(cat "$WORK/out")" = "$4" ] || fail "org$1 query $2 $3: want '$4', got '$(cat "$WORK/out")'"
}
try_invoke_both() {  # CC ARGS-JSON: endorsed by both peers, waits for the commit; its status
  cli 1 chaincode invoke "${O[@]}" -C mychannel -n "$1" -c "$2" --peerAddresses "$P1" \
    --tlsRootCertFiles "$PEER0_ORG1_CA" --peerAddresses "$P2" --tlsRootCertFiles "$PEER0_ORG2_CA" \
    --waitForEvent
}
expect_committed_on_both() {  # the last invoke committed VALID on both peers
  expect "$WORK/err" "committed with status (VALID) at $P1"
  expect "$WORK/err" "committed with status (VALID) at $P2"
}
invoke_both() {  # CC ARGS-JSON: endorsed by both peers, waits for the commit on both
  try_invoke_both "$@" || { cat "$WORK/out" "$WORK/err"; fail "invoke $*"; }
  expect_committed_on_both
}
install() {  # SAMPLE NAME VERSION ORGS...
  local sample=$1 name=$2 v=$3
  shift 3
  "$root/scripts/lib/cc-package-src.sh" "$sample" "$WORK/src/$name-$v"
  ok 1 chaincode package -n "$name" -v "$v" -l cpp -p "$WORK/src/$name-$v" "$WORK/$name-$v.pak"
  for n in "$@"; do
    ok "$n" chaincode install "$WORK/$name-$v.pak"
    expect "$WORK/err" 'status:200 payload:"OK"'
  done
}
# Starts peer0.org2 again and waits until its height is peer0.org1's (it caught up from the orderer).
restart_peer2_and_wait_for_height() {
  "$NET" start peer2 > /dev/null 2>&1
  ok 1 channel getinfo -c mychannel
  local h1
  h1=$(grep -o '"height":[0-9]*' "$WORK/out")
  for _ in $(seq 1 50); do
    ok 2 channel getinfo -c mychannel
    [ "$(grep -o '"height":[0-9]*' "$WORK/out")" = "$h1" ] && break
    sleep 0.2
  done
  expect "$WORK/out" "$h1"
}
