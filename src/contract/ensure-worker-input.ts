// EnsureWorker's input: a worker of the target project, how to treat a running one, and whether
// its host's control worker restarts it after crashes.
import type { z } from 'zod';
import { numberIn, oneOf, recipeObject, strict } from './fields.js';
import { replayGateSchema } from './rule-schemas.js';
import { parseWith, type InputProblem } from './validate.js';
import { workerFieldsShape } from './worker-fields.js';

const restartOnCrashSchema = strict(
  {
    maxRestarts: numberIn(0, 100).describe('Give up after this many restarts in a row.').optional(),
    initialDelayMs: numberIn(0, 3_600_000)
      .describe('Delay before the first restart (ms); it doubles up to maxDelayMs.')
      .optional(),
    maxDelayMs: numberIn(0, 3_600_000).describe('Longest delay between restarts (ms).').optional(),
    resetAfterMs: numberIn(0, 86_400_000)
      .describe('A worker that ran this long (ms) resets the restart count.')
      .optional(),
  },
  'an object such as {"maxRestarts": 5}',
).describe("Keep restarting the worker after crashes, on its host's control worker.");

export const ensureWorkerInputSchema = recipeObject({
  ...workerFieldsShape,
  mode: oneOf(['ensure', 'start', 'restart'])
    .describe('"ensure" (default) and "restart" replace running workers; "start" keeps a running one.')
    .optional(),
  restartOnCrash: restartOnCrashSchema.optional(),
  replayGate: replayGateSchema.optional(),
}).describe("EnsureWorker: stop the project's workers, start one fresh, wait until the server sees it poll.");

export type EnsureWorkerInput = z.output<typeof ensureWorkerInputSchema>;

/** Parses raw input; every problem is reported, naming the field and the value. */
export function parseEnsureWorkerInput(raw: unknown): {
  input?: EnsureWorkerInput;
  problems: InputProblem[];
} {
  return parseWith(ensureWorkerInputSchema, raw);
}
