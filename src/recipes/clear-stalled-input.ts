// ClearStalledEnvironment's input. Pure: used by the workflow and the CLI.
import { VERDICTS, type DiagnosisPolicy, type Verdict } from '../diagnosis/verdicts.js';
import { readWorkerFields, WORKER_FIELDS, type WorkerFields } from './clean-start-input.js';
import type { ClearMode } from './clear-plan.js';
import { readPolicy } from './debug-stalled-input.js';
import { InputReader, isRecord, type InputProblem } from './validate.js';

export interface ClearStalledInput {
  /** Visibility filter ANDed with ExecutionStatus = "Running". */
  query?: string;
  /** Only workflows on this task queue. */
  taskQueue?: string;
  /** `auto` (default): cancel where workflow code still runs, terminate otherwise. */
  mode: ClearMode;
  /** Only findings with these verdicts (default: every stalled verdict). */
  verdicts?: Verdict[];
  /** Act without waiting for the `approve` update. */
  autoApprove: boolean;
  approvalTimeoutSeconds: number;
  /** Refuse to act on more than this many workflows (default 200). */
  maxWorkflows: number;
  reason: string;
  policy?: Partial<DiagnosisPolicy>;
  /** After clearing, start one fresh worker of this project (the runbook's kill + ensure worker). */
  restartWorker?: WorkerFields;
  host?: string;
}

const KNOWN = [
  'query',
  'taskQueue',
  'mode',
  'verdicts',
  'autoApprove',
  'approvalTimeoutSeconds',
  'maxWorkflows',
  'reason',
  'policy',
  'restartWorker',
  'host',
];
const MODES: ClearMode[] = ['auto', 'terminate', 'cancel'];
const STALLED: readonly Verdict[] = VERDICTS.filter((v) => v !== 'healthy-wait');

/** Parses raw input; returns every problem found, or the typed input. */
export function parseClearStalledInput(raw: unknown): {
  input?: ClearStalledInput;
  problems: InputProblem[];
} {
  if (raw === undefined || raw === null) raw = {};
  if (!isRecord(raw)) return { problems: [{ field: 'input', value: raw, expected: 'one JSON object' }] };
  const reader = new InputReader(raw);
  reader.rejectUnknown(KNOWN);
  const mode = reader.string('mode') ?? 'auto';
  if (!MODES.includes(mode as ClearMode)) reader.problem('mode', raw.mode, `one of ${MODES.join(', ')}`);
  const verdicts = reader.array('verdicts');
  verdicts?.forEach((v, i) => {
    if (!STALLED.includes(v as Verdict))
      reader.problem(`verdicts[${i}]`, v, `a stalled verdict (${STALLED.join(', ')})`);
  });
  const worker = reader.object('restartWorker');
  const restartWorker = worker ? readWorkerFields(worker) : undefined;
  worker?.rejectUnknown(WORKER_FIELDS);
  const input: ClearStalledInput = {
    query: reader.string('query'),
    taskQueue: reader.string('taskQueue'),
    mode: mode as ClearMode,
    verdicts: verdicts as Verdict[] | undefined,
    autoApprove: reader.boolean('autoApprove') ?? false,
    approvalTimeoutSeconds: reader.number('approvalTimeoutSeconds', { min: 1, max: 7 * 86_400 }) ?? 3600,
    maxWorkflows: reader.number('maxWorkflows', { min: 1, max: 10_000 }) ?? 200,
    reason: reader.string('reason') ?? 'temporal-ops ClearStalledEnvironment',
    policy: readPolicy(reader),
    restartWorker,
    host: reader.string('host'),
  };
  return reader.problems.length > 0 ? { problems: reader.problems } : { input, problems: [] };
}
