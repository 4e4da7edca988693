// SPDX-License-Identifier: Apache-2.0
//
// A Node chaincode on Hyperledger Fabric's own shim (fabric-shim 2.5), served by a fabric-cpp peer
// in dev mode: started by run.sh with CORE_CHAINCODE_ID_NAME and --peer.address, it registers
// with the peer, and the peer CLI and the Node SDK invoke and query it. `transfer` emits the
// chaincode event "transferred" that sdk_client.js waits for on the peer's event service.
'use strict';

const shim = require('fabric-shim');

class NodeAbStore {
  async Init(stub) {
    const args = stub.getArgs().map((a) => a.toString());
    for (let i = 1; i + 1 < args.length; i += 2) {
      await stub.putState(args[i], Buffer.from(args[i + 1]));
    }
    return shim.success(Buffer.from('init ok'));
  }

  async Invoke(stub) {
    const { fcn, params } = stub.getFunctionAndParameters();
    if (fcn === 'transfer') {
      const a = parseInt((await stub.getState(params[0])).toString(), 10);
      const b = parseInt((await stub.getState(params[1])).toString(), 10);
      const x = parseInt(params[2], 10);
      await stub.putState(params[0], Buffer.from(String(a - x)));
      await stub.putState(params[1], Buffer.from(String(b + x)));
      stub.setEvent('transferred', Buffer.from(JSON.stringify({ from: params[0], to: params[1], x })));
      return shim.success(Buffer.from(`${a - x},${b + x}`));
    }
    if (fcn === 'query') {
      const v = await stub.getState(params[0]);
      if (!v || v.length === 0) {
        return shim.error(`no key ${params[0]}`);
      }
      return shim.success(v);
    }
    return shim.error(`unknown function ${fcn}`);
  }
}

shim.start(new NodeAbStore());
