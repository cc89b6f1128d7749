// Generates src/temporal/lite/descriptor.ts: the part of the Temporal API descriptor (from
// @temporalio/proto) that the light WorkflowService reads. Only the closure of the messages below
// is kept, and the messages in TRIM keep only the fields the inspect code reads: protobuf decoding
// skips unknown fields, so a trimmed message still decodes a full one. Run it after an SDK upgrade:
//   node scripts/gen-lite-descriptor.mjs
import { writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
export const descriptorPath = join(root, 'src', 'temporal', 'lite', 'descriptor.ts');

const SERVICE = 'temporal.api.workflowservice.v1';
/** The WorkflowService methods the light service offers. */
export const LITE_METHODS = [
  'ListWorkflowExecutions',
  'GetWorkflowExecutionHistoryReverse',
  'DescribeWorkflowExecution',
  'CountWorkflowExecutions',
];

/** The enums the inspect code names values of. */
export const LITE_ENUMS = [
  'EventType',
  'PendingActivityState',
  'PendingWorkflowTaskState',
  'RetryState',
  'TimeoutType',
  'WorkflowExecutionStatus',
  'WorkflowTaskFailedCause',
].map((name) => `temporal.api.enums.v1.${name}`);

/** Messages cut down to the fields the inspect code reads (every other message keeps all its fields). */
export const TRIM = {
  'temporal.api.history.v1.HistoryEvent': [
    'eventId',
    'eventTime',
    'eventType',
    'workflowExecutionCompletedEventAttributes',
    'workflowExecutionFailedEventAttributes',
    'workflowExecutionTimedOutEventAttributes',
    'workflowExecutionTerminatedEventAttributes',
    'workflowExecutionCanceledEventAttributes',
    'workflowExecutionContinuedAsNewEventAttributes',
    'workflowTaskFailedEventAttributes',
  ],
};

const noLeadingDot = (name) => name.replace(/^\./, '');

/** The protobufjs Root of the whole Temporal API, as the SDK loads it. */
export function loadFullRoot() {
  const require = createRequire(import.meta.url);
  const full = require('@temporalio/proto/protos/json-module');
  full.resolveAll();
  return full;
}

function keptFields(type) {
  const keep = TRIM[noLeadingDot(type.fullName)];
  if (!keep) return type.fieldsArray;
  for (const name of keep)
    if (!type.fields[name]) throw new Error(`TRIM: ${type.fullName} has no field "${name}"`);
  return type.fieldsArray.filter((field) => keep.includes(field.name));
}

/** Every type and enum the roots need, by full name (no leading dot). */
function closure(full, roots) {
  const seen = new Map();
  const visit = (object) => {
    const name = noLeadingDot(object.fullName);
    if (seen.has(name)) return;
    seen.set(name, object);
    // A nested message is written inside its parent, so the parent comes along.
    if (object.parent && object.parent.fieldsArray) visit(object.parent);
    if (!object.fieldsArray) return;
    for (const field of keptFields(object)) if (field.resolvedType) visit(field.resolvedType);
  };
  for (const name of roots) visit(full.lookup(name));
  return seen;
}

/** The JSON of one kept type or enum: its fields (trimmed), oneofs and values; no options or comments. */
function typeJson(object) {
  if (!object.fieldsArray) return { values: { ...object.values } };
  const json = { fields: {} };
  const fields = keptFields(object);
  for (const field of fields) {
    const entry = { type: field.type, id: field.id };
    if (field.keyType) entry.keyType = field.keyType;
    if (field.repeated) entry.rule = 'repeated';
    json.fields[field.name] = entry;
  }
  const names = new Set(fields.map((field) => field.name));
  for (const oneof of object.oneofsArray) {
    const members = oneof.oneof.filter((name) => names.has(name));
    // proto3 `optional` fields are synthetic oneofs of one member: keep them as protobufjs wrote them.
    if (members.length > 0) (json.oneofs ??= {})[oneof.name] = { oneof: members };
  }
  return json;
}

/** The trimmed descriptor as protobufjs INamespace JSON: types sorted by name, fields in declaration order. */
export function liteDescriptorJson(full = loadFullRoot()) {
  const roots = [
    ...LITE_METHODS.flatMap((method) => [`${SERVICE}.${method}Request`, `${SERVICE}.${method}Response`]),
    ...LITE_ENUMS,
  ];
  const kept = closure(full, roots);
  const out = {};
  for (const name of [...kept.keys()].sort()) {
    let node = out;
    for (const part of name.split('.')) {
      node.nested ??= {};
      node = node.nested[part] ??= {};
    }
    Object.assign(node, typeJson(kept.get(name)));
  }
  const service = full.lookupService(`${SERVICE}.WorkflowService`);
  const methods = {};
  for (const method of LITE_METHODS) {
    const m = service.methods[method];
    methods[method] = { requestType: m.requestType, responseType: m.responseType };
  }
  let node = out;
  for (const part of SERVICE.split('.')) node = node.nested[part];
  node.nested.WorkflowService = { methods };
  return out;
}

/** JSON with each leaf object (a field, a oneof, a method) on one line: Prettier keeps those as they are. */
function compactJson(value, indent = '') {
  const isLeaf = (v) =>
    Object.values(v).every((x) => x === null || typeof x !== 'object' || Array.isArray(x));
  if (value === null || typeof value !== 'object' || Array.isArray(value) || isLeaf(value))
    return JSON.stringify(value)
      .replace(/([{,])/g, '$1 ')
      .replace(/}$/, ' }')
      .replace(/{ {2}}/, '{}');
  const inner = `${indent}  `;
  const entries = Object.entries(value).map(
    ([k, v]) => `${inner}${JSON.stringify(k)}: ${compactJson(v, inner)}`,
  );
  return `{\n${entries.join(',\n')}\n${indent}}`;
}

/** The text of src/temporal/lite/descriptor.ts as this script writes it now (Prettier-formatted). */
export async function liteDescriptorSource(full = loadFullRoot()) {
  const text = [
    '// Generated by scripts/gen-lite-descriptor.mjs from @temporalio/proto: do not edit.',
    "import type { DescriptorNode } from './descriptor-shape.js';",
    '',
    '/** The part of the Temporal API the light WorkflowService encodes and decodes. */',
    `export const liteDescriptor: DescriptorNode = ${compactJson(liteDescriptorJson(full))};`,
    '',
  ].join('\n');
  const prettier = await import('prettier');
  const options = await prettier.resolveConfig(descriptorPath);
  return prettier.format(text, { ...options, filepath: descriptorPath });
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  writeFileSync(descriptorPath, await liteDescriptorSource());
  process.stderr.write(`wrote ${descriptorPath}\n`);
}
