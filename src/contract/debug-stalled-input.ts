// DebugStalled's input: parsed and checked before any step runs. Pure: used by the workflow and the CLI.
import { z } from 'zod';
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
import { parseSink } from './notify.js';
import { policySchema, replayGateSchema } from './rule-schemas.js';
import { isRecord, parseWith, type InputProblem } from './validate.js';
import { workerFieldsShape } from './worker-fields.js';
import { DEFAULTS } from '../defaults.js';

/** The kinds of remedy DebugStalled's act can apply (the plan's `manual` is left to a person). */
export const APPLIED_REMEDIES = ['start-worker', 'restart-worker', 'terminate', 'reset', 'unpause'] as const;

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
  notify: z
    .array(
      z.string().superRefine((value, ctx) => {
        const parsed = parseSink(value);
        if ('expected' in parsed) ctx.addIssue({ code: 'custom', message: parsed.expected });
      }),
      { error: 'a list of notification sinks' },
    )
    .max(10, { error: 'at most 10 notification sinks' })
    .describe(
      'With incidents: where to send one grouped message per sweep about incidents opened, reopened, resolved or still open: an http(s) URL (JSON webhook), slack+https://… or a hooks.slack.com URL (Slack-compatible), cmd:<command> (run on the host, under its policy).',
    )
    .optional(),
  notifyRepeatSeconds: numberIn(60, 30 * 86_400)
    .describe(
      `With notify: seconds after which an incident still open (not acknowledged or snoozed) is notified again (default ${DEFAULTS.notifyRepeatSeconds}).`,
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
  remedies: z
    .array(oneOf(APPLIED_REMEDIES), { error: `a list of remedies (${APPLIED_REMEDIES.join(', ')})` })
    .min(1, { error: 'at least one remedy' })
    .describe(
      "With act: apply only remedies of these kinds (e.g. start-worker, for a scheduled sweep that starts the project's worker when no worker polls its queue); the others are planned for a person. Default: every kind.",
    )
    .optional(),
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
      if (input.notify && input.notify.length > 0 && !input.incidents)
        ctx.addIssue({
          code: 'custom',
          path: ['notify'],
          message: 'only with incidents: true (a scheduled sweep): notices are about incidents',
        });
      if (input.remedies !== undefined && !input.act)
        ctx.addIssue({ code: 'custom', path: ['remedies'], message: 'only with act: true' });
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
