// SPDX-License-Identifier: Apache-2.0
//
// Schema conformance: every message, enum and service fabric-cpp defines in protos/ must be
// Fabric 2.2's (npm fabric-protos), name for name and number for number, and every definition
// Fabric has in the files we mirror must exist in ours.
//
// Usage: node schema_check.js OUR_PROTOS_DIR
// Exits 0 when there is no difference, 1 otherwise (each difference is printed).
'use strict';

const {
  FABRIC_PROTOS_DIR, forEachDefinition, listProtos, loadTree, protobuf, relativeFile,
} = require('./proto_roots');

// The files fabric-cpp must provide (see protos/). Others we add are checked too.
const REQUIRED_FILES = [
  'common/common.proto', 'common/configtx.proto', 'common/configuration.proto',
  'common/policies.proto', 'common/ledger.proto',
  'msp/identities.proto', 'msp/msp_config.proto', 'msp/msp_principal.proto',
  'peer/proposal.proto', 'peer/proposal_response.proto', 'peer/chaincode.proto',
  'peer/chaincode_shim.proto', 'peer/chaincode_event.proto', 'peer/transaction.proto',
  'peer/events.proto', 'peer/query.proto', 'peer/peer.proto', 'peer/configuration.proto',
  'peer/policy.proto', 'peer/signed_cc_dep_spec.proto',
  'orderer/ab.proto', 'orderer/configuration.proto',
  'ledger/rwset/rwset.proto', 'ledger/rwset/kvrwset/kv_rwset.proto',
  'ledger/queryresult/kv_query_result.proto',
];

// Our files for records Fabric declares as Go structs with protobuf tags, not in .proto files
// (lscc's ChaincodeData and CDSData): fabric-protos has nothing to compare them with.
const GO_STRUCT_RECORD_DIRS = ['ccprovider/'];

// Other systems' wire APIs that fabric-cpp calls (etcd's, for the orderer cluster's log):
// not Fabric's, so nothing to compare them with.
const OTHER_API_DIRS = ['etcd/'];

// fabric-cpp's own messages, which no Fabric node reads: the orderer cluster's log entries, block
// metadata and consensus metadata (consensus type etcd).
const OWN_MESSAGE_DIRS = ['orderer/cluster/'];

// Fabric 1.4 files that Fabric 2.x (and so fabric-protos 2.2) dropped: the Admin service of the
// 1.4 peer. Their field numbers follow Fabric 1.4.12's protos/peer/admin.proto; the Admin service
// is exercised by Fabric 1.4.12's own CLI (docs/parity.md).
const FABRIC_14_ONLY_FILES = ['peer/admin.proto'];

// Our deliberate additions: full enum name -> {value name: number}.
const ALLOWED_ENUM_ADDITIONS = {
  '.protos.ChaincodeSpec.Type': {CPP: 5, EXTERNAL: 6},
};

// Describes a field's wire-relevant shape as one comparable string.
function fieldShape(field) {
  const type = field.resolvedType ? field.resolvedType.fullName : field.type;
  const parts = [`${field.name} = ${field.id}`];
  if (field.map) {
    parts.push(`map<${field.keyType}, ${type}>`);
  } else {
    parts.push(field.repeated ? `repeated ${type}` : type);
  }
  if (field.partOf) {
    parts.push(`oneof ${field.partOf.name}`);
  }
  if (field.repeated && !field.map && protobuf.types.packed[field.type] !== undefined) {
    parts.push(field.packed ? 'packed' : 'unpacked');
  }
  return parts.join(' ');
}

function reservedShape(obj) {
  return JSON.stringify((obj.reserved || []).map((r) => (Array.isArray(r) ? r.join('-') : r))
      .sort());
}

function compareType(ours, theirs, diffs) {
  const name = ours.fullName;
  const ourFields = new Map(ours.fieldsArray.map((f) => [f.name, f]));
  const theirFields = new Map(theirs.fieldsArray.map((f) => [f.name, f]));
  for (const [fname, field] of ourFields) {
    const other = theirFields.get(fname);
    if (!other) {
      diffs.push(`${name}: field ${fname} is not in Fabric`);
    } else if (fieldShape(field) !== fieldShape(other)) {
      diffs.push(`${name}: field differs: ours "${fieldShape(field)}", ` +
          `Fabric "${fieldShape(other)}"`);
    }
  }
  for (const fname of theirFields.keys()) {
    if (!ourFields.has(fname)) {
      diffs.push(`${name}: missing Fabric field ${fieldShape(theirFields.get(fname))}`);
    }
  }
  const ourOneofs = Object.keys(ours.oneofs || {}).sort().join(',');
  const theirOneofs = Object.keys(theirs.oneofs || {}).sort().join(',');
  if (ourOneofs !== theirOneofs) {
    diffs.push(`${name}: oneofs differ: ours [${ourOneofs}], Fabric [${theirOneofs}]`);
  }
  if (reservedShape(ours) !== reservedShape(theirs)) {
    diffs.push(`${name}: reserved differs: ours ${reservedShape(ours)}, ` +
        `Fabric ${reservedShape(theirs)}`);
  }
}

