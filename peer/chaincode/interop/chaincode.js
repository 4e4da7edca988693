// SPDX-License-Identifier: Apache-2.0
//
// A Node chaincode on Hyperledger Fabric's own shim (fabric-shim 2.5), used to check that
// fabric-cpp's peer-side handler speaks the protocol Fabric's shims expect.
'use strict';

const shim = require('fabric-shim');

class InteropChaincode {
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
      return shim.success(Buffer.from(`${a - x},${b + x}`));
    }
    if (fcn === 'range') {
      const it = await stub.getStateByRange(params[0], params[1]);
      const keys = [];
      for (let r = await it.next(); !r.done; r = await it.next()) {
        keys.push(`${r.value.key}=${r.value.value.toString()}`);
      }
      await it.close();
      return shim.success(Buffer.from(keys.length > 3 ? `${keys.slice(0, 3).join(';')}...${keys.length}` : keys.join(';')));
    }
    if (fcn === 'get') {
      return shim.success(await stub.getState(params[0]));
    }
    return shim.error(`unknown function ${fcn}`);
  }
}

module.exports = { InteropChaincode };

// Run directly: dial the peer (--peer.address). server.js serves the same chaincode instead.
if (require.main === module) {
  shim.start(new InteropChaincode());
}
