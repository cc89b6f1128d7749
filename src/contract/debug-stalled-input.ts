// DebugStalled's input: parsed and checked before any step runs. Pure: used by the workflow and the CLI.
import type { z } from 'zod';
import {
  approvalTimeoutField,
  flag,
  hostField,
  numberIn,
  oneOf,
  recipeObject,
  taskQueueField,
  visibilityQueryField,
  workflowIdField,
} from './fields.js';
import { policySchema, replayGateSchema } from './rule-schemas.js';
import { isRecord, parseWith, type InputProblem } from './validate.js';
import { workerFieldsShape } from './worker-fields.js';
import { DEFAULTS } from '../defaults.js';

/** Stable failure types of DebugStalled's own activities. */
export const DebugStalledFailure = {
  TargetNotFound: 'TargetNotFoundError',
} as const;

const w = workerFieldsShape;

export const debugStalledInputSchema = recipeObject({
  query: visibilityQueryField
    .describe('Sweep mode: visibility filter ANDed with ExecutionStatus = "Running".')
    .optional(),
  taskQueue: taskQueueField
    .describe(
      "Sweep mode: only workflows on this task queue; with act (also with workflowId), the queue the project's worker polls (default: the one queue the stalled workflows need).",
    )
    .optional(),
  workflowId: workflowIdField
    .describe('Analyze this one workflow (any status) instead of sweeping.')
    .optional(),
  runId: workflowIdField.describe('With workflowId: this run (default: the latest).').optional(),
  policy: policySchema.optional(),
  // A finding is 1-2 KB of JSON: 500 keep the report well under Temporal's 2 MB payload limit.
  maxFindings: numberIn(1, 500, { integer: true })
    .describe(
      `Stalled findings kept in the report (default ${DEFAULTS.maxFindings}); counts always cover every run.`,
    )
    .optional(),
  concurrency: numberIn(1, 64, { integer: true })
    .describe(`Describe calls in flight during the sweep (default ${DEFAULTS.sweepConcurrency}).`)
    .optional(),
  incidents: flag()
    .describe(
      'Sweep mode: report the findings to the incidents in the bookkeeping namespace: open, count, reopen, resolve (the scheduled sweep sets it).',
    )
    .optional(),
  recheckEvery: numberIn(1, 100, { integer: true })
    .describe(
      `With incidents: describe every running workflow at least every this many sweeps (default ${DEFAULTS.sweepRecheckEvery}); between, a sweep describes the new runs, the stalls that may move, and the runs whose reported problems or task queue workers changed, and takes the rest from the last sweep of its scope.`,
    )
    .optional(),
  fullSweep: flag()
    .describe(
      'With incidents: describe every running workflow now, whatever the last sweep of the scope found.',
    )
    .optional(),
  host: hostField
    .describe('Run the inspection (and, with act, the worker) on the control worker of this host.')
    .optional(),
  projectDir: w.projectDir.optional(),
  workerCommand: w.workerCommand,
  project: w.project,
  env: w.env,
  readyTimeoutSeconds: w.readyTimeoutSeconds,
  graceSeconds: w.graceSeconds,
  act: flag()
    .default(false)
    .describe('Apply the remedies (after approval) and verify them; default false: diagnose only.'),
  autoApprove: flag().describe('With act: apply without waiting for the approve update.').optional(),
  approvalTimeoutSeconds: approvalTimeoutField.optional(),
  resetAttempts: flag()
    .describe('With act: when unpausing a paused activity, also reset its attempts to 1 (default false).')
    .optional(),
  waitForFixSeconds: numberIn(0, 86_400)
    .default(DEFAULTS.waitForFixSeconds)
    .describe(
      `For verdicts that need a code change: seconds to wait for it (default ${DEFAULTS.waitForFixSeconds}: the code is fixed).`,
    ),
  nonDeterminism: oneOf(['terminate', 'reset'])
    .default('terminate')
    .describe('Remedy for a non-deterministic run: terminate it (default) or reset it.'),
  rerun: flag()
    .default(true)
    .describe('After a terminate, start a new run of the same type, input and task queue (default true).'),
  verifySeconds: numberIn(1, 3600)
    .default(DEFAULTS.verifySeconds)
    .describe(`Seconds to watch each remedied workflow for progress (default ${DEFAULTS.verifySeconds}).`),
  replayGate: replayGateSchema.optional(),
})
  .superRefine(
    (input, ctx) => {
      // With act, taskQueue also names the queue of the project's worker, so it may go with workflowId.
      const sweepField = input.query !== undefined || (input.taskQueue !== undefined && !input.act);
      if (input.workflowId !== undefined && sweepField) {
        ctx.addIssue({
          code: 'custom',
          path: ['workflowId'],
          message: 'either workflowId (analyze one) or query/taskQueue (sweep), not both',
        });
      }
      if (input.incidents && input.workflowId !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['incidents'],
          message: 'only for a sweep, not with workflowId',
        });
      if (input.runId !== undefined && input.workflowId === undefined)
        ctx.addIssue({ code: 'custom', path: ['runId'], message: 'a runId only together with workflowId' });
      if (input.act && input.projectDir === undefined)
        ctx.addIssue({
          code: 'custom',
          path: ['act'],
          message: "false unless projectDir is given (act restarts the project's worker)",
        });
    },
    // Cross-field problems are reported together with the field problems, not after them.
    { when: (payload) => isRecord(payload.value) },
  )
  .describe(
    'DebugStalled: find the stalled target workflows (or analyze one) and say why, with evidence and a remedy each; with act, apply and verify the remedies.',
  );

export type DebugStalledInput = z.output<typeof debugStalledInputSchema>;

/** Parses raw input (nothing at all sweeps everything); returns every problem found, or the typed input. */
export function parseDebugStalledInput(raw: unknown): {
  input?: DebugStalledInput;
  problems: InputProblem[];
} {
  return parseWith(debugStalledInputSchema, raw ?? {});
}
