/*
 * SPDX-License-Identifier: Apache-2.0
 *
 * The interop chaincode as a chaincode server (fabric-shim's ChaincodeServer): the peer dials
 * CHAINCODE_SERVER_ADDRESS and the chaincode registers as CORE_CHAINCODE_ID.
 */
'use strict';

const shim = require('fabric-shim');
const { InteropChaincode } = require('./chaincode.js');

const address = process.env.CHAINCODE_SERVER_ADDRESS;
shim.server(new InteropChaincode(), { ccid: process.env.CORE_CHAINCODE_ID, address })
  .start()
  .then(() => console.log(`node chaincode server listening on ${address}`))
  .catch((e) => {
    console.error(`node chaincode server failed: ${e}`);
    process.exit(1);
  });
