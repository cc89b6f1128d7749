// Resetting target runs to a workflow task before a given event, and terminating runs: the
// cluster-only half of the replay gate's remedies. Request IDs come from workflow code, so a
// retried reset is the same reset.
import type { Client } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import proto from '@temporalio/proto';
import type Long from 'long';
import { isNotFound } from '../src/inspect/grpc.js';
import { mapBounded } from '../src/inspect/pool.js';
import { FailureType } from '../src/recipes/failure-types.js';

const { EventType } = proto.temporal.api.enums.v1;

export interface ResetRequest {
  workflowId: string;
  runId: string;
  /** Reset to the last completed workflow task before this event (the first diverging one). */
  beforeEventId: number;
  /** Decided by the workflow: the server treats a repeated request ID as the same reset. */
  requestId: string;
}

export interface ResetResult {
  workflowId: string;
  runId: string;
  result: 'reset' | 'already-closed' | 'failed';
  /** The new run the reset started. */
  newRunId?: string;
  resetToEventId?: number;
  error?: string;
}

/** The id of the last WorkflowTaskCompleted event before `beforeEventId`, if any. */
async function lastCompletedTaskBefore(client: Client, r: ResetRequest): Promise<number | undefined> {
  const history = await client.workflow.getHandle(r.workflowId, r.runId).fetchHistory();
  let found: number | undefined;
  for (const event of history.events ?? []) {
    const id = Number(event.eventId ?? 0);
    if (id >= r.beforeEventId) break;
    if (event.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_COMPLETED) found = id;
  }
  return found;
}

/** Builds the reset activity (cluster-only). */
export function createResetActivities({ client }: { client: Client }) {
  return {
    /** Resets each run to its last good workflow task; at most 8 at a time, one result each. */
    async resetTargets(input: { targets: ResetRequest[]; reason: string }): Promise<ResetResult[]> {
      const results: ResetResult[] = [];
      const reset = async (r: ResetRequest): Promise<ResetResult> => {
        const base = { workflowId: r.workflowId, runId: r.runId };
        try {
          const eventId = await lastCompletedTaskBefore(client, r);
          if (eventId === undefined)
            return {
              ...base,
              result: 'failed',
              error: `no completed workflow task before event ${r.beforeEventId}`,
            };
          const response: proto.temporal.api.workflowservice.v1.IResetWorkflowExecutionResponse =
            await client.workflowService.resetWorkflowExecution({
              namespace: client.options.namespace,
              workflowExecution: { workflowId: r.workflowId, runId: r.runId },
              reason: input.reason,
              workflowTaskFinishEventId: eventId as unknown as Long,
              requestId: r.requestId,
            });
          return { ...base, result: 'reset', newRunId: response.runId ?? undefined, resetToEventId: eventId };
        } catch (error) {
          if (isNotFound(error)) return { ...base, result: 'already-closed' };
          return { ...base, result: 'failed', error: (error as Error).message };
        }
      };
      for await (const result of mapBounded(input.targets, 8, reset)) results.push(result);
      if (results.length !== input.targets.length)
        throw ApplicationFailure.create({
          message: 'reset lost results',
          type: FailureType.ServerUnavailable,
        });
      return results;
    },
  };
}

export type ResetActivities = ReturnType<typeof createResetActivities>;
