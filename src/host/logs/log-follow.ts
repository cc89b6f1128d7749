// `worker logs --follow`: print lines as they are appended, across rotations, until aborted.
import { existsSync } from 'node:fs';
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

/** Bytes of `path` from `from` to its end ('' when missing). */
async function readFrom(path: string, from: number): Promise<string> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return '';
  try {
    const { size } = await handle.stat();
    if (size <= from) return '';
    const buffer = Buffer.alloc(size - from);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, from);
    return buffer.subarray(0, bytesRead).toString('utf8');
  } finally {
    await handle.close();
  }
}

/**
 * Calls `onLine` for each complete line appended to `path`. A rotation is noticed: when the path
 * names another file, the old file is read to its end, then the new one from its start; when the
 * file was copied to `path.1` and truncated (a running worker's log), the copy's rest comes first.
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
  const copyIno = async () => (await stat(`${path}.1`).catch(() => undefined))?.ino;
  let lastCopy = await copyIno();
  const emit = (text: string) => {
    const lines = (partial + text).split('\n');
    partial = lines.pop() ?? '';
    for (const line of lines) onLine(line);
  };
  const drain = async () => {
    if (!file) return;
    if (existsSync(`${path}.rotating`)) return; // a copy-then-truncate in progress: look again next time
    const copy = await copyIno();
    const { size } = await file.handle.stat();
    // A new `.1` that is not our file (a rename rotation) was copied from ours, which was then truncated.
    const copied = copy !== lastCopy && copy !== undefined && copy !== file.ino;
    lastCopy = copy;
    if (copied || size < position) {
      // What we had not read yet is in the copy.
      if (copied) emit(await readFrom(`${path}.1`, position));
      position = 0;
    }
    if (size === position) return;
    const buffer = Buffer.alloc(size - position);
    await file.handle.read(buffer, 0, buffer.length, position);
    position = size;
    emit(buffer.toString('utf8'));
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
