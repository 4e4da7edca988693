// SPDX-License-Identifier: Apache-2.0
//
// Loads .proto trees with protobufjs: fabric-cpp's protos/ and Fabric's from the npm
// fabric-protos package. Imports resolve against the tree's own root first, then against
// fabric-protos's google-protos directory for the well-known types.
'use strict';

const fs = require('fs');
const path = require('path');
const protobuf = require('protobufjs');

const FABRIC_PROTOS_PKG = path.dirname(require.resolve('fabric-protos/package.json'));
const FABRIC_PROTOS_DIR = path.join(FABRIC_PROTOS_PKG, 'protos');
const GOOGLE_PROTOS_DIR = path.join(FABRIC_PROTOS_PKG, 'google-protos');

// Returns the .proto files under `dir`, as paths relative to it, sorted.
function listProtos(dir) {
  const out = [];
  const walk = (rel) => {
    for (const entry of fs.readdirSync(path.join(dir, rel), {withFileTypes: true})) {
      const child = rel ? `${rel}/${entry.name}` : entry.name;
      if (entry.isDirectory()) {
        walk(child);
      } else if (entry.name.endsWith('.proto')) {
        out.push(child);
      }
    }
  };
  walk('');
  return out.sort();
}

// Loads `files` (relative to `dir`) into a fresh, fully resolved Root. Field names keep
// their .proto spelling.
function loadTree(dir, files) {
  const root = new protobuf.Root();
  root.resolvePath = (origin, target) => {
    if (path.isAbsolute(target)) {
      return target;
    }
    for (const base of [dir, GOOGLE_PROTOS_DIR]) {
      const candidate = path.join(base, target);
      if (fs.existsSync(candidate)) {
        return candidate;
      }
    }
    return target;
  };
  root.loadSync(files, {keepCase: true});
  root.resolveAll();
  return root;
}

// Returns the path of `obj`'s defining file relative to `dir`, or its raw filename.
function relativeFile(obj, dir) {
  let cur = obj;
  while (cur && !cur.filename) {
    cur = cur.parent;
  }
  if (!cur) {
    return '';
  }
  return path.relative(dir, cur.filename);
}

// Calls visit(obj) for every Type, Enum and Service under `ns`, depth first.
function forEachDefinition(ns, visit) {
  for (const obj of ns.nestedArray || []) {
    if (obj instanceof protobuf.Type || obj instanceof protobuf.Enum ||
        obj instanceof protobuf.Service) {
      visit(obj);
    }
    if (obj.nestedArray) {
      forEachDefinition(obj, visit);
    }
  }
}

module.exports = {
  FABRIC_PROTOS_DIR,
  forEachDefinition,
  listProtos,
  loadTree,
  protobuf,
  relativeFile,
};
