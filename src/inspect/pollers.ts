// Pollers per task queue, fetched once per sweep: hundreds of workflows on one queue cost one call.
import type { Client } from '@temporalio/client';
import type { PollerFact } from '../diagnosis/facts.js';
import { listPollers, type TaskQueueKind } from '../temporal/task-queue.js';

/**
 * Memoizes DescribeTaskQueue per (kind, queue) for one sweep or analysis. Entries expire after
 * `ttlMs`, so a long sweep never judges a live worker by a poller list fetched a minute earlier.
 */
export class PollerCache {
  private readonly entries = new Map<string, { at: number; pollers: Promise<PollerFact[] | undefined> }>();
  private fetches = 0;

  constructor(
    private readonly client: Client,
    private readonly ttlMs = 15_000,
  ) {}

  /** The queue's pollers; undefined when DescribeTaskQueue failed (the diagnosis then says so). */
  get(taskQueue: string, kind: TaskQueueKind = 'workflow'): Promise<PollerFact[] | undefined> {
    const key = `${kind}\u0000${taskQueue}`;
    const now = Date.now();
    let entry = this.entries.get(key);
    if (!entry || now - entry.at > this.ttlMs) {
      this.fetches += 1;
      entry = { at: now, pollers: listPollers(this.client, taskQueue, kind).catch(() => undefined) };
      this.entries.set(key, entry);
    }
    return entry.pollers;
  }

  /** DescribeTaskQueue calls made so far (for progress and benchmarks). */
  get calls(): number {
    return this.fetches;
  }
}
