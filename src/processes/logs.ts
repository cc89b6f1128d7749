// Worker log files: one per project, appended to, rotated by size, never truncated.
import { open, readFile, rename, rm, stat } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

export interface LogPolicy {
  maxBytes: number;
  keep: number;
}

export const defaultLogPolicy: LogPolicy = { maxBytes: 10 * 1024 * 1024, keep: 3 };

export function workerLogPath(stateDir: string, project: string): string {
  return join(stateDir, 'logs', `worker-${project}.log`);
}

/** Shifts `log` to `log.1` ... `log.<keep>` when it has grown past maxBytes. */
export async function rotateIfLarge(path: string, policy: LogPolicy = defaultLogPolicy): Promise<boolean> {
  const size = await stat(path).then(
    (s) => s.size,
    () => 0,
  );
  if (size < policy.maxBytes) return false;
  await rm(`${path}.${policy.keep}`, { force: true });
  for (let i = policy.keep - 1; i >= 1; i--) {
    if (existsSync(`${path}.${i}`)) await rename(`${path}.${i}`, `${path}.${i + 1}`);
  }
  await rename(path, `${path}.1`);
  return true;
}

/** The last `lines` lines of a log, read from at most the last 64 KiB. */
export async function tailLog(path: string, lines = 40): Promise<string> {
  let handle;
  try {
    handle = await open(path, 'r');
  } catch {
    return '';
  }
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, 64 * 1024);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    return buffer
      .toString('utf8')
      .split('\n')
      .slice(-lines - 1)
      .join('\n')
      .trimEnd();
  } finally {
    await handle.close();
  }
}

/** Whole log text (for searches in small logs). */
export async function readLog(path: string): Promise<string> {
  return readFile(path, 'utf8').catch(() => '');
}
