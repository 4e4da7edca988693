#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# Makes sure a Docker engine answers on this machine. Idempotent: does nothing when `docker info`
# already works; otherwise starts dockerd (host networking only: --bridge=none --iptables=false,
# the way chaincode containers run here) and waits for it.
#
#   scripts/lib/docker-engine.sh          # start if needed, wait up to DOCKER_ENGINE_TIMEOUT (60 s)
#   source scripts/lib/docker-engine.sh   # same, then `docker_engine_ready` is usable
#
# Exits (or returns) non-zero with a message saying what to do when the engine cannot run.
# The engine's log goes to ${DOCKERD_LOG:-/var/log/dockerd.log}.

docker_engine_ready() {
  docker info >/dev/null 2>&1
}

docker_engine_start() {
  local timeout=${DOCKER_ENGINE_TIMEOUT:-60}
  local log=${DOCKERD_LOG:-/var/log/dockerd.log}
  if docker_engine_ready; then
    return 0
  fi
  if ! command -v docker >/dev/null 2>&1 || ! command -v dockerd >/dev/null 2>&1; then
    echo "docker-engine: docker/dockerd not installed (apt-get install -y docker.io, or run scripts/install-deps.sh)" >&2
    return 1
  fi
  local sock=/var/run/docker.sock
  if [ -n "${DOCKER_HOST:-}" ] && [ "${DOCKER_HOST#unix://}" = "$DOCKER_HOST" ]; then
    echo "docker-engine: DOCKER_HOST=$DOCKER_HOST does not answer; start that engine or unset DOCKER_HOST" >&2
    return 1
  fi
  if [ -n "${DOCKER_HOST:-}" ]; then
    sock=${DOCKER_HOST#unix://}
  fi
  if [ -S "$sock" ] && pgrep -x dockerd >/dev/null 2>&1; then
    echo "docker-engine: dockerd is running but $sock does not answer yet; waiting" >&2
  elif [ "$(id -u)" != 0 ]; then
    echo "docker-engine: the Docker engine is not running and starting it needs root (sudo dockerd, or systemctl start docker); or add your user to the docker group if $sock exists but is not accessible" >&2
    return 1
  else
    rm -f "$sock"
    # setsid: the engine outlives this script and the test run that called it.
    setsid dockerd --bridge=none --iptables=false --host="unix://$sock" >>"$log" 2>&1 < /dev/null &
    echo "docker-engine: started dockerd (pid $!, log $log)" >&2
  fi
  local waited=0
  while ! docker_engine_ready; do
    if [ "$waited" -ge "$timeout" ]; then
      echo "docker-engine: dockerd did not answer within ${timeout}s; last lines of $log:" >&2
      tail -n 20 "$log" >&2 2>/dev/null || true
      return 1
    fi
    sleep 1
    waited=$((waited + 1))
  done
  echo "docker-engine: ready ($(docker version --format '{{.Server.Version}}' 2>/dev/null))" >&2
}

if [ "${BASH_SOURCE[0]}" = "$0" ]; then
  set -euo pipefail
  docker_engine_start
fi
