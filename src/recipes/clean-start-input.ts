// CleanStart's input: parsed and checked before any step runs.
import type { ResultRule } from '../diagnosis/result-check.js';
import { InputReader, isRecord, type InputProblem } from './validate.js';

export type StartSpec =
  | { workflowType: string; args: unknown[]; workflowId?: string }
  | { command: string; workflowIdPattern?: string };

/** Fields of every recipe that runs a fresh worker of the target project. */
export interface WorkerFields {
  projectDir: string;
  taskQueue: string;
  /** Omitted: TEMPORAL_WORKER_CMD on the control worker, else "uv run worker". */
  workerCommand?: string;
  /** Name used for pid and log files; default: the last part of projectDir. */
  project?: string;
  env?: Record<string, string>;
  readyTimeoutSeconds?: number;
  graceSeconds?: number;
  /** Route process activities to the control worker of this host. */
  host?: string;
}

export interface CleanStartInput extends WorkerFields {
  start: StartSpec;
  resultTimeoutSeconds?: number;
  resultRule?: Partial<ResultRule>;
}

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

const KNOWN = [...WORKER_FIELDS, 'start', 'resultTimeoutSeconds', 'resultRule'] as const;

/** Reads `start`: a workflow type with args, or a starter command. */
export function readStart(reader: InputReader): StartSpec | undefined {
  const start = reader.object('start', { required: true });
  if (!start) return undefined;
  if (start.has('command') && start.has('workflowType')) {
    start.problem('command', 'and workflowType', 'either start.command or start.workflowType, not both');
    return undefined;
  }
  if (start.has('command')) {
    start.rejectUnknown(['command', 'workflowIdPattern']);
    const command = start.string('command', { required: true });
    const workflowIdPattern = start.string('workflowIdPattern');
    return command ? { command, ...(workflowIdPattern ? { workflowIdPattern } : {}) } : undefined;
  }
  start.rejectUnknown(['workflowType', 'args', 'workflowId']);
  const workflowType = start.string('workflowType', { required: true });
  const args = start.array('args') ?? [];
  const workflowId = start.string('workflowId');
  return workflowType ? { workflowType, args, ...(workflowId ? { workflowId } : {}) } : undefined;
}

/** Reads the fields of WorkerFields; problems go to the reader. */
export function readWorkerFields(reader: InputReader): WorkerFields {
  return {
    projectDir: reader.string('projectDir', { required: true, absolutePath: true }) ?? '',
    taskQueue: reader.string('taskQueue', { required: true }) ?? '',
    workerCommand: reader.string('workerCommand'),
    project: reader.string('project'),
    env: reader.stringMap('env'),
    readyTimeoutSeconds: reader.number('readyTimeoutSeconds', { min: 1, max: 600 }),
    graceSeconds: reader.number('graceSeconds', { min: 0, max: 300 }),
    host: reader.string('host'),
  };
}

/** Parses raw input; returns the problems found (all of them) or the typed input. */
export function parseCleanStartInput(raw: unknown): { input?: CleanStartInput; problems: InputProblem[] } {
  if (!isRecord(raw)) return { problems: [{ field: 'input', value: raw, expected: 'one JSON object' }] };
  const reader = new InputReader(raw);
  reader.rejectUnknown(KNOWN);
  const worker = readWorkerFields(reader);
  const start = readStart(reader);
  const input: CleanStartInput = {
    ...worker,
    start: start ?? { command: '' },
    resultTimeoutSeconds: reader.number('resultTimeoutSeconds', { min: 1, max: 86_400 }),
    resultRule: reader.object('resultRule') ? (raw.resultRule as Partial<ResultRule>) : undefined,
  };
  return reader.problems.length > 0 ? { problems: reader.problems } : { input, problems: [] };
}
