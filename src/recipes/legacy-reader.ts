// The hand-written reader that workflows/ensure-worker.ts still imports through validate.ts and
// clean-start-input.ts. Recipe inputs are parsed by their zod schemas; delete this file once
// ensure-worker.ts imports parseEnsureWorkerInput from ./ensure-worker-input.js.
import { parseWith, type InputProblem } from './validate.js';
import { workerFieldsSchema, type WorkerFields } from './worker-fields.js';

export const WORKER_FIELDS = [
  'projectDir',
  'taskQueue',
  'workerCommand',
  'project',
  'env',
  'readyTimeoutSeconds',
  'graceSeconds',
  'host',
] as const;

/** Collects problems while reading an untrusted object field by field. */
export class InputReader {
  readonly problems: InputProblem[] = [];
  constructor(
    readonly source: Record<string, unknown>,
    private readonly prefix = '',
  ) {}

  private path(key: string): string {
    return this.prefix ? `${this.prefix}.${key}` : key;
  }

  problem(key: string, value: unknown, expected: string): undefined {
    this.problems.push({ field: this.path(key), value, expected });
    return undefined;
  }

  string(key: string): string | undefined {
    const value = this.source[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'string' || value.trim() === '')
      return this.problem(key, value, 'a non-empty string');
    return value;
  }

  number(key: string, opts: { min: number; max: number }): number | undefined {
    const value = this.source[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'number' || !Number.isFinite(value) || value < opts.min || value > opts.max) {
      return this.problem(key, value, `a number from ${opts.min} to ${opts.max}`);
    }
    return value;
  }

  object(key: string): InputReader | undefined {
    const value = this.source[key];
    if (value === undefined) return undefined;
    if (!isRecord(value)) return this.problem(key, value, 'an object');
    const child = new InputReader(value, this.path(key));
    child.problems.push = (...items) => this.problems.push(...items);
    return child;
  }

  /** Flags keys that are not in `known` (catches typos such as `taskqueue`). */
  rejectUnknown(known: readonly string[]): void {
    for (const key of Object.keys(this.source)) {
      if (!known.includes(key))
        this.problem(key, this.source[key], `no such field (known: ${known.join(', ')})`);
    }
  }
}

/** A plain object (not null, not an array). */
export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads the worker fields through their schema; problems go to the reader. */
export function readWorkerFields(reader: InputReader): WorkerFields {
  const picked = Object.fromEntries(
    WORKER_FIELDS.filter((key) => key in reader.source).map((key) => [key, reader.source[key]]),
  );
  const parsed = parseWith(workerFieldsSchema, picked);
  reader.problems.push(...parsed.problems);
  return parsed.input ?? { projectDir: '', taskQueue: '' };
}