function compareEnum(ours, theirs, diffs) {
  const name = ours.fullName;
  const allowed = ALLOWED_ENUM_ADDITIONS[name] || {};
  for (const [vname, num] of Object.entries(ours.values)) {
    if (!(vname in theirs.values)) {
      if (allowed[vname] !== num) {
        diffs.push(`${name}: value ${vname} = ${num} is not in Fabric`);
      }
    } else if (theirs.values[vname] !== num) {
      diffs.push(`${name}: value ${vname} is ${num}, Fabric has ${theirs.values[vname]}`);
    }
  }
  for (const [vname, num] of Object.entries(theirs.values)) {
    if (!(vname in ours.values)) {
      diffs.push(`${name}: missing Fabric value ${vname} = ${num}`);
    }
  }
  if (reservedShape(ours) !== reservedShape(theirs)) {
    diffs.push(`${name}: reserved differs: ours ${reservedShape(ours)}, ` +
        `Fabric ${reservedShape(theirs)}`);
  }
}

function methodShape(m) {
  const req = `${m.requestStream ? 'stream ' : ''}${m.resolvedRequestType.fullName}`;
  const resp = `${m.responseStream ? 'stream ' : ''}${m.resolvedResponseType.fullName}`;
  return `${m.name}(${req}) returns (${resp})`;
}

function compareService(ours, theirs, diffs) {
  const name = ours.fullName;
  const theirMethods = new Map(theirs.methodsArray.map((m) => [m.name, m]));
  for (const m of ours.methodsArray) {
    const other = theirMethods.get(m.name);
    if (!other) {
      diffs.push(`${name}: method ${m.name} is not in Fabric`);
    } else if (methodShape(m) !== methodShape(other)) {
      diffs.push(`${name}: method differs: ours ${methodShape(m)}, Fabric ${methodShape(other)}`);
    }
    theirMethods.delete(m.name);
  }
  for (const m of theirMethods.values()) {
    diffs.push(`${name}: missing Fabric method ${methodShape(m)}`);
  }
}

function kindOf(obj) {
  if (obj instanceof protobuf.Type) {
    return 'message';
  }
  return obj instanceof protobuf.Enum ? 'enum' : 'service';
}

// Compares every definition of `ourRoot` with `fabricRoot`; returns the count compared.
function compareDefinitions(ourRoot, ourDir, fabricRoot, diffs) {
  let count = 0;
  forEachDefinition(ourRoot, (ours) => {
    if (ours.fullName.startsWith('.google.')) {
      return;
    }
    count++;
    const theirs = fabricRoot.lookup(ours.fullName);
    if (!theirs || kindOf(theirs) !== kindOf(ours)) {
      diffs.push(`${ours.fullName}: ${kindOf(ours)} is not in Fabric`);
      return;
    }
    const ourFile = relativeFile(ours, ourDir);
    const theirFile = relativeFile(theirs, FABRIC_PROTOS_DIR);
    if (ourFile !== theirFile) {
      diffs.push(`${ours.fullName}: defined in ${ourFile}, Fabric defines it in ${theirFile}`);
    }
    if (ours instanceof protobuf.Type) {
      compareType(ours, theirs, diffs);
    } else if (ours instanceof protobuf.Enum) {
      compareEnum(ours, theirs, diffs);
    } else {
      compareService(ours, theirs, diffs);
    }
  });
  return count;
}

// Reports Fabric definitions in files we mirror that we do not define.
function findMissing(ourRoot, ourFiles, fabricRoot, diffs) {
  const mirrored = new Set(ourFiles);
  forEachDefinition(fabricRoot, (theirs) => {
    const file = relativeFile(theirs, FABRIC_PROTOS_DIR);
    if (mirrored.has(file) && !ourRoot.lookup(theirs.fullName)) {
      diffs.push(`${theirs.fullName}: Fabric ${kindOf(theirs)} in ${file} is missing`);
    }
  });
}

function main() {
  const ourDir = process.argv[2];
  if (!ourDir) {
    console.error('usage: node schema_check.js OUR_PROTOS_DIR');
    process.exit(2);
  }
  const diffs = [];
  const ourFiles = listProtos(ourDir)
      .filter((f) => !GO_STRUCT_RECORD_DIRS.some((dir) => f.startsWith(dir)))
      .filter((f) => !OTHER_API_DIRS.some((dir) => f.startsWith(dir)))
      .filter((f) => !OWN_MESSAGE_DIRS.some((dir) => f.startsWith(dir)))
      .filter((f) => !FABRIC_14_ONLY_FILES.includes(f));
  for (const f of REQUIRED_FILES) {
    if (!ourFiles.includes(f)) {
      diffs.push(`${f}: required file is missing`);
    }
  }
  const fabricFiles = listProtos(FABRIC_PROTOS_DIR);
  for (const f of ourFiles) {
    if (!fabricFiles.includes(f)) {
      diffs.push(`${f}: Fabric has no such file`);
    }
  }
  const ourRoot = loadTree(ourDir, ourFiles);
  const fabricRoot = loadTree(FABRIC_PROTOS_DIR, fabricFiles);
  const count = compareDefinitions(ourRoot, ourDir, fabricRoot, diffs);
  findMissing(ourRoot, ourFiles, fabricRoot, diffs);

  for (const d of diffs) {
    console.log(`schema: FAIL ${d}`);
  }
  console.log(`schema: ${ourFiles.length} files, ${count} definitions compared with ` +
      `fabric-protos, ${diffs.length} differences`);
  process.exit(diffs.length === 0 ? 0 : 1);
}

main();
