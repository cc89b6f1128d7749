// Where a sweep's memory lives: one file per scope under the state dir, replaced atomically.
//
// Why a host record and not a workflow's state: the memory of a 10,000-run scope is about a megabyte,
// rewritten at every sweep; as workflow state it would travel in an update's payload and history at
// each sweep, near Temporal's 2 MB payload limit. The memory is a cache, never the truth: a missing,
// unreadable or foreign one makes a full sweep, and every run it answers for is described again
// within `recheckEvery` sweeps of that host. A sweep that another host's control worker runs keeps
// that host's memory (pin the sweep with `host` for one memory per scope).
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rename, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import type { SweepMemory, SweepRecall } from '../../contract/sweep-memory.js';

/** The scope a memory belongs to: the namespace, the query and the policy it was judged by. */
export function sweepScope(namespace: string, query: string, policy: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify([namespace, query, policy ?? {}]))
    .digest('hex')
    .slice(0, 32);
}

function fileOf(stateDir: string, scope: string): string {
  return join(stateDir, 'sweeps', `${scope}.json`);
}

/** The scope's memory, or undefined when there is none usable (a full sweep follows). */
export async function readSweepMemory(stateDir: string, scope: string): Promise<SweepMemory | undefined> {
  try {
    const memory = JSON.parse(await readFile(fileOf(stateDir, scope), 'utf8')) as Partial<SweepMemory>;
    const usable =
      memory.version === 1 &&
      memory.scope === scope &&
      Number.isInteger(memory.sweeps) &&
      typeof memory.runs === 'object' &&
      typeof memory.queues === 'object';
    return usable ? (memory as SweepMemory) : undefined;
  } catch {
    return undefined;
  }
}

/** A temporary file older than this was left by a writer that was killed: no live write takes so long. */
export const STALE_TEMPORARY_MS = 10 * 60_000;

/** Removes the scope's temporary files that writers killed mid-write left behind. */
async function removeStaleTemporaries(stateDir: string, scope: string, now: number): Promise<void> {
  const dir = join(stateDir, 'sweeps');
  const prefix = `${scope}.json.`;
  for (const name of await readdir(dir)) {
    if (!name.startsWith(prefix) || !name.endsWith('.tmp')) continue;
    const path = join(dir, name);
    // Gone already (another writer cleaned it): nothing to do.
    const info = await stat(path).catch(() => undefined);
    if (info && now - info.mtimeMs > STALE_TEMPORARY_MS) await unlink(path).catch(() => undefined);
  }
}

/**
 * Replaces the scope's memory: a temporary file, then a rename, so a kill leaves the old one or the new
 * (and a temporary file, which the next write of the scope removes once it is stale).
 */
export async function writeSweepMemory(
  stateDir: string,
  memory: SweepMemory,
  now = Date.now(),
): Promise<void> {
  const path = fileOf(stateDir, memory.scope);
  await mkdir(join(stateDir, 'sweeps'), { recursive: true });
  const temporary = `${path}.${nanoid(8)}.tmp`;
  await writeFile(temporary, JSON.stringify(memory));
  await rename(temporary, path);
  await removeStaleTemporaries(stateDir, memory.scope, now);
}

/**
 * The last memory of the scope as sweep `sweep` should use it: none when `full`; a memory the same
 * sweep wrote (a retried activity whose first run finished) counts as the one before it, so the
 * retry checks the same rotation slot and leaves the same count.
 */
export async function recallSweep(
  stateDir: string,
  scope: string,
  memory: { sweep: string; recheckEvery: number; full: boolean },
  maxFindings: number,
): Promise<SweepRecall> {
  const recall: SweepRecall = { recheckEvery: memory.recheckEvery, maxFindings };
  const previous = memory.full ? undefined : await readSweepMemory(stateDir, scope);
  if (previous)
    recall.previous =
      previous.writtenBy === memory.sweep ? { ...previous, sweeps: previous.sweeps - 1 } : previous;
  return recall;
}
