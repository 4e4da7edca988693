#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
#
# Wire-format conformance of fabric-cpp's protos with Hyperledger Fabric 2.2's, as shipped in
# npm fabric-protos 2.2.20 (pinned in package.json / package-lock.json):
#   1. schema: every message, enum and service we define matches Fabric's (schema_check.js);
#   2. bytes: cases.json encoded by fabric-cpp decodes as expected in fabric-protos, and the
#      same values encoded by fabric-protos decode as expected in fabric-cpp.
# Usage: run.sh PATH/TO/proto_conformance PATH/TO/protos
# Fails (never skips) when node, npm or the npm registry is unavailable.
set -euo pipefail

here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=$(realpath "${1:?usage: run.sh PROTO_CONFORMANCE_BIN PROTOS_DIR}")
protos=$(cd "${2:?usage: run.sh PROTO_CONFORMANCE_BIN PROTOS_DIR}" && pwd)
cases=$here/cases.json

fail() {
  echo "conformance: FAIL $*" >&2
  exit 1
}

command -v node >/dev/null 2>&1 || fail "node is not installed (scripts/install-deps.sh adds it)"
command -v npm >/dev/null 2>&1 || fail "npm is not installed (scripts/install-deps.sh adds it)"

# Install the pinned npm packages once; a changed lock file triggers a reinstall.
stamp=$here/node_modules/.fabric-cpp-installed
if [ ! -f "$stamp" ] || [ "$here/package-lock.json" -nt "$stamp" ]; then
  echo "conformance: installing npm packages (fabric-protos 2.2.20)"
  (cd "$here" && npm ci --no-audit --no-fund --loglevel=error) ||
    fail "npm install failed: is the npm registry reachable?"
  touch "$stamp"
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

status=0
# step TITLE CMD...: runs CMD; a failure is recorded in $status and returned, never fatal.
step() {
  echo "== $1"
  shift
  local rc=0
  "$@" || rc=$?
  if [ "$rc" -ne 0 ]; then
    status=1
  fi
  return "$rc"
}

cd "$here"
step "schema: fabric-cpp protos vs fabric-protos" node schema_check.js "$protos" || :
step "cases: expected values fit our schema and cover every field" \
  node bytes_check.js validate "$protos" "$cases" || :
[ -x "$bin" ] || fail "$bin is not an executable (build the proto_conformance target)"
if step "fabric-cpp encodes" "$bin" encode "$work/from-cpp" "$cases"; then
  step "fabric-protos decodes fabric-cpp's bytes" \
    node bytes_check.js check "$work/from-cpp" "$cases" || :
fi
if step "fabric-protos encodes" node bytes_check.js encode "$work/from-node" "$cases"; then
  step "fabric-cpp decodes fabric-protos's bytes" \
    "$bin" check "$work/from-node" "$cases" || :
fi

if [ "$status" -ne 0 ]; then
  echo "conformance: FAILED (see FAIL lines above)"
  exit 1
fi
echo "conformance: all checks passed"
