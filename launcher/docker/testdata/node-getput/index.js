// SPDX-License-Identifier: Apache-2.0
//
// getput on fabric-shim: Invoke("put", key, value), Invoke("get", key) and any other function
// with a key: GetState(key), PutState(key, value + "x") (bench/endorse's workload).
'use strict';

const shim = require('fabric-shim');

class GetPut {
  async Init(stub) {
    const { params } = stub.getFunctionAndParameters();
    for (let i = 0; i + 1 < params.length; i += 2) {
      await stub.putState(params[i], Buffer.from(params[i + 1]));
    }
    return shim.success(Buffer.from('init ok'));
  }

  async Invoke(stub) {
    const { fcn, params } = stub.getFunctionAndParameters();
    if (params.length < 1) {
      return shim.error(`${fcn}: want a key`);
    }
    const key = params[0];
    if (fcn === 'put') {
      await stub.putState(key, Buffer.from(params[1] || ''));
      return shim.success(Buffer.from('ok'));
    }
    const value = await stub.getState(key);
    if (fcn === 'get') {
      return shim.success(value);
    }
    await stub.putState(key, Buffer.concat([value, Buffer.from('x')]));
    return shim.success();
  }
}

shim.start(new GetPut());
