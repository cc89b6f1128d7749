// ClearStalledEnvironment's input. Pure: used by the workflow and the CLI.
import { z } from 'zod';
import { VERDICTS, type Verdict } from './verdicts.js';
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
import { isRecord, parseWith, type InputProblem } from './validate.js';
import { workerFieldsSchema } from './worker-fields.js';
import { DEFAULTS } from '../defaults.js';

const patternExpected =
  'a workflow-ID glob or prefix: 1 to 1000 characters, no control characters, such as "order-*"';

const STALLED = VERDICTS.filter((v) => v !== 'healthy-wait') as [Verdict, ...Verdict[]];

export const clearStalledInputSchema = recipeObject({
  query: visibilityQueryField
    .describe('Visibility filter ANDed with ExecutionStatus = "Running", such as "WorkflowType = \'Order\'".')
    .optional(),
  pattern: text(patternExpected, 1000)
    .describe(
      'With action: only workflow IDs matching this glob ("*" any characters, "?" one), or starting with it when it has neither.',
    )
    .optional(),
  action: oneOf(['cancel', 'terminate'])
    .describe(
      'Bulk mode: cancel or terminate EVERY running workflow that query, pattern and taskQueue select, whatever its verdict (ops workflows never). Without it only stalled workflows are cleared. Terminate clears a workflow whose tasks keep failing; cancel only reaches workflow code that still runs.',
    )
    .optional(),
  taskQueue: taskQueueField.describe('Only workflows on this task queue.').optional(),
  mode: oneOf(['auto', 'terminate', 'cancel'])
    .default('auto')
    .describe(
      'Stalled mode: "auto" (default) cancels where workflow code still runs and terminates otherwise. Use action for bulk mode.',
    ),
  verdicts: z
    .array(oneOf(STALLED, `a stalled verdict (${STALLED.join(', ')})`), {
      error: 'an array of stalled verdicts, such as ["no-worker"]',
    })
    .describe('Only findings with these verdicts (default: every stalled verdict).')
    .optional(),
  autoApprove: flag().default(false).describe('Act without waiting for the approve update (default false).'),
  approvalTimeoutSeconds: approvalTimeoutField.default(DEFAULTS.approvalTimeoutSeconds),
  maxWorkflows: numberIn(1, 10_000, { integer: true })
    .default(DEFAULTS.clearMax)
    .describe(
      `Refuse to act when more than this many workflows are selected; nothing is touched (default ${DEFAULTS.clearMax}).`,
    ),
  cancelWaitSeconds: numberIn(0, 300)
    .default(DEFAULTS.cancelWaitSeconds)
    .describe(
      `After the cancel requests: seconds to watch the cancelled workflows close, so each result says cancelled or still cancel-requested (default ${DEFAULTS.cancelWaitSeconds}).`,
    ),
  reason: text('a non-empty reason of at most 1000 characters', 1000)
    .default('temporal-ops ClearStalledEnvironment')
    .describe('Reason recorded on each terminate or cancel.'),
  policy: policySchema.optional(),
  restartWorker: workerFieldsSchema
    .describe("After clearing, start one fresh worker of this project (the runbook's kill + ensure worker).")
    .optional(),
  host: hostField.optional(),
})
  .superRefine(
    (input, ctx) => {
      const problem = (field: string, message: string) =>
        ctx.addIssue({ code: 'custom', path: [field], message });
      if (input.action === undefined) {
        if (input.pattern !== undefined)
          problem(
            'pattern',
            'no pattern without action (a pattern selects workflows for a bulk cancel or terminate)',
          );
        return;
      }
      if (input.query === undefined && input.pattern === undefined && input.taskQueue === undefined)
        problem(
          'action',
          'an action together with query, pattern or taskQueue (bulk mode never selects everything)',
        );
      if (input.mode !== 'auto') problem('mode', 'no mode with action (action decides what is done)');
      if (input.verdicts !== undefined)
        problem('verdicts', 'no verdicts with action (bulk mode selects whatever the verdict)');
    },
    // Cross-field problems are reported together with the field problems, not after them.
    { when: (payload) => isRecord(payload.value) },
  )
  .describe(
    'ClearStalledEnvironment: find the stalled target workflows (or, with action, every running workflow that query or pattern selects), show the plan, and after approval cancel or terminate them.',
  );

export type ClearStalledInput = z.output<typeof clearStalledInputSchema>;

/** Parses raw input (nothing at all clears every stall); returns every problem found, or the typed input. */
export function parseClearStalledInput(raw: unknown): {
  input?: ClearStalledInput;
  problems: InputProblem[];
} {
  return parseWith(clearStalledInputSchema, raw ?? {});
}
