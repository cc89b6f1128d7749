// Where the process layer learns who polls a task queue: DescribeTaskQueue for both task types,
// merged per identity. Injected as a function so process logic runs without a server in tests.
import type { Client } from '@temporalio/client';
import { listPollers } from '../temporal/task-queue.js';
import type { QueuePoller } from './reconcile.js';

/** Pollers of a task queue (workflow and activity task types merged per identity). */
export type PollerSource = (taskQueue: string) => Promise<QueuePoller[]>;

/** Merges per-type poller lists: one entry per identity, latest access, the types it polls. */
export function mergePollers(
  workflow: { identity: string; lastAccessTimeMs: number }[],
  activity: { identity: string; lastAccessTimeMs: number }[],
): QueuePoller[] {
  const byIdentity = new Map<string, QueuePoller>();
  const add = (list: typeof workflow, type: 'workflow' | 'activity') => {
    for (const p of list) {
      const entry = byIdentity.get(p.identity) ?? { identity: p.identity, lastAccessTimeMs: 0, types: [] };
      entry.lastAccessTimeMs = Math.max(entry.lastAccessTimeMs, p.lastAccessTimeMs);
      if (!entry.types.includes(type)) entry.types.push(type);
      byIdentity.set(p.identity, entry);
    }
  };
  add(workflow, 'workflow');
  add(activity, 'activity');
  return [...byIdentity.values()];
}

/** A PollerSource backed by the client's DescribeTaskQueue. */
export function clientPollerSource(client: Client): PollerSource {
  return async (taskQueue) => {
    const [workflow, activity] = await Promise.all([
      listPollers(client, taskQueue, 'workflow'),
      listPollers(client, taskQueue, 'activity'),
    ]);
    return mergePollers(workflow, activity);
  };
}
