// Spawn tokens: every process we spawn carries one, so a retried step can find what an interrupted
// attempt spawned. It travels two ways: in the environment (TEMPORAL_OPS_SPAWN_TOKEN, read from
// /proc/<pid>/environ on Linux) and as an inherited descriptor on a file named after it under the
// state dir (found with `lsof` by the portable backend, which never reads another environment).
// Both pass through fork, setsid and exec; the file is reachable only through our state dir.
import { createHash } from 'node:crypto';
import { mkdirSync, realpathSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { nanoid } from 'nanoid';
import { processBackend, type ProcInfo } from './proc.js';

/** The same token for every attempt of one step (e.g. workflowId, runId, activityId). */
export function tokenFor(parts: string[]): string {
  return createHash('sha256').update(parts.join('\0')).digest('hex').slice(0, 24);
}

/** A token for a spawn that no retry will look for (CLI, crash supervision). */
export function freshToken(): string {
  return `n${nanoid(16)}`;
}

/** The directory of token files, as `lsof` names it (symlinks resolved: /var is /private/var on macOS). */
function tokenDir(stateDir: string): string {
  const dir = join(stateDir, 'tokens');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return realpathSync(dir);
}

/** The file a spawn carrying `token` holds open (spawnDetached's `tokenFile`). */
export function tokenFile(stateDir: string, token: string): string {
  return join(tokenDir(stateDir), token);
}

/** Removes a token's file once nothing carries the token any more; keeps it while anything does. */
export function forgetToken(stateDir: string, token: string): void {
  if (processesWithToken(stateDir, token).length === 0) rmSync(tokenFile(stateDir, token), { force: true });
}

/** The spawn token a process carries, when it has one and we may read it. */
export function tokenOfProcess(stateDir: string, pid: number): string | undefined {
  return processBackend().tokenOfProcess(pid, tokenDir(stateDir));
}

/** Live processes (zombies excluded, this one too) that carry `token`: the proof they are ours. */
export function processesWithToken(stateDir: string, token: string): ProcInfo[] {
  return processBackend()
    .processesWithToken(token, tokenFile(stateDir, token))
    .filter((p) => p.pid !== process.pid);
}
