#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Builds fabric-cpp's Docker images (images/README.md):
#   fabric-cpp/base     Debian bookworm (debootstrap minbase + docker import; or FABRIC_BASE_IMAGE /
#                       a local debian:bookworm-slim)
#   fabric-cpp/baseos   chaincode runtime: base + the shared libraries a chaincode needs
#   fabric-cpp/ccenv    chaincode builder: baseos + g++/cmake/-dev packages + the shim SDK
#   fabric-cpp/goenv    Go chaincode builder: baseos + Debian's golang-go
#   fabric-cpp/nodeenv  Node.js chaincode builder: baseos + Debian's nodejs and npm
#   fabric-cpp/node-runtime  Node.js chaincode runtime: baseos + Debian's nodejs and npm
#   fabric-cpp/peer     peer daemon (if build/bin/peer exists)
#   fabric-cpp/orderer  orderer daemon (if build/bin/orderer exists)
#   fabric-cpp/etcd     an etcd member for orderer clusters: baseos + Debian's etcd-server
#
#   scripts/build-images.sh [IMAGE...]     default: all of them
#
# Idempotent: every image carries the label org.fabric-cpp.inputs.hash (a hash of its inputs:
# parent image id, package list, files); an image whose label matches is not rebuilt.
# Nothing is pulled from a registry. apt runs inside throwaway containers with host networking
# against the Debian mirror; downloaded .debs and apt lists are kept in FABRIC_APT_CACHE
# (default /var/cache/fabric-cpp) between builds.
#
# Env: FABRIC_BUILD_DIR (host build with fabric_shim/peer/orderer; default build/),
#      FABRIC_IMAGE_NS (default fabric-cpp), FABRIC_IMAGE_TAG (default latest),
#      FABRIC_BASE_IMAGE (use this local image as base instead of debootstrap),
#      FABRIC_DEBIAN_MIRROR (default: the host's apt mirror, else http://deb.debian.org/debian).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
build=${FABRIC_BUILD_DIR:-$root/build}
ns=${FABRIC_IMAGE_NS:-fabric-cpp}
tag=${FABRIC_IMAGE_TAG:-latest}
cache=${FABRIC_APT_CACHE:-/var/cache/fabric-cpp}
suite=bookworm
label=org.fabric-cpp.inputs.hash
export DOCKER_BUILDKIT=0  # the classic builder: no buildx plugin, no registry access needed

log() { echo "build-images: $*" >&2; }
die() { log "error: $*"; exit 1; }

