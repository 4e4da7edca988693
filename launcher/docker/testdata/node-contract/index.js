// SPDX-License-Identifier: Apache-2.0
//
// A fabric-contract-api chaincode: CreateAsset(id, value), ReadAsset(id).
'use strict';

const { Contract } = require('fabric-contract-api');

class AssetContract extends Contract {
  constructor() {
    super('AssetContract');
  }

  async CreateAsset(ctx, id, value) {
    await ctx.stub.putState(id, Buffer.from(value));
    return value;
  }

  async ReadAsset(ctx, id) {
    const value = await ctx.stub.getState(id);
    if (!value || value.length === 0) {
      throw new Error(`asset ${id} does not exist`);
    }
    return value.toString();
  }
}

module.exports.contracts = [AssetContract];
