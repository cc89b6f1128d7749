// Pollers per task queue, fetched once per sweep: hundreds of workflows on one queue cost one call.
// Each poller carries the fact its host gives about its process (this host's process table, or another
// host's control worker), checked once per distinct identity (per expiry window), so a dead
// worker's lingering poller can be told for a ghost.
import type { Client } from '@temporalio/client';
import type { PollerFact } from '../contract/facts.js';
import type { LivenessOracle, RemoteLiveness } from '../diagnosis/poller-liveness.js';
import type { ProcessFact } from '../contract/facts.js';
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

  private readonly processes = new Map<string, { at: number; fact: ProcessFact | undefined }>();

  private readonly oracle?: LivenessOracle;
  private readonly remote?: RemoteLiveness;

  /**
   * `oracle` judges the identities this host can judge, `remote` asks other hosts about theirs
   * (omit both to judge by last access alone).
   */
  constructor(
    private readonly client: Client,
    judges: { oracle?: LivenessOracle; remote?: RemoteLiveness } = {},
    private readonly ttlMs = 15_000,
  ) {
    this.oracle = judges.oracle;
    this.remote = judges.remote;
  }

  private fresh(identity: string, now: number): boolean {
    const entry = this.processes.get(identity);
    return entry !== undefined && now - entry.at <= this.ttlMs;
  }

  /** Asks this host's oracle, then other hosts, about identities not judged within `ttlMs`. */
  private async judge(identities: string[]): Promise<void> {
    const now = Date.now();
    const unjudged: string[] = [];
    for (const identity of new Set(identities)) {
      if (this.fresh(identity, now)) continue;
      const fact = this.oracle?.(identity);
      this.processes.set(identity, { at: now, fact });
      if (!fact) unjudged.push(identity);
    }
    if (!this.remote || unjudged.length === 0) return;
    const answers = await this.remote(unjudged).catch(() => new Map<string, ProcessFact>());
    for (const [identity, fact] of answers) this.processes.set(identity, { at: now, fact });
  }

  private async withProcesses(pollers: PollerFact[]): Promise<PollerFact[]> {
    if (!this.oracle && !this.remote) return pollers;
    await this.judge(pollers.map((p) => p.identity));
    return pollers.map((p) => {
      const fact = this.processes.get(p.identity)?.fact;
      return fact ? { ...p, process: fact } : p;
    });
  }

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
        pollers: listPollers(this.client, taskQueue, kind).then(
          (listed) => this.withProcesses(listed),
          () => undefined,
        ),
      };
      void fresh.pollers.then((pollers) => (fresh.settled = { pollers }));
      entry = fresh;
      this.entries.set(key, entry);
    }
    return entry.settled ? entry.settled.pollers : entry.pollers;
  }

  /**
   * What this host or the identity's own host says of the process a worker identity names (cached like
   * the pollers' facts); undefined when no judge can tell.
   */
  async processOf(identity: string): Promise<ProcessFact | undefined> {
    if (!this.oracle && !this.remote) return undefined;
    await this.judge([identity]);
    return this.processes.get(identity)?.fact;
  }

  /** DescribeTaskQueue calls made so far (for progress and benchmarks). */
  get calls(): number {
    return this.fetches;
  }
}