mirror=${FABRIC_DEBIAN_MIRROR:-}
if [ -z "$mirror" ]; then
  mirror=$(sed -n 's/^URIs: *\([^ ]*\).*/\1/p' /etc/apt/sources.list.d/debian.sources 2>/dev/null |
           grep -v security | head -n 1 || true)
  mirror=${mirror:-http://deb.debian.org/debian}
fi

# shellcheck source=lib/docker-engine.sh
source "$root/scripts/lib/docker-engine.sh"
docker_engine_start || die "no Docker engine"

sha() { sha256sum | cut -c1-64; }
image_id() { docker image inspect -f '{{.Id}}' "$1" 2>/dev/null || true; }
image_hash() { docker image inspect -f "{{index .Config.Labels \"$label\"}}" "$1" 2>/dev/null || true; }
up_to_date() {  # NAME HASH
  if [ "$(image_hash "$1")" = "$2" ]; then
    log "$1 is up to date (${2:0:12})"
    return 0
  fi
  return 1
}
packages() { grep -v '^\s*#' "$1" | grep -v '^\s*$' | tr '\n' ' '; }

# apt_layer FROM NAME HASH PACKAGES: installs PACKAGES on FROM in a throwaway container and
# commits it as NAME. The apt cache directories are bind mounts, so they stay out of the image.
apt_layer() {
  local from=$1 name=$2 hash=$3 pkgs=$4
  mkdir -p "$cache/debs/partial" "$cache/lists/partial"
  local script="set -e; export DEBIAN_FRONTEND=noninteractive
    apt-get -q update -o Acquire::Retries=3
    apt-get -q install -y --no-install-recommends -o Acquire::Retries=3 $pkgs
    rm -rf /usr/share/doc/* /usr/share/man/* /usr/share/info/* /var/log/apt /var/log/dpkg.log"
  local cid
  cid=$(docker create --network host -v "$cache/debs:/var/cache/apt/archives" \
        -v "$cache/lists:/var/lib/apt/lists" "$from" /bin/sh -c "$script")
  if ! docker start -a "$cid" >"$cache/$(basename "$name").log" 2>&1; then
    tail -n 30 "$cache/$(basename "$name").log" >&2
    docker rm -f "$cid" >/dev/null
    die "apt install for $name failed (log above; is $mirror reachable?)"
  fi
  docker commit --change "LABEL $label=$hash" --change 'CMD ["/bin/bash"]' "$cid" "$name" >/dev/null
  docker rm "$cid" >/dev/null
}

# docker_build NAME HASH DIR FROM_IMAGE: builds DIR/Dockerfile with the classic builder.
docker_build() {
  local name=$1 hash=$2 dir=$3 from=$4
  local out=$cache/$(basename "${name%%:*}").build.log
  mkdir -p "$cache"
  if ! docker build --network host --build-arg "FROM_IMAGE=$from" --label "$label=$hash" \
       -t "$name" "$dir" >"$out" 2>&1; then
    tail -n 30 "$out" >&2
    die "docker build of $name failed (log above)"
  fi
}

build_base() {
  local name=$ns/base:$tag
  local src=${FABRIC_BASE_IMAGE:-}
  if [ -z "$src" ] && [ -n "$(image_id debian:bookworm-slim)" ]; then
    src=debian:bookworm-slim
  fi
  if [ -n "$src" ]; then
    local id hash
    id=$(image_id "$src")
    [ -n "$id" ] || die "FABRIC_BASE_IMAGE=$src is not present locally (nothing is pulled)"
    hash=$(echo "from $id v1" | sha)
    up_to_date "$name" "$hash" && return 0
    log "building $name from $src"
    local dir
    dir=$(mktemp -d)
    printf 'ARG FROM_IMAGE\nFROM ${FROM_IMAGE}\n' >"$dir/Dockerfile"
    docker_build "$name" "$hash" "$dir" "$src"
    rm -rf "$dir"
    return 0
  fi
  local hash
  hash=$(echo "debootstrap minbase $suite $mirror v1" | sha)
  up_to_date "$name" "$hash" && return 0
  command -v debootstrap >/dev/null || die "debootstrap missing (apt-get install -y debootstrap)"
  [ "$(id -u)" = 0 ] || die "debootstrap needs root"
  log "bootstrapping $name from $mirror ($suite minbase)"
  mkdir -p "$cache/debs"
  local dir
  dir=$(mktemp -d /var/tmp/fabric-base.XXXXXX)
  if ! debootstrap --variant=minbase --cache-dir="$cache/debs" "$suite" "$dir" "$mirror" \
       >"$cache/debootstrap.log" 2>&1; then
    tail -n 20 "$cache/debootstrap.log" >&2
    rm -rf "$dir"
    die "debootstrap failed (log above)"
  fi
  # Trim what a container never uses; keep the apt mirror the image was made from.
  rm -rf "$dir"/usr/share/doc/* "$dir"/usr/share/man/* "$dir"/usr/share/info/* \
         "$dir"/usr/share/locale/* "$dir"/var/cache/apt/*.bin "$dir"/var/lib/apt/lists/* \
         "$dir"/var/log/*.log "$dir"/var/cache/apt/archives/*.deb
  echo "deb $mirror $suite main" >"$dir/etc/apt/sources.list"
  tar -C "$dir" -c . | docker import --change "LABEL $label=$hash" \
    --change 'CMD ["/bin/bash"]' - "$name" >/dev/null
  rm -rf "$dir"
}

build_baseos() {
  local name=$ns/baseos:$tag pkgs hash
  pkgs=$(packages "$root/images/baseos/packages")
  hash=$(echo "$(image_id "$ns/base:$tag") $pkgs v1" | sha)
  up_to_date "$name" "$hash" && return 0
  log "building $name ($pkgs)"
  apt_layer "$ns/base:$tag" "$name" "$hash" "$pkgs"
}

# The shim SDK from the host build (its install rules): headers, generated protos, static
# libraries, CMake config.
stage_sdk() {
  local sdk=$1
  if [ ! -f "$build/CMakeCache.txt" ]; then
    cmake -S "$root" -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  fi
  cmake --build "$build" --target fabric_shim fabric_fiber fabric_protos -j"${FABRIC_JOBS:-2}" >/dev/null
  cmake --install "$build" --component sdk --prefix "$sdk" >/dev/null
  strip --strip-debug "$sdk/lib/"*.a
}

# apt_image NAME PACKAGES: NAME = baseos + PACKAGES (apt_layer), unless up to date.
apt_image() {
  local name=$1 pkgs=$2 hash
  hash=$(echo "$(image_id "$ns/baseos:$tag") $pkgs v1" | sha)
  if ! up_to_date "$name" "$hash"; then
    log "building $name ($pkgs)"
    apt_layer "$ns/baseos:$tag" "$name" "$hash" "$pkgs"
  fi
}

# dockerfile_image NAME DIR FROM: NAME from DIR/Dockerfile on FROM, unless up to date (the hash
# covers FROM's id and every file of DIR). Removes DIR.
dockerfile_image() {
  local name=$1 dir=$2 from=$3 hash
  hash=$( (echo "$(image_id "$from")"; cd "$dir" && find . -type f | sort | xargs sha256sum) | sha)
  if ! up_to_date "$name" "$hash"; then
    log "building $name"
    docker_build "$name" "$hash" "$dir" "$from"
  fi
  rm -rf "$dir"
}

build_ccenv() {
  local dir
  apt_image "$ns/ccenv-apt:$tag" "$(packages "$root/images/ccenv/packages")"
  dir=$(mktemp -d)
  cp "$root/images/ccenv/Dockerfile" "$root/images/ccenv/fabric-cc-build" "$dir/"
  stage_sdk "$dir/sdk"
  dockerfile_image "$ns/ccenv:$tag" "$dir" "$ns/ccenv-apt:$tag"
}

# build_apt_image NAME: fabric-cpp/NAME from images/NAME: an apt layer NAME-apt (baseos +
# images/NAME/packages), then images/NAME/Dockerfile on it.
build_apt_image() {
  local what=$1 dir
  apt_image "$ns/$what-apt:$tag" "$(packages "$root/images/$what/packages")"
  dir=$(mktemp -d)
  cp "$root/images/$what/Dockerfile" "$dir/"
  dockerfile_image "$ns/$what:$tag" "$dir" "$ns/$what-apt:$tag"
}

# The Debian packages that provide BINARY's shared libraries (as on this host).
lib_packages() {
  ldd "$1" | awk '/=> \// {print $3}' | while read -r lib; do
    dpkg -S "$(readlink -f "$lib")" 2>/dev/null || dpkg -S "$lib" 2>/dev/null || true
  done | cut -d: -f1 | sort -u | grep -v -E '^(libc6|libgcc-s1|libstdc\+\+6)$' | tr '\n' ' '
}

# build_daemon NAME: fabric-cpp/NAME from build/bin/NAME on a runtime layer with its libraries.
build_daemon() {
  local what=$1 bin=$build/bin/$1
  if [ ! -x "$bin" ]; then
    log "skipping $ns/$what:$tag: $bin not built yet (cmake --build $build --target $what)"
    return 0
  fi
  local dir
  apt_image "$ns/$what-runtime:$tag" "$(lib_packages "$bin")"
  dir=$(mktemp -d)
  cp "$root/images/$what/Dockerfile" "$dir/"
  cp "$bin" "$dir/$what"
  strip "$dir/$what"
  dockerfile_image "$ns/$what:$tag" "$dir" "$ns/$what-runtime:$tag"
}

want=("$@")
if [ ${#want[@]} -eq 0 ]; then
  want=(base baseos ccenv goenv nodeenv node-runtime peer orderer etcd)
fi
start=$(date +%s)
build_base    # every image sits on base and baseos: make sure they are current first
build_baseos
for image in "${want[@]}"; do
  case $image in
    base | baseos) ;;
    ccenv) build_ccenv ;;
    goenv | nodeenv | node-runtime | etcd) build_apt_image "$image" ;;
    peer | orderer) build_daemon "$image" ;;
    *) die "unknown image $image (base baseos ccenv goenv nodeenv node-runtime peer orderer etcd)" ;;
  esac
done
log "done in $(($(date +%s) - start))s"
docker images --filter "reference=$ns/*" --format '  {{.Repository}}:{{.Tag}}  {{.Size}}' >&2
