// SPDX-License-Identifier: Apache-2.0
//
// Byte-level conformance, node side. Uses the message classes that npm fabric-protos ships
// (the ones Fabric's Node SDK uses) and the expected values in cases.json.
//
//   node bytes_check.js validate OUR_PROTOS_DIR CASES_JSON
//       checks cases.json against our schema: no unknown keys, value kinds match the field
//       types, and every field of every message type reached is set to a non-default value
//       in at least one case (so no field goes untested).
//   node bytes_check.js encode DIR CASES_JSON
//       writes DIR/<name>.bin for each case, encoded by fabric-protos.
//   node bytes_check.js check DIR CASES_JSON
//       decodes each DIR/<name>.bin (written by fabric-cpp) with fabric-protos and compares
//       every field with the expected values.
// Exits 0 when all is well, 1 on any failure (each one printed).
'use strict';

const fs = require('fs');
const path = require('path');
const fabricProtos = require('fabric-protos');
const {FABRIC_PROTOS_DIR, listProtos, loadTree, protobuf} = require('./proto_roots');

const TO_OBJECT = {longs: String, bytes: String, enums: String, defaults: false};
const LONG_TYPES = new Set(['int64', 'uint64', 'sint64', 'fixed64', 'sfixed64']);
const INT_TYPES = new Set(['int32', 'uint32', 'sint32', 'fixed32', 'sfixed32']);

function loadCases(file) {
  return JSON.parse(fs.readFileSync(file, 'utf8')).cases;
}

// The fabric-protos class for a full name such as "protos.SignedProposal".
function fabricClass(fullName) {
  let cur = fabricProtos;
  for (const part of fullName.split('.')) {
    cur = cur && cur[part];
  }
  if (!cur || typeof cur.decode !== 'function') {
    throw new Error(`fabric-protos has no message ${fullName}`);
  }
  return cur;
}

// ---- validate: expected values against our schema, with field coverage ----

function isDefaultScalar(type, value) {
  if (type === 'bytes' || type === 'string') {
    return value === '';
  }
  if (type === 'bool') {
    return value === false;
  }
  return Number(value) === 0;
}

function scalarKindError(type, value) {
  if (LONG_TYPES.has(type)) {
    return typeof value === 'string' && /^-?\d+$/.test(value) ? null : 'a decimal string';
  }
  if (INT_TYPES.has(type)) {
    return Number.isInteger(value) ? null : 'an integer';
  }
  if (type === 'double' || type === 'float') {
    return typeof value === 'number' ? null : 'a number';
  }
  if (type === 'bool') {
    return typeof value === 'boolean' ? null : 'a boolean';
  }
  if (type === 'bytes') {
    return typeof value === 'string' && /^[A-Za-z0-9+/]*={0,2}$/.test(value) ? null : 'base64';
  }
  return typeof value === 'string' ? null : 'a string';
}

class Validator {
  constructor(root) {
    this.root = root;
    this.errors = [];
    this.covered = new Map();  // message full name -> Set of covered field names
  }

  cover(type, field) {
    this.covered.get(type.fullName).add(field.name);
  }

