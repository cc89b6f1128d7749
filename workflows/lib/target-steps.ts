// The target-workflow steps shared by recipes: start it (directly, under an ID this recipe
// chooses, or by the project's starter on the project's host), then wait for it to close and
// check its result.
import { uuid4, workflowInfo } from '@temporalio/workflow';
import type { CheckedTarget, StartedTarget } from '../../activities/temporal-activities.js';
import type { ResultRule } from '../../src/contract/result-rule.js';
import type { StartSpec } from '../../src/contract/clean-start-input.js';
import { DEFAULTS } from '../../src/defaults.js';
import { boundedWaitOp, clusterActivities, ranOutOfTime, shortOp, waitOp } from './activities.js';
import type { RecipeContext } from './recipe.js';
import { freshWorkerPhase, phaseFields, type WorkerPhaseState } from './worker-phase.js';

/** How long a worker that is its own starter may take to start its workflow. */
const BY_WORKER_SECONDS = 30;

/**
 * Runs step `start-target`; a retried start never creates a second target workflow. With
 * `start.byWorker`, the fresh `worker` started it: the step finds that run.
 */
export function startTargetStep(
  ctx: RecipeContext<unknown>,
  input: {
    projectDir: string;
    taskQueue: string;
    start: StartSpec;
    env?: Record<string, string>;
  },
  worker?: { command: string; startedAtMs: number },
): Promise<StartedTarget> {
  const { start } = input;
  if ('byWorker' in start) {
    if (!worker) throw new Error('start.byWorker: no fresh worker to watch');
    return ctx.checklist.run(
      'start-target',
      () =>
        clusterActivities.findRunStartedByWorker.executeWithOptions(
          { ...waitOp(BY_WORKER_SECONDS), summary: `find the run ${worker.command} started` },
          [
            {
              ...worker,
              taskQueue: input.taskQueue,
              opsTaskQueue: workflowInfo().taskQueue,
              timeoutSeconds: BY_WORKER_SECONDS,
            },
          ],
        ),
      (t) => `workflow ${t.workflowId}, started by the worker`,
    );
  }
  if ('workflowType' in start) {
    // Decided in workflow code, so every retry of the start asks for the same ID.
    const workflowId = start.workflowId ?? `${start.workflowType}-${uuid4().slice(0, 13)}`;
    return ctx.checklist.run(
      'start-target',
      () =>
        clusterActivities.startTargetWorkflow.executeWithOptions(
          { ...shortOp, summary: `start ${start.workflowType} as ${workflowId}` },
          [{ taskQueue: input.taskQueue, workflowType: start.workflowType, workflowId, args: start.args }],
        ),
      (t) => `workflow ${t.workflowId}`,
    );
  }
  return ctx.checklist.run(
    'start-target',
    () =>
      ctx.onHost.runStarter.executeWithOptions(
        { ...waitOp(DEFAULTS.starterTimeoutSeconds), summary: `run ${start.command}` },
        [
          {
            projectDir: input.projectDir,
            taskQueue: input.taskQueue,
            command: start.command,
            workflowIdPattern: start.workflowIdPattern,
            env: input.env,
          },
        ],
      ),
    (t) => `workflow ${t.workflowId}`,
  );
}

/** The problem of a target that did not close within the recipe's bound. */
export function stillRunning(timeoutSeconds: number): string {
  return `target still RUNNING when resultTimeoutSeconds (${timeoutSeconds} s) ran out`;
}

/** The status read after a wait that did not answer in time: quick, or not at all. */
const lastLook = { startToCloseTimeout: '5s', scheduleToCloseTimeout: '10s', retry: { maximumAttempts: 2 } };

/**
 * Runs step `wait-target`: long-polls until the target closes or `timeoutSeconds` pass (RUNNING
 * then). The bound holds end to end, even when the wait's activity does not answer in time.
 */
export function waitTargetStep(
  ctx: RecipeContext<unknown>,
  started: StartedTarget,
  timeoutSeconds: number,
  resultRule?: Partial<ResultRule>,
): Promise<CheckedTarget> {
  return ctx.checklist.run(
    'wait-target',
    async () => {
      try {
        return await clusterActivities.waitTargetClosed.executeWithOptions(
          { ...boundedWaitOp(timeoutSeconds), summary: `wait for ${started.workflowId}` },
          [{ ...started, timeoutSeconds, resultRule }],
        );
      } catch (error) {
        if (!ranOutOfTime(error)) throw error;
        const { status } = await clusterActivities.describeTarget
          .executeWithOptions({ ...lastLook, summary: `status of ${started.workflowId}` }, [started])
          .catch(() => {
            throw error;
          });
        // Closed just as the bound ran out: its result was not read, so the step cannot say more.
        if (status !== 'RUNNING') throw error;
        return { ...started, status };
      }
    },
    (t) => t.status,
  );
}

/**
 * The runbook's opening: one fresh worker (the worker phase), then step `start-target`. The
 * phase's findings land in `report` on every path, so a failed phase still reports what it did.
 */
export async function freshWorkerThenTarget(
  ctx: RecipeContext<unknown>,
  input: Parameters<typeof freshWorkerPhase>[1] & Parameters<typeof startTargetStep>[1],
  state: WorkerPhaseState,
  report: Partial<ReturnType<typeof phaseFields>> & { target?: StartedTarget },
): Promise<StartedTarget> {
  try {
    await freshWorkerPhase(ctx, input, state);
  } finally {
    Object.assign(report, phaseFields(state));
  }
  const worker = state.worker &&
    state.prepared && {
      command: state.prepared.workerCommand,
      startedAtMs: state.worker.startedAtMs,
    };
  const started = await startTargetStep(ctx, input, worker);
  report.target = started;
  return started;
}
