// Serializing process changes per project: an in-process queue (the control worker runs many
// activities at once) plus a lock file that names its holder (other processes on the host).
import { mkdir, open, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { proveIdentity } from './identity.js';
import { bootId, readProc } from './proc.js';

const queues = new Map<string, Promise<unknown>>();

async function acquireFile(path: string, timeoutMs: number): Promise<void> {
  const self = readProc(process.pid);
  const owner = JSON.stringify({
    pid: process.pid,
    startTime: self?.startTime ?? '',
    bootId: bootId(),
    cmdline: self?.cmdline ?? [],
  });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const handle = await open(path, 'wx');
      await handle.writeFile(owner);
      await handle.close();
      return;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = await readFile(path, 'utf8').then(
      (text) => JSON.parse(text) as never,
      () => undefined,
    );
    if (holder && proveIdentity(holder).ownership !== 'ours') {
      // The holder died without releasing: the lock is stale.
      await rm(path, { force: true });
      continue;
    }
    if (Date.now() >= deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for lock ${path}`);
    await sleep(100);
  }
}

/** Runs `task` while holding the project's lock; tasks of one project run one at a time. */
export async function withProjectLock<T>(
  stateDir: string,
  project: string,
  task: () => Promise<T>,
  timeoutMs = 120_000,
): Promise<T> {
  const key = `${stateDir}\0${project}`;
  const previous = queues.get(key) ?? Promise.resolve();
  const run = previous
    .catch(() => undefined)
    .then(async () => {
      const dir = join(stateDir, 'locks');
      await mkdir(dir, { recursive: true });
      const path = join(dir, `${project}.lock`);
      await acquireFile(path, timeoutMs);
      try {
        return await task();
      } finally {
        await rm(path, { force: true });
      }
    });
  queues.set(key, run);
  try {
    return await run;
  } finally {
    if (queues.get(key) === run) queues.delete(key);
  }
}
