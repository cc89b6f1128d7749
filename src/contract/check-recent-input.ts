// CheckRecentResults' input: which recently closed target workflows to check, and how to read
// their results.
import { z } from 'zod';
import { hostField, numberIn, recipeObject, taskQueueField, text, visibilityQueryField } from './fields.js';
import { resultRuleSchema } from './rule-schemas.js';
import { parseWith, type InputProblem } from './validate.js';
import { DEFAULTS } from '../defaults.js';

export const checkRecentInputSchema = recipeObject({
  minutes: numberIn(1, 10_080)
    .default(DEFAULTS.recentMinutes)
    .describe(
      `Check workflows that closed in the last this many minutes (default ${DEFAULTS.recentMinutes}).`,
    ),
  taskQueue: taskQueueField.describe('Only workflows on this task queue.').optional(),
  query: visibilityQueryField.describe('Visibility filter ANDed with the time window.').optional(),
  workflowTypes: z
    .array(text('a workflow type: 1 to 1000 characters, no control characters', 1000), {
      error: 'an array of workflow types',
    })
    .max(100, { error: 'at most 100 workflow types' })
    .describe('Only workflows of these types.')
    .optional(),
  resultRule: resultRuleSchema.optional(),
  maxWorkflows: numberIn(1, 10_000, { integer: true })
    .default(DEFAULTS.recentLimit)
    .describe(`Check at most this many workflows, newest first (default ${DEFAULTS.recentLimit}).`),
  host: hostField.optional(),
}).describe(
  'CheckRecentResults: check the results of the target workflows that closed recently (COMPLETED but reading like an error, FAILED, TIMED_OUT, TERMINATED, CANCELED).',
);

export type CheckRecentInput = z.output<typeof checkRecentInputSchema>;

/** Parses raw input (nothing at all checks the default window); returns every problem found, or the typed input. */
export function parseCheckRecentInput(raw: unknown): { input?: CheckRecentInput; problems: InputProblem[] } {
  return parseWith(checkRecentInputSchema, raw ?? {});
}