  message(type, value, where) {
    if (!this.covered.has(type.fullName)) {
      this.covered.set(type.fullName, new Set());
    }
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.errors.push(`${where}: expected an object for ${type.fullName}`);
      return;
    }
    for (const [key, v] of Object.entries(value)) {
      const field = type.fields[key];
      if (!field) {
        this.errors.push(`${where}.${key}: no such field in ${type.fullName}`);
      } else if (field.map) {
        this.mapField(type, field, v, `${where}.${key}`);
      } else if (field.repeated) {
        this.repeatedField(type, field, v, `${where}.${key}`);
      } else if (this.single(field, v, `${where}.${key}`) || field.partOf) {
        this.cover(type, field);
      }
    }
  }

  mapField(type, field, value, where) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      this.errors.push(`${where}: expected an object for a map`);
      return;
    }
    for (const [k, v] of Object.entries(value)) {
      const keyError = field.keyType === 'string' ? null : scalarKindError(field.keyType,
          LONG_TYPES.has(field.keyType) ? k : Number(k));
      if (keyError) {
        this.errors.push(`${where}: key ${JSON.stringify(k)} is not ${keyError}`);
      }
      this.single(field, v, `${where}[${k}]`);
      this.cover(type, field);
    }
  }

  repeatedField(type, field, value, where) {
    if (!Array.isArray(value)) {
      this.errors.push(`${where}: expected an array`);
      return;
    }
    value.forEach((v, i) => {
      if (this.single(field, v, `${where}[${i}]`)) {
        this.cover(type, field);
      }
    });
  }

  // Checks one value of `field`'s element type; returns whether it is non-default.
  single(field, value, where) {
    const resolved = field.resolvedType;
    if (resolved instanceof protobuf.Type) {
      this.message(resolved, value, where);
      return true;
    }
    if (resolved instanceof protobuf.Enum) {
      if (!(value in resolved.values)) {
        this.errors.push(`${where}: ${JSON.stringify(value)} is not a ${resolved.fullName}`);
        return false;
      }
      return resolved.values[value] !== 0;
    }
    const kindError = scalarKindError(field.type, value);
    if (kindError) {
      this.errors.push(`${where}: ${JSON.stringify(value)} is not ${kindError}`);
      return false;
    }
    return !isDefaultScalar(field.type, value);
  }

  // Fields of reached types never set to a non-default value. An enum field whose enum has
  // only the zero value cannot be set and is skipped.
  coverageErrors() {
    const out = [];
    for (const [name, fields] of this.covered) {
      for (const field of this.root.lookupType(name).fieldsArray) {
        const onlyZero = field.resolvedType instanceof protobuf.Enum &&
            Object.values(field.resolvedType.values).every((n) => n === 0);
        if (!fields.has(field.name) && !onlyZero) {
          out.push(`coverage: ${name}.${field.name} is never set to a non-default value`);
        }
      }
    }
    return out;
  }
}

function validate(ourDir, cases) {
  const root = loadTree(ourDir, listProtos(ourDir));
  const v = new Validator(root);
  const names = new Set();
  for (const c of cases) {
    if (names.has(c.name)) {
      v.errors.push(`${c.name}: duplicate case name`);
    }
    names.add(c.name);
    const type = root.lookup(c.type);
    if (!(type instanceof protobuf.Type)) {
      v.errors.push(`${c.name}: no message ${c.type} in our protos`);
      continue;
    }
    v.message(type, c.value, c.name);
  }
  const errors = v.errors.concat(v.coverageErrors());
  console.log(`validate: ${cases.length} cases, ${v.covered.size} message types covered`);
  return errors;
}

// ---- encode / check with fabric-protos ----

// Puts a toObject result in the form both sides can be compared in, following the Fabric
// schema (`type`): keys of 64-bit-keyed maps, which protobufjs decodes as 8-char hash
// strings, become decimal strings; and scalars holding their proto3 default outside a oneof
// are dropped, as they never reach the wire.
function canonicalize(type, obj) {
  for (const field of type.fieldsArray) {
    const value = obj[field.name];
    if (value === undefined) {
      continue;
    }
    const sub = field.resolvedType instanceof protobuf.Type ? field.resolvedType : null;
    if (field.map) {
      obj[field.name] = canonicalMap(field, sub, value);
    } else if (sub && field.repeated) {
      value.forEach((v) => canonicalize(sub, v));
    } else if (sub) {
      canonicalize(sub, value);
    } else if (!field.repeated && !field.partOf && isDefaultValue(field, value)) {
      delete obj[field.name];
    }
  }
  return obj;
}

function isDefaultValue(field, value) {
  if (field.resolvedType instanceof protobuf.Enum) {
    return field.resolvedType.values[value] === 0 || value === 0;
  }
  return isDefaultScalar(field.type, value);
}

