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

/** Pages of ListWorkers read at most, for the processes behind custom identities. */
const MAX_WORKER_PAGES = 5;

/**
 * The processes behind worker identities on `taskQueue`, from the SDK's worker heartbeats
 * (ListWorkers: host name and process ID), newest first per identity. Empty when the server keeps no
 * heartbeats (older servers, or `frontend.WorkerHeartbeatsEnabled` off) or refuses the call.
 */
export async function heartbeatProcesses(
  client: Client,
  taskQueue: string,
): Promise<Map<string, { pid: number; host: string }[]>> {
  const byIdentity = new Map<string, { pid: number; host: string; atMs: number }[]>();
  let nextPageToken: Uint8Array | undefined;
  try {
    for (let page = 0; page < MAX_WORKER_PAGES; page++) {
      const response = await client.workflowService.listWorkers({
        namespace: client.options.namespace,
        pageSize: 200,
        ...(nextPageToken && { nextPageToken }),
      });
      const workers = response.workers?.length
        ? response.workers
        : (response.workersInfo ?? []).map((w) => ({ ...w.workerHeartbeat, ...w.workerHeartbeat?.hostInfo }));
      for (const w of workers) {
        const pid = Number(w.processId);
        if (
          w.taskQueue !== taskQueue ||
          !w.workerIdentity ||
          !w.hostName ||
          !Number.isInteger(pid) ||
          pid <= 0
        )
          continue;
        const list = byIdentity.get(w.workerIdentity) ?? [];
        list.push({ pid, host: w.hostName, atMs: epochMs(w.startTime) });
        byIdentity.set(w.workerIdentity, list);
      }
      nextPageToken = response.nextPageToken?.length ? response.nextPageToken : undefined;
      if (!nextPageToken) break;
    }
  } catch {
    // No heartbeats to read: custom identities stay unattributed, as before.
  }
  return new Map(
    [...byIdentity].map(([identity, list]) => [
      identity,
      list.sort((a, b) => b.atMs - a.atMs).map(({ pid, host }) => ({ pid, host })),
    ]),
  );
}
