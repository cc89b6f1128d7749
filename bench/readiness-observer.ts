// For the readiness bench: an independent observer that notes when the server first lists each
// poller identity of a task queue (polling DescribeTaskQueue every 20 ms), so "first poll" does not
// depend on the code under test.
import type { Client } from '@temporalio/client';
import { listPollers } from '../src/temporal/task-queue.js';
import { pidOfIdentity } from '../src/host/workers/readiness.js';

export interface PollObserver {
  /** The earliest last-access time seen for a poller whose pid is `pid` (epoch ms). */
  firstPoll(pid: number): number | undefined;
  stop(): Promise<void>;
}

/** Starts observing `taskQueue` until stop(). */
export function observePolls(client: Client, taskQueue: string, intervalMs = 20): PollObserver {
  const first = new Map<number, number>();
  let running = true;
  const loop = (async () => {
    while (running) {
      for (const p of await listPollers(client, taskQueue).catch(() => [])) {
        const pid = pidOfIdentity(p.identity);
        if (pid !== undefined && !first.has(pid)) first.set(pid, p.lastAccessTimeMs);
      }
      await new Promise((resolve) => setTimeout(resolve, intervalMs));
    }
  })();
  return {
    firstPoll: (pid) => first.get(pid),
    async stop() {
      running = false;
      await loop;
    },
  };
}
