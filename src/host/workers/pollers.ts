// Where the process layer learns who polls a task queue: DescribeTaskQueue for both task types,
// merged per identity. Injected as a function so process logic runs without a server in tests.
// Also this host's liveness oracle: whether the process a poller identity names still runs.
import { hostname } from 'node:os';
import type { Client } from '@temporalio/client';
import { parsePollerIdentity, type LivenessOracle } from '../../diagnosis/poller-liveness.js';
import { type ProcessFact } from '../../contract/facts.js';
import { listPollers } from '../../temporal/task-queue.js';
import { bootTimeMs, processBackend, readProc, startTimeMs } from '../records/proc.js';
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

/**
 * This host's liveness oracle: for an identity of the exact `<pid>@<host>` form naming this machine
 * (the Python SDK's default), whether that pid runs here and since when; undefined for any other
 * identity, which this host cannot judge. Assumes one pid namespace per hostname (a machine, a VM,
 * a container with its own hostname). When other users' processes are hidden from us, a missing
 * pid is left unjudged rather than called gone.
 */
export function localLivenessOracle(
  host = hostname(),
  hidden = processBackend().hidesOtherUsers(),
): LivenessOracle {
  let bootMs: number | undefined;
  return (identity): ProcessFact | undefined => {
    const named = parsePollerIdentity(identity);
    if (!named || named.host !== host) return undefined;
    const info = readProc(named.pid);
    if (!info) return hidden ? undefined : { host, pid: named.pid, running: false };
    try {
      bootMs ??= bootTimeMs();
    } catch {
      return undefined;
    }
    return { host, pid: named.pid, running: true, startTimeMs: startTimeMs(info, bootMs) };
  };
}