function canonicalMap(field, sub, value) {
  const out = {};
  for (const [k, v] of Object.entries(value)) {
    const key = LONG_TYPES.has(field.keyType) && !/^-?\d+$/.test(k) ?
      protobuf.util.longFromHash(k, field.keyType[0] === 'u' || field.keyType === 'fixed64')
          .toString() :
      k;
    out[key] = sub ? canonicalize(sub, v) : v;
  }
  return out;
}

// Appends to `diffs` every difference between `want` and `got` below `where`.
function deepDiff(want, got, where, diffs) {
  if (want !== null && typeof want === 'object' && got !== null && typeof got === 'object') {
    if (Array.isArray(want) !== Array.isArray(got)) {
      diffs.push(`${where}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
      return;
    }
    const keys = new Set([...Object.keys(want), ...Object.keys(got)]);
    for (const k of keys) {
      if (!(k in got)) {
        diffs.push(`${where}.${k}: missing, expected ${JSON.stringify(want[k])}`);
      } else if (!(k in want)) {
        diffs.push(`${where}.${k}: unexpected ${JSON.stringify(got[k])}`);
      } else {
        deepDiff(want[k], got[k], `${where}.${k}`, diffs);
      }
    }
  } else if (want !== got) {
    diffs.push(`${where}: expected ${JSON.stringify(want)}, got ${JSON.stringify(got)}`);
  }
}

function encodeCase(c) {
  const cls = fabricClass(c.type);
  return Buffer.from(cls.encode(cls.fromObject(c.value)).finish());
}

function encodeAll(dir, cases) {
  fs.mkdirSync(dir, {recursive: true});
  for (const c of cases) {
    fs.writeFileSync(path.join(dir, `${c.name}.bin`), encodeCase(c));
  }
  console.log(`encode: wrote ${cases.length} messages encoded by fabric-protos to ${dir}`);
  return [];
}

function checkCase(fabricRoot, c, dir, stats) {
  const file = path.join(dir, `${c.name}.bin`);
  if (!fs.existsSync(file)) {
    return [`${c.name}: ${file} was not written`];
  }
  const bytes = fs.readFileSync(file);
  const cls = fabricClass(c.type);
  const type = fabricRoot.lookupType(c.type);
  let got;
  try {
    got = canonicalize(type, cls.toObject(cls.decode(bytes), TO_OBJECT));
  } catch (e) {
    return [`${c.name}: fabric-protos cannot decode our bytes: ${e.message}`];
  }
  const want = canonicalize(type, cls.toObject(cls.fromObject(c.value), TO_OBJECT));
  const diffs = [];
  deepDiff(want, got, c.name, diffs);
  if (diffs.length === 0 && bytes.equals(encodeCase(c))) {
    stats.identical++;
  }
  return diffs;
}

function checkAll(dir, cases) {
  const fabricRoot = loadTree(FABRIC_PROTOS_DIR, listProtos(FABRIC_PROTOS_DIR));
  const stats = {identical: 0};
  let failures = [];
  let failed = 0;
  for (const c of cases) {
    const diffs = checkCase(fabricRoot, c, dir, stats);
    if (diffs.length > 0) {
      failed++;
    }
    failures = failures.concat(diffs);
  }
  console.log(`check: ${cases.length - failed} of ${cases.length} messages from fabric-cpp ` +
      `decode as expected in fabric-protos; ` +
      `${stats.identical} byte-identical to fabric-protos's own encoding`);
  return failures;
}

function main() {
  const [mode, arg, casesFile] = process.argv.slice(2);
  if (!mode || !arg || !casesFile) {
    console.error('usage: node bytes_check.js validate|encode|check DIR CASES_JSON');
    process.exit(2);
  }
  const cases = loadCases(casesFile);
  const runs = {validate: validate, encode: encodeAll, check: checkAll};
  if (!runs[mode]) {
    console.error(`unknown mode ${mode}`);
    process.exit(2);
  }
  const errors = runs[mode](arg, cases);
  for (const e of errors) {
    console.log(`${mode}: FAIL ${e}`);
  }
  process.exit(errors.length === 0 ? 0 : 1);
}

main();
