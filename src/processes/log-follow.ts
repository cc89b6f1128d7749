// `worker logs --follow`: print lines as they are appended, across rotations, until aborted.
import { open, stat, type FileHandle } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

export interface FollowOptions {
  signal: AbortSignal;
  /** Where to start in the current file (default: its end, after the caller printed a tail). */
  fromByte?: number;
  intervalMs?: number;
}

async function openIfExists(path: string): Promise<{ handle: FileHandle; ino: number } | undefined> {
  try {
    const handle = await open(path, 'r');
    return { handle, ino: (await handle.stat()).ino };
  } catch {
    return undefined;
  }
}

/**
 * Calls `onLine` for each complete line appended to `path`. A rotation (the path now names
 * another file) is noticed: the old file is read to its end, then the new one from its start.
 */
export async function followLog(
  path: string,
  onLine: (line: string) => void,
  options: FollowOptions,
): Promise<void> {
  const interval = options.intervalMs ?? 250;
  let file = await openIfExists(path);
  let position = options.fromByte ?? (file ? (await file.handle.stat()).size : 0);
  let partial = '';
  const drain = async () => {
    if (!file) return;
    const { size } = await file.handle.stat();
    if (size < position) position = 0; // truncated by someone else: start over rather than stall
    if (size === position) return;
    const buffer = Buffer.alloc(size - position);
    await file.handle.read(buffer, 0, buffer.length, position);
    position = size;
    const lines = (partial + buffer.toString('utf8')).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  };
  try {
    while (!options.signal.aborted) {
      await drain();
      const now = await stat(path).catch(() => undefined);
      if (now && now.ino !== file?.ino) {
        await drain();
        if (partial) onLine(partial);
        partial = '';
        await file?.handle.close();
        file = await openIfExists(path);
        position = 0;
        continue;
      }
      await sleep(interval, undefined, { signal: options.signal }).catch(() => undefined);
    }
    await drain();
    if (partial) onLine(partial);
  } finally {
    await file?.handle.close();
  }
}
