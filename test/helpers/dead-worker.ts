// After kill -9 of a control worker, what the server notices only after its timeouts: the sticky
// queue of each workflow it ran (a workflow task waits there ~10 s for a worker that is gone) and
// the activity attempts it had started (retried after the step's heartbeat timeout, 20 s, or a
// start-to-close of 30 s). Releasing both hands the very same retries to the next control worker
// at once: the killed attempt ends as it would at its timeout, only sooner.
import { hostname } from 'node:os';
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import proto from '@temporalio/proto';

const STARTED = proto.temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_STARTED;

/** Workflows on `opsQueue` still running, plus `ids` (visibility may not list a fresh start yet). */
async function runningOn(client: Client, opsQueue: string, ids: string[]): Promise<Set<string>> {
  const found = new Set(ids);
  for await (const w of client.workflow.list({
    query: `TaskQueue = '${opsQueue}' AND ExecutionStatus = 'Running'`,
  }))
    found.add(w.workflowId);
  return found;
}

/**
 * For every running workflow on `opsQueue` (and `ids`): resets its sticky queue, and fails each
 * activity attempt that the dead control worker (`deadPid` on this host) had started, so that it
 * is retried now. Returns the activities released.
 */
export async function releaseDeadWorker(
  client: Client,
  opsQueue: string,
  deadPid: number,
  ids: string[] = [],
): Promise<string[]> {
  const identity = `${deadPid}@${hostname()}`;
  const released: string[] = [];
  for (const workflowId of await runningOn(client, opsQueue, ids)) {
    const execution = { workflowId };
    const described = await client.workflowService
      .describeWorkflowExecution({ namespace: client.options.namespace, execution })
      .catch(() => undefined);
    if (!described?.workflowExecutionInfo?.status || described.workflowExecutionInfo.closeTime) continue;
    await client.workflowService
      .resetStickyTaskQueue({ namespace: client.options.namespace, execution })
      .catch(() => undefined);
    for (const a of described.pendingActivities ?? []) {
      if (a.state !== STARTED || a.lastWorkerIdentity !== identity || !a.activityId) continue;
      const failure = ApplicationFailure.retryable(
        `control worker ${identity} was killed`,
        'ControlWorkerKilled',
      );
      // Gone meanwhile (it timed out, or ended): nothing to release.
      const ok = await client.activity
        .fail({ workflowId, activityId: a.activityId }, failure)
        .then(() => true)
        .catch(() => false);
      if (ok) released.push(`${workflowId}/${a.activityId}`);
    }
  }
  return released;
}
