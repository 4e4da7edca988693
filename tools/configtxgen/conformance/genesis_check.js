// SPDX-License-Identifier: Apache-2.0
//
// Reads configtxgen's artifacts with Hyperledger Fabric's own decoders (npm fabric-protos
// 2.2.20, the SDK's protobufjs bundle) and checks every layer of the config path:
//   Block -> Envelope -> Payload{ChannelHeader, SignatureHeader} -> ConfigEnvelope -> Config
//   -> groups -> values (MSPConfig/FabricMSPConfig, BatchSize, ...) and policies.
// Usage: node genesis_check.js GENESIS_BLOCK CHANNEL_TX
'use strict';

const assert = require('assert');
const crypto = require('crypto');
const fs = require('fs');
const fp = require('fabric-protos');

let checks = 0;
function eq(actual, expected, what) {
  assert.deepStrictEqual(actual, expected, `${what}: got ${JSON.stringify(actual)}`);
  checks++;
}

function value(group, key, type) {
  assert.ok(group.values[key], `missing value ${key}`);
  return type.decode(group.values[key].value);
}

function checkOrg(org, mspId) {
  eq(org.mod_policy, 'Admins', `${mspId} mod_policy`);
  const msp = value(org, 'MSP', fp.msp.MSPConfig);
  eq(msp.type, 0, `${mspId} MSP type`);
  const fabricMsp = fp.msp.FabricMSPConfig.decode(msp.config);
  eq(fabricMsp.name, mspId, 'FabricMSPConfig.name');
  assert.ok(fabricMsp.root_certs.length >= 1, 'root certs');
  assert.ok(Buffer.from(fabricMsp.root_certs[0]).toString().startsWith('-----BEGIN CERTIFICATE'));
  eq(fabricMsp.crypto_config.signature_hash_family, 'SHA2', 'hash family');
  eq(fabricMsp.fabric_node_ous.enable, true, 'NodeOUs');
  const admins = fp.common.SignaturePolicyEnvelope.decode(org.policies.Admins.policy.value);
  eq(org.policies.Admins.policy.type, 1, 'org Admins policy type');
  const role = fp.common.MSPRole.decode(admins.identities[0].principal);
  eq([role.msp_identifier, role.role], [mspId, fp.common.MSPRole.MSPRoleType.ADMIN], 'admin role');
}

function checkGenesis(file) {
  const bytes = fs.readFileSync(file);
  const block = fp.common.Block.decode(bytes);
  eq(block.header.number.toString(), '0', 'block number');
  const dataHash = crypto.createHash('sha256').update(block.data.data[0]).digest();
  eq(Buffer.from(block.header.data_hash).equals(dataHash), true, 'data hash');
  eq(block.data.data.length, 1, 'one envelope');
  const envelope = fp.common.Envelope.decode(block.data.data[0]);
  const payload = fp.common.Payload.decode(envelope.payload);
  const chdr = fp.common.ChannelHeader.decode(payload.header.channel_header);
  eq([chdr.type, chdr.channel_id, chdr.version], [fp.common.HeaderType.CONFIG, 'mychannel', 1],
     'channel header');
  const shdr = fp.common.SignatureHeader.decode(payload.header.signature_header);
  eq(shdr.creator.length, 0, 'no creator');
  eq(chdr.tx_id, crypto.createHash('sha256').update(shdr.nonce).digest('hex'), 'tx id');
  const configEnvelope = fp.common.ConfigEnvelope.decode(payload.data);
  const config = configEnvelope.config;
  eq(config.sequence.toString(), '0', 'sequence');
  const channel = config.channel_group;
  eq(Object.keys(channel.groups).sort(), ['Application', 'Orderer'], 'channel groups');
  eq(value(channel, 'HashingAlgorithm', fp.common.HashingAlgorithm).name, 'SHA256', 'hashing');
  eq(value(channel, 'BlockDataHashingStructure', fp.common.BlockDataHashingStructure).width,
     4294967295, 'width');
  eq(value(channel, 'OrdererAddresses', fp.common.OrdererAddresses).addresses,
     ['127.0.0.1:7050'], 'orderer addresses');
  eq(channel.values.OrdererAddresses.mod_policy, '/Channel/Orderer/Admins', 'addresses mod');
  const admins = fp.common.ImplicitMetaPolicy.decode(channel.policies.Admins.policy.value);
  eq([admins.rule, admins.sub_policy], [fp.common.ImplicitMetaPolicy.Rule.MAJORITY, 'Admins'],
     'channel Admins');

  const orderer = channel.groups.Orderer;
  const size = value(orderer, 'BatchSize', fp.orderer.BatchSize);
  eq([size.max_message_count, size.absolute_max_bytes, size.preferred_max_bytes],
     [10, 99 * 1024 * 1024, 512 * 1024], 'batch size');
  eq(value(orderer, 'BatchTimeout', fp.orderer.BatchTimeout).timeout, '2s', 'batch timeout');
  eq(value(orderer, 'ConsensusType', fp.orderer.ConsensusType).type, 'solo', 'consensus');
  const caps = value(orderer, 'Capabilities', fp.common.Capabilities);
  eq(Object.keys(caps.capabilities), ['V1_4_2'], 'orderer capabilities');
  checkOrg(orderer.groups.OrdererOrg, 'OrdererMSP');
  eq(value(orderer.groups.OrdererOrg, 'Endpoints', fp.common.OrdererAddresses).addresses,
     ['127.0.0.1:7050'], 'orderer org endpoints');

  const application = channel.groups.Application;
  checkOrg(application.groups.Org1, 'Org1MSP');
  checkOrg(application.groups.Org2, 'Org2MSP');
  const anchors = value(application.groups.Org1, 'AnchorPeers', fp.protos.AnchorPeers);
  eq([anchors.anchor_peers[0].host, anchors.anchor_peers[0].port], ['127.0.0.1', 7051],
     'anchor peer');

  // Fabric 1.4's configtxgen leaves every metadata slot of a genesis block empty.
  eq(block.metadata.metadata.map((m) => m.length), [0, 0, 0, 0, 0], 'empty metadata slots');
}

function checkChannelTx(file) {
  const envelope = fp.common.Envelope.decode(fs.readFileSync(file));
  const payload = fp.common.Payload.decode(envelope.payload);
  const chdr = fp.common.ChannelHeader.decode(payload.header.channel_header);
  eq([chdr.type, chdr.channel_id], [fp.common.HeaderType.CONFIG_UPDATE, 'mychannel'], 'tx hdr');
  const updateEnvelope = fp.common.ConfigUpdateEnvelope.decode(payload.data);
  const update = fp.common.ConfigUpdate.decode(updateEnvelope.config_update);
  eq(update.channel_id, 'mychannel', 'update channel id');
  const writeApp = update.write_set.groups.Application;
  eq(writeApp.version.toString(), '1', 'application write version');
  eq(Object.keys(writeApp.groups).sort(), ['Org1', 'Org2'], 'application orgs');
  eq(Object.keys(writeApp.policies).sort(), ['Admins', 'Endorsement', 'Readers', 'Writers'],
     'application policies');
  const consortium = fp.common.Consortium.decode(update.write_set.values.Consortium.value);
  eq(consortium.name, 'SampleConsortium', 'consortium');
}

checkGenesis(process.argv[2]);
checkChannelTx(process.argv[3]);
console.log(`genesis_check: ${checks} checks passed`);
