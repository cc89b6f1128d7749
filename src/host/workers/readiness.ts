// Readiness: the server sees the worker. A poller on the target task queue whose identity
// (`<pid>@<host>`, the Python SDK default) names a live pid of the spawned group, seen after spawn.
// A worker that daemonised is followed out of its group by the spawn token its processes carry.
import { setTimeout as sleep } from 'node:timers/promises';
import type { PollerFact } from '../../contract/facts.js';
import { failpoint } from '../records/failpoint.js';
import { groupMembers, type ProcInfo } from '../records/proc.js';

/** The pid in a `<pid>@<host>` identity, if it has one. */
export function pidOfIdentity(identity: string): number | undefined {
  const match = /^(\d+)@/.exec(identity);
  return match ? Number(match[1]) : undefined;
}

/** The first poller that belongs to one of `pids` and was seen at or after `sinceMs`. */
function ownPoller<P extends PollerFact>(
  pollers: P[],
  pids: ReadonlySet<number>,
  sinceMs: number,
): P | undefined {
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
  /** The worker's live processes outside its group (they carry its spawn token): it daemonised. */
  escaped?: () => ProcInfo[];
  /** Resolves when the spawned leader exits, to notice a dying worker without waiting a tick. */
  exited?: Promise<unknown>;
  /** Called between polls, e.g. to heartbeat; may throw to abort. */
  onTick?: () => void;
  /** Aborts the wait: it rejects with the signal's reason. */
  signal?: AbortSignal;
  intervalMs?: number;
}

export type ReadyOutcome =
  | {
      ready: true;
      poller: PollerFact;
      waitedMs: number;
      /** When we saw the poller (epoch ms); `readyAtMs - poller.lastAccessTimeMs` is our detection lag. */
      readyAtMs: number;
      /** The polling process, when it runs outside the spawned group (the worker daemonised). */
      outside?: ProcInfo;
    }
  | {
      ready: false;
      reason: 'exited' | 'timeout';
      waitedMs: number;
      lastError?: string;
      /** Pids outside the group that carried the worker's token at the last look. */
      outside: number[];
    };

/** The spawned group's members and the worker's processes outside it; looks twice before saying "none". */
async function workerProcesses(wait: ReadyWait): Promise<{ members: ProcInfo[]; outside: ProcInfo[] }> {
  const look = () => {
    const members = groupMembers(wait.pgid);
    const outside = (wait.escaped?.() ?? []).filter((p) => p.pgid !== wait.pgid);
    return { members, outside };
  };
  const first = look();
  if (first.members.length > 0 || first.outside.length > 0 || !wait.escaped) return first;
  // The process table is read pid by pid, or as a snapshot that races a fork: a daemon's
  // intermediate child can exit after we listed pids and before we read it, while its own child
  // was not listed yet. A second look sees the latter.
  await sleep(30);
  return look();
}

/** Polls DescribeTaskQueue until our poller shows up, the group dies, or the timeout passes. */
export async function waitForPoller(wait: ReadyWait): Promise<ReadyOutcome> {
  const started = Date.now();
  // DescribeTaskQueue is cheap; a short interval keeps "ready" within a fraction of a second of the first poll.
  const interval = wait.intervalMs ?? 100;
  let leaderExited = false;
  const exited = wait.exited?.then(() => {
    leaderExited = true;
  });
  let lastError: string | undefined;
  let first = true;
  for (;;) {
    wait.signal?.throwIfAborted();
    const { members, outside } = await workerProcesses(wait);
    const outsidePids = outside.map((p) => p.pid);
    if (members.length === 0 && outside.length === 0)
      return { ready: false, reason: 'exited', waitedMs: Date.now() - started, outside: [] };
    let pollers: PollerFact[] = [];
    try {
      pollers = await wait.listPollers();
      lastError = undefined;
    } catch (error) {
      // A server hiccup is not the worker's fault: keep waiting until the timeout says otherwise.
      lastError = error instanceof Error ? error.message : String(error);
    }
    const pids = new Set([...members, ...outside].map((m) => m.pid));
    const poller = ownPoller(pollers, pids, wait.sinceMs - 1000);
    const now = Date.now();
    if (poller) {
      const polling = outside.find((p) => p.pid === pidOfIdentity(poller.identity));
      return {
        ready: true,
        poller,
        waitedMs: now - started,
        readyAtMs: now,
        ...(polling ? { outside: polling } : {}),
      };
    }
    if (now - started >= wait.timeoutMs)
      return { ready: false, reason: 'timeout', waitedMs: now - started, lastError, outside: outsidePids };
    wait.onTick?.();
    if (first) failpoint('ensure:during-ready');
    first = false;
    // An aborted sleep rejects with a generic AbortError; the loop head throws the signal's reason.
    await Promise.race([
      sleep(interval, undefined, wait.signal ? { signal: wait.signal } : undefined).catch(() => undefined),
      ...(exited && !leaderExited ? [exited] : []),
    ]);
  }
}
