#!/bin/sh
# SPDX-License-Identifier: Apache-2.0
# Assembles the Go getput chaincode (main.go) into a folder that builds offline:
#   assemble.sh OUT module   OUT/go.mod + OUT/vendor/ (package with -p OUT)
#   assemble.sh OUT gopath   OUT/src/fabric-cpp.example/getput/{...,vendor/} (GOPATH=OUT,
#                            package with -p fabric-cpp.example/getput)
# The gRPC code is generated from fabric-cpp's protos with Debian's protoc-gen-go (1.3, its
# plugins=grpc mode); the dependencies are copied from Debian's Go sources (/usr/share/gocode,
# packages golang-goprotobuf-dev and golang-google-grpc-dev), as found by `go list -deps`.
# Exit status 3 when a tool or those sources are missing (scripts/install-deps.sh installs them).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
protos=$(cd "$here/../../../../protos" && pwd)
out=$1
layout=${2:-module}
mod=fabric-cpp.example/getput
gocode=${FABRIC_GOCODE:-/usr/share/gocode}

for tool in go protoc protoc-gen-go; do
  command -v "$tool" >/dev/null || { echo "assemble.sh: $tool not found" >&2; exit 3; }
done
[ -d "$gocode/src/google.golang.org/grpc" ] ||
  { echo "assemble.sh: no gRPC sources in $gocode (golang-google-grpc-dev)" >&2; exit 3; }

case $layout in
  module) dir=$out ;;
  gopath) dir=$out/src/$mod ;;
  *) echo "assemble.sh: layout must be module or gopath" >&2; exit 2 ;;
esac
mkdir -p "$dir"
cp "$here/main.go" "$dir/main.go"

# One Go package per proto package; imports between them mapped with M options.
maps="Mgoogle/protobuf/timestamp.proto=github.com/golang/protobuf/ptypes/timestamp"
maps="$maps,Mpeer/chaincode_shim.proto=$mod/protos/peer,Mpeer/chaincode_event.proto=$mod/protos/peer"
maps="$maps,Mpeer/proposal.proto=$mod/protos/peer,Mpeer/chaincode.proto=$mod/protos/peer"
maps="$maps,Mpeer/proposal_response.proto=$mod/protos/peer"
maps="$maps,Mcommon/policies.proto=$mod/protos/common,Mmsp/msp_principal.proto=$mod/protos/msp"
mkdir -p "$dir/protos"
for files in "peer/chaincode_shim.proto peer/chaincode_event.proto peer/proposal.proto \
              peer/chaincode.proto peer/proposal_response.proto" \
             common/policies.proto msp/msp_principal.proto; do
  # shellcheck disable=SC2086
  protoc -I "$protos" -I /usr/include --go_out="plugins=grpc,paths=source_relative,$maps:$dir/protos" $files
done

# The dependencies outside the standard library, from a GOPATH of this package and Debian's.
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT
mkdir -p "$scratch/src/$(dirname "$mod")"
ln -s "$(cd "$dir" && pwd)" "$scratch/src/$mod"
GO111MODULE=off GOPATH="$scratch:$gocode" GOFLAGS= go list -deps \
  -f '{{if not .Standard}}{{.ImportPath}} {{.Dir}}{{end}}' "$mod" >"$scratch/deps"
vendor=$dir/vendor
modules=$scratch/modules
: >"$modules"
while read -r pkg pdir; do
  case $pkg in "$mod" | "$mod"/*) continue ;; esac
  mkdir -p "$vendor/$pkg"
  find -L "$pdir" -maxdepth 1 -type f \( -name '*.go' -o -name '*.s' -o -name '*.h' -o -name '*.c' \) \
    ! -name '*_test.go' -exec cp -L {} "$vendor/$pkg/" \;
  # The module of pkg: the nearest folder with a go.mod, else the repository root.
  m=$pkg
  while [ "$m" != "." ] && [ ! -f "$gocode/src/$m/go.mod" ]; do m=$(dirname "$m"); done
  if [ "$m" = "." ]; then m=$(echo "$pkg" | cut -d/ -f1-3); fi
  echo "$m $pkg" >>"$modules"
done <"$scratch/deps"

[ "$layout" = module ] || exit 0
# go.mod and vendor/modules.txt that agree, as `go mod vendor` would write them; every module
# is required directly, at a version Debian's sources stand for.
version() {
  case $1 in
    */v[0-9]*) echo "${1##*/}.0.0-00010101000000-000000000000" ;;
    *) echo "v0.0.0-00010101000000-000000000000" ;;
  esac
}
{
  echo "module $mod"
  echo
  echo "go 1.17"
  echo
  echo "require ("
  cut -d' ' -f1 "$modules" | sort -u | while read -r m; do echo "	$m $(version "$m")"; done
  echo ")"
} >"$dir/go.mod"
cut -d' ' -f1 "$modules" | sort -u | while read -r m; do
  echo "# $m $(version "$m")"
  # The module's own language version (its go.mod), which its code may need.
  gover=$(sed -n 's/^go \([0-9.]*\).*/\1/p' "$gocode/src/$m/go.mod" 2>/dev/null | head -n 1)
  echo "## explicit${gover:+; go $gover}"
  awk -v m="$m" '$1 == m {print $2}' "$modules" | sort -u
done >"$vendor/modules.txt"
