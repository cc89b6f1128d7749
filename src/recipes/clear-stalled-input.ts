// ClearStalledEnvironment's input. Pure: used by the workflow and the CLI.
import { z } from 'zod';
import { VERDICTS, type Verdict } from '../diagnosis/verdicts.js';
import {
  approvalTimeoutField,
  flag,
  hostField,
  numberIn,
  oneOf,
  recipeObject,
  taskQueueField,
  text,
  visibilityQueryField,
} from './fields.js';
import { policySchema } from './rule-schemas.js';
import { parseWith, type InputProblem } from './validate.js';
import { workerFieldsSchema } from './worker-fields.js';

const STALLED = VERDICTS.filter((v) => v !== 'healthy-wait') as [Verdict, ...Verdict[]];

export const clearStalledInputSchema = recipeObject({
  query: visibilityQueryField
    .describe('Visibility filter ANDed with ExecutionStatus = "Running".')
    .optional(),
  taskQueue: taskQueueField.describe('Only workflows on this task queue.').optional(),
  mode: oneOf(['auto', 'terminate', 'cancel'])
    .default('auto')
    .describe('"auto" (default): cancel where workflow code still runs, terminate otherwise.'),
  verdicts: z
    .array(oneOf(STALLED, `a stalled verdict (${STALLED.join(', ')})`), {
      error: 'an array of stalled verdicts, such as ["no-worker"]',
    })
    .describe('Only findings with these verdicts (default: every stalled verdict).')
    .optional(),
  autoApprove: flag().default(false).describe('Act without waiting for the approve update (default false).'),
  approvalTimeoutSeconds: approvalTimeoutField.default(3600),
  maxWorkflows: numberIn(1, 10_000, { integer: true })
    .default(200)
    .describe('Refuse to act on more than this many workflows (default 200).'),
  reason: text('a non-empty reason of at most 1000 characters', 1000)
    .default('temporal-ops ClearStalledEnvironment')
    .describe('Reason recorded on each terminate or cancel.'),
  policy: policySchema.optional(),
  restartWorker: workerFieldsSchema
    .describe("After clearing, start one fresh worker of this project (the runbook's kill + ensure worker).")
    .optional(),
  host: hostField.optional(),
}).describe(
  'ClearStalledEnvironment: find the stalled target workflows, show the plan, and after approval cancel or terminate them.',
);

export type ClearStalledInput = z.output<typeof clearStalledInputSchema>;

/** Parses raw input (nothing at all clears every stall); returns every problem found, or the typed input. */
export function parseClearStalledInput(raw: unknown): {
  input?: ClearStalledInput;
  problems: InputProblem[];
} {
  return parseWith(clearStalledInputSchema, raw ?? {});
}
