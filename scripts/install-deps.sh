#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Installs every Debian package that building, testing and the demo need. Idempotent and
# non-interactive: packages already present are left alone; apt-get runs only when one is missing.
set -euo pipefail

PACKAGES=(
  # toolchain (ccache: rebuilds in a second checkout hit the cache; clang-format: the format
  # check of scripts/test.sh)
  g++ cmake make pkg-config git ca-certificates ccache clang-format
  # the fuzz build (scripts/test.sh): libFuzzer is clang-only; its runtime
  # (libclang_rt.fuzzer) ships in libclang-rt-14-dev
  clang libclang-rt-14-dev
  # libraries
  libgrpc++-dev protobuf-compiler protobuf-compiler-grpc libprotobuf-dev
  libleveldb-dev libsnappy-dev libcurl4-openssl-dev libssl-dev openssl nlohmann-json3-dev
  libgtest-dev libgmock-dev libbenchmark-dev libyaml-cpp-dev zlib1g-dev libgmp-dev libarchive-dev
  libtcmalloc-minimal4
  # the peer's operations endpoint (HTTP server; the peer image gets libmicrohttpd12 from ldd)
  libmicrohttpd-dev
  # chaincode containers and images
  docker.io debootstrap
  # the Go test chaincode (launcher/docker/testdata/go_getput): Go, protoc-gen-go 1.3 (its
  # plugins=grpc mode) and the Go sources of gRPC and protobuf it vendors, so it builds offline
  golang-go golang-goprotobuf-dev golang-google-grpc-dev
  # integration/compose (Debian's compose v1; `docker compose` v2 is used too when present)
  docker-compose
  # the orderer cluster's channel log and its tests (/usr/bin/etcd, etcdctl for debugging)
  etcd-server etcd-client
)

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
# Node.js and npm run the interoperability tests with Fabric's own SDK and protos. A machine
# that already has node (e.g. from NodeSource) keeps it; otherwise take Debian's.
if ! command -v node >/dev/null 2>&1; then
  missing+=(nodejs)
fi
if ! command -v npm >/dev/null 2>&1; then
  missing+=(npm)
fi

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all packages present"
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  SUDO=sudo
else
  SUDO=
fi
echo "install-deps: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}"
echo "install-deps: done"
