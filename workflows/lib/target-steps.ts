// The target-workflow steps shared by recipes: start it (directly or by the project's starter),
// then wait for it to close and check its result.
import type { CheckedTarget, StartedTarget } from '../../activities/temporal-activities.js';
import type { ResultRule } from '../../src/diagnosis/result-check.js';
import type { StartSpec } from '../../src/recipes/clean-start-input.js';
import { shortOp, temporalActivities, waitOp } from './activities.js';
import type { Checklist } from './checklist.js';

/** Runs step `start-target`. */
export function startTargetStep(
  checklist: Checklist,
  input: { projectDir: string; taskQueue: string; start: StartSpec; env?: Record<string, string> },
): Promise<StartedTarget> {
  const { start } = input;
  const summary = 'workflowType' in start ? `start ${start.workflowType}` : `run ${start.command}`;
  return checklist.run(
    'start-target',
    () =>
      temporalActivities.startTargetWorkflow.executeWithOptions(
        { ...shortOp, startToCloseTimeout: '2m', summary },
        [{ projectDir: input.projectDir, taskQueue: input.taskQueue, start, env: input.env }],
      ),
    (t) => `workflow ${t.workflowId}`,
  );
}

/** Runs step `wait-target`: long-polls until the target closes or `timeoutSeconds` pass. */
export function waitTargetStep(
  checklist: Checklist,
  started: StartedTarget,
  timeoutSeconds: number,
  resultRule?: Partial<ResultRule>,
): Promise<CheckedTarget> {
  return checklist.run(
    'wait-target',
    () =>
      temporalActivities.waitTargetClosed.executeWithOptions(
        { ...waitOp(timeoutSeconds), summary: `wait for ${started.workflowId}` },
        [{ ...started, timeoutSeconds, resultRule }],
      ),
    (t) => t.status,
  );
}
