// Bookkeeping workflows that an earlier version ran in the user's namespace: moved to the
// bookkeeping namespace when a control worker starts, so the user's workflow list no longer shows
// them. A ProjectHost's owner is carried over to its new run (unless that already exists); then the
// old run is terminated. Safe to run again at any point: a start that finds the new run leaves it,
// and a run that is already closed is skipped.
import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import type { temporal } from '@temporalio/proto';
import type { HostOwner } from '../contract/host-claim.js';
import { HOST_PROCESSES_TYPE, PROJECT_HOST_TYPE } from '../contract/ops-workflows.js';
import { isNotFound } from './grpc.js';

/** The owner a ProjectHost run holds: its start's state, then each claim's answer, the last one wins. */
export function ownerOf(events: readonly temporal.api.history.v1.IHistoryEvent[]): HostOwner | undefined {
  let owner: HostOwner | undefined;
  const decode = (payload: temporal.api.common.v1.IPayload | null | undefined): unknown =>
    payload ? defaultPayloadConverter.fromPayload(payload) : undefined;
  for (const event of events) {
    const started = event.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    if (started) owner = (decode(started) as { owner?: HostOwner } | undefined)?.owner ?? owner;
    const answer = event.workflowExecutionUpdateCompletedEventAttributes?.outcome?.success?.payloads?.[0];
    const claimed = decode(answer) as HostOwner | undefined;
    if (typeof claimed?.host === 'string') owner = claimed;
  }
  return owner;
}

/**
 * Moves our running bookkeeping workflows out of `client`'s namespace into `bookkeeping`'s (IDs
 * under `opsTaskQueue`, the ones we start); returns how many were moved.
 */
export async function moveOldBookkeeping(
  client: Client,
  bookkeeping: Client,
  opsTaskQueue: string,
): Promise<number> {
  if (client === bookkeeping) return 0;
  const query = `WorkflowType IN ('${PROJECT_HOST_TYPE}', '${HOST_PROCESSES_TYPE}') AND ExecutionStatus = 'Running'`;
  let moved = 0;
  for await (const run of client.workflow.list({ query })) {
    if (!run.workflowId.startsWith(`${opsTaskQueue}/`)) continue;
    const handle = client.workflow.getHandle(run.workflowId, run.runId);
    if (run.type === PROJECT_HOST_TYPE) {
      const owner = ownerOf((await handle.fetchHistory()).events ?? []);
      if (owner)
        await bookkeeping.workflow.start(PROJECT_HOST_TYPE, {
          workflowId: run.workflowId,
          taskQueue: opsTaskQueue,
          args: [{ owner: { host: owner.host, sinceMs: owner.sinceMs } }],
          workflowIdConflictPolicy: 'USE_EXISTING',
        });
    }
    try {
      await handle.terminate(
        `temporal-ops bookkeeping moved to namespace "${bookkeeping.options.namespace}"`,
      );
      moved += 1;
    } catch (error) {
      if (!isNotFound(error)) throw error; // closed meanwhile
    }
  }
  return moved;
}
