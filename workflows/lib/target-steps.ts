// The target-workflow steps shared by recipes: start it (directly, under an ID this recipe
// chooses, or by the project's starter on the project's host), then wait for it to close and
// check its result.
import { uuid4 } from '@temporalio/workflow';
import type { CheckedTarget, StartedTarget } from '../../activities/temporal-activities.js';
import type { ResultRule } from '../../src/diagnosis/result-check.js';
import type { StartSpec } from '../../src/recipes/clean-start-input.js';
import { clusterActivities, shortOp, waitOp } from './activities.js';
import type { RecipeContext } from './recipe.js';
import { freshWorkerPhase, phaseFields, type WorkerPhaseState } from './worker-phase.js';

/** Runs step `start-target`; a retried start never creates a second target workflow. */
export function startTargetStep(
  ctx: RecipeContext<unknown>,
  input: {
    projectDir: string;
    taskQueue: string;
    start: StartSpec;
    env?: Record<string, string>;
  },
): Promise<StartedTarget> {
  const { start } = input;
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
      ctx.onHost.runStarter.executeWithOptions({ ...waitOp(60), summary: `run ${start.command}` }, [
        {
          projectDir: input.projectDir,
          taskQueue: input.taskQueue,
          command: start.command,
          workflowIdPattern: start.workflowIdPattern,
          env: input.env,
        },
      ]),
    (t) => `workflow ${t.workflowId}`,
  );
}

/** Runs step `wait-target`: long-polls until the target closes or `timeoutSeconds` pass. */
export function waitTargetStep(
  ctx: RecipeContext<unknown>,
  started: StartedTarget,
  timeoutSeconds: number,
  resultRule?: Partial<ResultRule>,
): Promise<CheckedTarget> {
  return ctx.checklist.run(
    'wait-target',
    () =>
      clusterActivities.waitTargetClosed.executeWithOptions(
        { ...waitOp(timeoutSeconds), summary: `wait for ${started.workflowId}` },
        [{ ...started, timeoutSeconds, resultRule }],
      ),
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
  const started = await startTargetStep(ctx, input);
  report.target = started;
  return started;
}
