// Pollers per task queue, fetched once per sweep: hundreds of workflows on one queue cost one call.
import type { Client } from '@temporalio/client';
import type { PollerFact } from '../diagnosis/facts.js';
import { listPollers, type TaskQueueKind } from '../temporal/task-queue.js';

interface Entry {
  at: number;
  pollers: Promise<PollerFact[] | undefined>;
  /** Set once `pollers` resolved. */
  settled?: { pollers: PollerFact[] | undefined };
}

/**
 * Memoizes DescribeTaskQueue per (kind, queue) for one sweep or analysis. Entries expire after
 * `ttlMs`, so a long sweep never judges a live worker by a poller list fetched a minute earlier.
 */
export class PollerCache {
  private readonly entries = new Map<string, Entry>();
  private fetches = 0;

  constructor(
    private readonly client: Client,
    private readonly ttlMs = 15_000,
  ) {}

  /**
   * The queue's pollers; undefined when DescribeTaskQueue failed (the diagnosis then says so). Once
   * the answer is in, it is returned as is rather than as a promise: a sweep asks thousands of times.
   */
  get(
    taskQueue: string,
    kind: TaskQueueKind = 'workflow',
  ): PollerFact[] | undefined | Promise<PollerFact[] | undefined> {
    const key = `${kind}\u0000${taskQueue}`;
    const now = Date.now();
    let entry = this.entries.get(key);
    if (!entry || now - entry.at > this.ttlMs) {
      this.fetches += 1;
      const fresh: Entry = {
        at: now,
        pollers: listPollers(this.client, taskQueue, kind).catch(() => undefined),
      };
      void fresh.pollers.then((pollers) => (fresh.settled = { pollers }));
      entry = fresh;
      this.entries.set(key, entry);
    }
    return entry.settled ? entry.settled.pollers : entry.pollers;
  }

  /** DescribeTaskQueue calls made so far (for progress and benchmarks). */
  get calls(): number {
    return this.fetches;
  }
}
