// The fields of every recipe that runs a fresh worker of the target project, and the target
// workflow's start: declared once, shared by CleanStart, TestInteractive, EnsureWorker and others.
import { z } from 'zod';
import {
  commandField,
  envField,
  hostField,
  numberIn,
  projectDirField,
  projectField,
  strict,
  taskQueueField,
  text,
  workflowIdField,
} from './fields.js';
import { idPatternProblem, MAX_PATTERN_LENGTH, PATTERN_EXPECTED } from './id-pattern.js';
import { DEFAULTS } from '../defaults.js';

export const workerFieldsShape = {
  projectDir: projectDirField.describe('Absolute path of the target project (the worker runs there).'),
  taskQueue: taskQueueField.describe('Task queue the target worker polls.'),
  workerCommand: commandField
    .describe(
      `Command that runs the worker; default: the command registered for the task queue on the control worker's host (project add), else the project's default registration, else the command last started for the directory on the queue, else TEMPORAL_WORKER_CMD, else "${DEFAULTS.workerCommand}".`,
    )
    .optional(),
  project: projectField
    .describe('Name for pid and log files; default: the last part of projectDir.')
    .optional(),
  env: envField.optional(),
  readyTimeoutSeconds: numberIn(1, 600)
    .describe(
      `Seconds to wait until the server sees the new worker poll (default ${DEFAULTS.readyTimeoutSeconds}).`,
    )
    .optional(),
  graceSeconds: numberIn(0, 300)
    .describe(
      `Seconds between SIGTERM and SIGKILL when stopping a worker (default ${DEFAULTS.graceSeconds}).`,
    )
    .optional(),
  host: hostField.optional(),
};

export const workerFieldsSchema = strict(workerFieldsShape).describe(
  'A worker of the target project: where it lives, which queue it polls, how to run it.',
);

/** Fields of every recipe that runs a fresh worker of the target project. */
export type WorkerFields = z.output<typeof workerFieldsSchema>;

export type StartSpec =
  | { workflowType: string; args: unknown[]; workflowId?: string }
  | { command: string; workflowIdPattern?: string }
  | { byWorker: true };

const byType = ['workflowType', 'args', 'workflowId'] as const;
const byCommand = ['command', 'workflowIdPattern'] as const;
const forms = 'a workflow type, a starter command in start.command, or start.byWorker';

/** `start`: a workflow type with args, or a starter command whose output names the workflow. */
export const startSchema = strict(
  {
    workflowType: text('a workflow type: 1 to 1000 characters, no control characters', 1000)
      .describe('Workflow type to start on the target task queue.')
      .optional(),
    args: z
      .array(z.unknown(), { error: 'an array' })
      .describe('Arguments of the workflow (default []).')
      .optional(),
    workflowId: workflowIdField.describe('Workflow ID to start with (default: generated).').optional(),
    command: commandField
      .describe(
        'Starter command run in projectDir instead of workflowType; its output names the workflow it started.',
      )
      .optional(),
    workflowIdPattern: text(PATTERN_EXPECTED, MAX_PATTERN_LENGTH)
      .check((ctx) => {
        const problem = idPatternProblem(ctx.value);
        if (problem !== undefined)
          ctx.issues.push({ code: 'custom', input: ctx.value, message: `${PATTERN_EXPECTED} (${problem})` });
      })
      .describe(
        'With command: regular expression (RE2 syntax, case-insensitive) whose first group picks the workflow ID out of the output.',
      )
      .optional(),
    byWorker: z
      .literal(true, { error: 'true' })
      .describe(
        'Instead of workflowType or command: the worker program starts the target workflow itself (one file that is worker and starter, as in the Temporal samples); the run it started on the task queue is found through visibility.',
      )
      .optional(),
  },
  'an object: {"workflowType": ..., "args": [...]}, {"command": ...} or {"byWorker": true}',
)
  .superRefine((start, ctx) => {
    const hasCommand = start.command !== undefined;
    if (hasCommand && start.workflowType !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['command'],
        message: 'either start.command or start.workflowType, not both',
      });
      return;
    }
    if (start.byWorker !== undefined) {
      const other = [...byType, ...byCommand].filter((key) => start[key] !== undefined);
      for (const key of other)
        ctx.addIssue({ code: 'custom', path: [key], message: 'no such field with start.byWorker' });
      return;
    }
    if (!hasCommand && start.workflowType === undefined) {
      ctx.addIssue({ code: 'custom', path: ['workflowType'], message: forms });
      return;
    }
    const [allowed, other, what] = hasCommand
      ? [byCommand, byType, 'a starter command']
      : [byType, byCommand, 'a workflow type'];
    for (const key of other) {
      if (start[key] !== undefined)
        ctx.addIssue({
          code: 'custom',
          path: [key],
          message: `no such field with ${what} (known: ${allowed.join(', ')})`,
        });
    }
  })
  .transform((start): StartSpec => {
    if (start.byWorker) return { byWorker: true };
    if (start.command !== undefined) {
      const { command, workflowIdPattern } = start;
      return { command, ...(workflowIdPattern !== undefined ? { workflowIdPattern } : {}) };
    }
    const { workflowType = '', args = [], workflowId } = start;
    return { workflowType, args, ...(workflowId !== undefined ? { workflowId } : {}) };
  })
  .describe(
    'The target workflow: {"workflowType", "args", "workflowId"}, {"command", "workflowIdPattern"} or {"byWorker": true}.',
  );
