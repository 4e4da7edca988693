# shellcheck shell=bash
# SPDX-License-Identifier: Apache-2.0
# Shell helpers for test and benchmark networks on this machine (source it):
#   wait_port PORT [TENTHS]   waits until 127.0.0.1:PORT accepts connections (default 10 s);
#                             returns 1 if it never does (the caller says what failed)
#   testnet_material BIN ORDERER_PORT [FILTER]
#                             in the current directory: crypto-config/ (cryptogen's default
#                             template: an orderer org, Org1 and Org2 with one peer each; every
#                             node's TLS certificate also names 127.0.0.1 and localhost, where
#                             the test networks listen),
#                             configtx.json (the default profiles with the orderer on ORDERER_PORT,
#                             piped through FILTER when given: a command or shell function that
#                             reads and writes the JSON, e.g. to change BatchSize), genesis.block
#                             (system channel "syschannel") and channel.tx ("mychannel"). Tool
#                             output goes to gen.log; returns 1 on the first failing step, named
#                             on stderr.

wait_port() {
  local tenths=${2:-100}
  for _ in $(seq 1 "$tenths"); do
    (exec 3<>/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0
    sleep 0.1
  done
  return 1
}

testnet_material() {
  local bin=$1 port=$2 filter=${3:-cat}
  "$bin/cryptogen" showtemplate > crypto-config.yaml &&
    "$bin/cryptogen" generate --config crypto-config.yaml --output crypto-config > gen.log 2>&1 ||
    { echo "testnet: cryptogen failed (gen.log)" >&2; return 1; }
  "$bin/configtxgen" -printDefaultConfig | sed "s/127.0.0.1:7050/127.0.0.1:$port/g" |
    $filter > configtx.json || { echo "testnet: configtx.json failed" >&2; return 1; }
  "$bin/configtxgen" -profile TwoOrgsOrdererGenesis -channelID syschannel \
    -outputBlock genesis.block -configPath . >> gen.log 2>&1 ||
    { echo "testnet: configtxgen genesis block failed (gen.log)" >&2; return 1; }
  "$bin/configtxgen" -profile TwoOrgsChannel -channelID mychannel \
    -outputCreateChannelTx channel.tx -configPath . >> gen.log 2>&1 ||
    { echo "testnet: configtxgen channel tx failed (gen.log)" >&2; return 1; }
}
