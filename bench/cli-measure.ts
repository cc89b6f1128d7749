// Measurements for the CLI bench: wall time of a command run to its exit, and of a worker process
// from spawn until the server lists its poller, plus its resident memory once idle. Every process
// here is this bench's own child, stopped through its own process group.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { execa } from 'execa';
import { listPollers } from '../src/temporal/task-queue.js';
import { groupMembers, groupUsage } from '../src/host/records/proc.js';
import { pidOfIdentity } from '../src/host/workers/readiness.js';

export interface CommandSpec {
  file: string;
  args: string[];
  cwd?: string;
  env?: Record<string, string>;
}

/** Milliseconds from spawn to a successful exit; a failing command throws with its output. */
export async function timeCommand(spec: CommandSpec): Promise<number> {
  const started = performance.now();
  const result = await execa(spec.file, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    reject: false,
    stdin: 'ignore',
  });
  const ms = performance.now() - started;
  if (result.exitCode !== 0)
    throw new Error(`${spec.file} ${spec.args.join(' ')} exited ${result.exitCode}: ${result.stderr}`);
  return ms;
}

function signalGroup(pgid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pgid, signal);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ESRCH') throw error;
  }
}

/** SIGTERM to the group, up to 15 s of grace, then SIGKILL. */
async function stopGroup(pgid: number): Promise<void> {
  signalGroup(pgid, 'SIGTERM');
  const deadline = Date.now() + 15_000;
  while (groupMembers(pgid).length > 0 && Date.now() < deadline) await sleep(50);
  if (groupMembers(pgid).length > 0) signalGroup(pgid, 'SIGKILL');
}

export interface WorkerRun {
  /** Spawn to the first listing that shows a poller of the spawned group. */
  pollingMs: number;
  /** RSS of the group after `idleMs` of idling while polling. */
  idleRssBytes: number;
  /** RSS of the group at each of `rssAtMs` after polling began. */
  rssAt: number[];
}

export interface WorkerRunOptions {
  /** Idle this long once polling before reading RSS (default 0). */
  idleMs?: number;
  /** Also read RSS at these offsets (ms after polling, each below idleMs). */
  rssAtMs?: number[];
  /** Runs once polling, before the stop (e.g. work for the worker). */
  whilePolling?: () => Promise<void>;
  timeoutMs?: number;
}

/** Spawns a worker in its own group, waits until `taskQueue` lists its poller, then stops the group. */
export async function timeWorker(
  client: Client,
  spec: CommandSpec,
  taskQueue: string,
  { idleMs = 0, rssAtMs = [], whilePolling, timeoutMs = 120_000 }: WorkerRunOptions = {},
): Promise<WorkerRun> {
  const started = performance.now();
  const child = execa(spec.file, spec.args, {
    cwd: spec.cwd,
    env: spec.env,
    detached: true,
    reject: false,
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'pipe',
  });
  const pgid = child.pid!;
  try {
    for (;;) {
      const members = new Set(groupMembers(pgid).map((m) => m.pid));
      const pollers = await listPollers(client, taskQueue).catch(() => []);
      if (pollers.some((p) => members.has(pidOfIdentity(p.identity) ?? -1))) break;
      if (child.exitCode !== null) throw new Error(`${spec.file} exited early: ${(await child).stderr}`);
      if (performance.now() - started > timeoutMs)
        throw new Error(`${spec.file} ${spec.args.join(' ')} did not poll ${taskQueue} in ${timeoutMs} ms`);
      await sleep(10);
    }
    const pollingMs = performance.now() - started;
    const rssAt: number[] = [];
    for (const at of rssAtMs) {
      await sleep(Math.max(0, at - (performance.now() - started - pollingMs)));
      rssAt.push(groupUsage(pgid).rssBytes);
    }
    await sleep(Math.max(0, idleMs - (performance.now() - started - pollingMs)));
    await whilePolling?.();
    return { pollingMs, idleRssBytes: groupUsage(pgid).rssBytes, rssAt };
  } finally {
    await stopGroup(pgid);
    await child;
  }
}

/** The median of a non-empty list. */
export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
}
