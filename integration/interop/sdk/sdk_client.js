// SPDX-License-Identifier: Apache-2.0
//
// Hyperledger Fabric's Node SDK (fabric-common 2.2) against a fabric-cpp network:
//   1. an identity from our cryptogen output (Admin@org1: signcert + keystore),
//   2. a proposal to our peer's Endorser (Endorsement.send), response status 200,
//   3. the endorsement signature checked with the endorser's certificate (ECDSA over
//      proposal_response_payload || endorser),
//   4. the transaction sent to our orderer with the SDK's Committer (status SUCCESS),
//   5. the commit seen with the SDK's EventService on the peer's Deliver service (VALID),
//      and the chaincode event the transaction emitted, on a full-block event service,
//   6. a query through the SDK (Query.send) that sees the new value.
//   node sdk_client.js CRYPTO_DIR PEER_ADDR ORDERER_ADDR CHANNEL CHAINCODE
'use strict';

const fs = require('fs');
const path = require('path');
const crypto = require('crypto');
const { Client, User } = require('fabric-common');
const fabproto6 = require('fabric-protos');

const [cryptoDir, peerAddr, ordererAddr, channelName, ccName] = process.argv.slice(2);

function fail(msg) {
  console.error(`sdk: FAIL ${msg}`);
  process.exit(1);
}
function step(msg) {
  console.log(`sdk: ${msg}`);
}
function firstFile(dir) {
  return fs.readFileSync(path.join(dir, fs.readdirSync(dir)[0]), 'utf8');
}

async function main() {
  const mspDir = path.join(cryptoDir, 'peerOrganizations/org1.example.com/users/Admin@org1.example.com/msp');
  const user = User.createUser('Admin@org1.example.com', '', 'Org1MSP',
    firstFile(path.join(mspDir, 'signcerts')), firstFile(path.join(mspDir, 'keystore')));
  const client = Client.newClient('fabric-cpp-interop');
  const idx = client.newIdentityContext(user);
  step(`identity ${user.getName()} (${user.getMspid()}) from cryptogen output`);

  const endorser = client.newEndorser('peer0.org1', 'Org1MSP');
  endorser.setEndpoint(client.newEndpoint({ url: `grpc://${peerAddr}` }));
  await endorser.connect();
  const committer = client.newCommitter('orderer', 'OrdererMSP');
  committer.setEndpoint(client.newEndpoint({ url: `grpc://${ordererAddr}` }));
  await committer.connect();
  const eventer = client.newEventer('peer0.org1-events');
  eventer.setEndpoint(client.newEndpoint({ url: `grpc://${peerAddr}` }));
  await eventer.connect();
  const channel = client.getChannel(channelName);

  // 2. Endorsement
  const endorsement = channel.newEndorsement(ccName);
  endorsement.build(idx, { fcn: 'transfer', args: ['a', 'b', '7'] });
  endorsement.sign(idx);
  const txId = endorsement.getTransactionId();
  const res = await endorsement.send({ targets: [endorser], requestTimeout: 30000 });
  if (res.errors && res.errors.length) fail(`endorsement errors: ${res.errors.map((e) => e.message)}`);
  const pr = res.responses[0];
  if (!pr || !pr.response || pr.response.status !== 200) fail(`endorsement response ${JSON.stringify(pr && pr.response)}`);
  step(`endorsed by ${peerAddr}: status ${pr.response.status} payload "${pr.response.payload.toString()}" txid ${txId}`);

  // 3. Endorsement signature
  const sid = fabproto6.msp.SerializedIdentity.decode(pr.endorsement.endorser);
  const signed = Buffer.concat([pr.payload, pr.endorsement.endorser]);
  const verified = crypto.verify('sha256', signed, sid.id_bytes.toString(), pr.endorsement.signature);
  if (!verified) fail('endorsement signature does not verify with the endorser certificate');
  if (sid.mspid !== 'Org1MSP') fail(`endorser mspid ${sid.mspid}`);
  step(`endorsement signature verifies with the endorser's certificate (${sid.mspid})`);

  // 5 (registered before sending). Transaction listener on a filtered event service, chaincode
  // event on a full-block one.
  const txEvents = channel.newEventService('tx-events');
  txEvents.build(idx, {});
  txEvents.sign(idx);
  const ccEvents = channel.newEventService('cc-events');
  ccEvents.build(idx, { blockType: 'full' });
  ccEvents.sign(idx);
  const committed = new Promise((resolve, reject) => {
    txEvents.registerTransactionListener(txId, (err, ev) => (err ? reject(err) : resolve(ev)),
      { unregister: true });
  });
  const ccEvent = new Promise((resolve, reject) => {
    // Starts at the newest block, which may hold an earlier transfer: wait for ours.
    ccEvents.registerChaincodeListener(ccName, 'transferred', (err, ev) => {
      if (err) reject(err);
      else if ((ev.chaincodeEvents || []).some((c) => c.transactionId === txId)) resolve(ev);
    }, { unregister: false });
  });
  await txEvents.send({ targets: [eventer] });
  const eventer2 = client.newEventer('peer0.org1-events-full');
  eventer2.setEndpoint(client.newEndpoint({ url: `grpc://${peerAddr}` }));
  await eventer2.connect();
  await ccEvents.send({ targets: [eventer2] });

  // 4. Commit through the orderer
  const commit = endorsement.newCommit();
  commit.build(idx);
  commit.sign(idx);
  const cres = await commit.send({ targets: [committer], requestTimeout: 30000 });
  if (cres.status !== 'SUCCESS') fail(`orderer broadcast status ${JSON.stringify(cres)}`);
  step(`sent to the orderer ${ordererAddr} with the SDK's Committer: ${cres.status}`);

  const timeout = (p, what) => Promise.race([p, new Promise((_, rej) => setTimeout(() => rej(new Error(`timeout waiting for ${what}`)), 30000).unref())]);
  const ev = await timeout(committed, 'the commit event');
  if (ev.status !== 'VALID') fail(`transaction committed with status ${ev.status}`);
  step(`EventService: txid ${ev.transactionId} committed ${ev.status} in block ${ev.blockNumber}`);
  const cev = await timeout(ccEvent, 'the chaincode event');
  const ce = cev.chaincodeEvents.find((c) => c.transactionId === txId);
  if (!ce || ce.eventName !== 'transferred' || ce.transactionId !== txId) fail(`chaincode event ${JSON.stringify(ce)}`);
  step(`EventService: chaincode event "${ce.eventName}" payload ${ce.payload.toString()} (tx ${ce.transactionId})`);

  // 6. Query
  const query = channel.newQuery(ccName);
  query.build(idx, { fcn: 'query', args: ['a'] });
  query.sign(idx);
  const qres = await query.send({ targets: [endorser], requestTimeout: 30000 });
  const qv = qres.queryResults && qres.queryResults[0] && qres.queryResults[0].toString();
  step(`query a = ${qv}`);
  if (qv !== process.env.EXPECT_A) fail(`query a: want ${process.env.EXPECT_A}, got ${qv}`);

  txEvents.close();
  ccEvents.close();
  endorser.disconnect();
  committer.disconnect();
  eventer.disconnect();
  eventer2.disconnect();
  step('PASS');
  process.exit(0);
}

main().catch((e) => fail(e.stack || e.message));
