// The one place the process layer and inspection ask the server who polls a task queue:
// DescribeTaskQueue, converted to plain facts here at the boundary.
import type { Client } from '@temporalio/client';
import proto from '@temporalio/proto';
import type { PollerFact } from '../contract/facts.js';

const { temporal } = proto;
const VERSIONED = temporal.api.enums.v1.WorkerVersioningMode.WORKER_VERSIONING_MODE_VERSIONED;

export type TaskQueueKind = 'workflow' | 'activity' | 'nexus';

const TYPES = temporal.api.enums.v1.TaskQueueType;
const TASK_QUEUE_TYPE: Readonly<Record<TaskQueueKind, number>> = {
  workflow: TYPES.TASK_QUEUE_TYPE_WORKFLOW,
  activity: TYPES.TASK_QUEUE_TYPE_ACTIVITY,
  nexus: TYPES.TASK_QUEUE_TYPE_NEXUS,
};

type Seconds = number | string | { toNumber(): number } | null | undefined;

function epochMs(ts: { seconds?: Seconds; nanos?: number | null } | null | undefined): number {
  if (!ts) return 0;
  const s = ts.seconds;
  const seconds = s === null || s === undefined ? 0 : typeof s === 'object' ? s.toNumber() : Number(s);
  return seconds * 1000 + Math.floor((ts.nanos ?? 0) / 1e6);
}

/** Pollers DescribeTaskQueue lists for the queue; dead ones linger about five minutes. */
export async function listPollers(
  client: Client,
  taskQueue: string,
  kind: TaskQueueKind = 'workflow',
): Promise<PollerFact[]> {
  const response = await client.workflowService.describeTaskQueue({
    namespace: client.options.namespace,
    taskQueue: { name: taskQueue, kind: temporal.api.enums.v1.TaskQueueKind.TASK_QUEUE_KIND_NORMAL },
    taskQueueType: TASK_QUEUE_TYPE[kind],
  });
  return (response.pollers ?? []).map((p): PollerFact => {
    const fact: PollerFact = { identity: p.identity ?? '', lastAccessTimeMs: epochMs(p.lastAccessTime) };
    // Only a worker in versioned mode serves a deployment version (pinned runs' tasks go to it alone).
    const d = p.deploymentOptions;
    if (d?.deploymentName && d.buildId && d.workerVersioningMode === VERSIONED)
      fact.version = { deploymentName: d.deploymentName, buildId: d.buildId };
    return fact;
  });
}
