// Pollers of a task queue, as plain facts.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';

const { temporal } = proto;
import type { PollerFact } from '../diagnosis/facts.js';
import { timestampMs } from './convert.js';

export type TaskQueueKind = 'workflow' | 'activity';

/** Pollers DescribeTaskQueue lists for the queue; dead ones linger about five minutes. */
export async function listPollers(
  client: Client,
  taskQueue: string,
  kind: TaskQueueKind = 'workflow',
): Promise<PollerFact[]> {
  const response = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType:
      kind === 'workflow'
        ? temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_WORKFLOW
        : temporal.api.enums.v1.TaskQueueType.TASK_QUEUE_TYPE_ACTIVITY,
  });
  return (response.pollers ?? []).map((p) => ({
    identity: p.identity ?? '',
    lastAccessTimeMs: timestampMs(p.lastAccessTime) ?? 0,
  }));
}
