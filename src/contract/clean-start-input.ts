// CleanStart's input: parsed and checked before any step runs.
import type { z } from 'zod';
import { numberIn, recipeObject } from './fields.js';
import { replayGateSchema, resultRuleSchema } from './rule-schemas.js';
import { parseWith, type InputProblem } from './validate.js';
import { startSchema, workerFieldsShape } from './worker-fields.js';
import { DEFAULTS } from '../defaults.js';

export type { StartSpec, WorkerFields } from './worker-fields.js';

export const cleanStartInputSchema = recipeObject({
  ...workerFieldsShape,
  start: startSchema,
  resultTimeoutSeconds: numberIn(1, 86_400)
    .describe(`Seconds to wait for the target workflow to close (default ${DEFAULTS.resultTimeoutSeconds}).`)
    .optional(),
  resultRule: resultRuleSchema.optional(),
  replayGate: replayGateSchema.optional(),
}).describe(
  'CleanStart: stop stale workers, verify the server, start one fresh worker, wait until it polls, run the target workflow and check its result.',
);

export type CleanStartInput = z.output<typeof cleanStartInputSchema>;

/** Parses raw input; returns the problems found (all of them) or the typed input. */
export function parseCleanStartInput(raw: unknown): { input?: CleanStartInput; problems: InputProblem[] } {
  return parseWith(cleanStartInputSchema, raw);
}
