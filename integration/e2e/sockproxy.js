// SPDX-License-Identifier: Apache-2.0
//
// A unix-socket forwarder: LISTEN -> TARGET (the Docker engine's socket). e2e_test.sh points one
// peer's CORE_VM_ENDPOINT here and kills/restarts the proxy to take "the Docker engine" away from
// that peer and bring it back, without stopping the shared engine other tests use.
//   node sockproxy.js LISTEN_SOCKET TARGET_SOCKET
'use strict';
const fs = require('fs');
const net = require('net');

const [listen, target] = process.argv.slice(2);
try { fs.unlinkSync(listen); } catch (e) { /* not there */ }
net.createServer((client) => {
  const engine = net.connect(target);
  client.pipe(engine).pipe(client);
  const end = () => { client.destroy(); engine.destroy(); };
  client.on('error', end);
  engine.on('error', end);
  client.on('close', end);
  engine.on('close', end);
}).listen(listen);
process.on('SIGTERM', () => process.exit(0));
