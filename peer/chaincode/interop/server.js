/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The interop chaincode as a chaincode server (fabric-shim's ChaincodeServer): the peer dials
 * CHAINCODE_SERVER_ADDRESS and the chaincode registers as CORE_CHAINCODE_ID. With
 * CORE_CHAINCODE_TLS_CERT_FILE and _KEY_FILE it serves TLS, and with _CLIENT_CACERT_FILE it
 * requires the peer's client certificate from that CA (the variables Fabric's external
 * chaincode documentation gives a fabric-shim server).
 */
'use strict';

const fs = require('fs');
const shim = require('fabric-shim');
const { InteropChaincode } = require('./chaincode.js');

const address = process.env.CHAINCODE_SERVER_ADDRESS;
const opts = { ccid: process.env.CORE_CHAINCODE_ID, address };
const read = (name) => (process.env[name] ? fs.readFileSync(process.env[name]) : null);
if (process.env.CORE_CHAINCODE_TLS_CERT_FILE) {
  opts.tlsProps = {
    key: read('CORE_CHAINCODE_TLS_KEY_FILE'),
    cert: read('CORE_CHAINCODE_TLS_CERT_FILE'),
    clientCACerts: read('CORE_CHAINCODE_TLS_CLIENT_CACERT_FILE'),
  };
}
shim.server(new InteropChaincode(), opts)
  .start()
  .then(() => console.log(`node chaincode server listening on ${address}` +
                          (opts.tlsProps ? ' with TLS' : '')))
  .catch((e) => {
    console.error(`node chaincode server failed: ${e}`);
    process.exit(1);
  });
