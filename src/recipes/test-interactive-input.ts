// TestInteractive's input: a worker, a target workflow, and the signals, updates and queries to
// drive it through, each with an optional expectation.
import type { ResultRule } from '../diagnosis/result-check.js';
import {
  readStart,
  readWorkerFields,
  WORKER_FIELDS,
  type StartSpec,
  type WorkerFields,
} from './clean-start-input.js';
import { InputReader, isRecord, type InputProblem } from './validate.js';

export type InteractionKind = 'signal' | 'update' | 'query';

export interface Interaction {
  kind: InteractionKind;
  name: string;
  args: unknown[];
  /** Partial match on the update result or query answer. */
  expect?: unknown;
  /** The update must be rejected with a message containing this text (e.g. a validator). */
  expectError?: string;
}

export interface TestInteractiveInput extends WorkerFields {
  start: StartSpec;
  interactions: Interaction[];
  /** Partial match on the final result. */
  expectResult?: unknown;
  resultTimeoutSeconds?: number;
  resultRule?: Partial<ResultRule>;
  /** Stop the worker when done, as the runbook's cleanup says (default true). */
  stopWorkerAfter?: boolean;
}

const KINDS: InteractionKind[] = ['signal', 'update', 'query'];
const KNOWN = [
  ...WORKER_FIELDS,
  'start',
  'interactions',
  'expectResult',
  'resultTimeoutSeconds',
  'resultRule',
  'stopWorkerAfter',
];

function readInteraction(reader: InputReader, index: number, raw: unknown): Interaction | undefined {
  const field = `interactions[${index}]`;
  if (!isRecord(raw))
    return reader.problem(field, raw, 'an object such as {"signal": "approve", "args": [...]}');
  const kinds = KINDS.filter((kind) => raw[kind] !== undefined);
  if (kinds.length !== 1) return reader.problem(field, raw, 'exactly one of "signal", "update" or "query"');
  const kind = kinds[0]!;
  const item = new InputReader(raw, field);
  item.rejectUnknown([
    kind,
    'args',
    ...(kind === 'signal' ? [] : ['expect']),
    ...(kind === 'update' ? ['expectError'] : []),
  ]);
  const name = item.string(kind, { required: true });
  const args = item.array('args') ?? [];
  const expectError = item.string('expectError');
  reader.problems.push(...item.problems);
  if (!name || item.problems.length > 0) return undefined;
  return {
    kind,
    name,
    args,
    ...('expect' in raw ? { expect: raw.expect } : {}),
    ...(expectError ? { expectError } : {}),
  };
}

/** Parses raw input; returns every problem found, or the typed input. */
export function parseTestInteractiveInput(raw: unknown): {
  input?: TestInteractiveInput;
  problems: InputProblem[];
} {
  if (!isRecord(raw)) return { problems: [{ field: 'input', value: raw, expected: 'one JSON object' }] };
  const reader = new InputReader(raw);
  reader.rejectUnknown(KNOWN);
  const worker = readWorkerFields(reader);
  const start = readStart(reader);
  const list = reader.array('interactions');
  if (list === undefined)
    reader.problem('interactions', undefined, 'a non-empty array of signals, updates and queries');
  else if (list.length === 0)
    reader.problem('interactions', list, 'a non-empty array of signals, updates and queries');
  const interactions = (list ?? []).map((item, i) => readInteraction(reader, i, item));
  const input: TestInteractiveInput = {
    ...worker,
    start: start ?? { command: '' },
    interactions: interactions.filter((i): i is Interaction => i !== undefined),
    ...('expectResult' in raw ? { expectResult: raw.expectResult } : {}),
    resultTimeoutSeconds: reader.number('resultTimeoutSeconds', { min: 1, max: 86_400 }),
    resultRule: reader.object('resultRule') ? (raw.resultRule as Partial<ResultRule>) : undefined,
    stopWorkerAfter: reader.boolean('stopWorkerAfter'),
  };
  return reader.problems.length > 0 ? { problems: reader.problems } : { input, problems: [] };
}
