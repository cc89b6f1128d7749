// DebugStalled's input: parsed and checked before any step runs. Pure: used by the workflow and the CLI.
import { defaultDiagnosisPolicy, type DiagnosisPolicy } from '../diagnosis/verdicts.js';
import { InputReader, isRecord, type InputProblem } from './validate.js';

export interface DebugStalledInput {
  /** Visibility filter ANDed with ExecutionStatus = "Running" (sweep mode). */
  query?: string;
  /** Only workflows on this task queue (sweep mode). */
  taskQueue?: string;
  /** Analyze this one workflow (any status) instead of sweeping. */
  workflowId?: string;
  runId?: string;
  policy?: Partial<DiagnosisPolicy>;
  /** Stalled findings kept in the report (default 200); counts always cover every run. */
  maxFindings?: number;
  /** Describe calls in flight during the sweep (default 24). */
  concurrency?: number;
  /** Run the inspection on the control worker of this host (its worker logs are read). */
  host?: string;
}

/** Stable failure types of DebugStalled's own activities. */
export const DebugStalledFailure = {
  TargetNotFound: 'TargetNotFoundError',
} as const;

const KNOWN = [
  'query',
  'taskQueue',
  'workflowId',
  'runId',
  'policy',
  'maxFindings',
  'concurrency',
  'host',
] as const;
const POLICY_KEYS = Object.keys(defaultDiagnosisPolicy) as (keyof DiagnosisPolicy)[];

/** Reads a diagnosis policy override; unknown keys and bad numbers are problems. */
export function readPolicy(reader: InputReader): Partial<DiagnosisPolicy> | undefined {
  const policy = reader.object('policy');
  if (!policy) return undefined;
  policy.rejectUnknown(POLICY_KEYS);
  const out: Partial<DiagnosisPolicy> = {};
  for (const key of POLICY_KEYS) {
    const value = policy.number(key, { min: 0, max: 365 * 24 * 3_600_000 });
    if (value !== undefined) out[key] = value;
  }
  return out;
}

/** Parses raw input; returns every problem found, or the typed input. */
export function parseDebugStalledInput(raw: unknown): {
  input?: DebugStalledInput;
  problems: InputProblem[];
} {
  if (raw === undefined || raw === null) raw = {};
  if (!isRecord(raw)) return { problems: [{ field: 'input', value: raw, expected: 'one JSON object' }] };
  const reader = new InputReader(raw);
  reader.rejectUnknown(KNOWN);
  const input: DebugStalledInput = {
    query: reader.string('query'),
    taskQueue: reader.string('taskQueue'),
    workflowId: reader.string('workflowId'),
    runId: reader.string('runId'),
    policy: readPolicy(reader),
    // A finding is 1-2 KB of JSON: 500 keep the report well under Temporal's 2 MB payload limit.
    maxFindings: reader.number('maxFindings', { min: 1, max: 500 }),
    concurrency: reader.number('concurrency', { min: 1, max: 64 }),
    host: reader.string('host'),
  };
  if (input.workflowId && (input.query || input.taskQueue)) {
    reader.problem(
      'workflowId',
      input.workflowId,
      'either workflowId (analyze one) or query/taskQueue (sweep), not both',
    );
  }
  if (input.runId && !input.workflowId)
    reader.problem('runId', input.runId, 'a runId only together with workflowId');
  if (input.concurrency !== undefined && !Number.isInteger(input.concurrency)) {
    reader.problem('concurrency', input.concurrency, 'an integer from 1 to 64');
  }
  if (reader.problems.length > 0) return { problems: reader.problems };
  const defined = Object.fromEntries(
    Object.entries(input).filter(([, v]) => v !== undefined),
  ) as DebugStalledInput;
  return { input: defined, problems: [] };
}
