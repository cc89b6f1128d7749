// DebugStalled's remedies on runs: terminate or reset each diverged run, rerun the terminated, and
// unpause the paused activities.
import { isCancellation, workflowInfo } from '@temporalio/workflow';
import { clusterActivities, shortOp } from './activities.js';
import { failureMessage } from './checklist.js';
import type { Act } from './remedy-report.js';

/** Terminates or resets each diverged run; a failure is recorded on its action, the others go on. */
export async function remedyRuns(act: Act): Promise<void> {
  const { ctx } = act;
  const diverged = act.pairs.filter(
    (p) => p.go && (p.planned.remedy === 'terminate' || p.planned.remedy === 'reset'),
  );
  if (diverged.length === 0) return ctx.checklist.mark('remedy-runs', 'skipped', 'no diverged runs');
  const reason = `temporal-ops DebugStalled ${workflowInfo().workflowId}: non-determinism`;
  await ctx.checklist.run(
    'remedy-runs',
    async () => {
      for (const p of diverged) {
        const { workflowId, runId, requestId = '' } = p.planned;
        try {
          if (p.planned.remedy === 'reset') {
            const reset = await clusterActivities.resetRun.executeWithOptions(
              { ...shortOp, summary: `reset ${workflowId}` },
              [{ workflowId, runId, reason, requestId }],
            );
            Object.assign(p.action, {
              applied: true,
              newRunId: reset.newRunId,
              detail: `reset to event ${reset.eventId}`,
            });
            p.next = { workflowId, runId: reset.newRunId };
          } else {
            const done = await clusterActivities.terminateRun.executeWithOptions(
              { ...shortOp, summary: `terminate ${workflowId}` },
              [{ workflowId, runId, reason }],
            );
            const applied = done.terminated || done.status === 'TERMINATED';
            Object.assign(p.action, {
              applied,
              statusAfter: done.status,
              detail: done.terminated ? 'terminated' : `already ${done.status}`,
            });
            if (!applied) p.go = false;
          }
        } catch (error) {
          if (isCancellation(error)) throw error;
          p.go = false;
          p.action.detail = `failed: ${failureMessage(error)}`;
        }
      }
      return diverged.filter((p) => p.action.applied).length;
    },
    (n) => `${n} of ${diverged.length} done`,
  );
}

/** Starts the planned new run of each terminated workflow, with the workflow ID the plan decided. */
export async function reruns(act: Act): Promise<void> {
  const { ctx } = act;
  const todo = act.pairs.filter((p) => p.go && p.planned.remedy === 'terminate' && p.planned.rerun);
  if (todo.length === 0) return ctx.checklist.mark('rerun', 'skipped', 'nothing to rerun');
  await ctx.checklist.run(
    'rerun',
    async () => {
      for (const p of todo) {
        const { workflowId, runId, rerun } = p.planned;
        try {
          const started = await clusterActivities.rerunWorkflow.executeWithOptions(
            { ...shortOp, summary: `rerun ${workflowId}` },
            [{ workflowId, runId, newWorkflowId: rerun!.workflowId, requestId: rerun!.requestId }],
          );
          Object.assign(p.action, {
            newWorkflowId: started.workflowId,
            newRunId: started.runId,
            detail: `${p.action.detail}; rerun as ${started.workflowId}`,
          });
          p.next = { workflowId: started.workflowId, runId: started.runId };
        } catch (error) {
          if (isCancellation(error)) throw error;
          p.action.detail = `${p.action.detail}; rerun failed: ${failureMessage(error)}`;
        }
      }
      return todo.filter((p) => p.next).length;
    },
    (n) => `${n} of ${todo.length} started`,
  );
}

/** Unpauses each paused activity of the plan (approved by a person); a failure is recorded on its action. */
export async function unpauseActivities(act: Act): Promise<void> {
  const { ctx, report } = act;
  const todo = act.pairs.filter((p) => p.go && p.planned.remedy === 'unpause');
  if (todo.length === 0) return ctx.checklist.mark('unpause', 'skipped', 'no paused activities');
  const by = report.approval?.by;
  const identity = `temporal-ops DebugStalled ${workflowInfo().workflowId}${by ? ` (approved by ${by})` : ''}`;
  await ctx.checklist.run(
    'unpause',
    async () => {
      for (const p of todo) {
        const { workflowId, runId, activityId = '', resetAttempts } = p.planned;
        try {
          const done = await clusterActivities.unpauseActivity.executeWithOptions(
            { ...shortOp, summary: `unpause ${activityId} of ${workflowId}` },
            [{ workflowId, runId, activityId, identity, ...(resetAttempts && { resetAttempts }) }],
          );
          // Not paused or not pending any more is applied too (a retry, or done meanwhile): verify judges it.
          Object.assign(p.action, {
            applied: true,
            detail:
              done.state === 'unpaused'
                ? `unpaused activity ${activityId}${resetAttempts ? ', attempts reset' : ''}`
                : done.state === 'not-paused'
                  ? `activity ${activityId} was no longer paused`
                  : `activity ${activityId} is no longer pending`,
          });
        } catch (error) {
          if (isCancellation(error)) throw error;
          p.go = false;
          p.action.detail = `failed: ${failureMessage(error)}`;
        }
      }
      return todo.filter((p) => p.action.applied).length;
    },
    (n) => `${n} of ${todo.length} unpaused`,
  );
}
