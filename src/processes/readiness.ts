// Readiness: the server sees the worker. A poller on the target task queue whose identity
// (`<pid>@<host>`, the Python SDK default) names a live pid of the spawned group, seen after spawn.
import { setTimeout as sleep } from 'node:timers/promises';
import type { PollerFact } from '../diagnosis/facts.js';
import { groupMembers } from './proc.js';

/** The pid in a `<pid>@<host>` identity, if it has one. */
export function pidOfIdentity(identity: string): number | undefined {
  const match = /^(\d+)@/.exec(identity);
  return match ? Number(match[1]) : undefined;
}

/** The first poller that belongs to one of `pids` and was seen at or after `sinceMs`. */
export function ownPoller(pollers: PollerFact[], pids: ReadonlySet<number>, sinceMs: number): PollerFact | undefined {
  return pollers.find((p) => {
    const pid = pidOfIdentity(p.identity);
    return pid !== undefined && pids.has(pid) && p.lastAccessTimeMs >= sinceMs;
  });
}

export interface ReadyWait {
  pgid: number;
  /** When the worker was spawned (epoch ms); pollers last seen before it are not ours. */
  sinceMs: number;
  timeoutMs: number;
  listPollers: () => Promise<PollerFact[]>;
  /** Called between polls, e.g. to heartbeat; may throw to abort. */
  onTick?: () => void;
  intervalMs?: number;
}

export type ReadyOutcome =
  | { ready: true; poller: PollerFact; waitedMs: number }
  | { ready: false; reason: 'exited' | 'timeout'; waitedMs: number };

/** Polls DescribeTaskQueue until our poller shows up, the group dies, or the timeout passes. */
export async function waitForPoller(wait: ReadyWait): Promise<ReadyOutcome> {
  const started = Date.now();
  const interval = wait.intervalMs ?? 200;
  for (;;) {
    const members = groupMembers(wait.pgid);
    if (members.length === 0) return { ready: false, reason: 'exited', waitedMs: Date.now() - started };
    const poller = ownPoller(await wait.listPollers(), new Set(members.map((m) => m.pid)), wait.sinceMs - 1000);
    if (poller) return { ready: true, poller, waitedMs: Date.now() - started };
    if (Date.now() - started >= wait.timeoutMs) return { ready: false, reason: 'timeout', waitedMs: Date.now() - started };
    wait.onTick?.();
    await sleep(interval);
  }
}
