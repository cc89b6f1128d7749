// EnsureWorker's input: parsed and checked before any step runs.
import { readWorkerFields, WORKER_FIELDS, type WorkerFields } from './clean-start-input.js';
import { InputReader, isRecord, type InputProblem } from './validate.js';

export interface EnsureWorkerInput extends WorkerFields {
  /** `ensure` (default) replaces, `start` keeps a running worker, `restart` replaces. */
  mode?: 'ensure' | 'start' | 'restart';
  restartOnCrash?: {
    maxRestarts?: number;
    initialDelayMs?: number;
    maxDelayMs?: number;
    resetAfterMs?: number;
  };
}

/** Parses raw input; every problem is reported, naming the field and the value. */
export function parseEnsureWorkerInput(raw: unknown): {
  input?: EnsureWorkerInput;
  problems: InputProblem[];
} {
  if (!isRecord(raw)) return { problems: [{ field: 'input', value: raw, expected: 'one JSON object' }] };
  const reader = new InputReader(raw);
  reader.rejectUnknown([...WORKER_FIELDS, 'mode', 'restartOnCrash']);
  const input: EnsureWorkerInput = readWorkerFields(reader);
  const mode = reader.string('mode');
  if (mode !== undefined && !['ensure', 'start', 'restart'].includes(mode))
    reader.problem('mode', mode, 'one of ensure, start, restart');
  else if (mode) input.mode = mode as EnsureWorkerInput['mode'];
  const crash = reader.object('restartOnCrash');
  if (crash) {
    crash.rejectUnknown(['maxRestarts', 'initialDelayMs', 'maxDelayMs', 'resetAfterMs']);
    input.restartOnCrash = {
      maxRestarts: crash.number('maxRestarts', { min: 0, max: 100 }),
      initialDelayMs: crash.number('initialDelayMs', { min: 0, max: 3_600_000 }),
      maxDelayMs: crash.number('maxDelayMs', { min: 0, max: 3_600_000 }),
      resetAfterMs: crash.number('resetAfterMs', { min: 0, max: 86_400_000 }),
    };
  }
  return reader.problems.length > 0 ? { problems: reader.problems } : { input, problems: [] };
}

