// Spawn tokens: every process we spawn carries one in its environment, so a retried step can find
// what an interrupted attempt spawned by reading /proc/<pid>/environ (readable for our own uid only).
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { nanoid } from 'nanoid';
import { listPids, readProc, type ProcInfo } from './proc.js';

export const SPAWN_TOKEN_ENV = 'TEMPORAL_OPS_SPAWN_TOKEN';

/** The same token for every attempt of one step (e.g. workflowId, runId, activityId). */
export function tokenFor(parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 24);
}

/** A token for a spawn that no retry will look for (CLI, crash supervision). */
export function freshToken(): string {
  return `n${nanoid(16)}`;
}

/** The spawn token in a process's environment, when it has one and we may read it. */
export function tokenOfProcess(pid: number): string | undefined {
  let environ: string;
  try {
    environ = readFileSync(`/proc/${pid}/environ`, 'latin1');
  } catch {
    return undefined;
  }
  const prefix = `${SPAWN_TOKEN_ENV}=`;
  const entry = environ.split('\0').find((e) => e.startsWith(prefix));
  return entry?.slice(prefix.length);
}

/** Live processes (zombies excluded) whose environment carries `token`: the proof they are ours. */
export function processesWithToken(token: string): ProcInfo[] {
  const found: ProcInfo[] = [];
  for (const pid of listPids()) {
    if (tokenOfProcess(pid) !== token) continue;
    const info = readProc(pid);
    if (info) found.push(info);
  }
  return found;
}
