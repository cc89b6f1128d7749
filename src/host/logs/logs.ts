// Worker log files: one per project, appended to by each worker through an O_APPEND descriptor, in
// labelled sections (one per worker start), capped by size while the worker runs.
import { appendFile, copyFile, mkdir, open, rename, rm, stat } from 'node:fs/promises';
import { closeSync, existsSync, fstatSync, ftruncateSync, openSync, readSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { RUN_MARKER } from './log-errors.js';
import { readPidRecords, type PidRecord } from '../records/pid-file.js';

export interface LogPolicy {
  maxBytes: number;
  keep: number;
}

export const defaultLogPolicy: LogPolicy = { maxBytes: 10 * 1024 * 1024, keep: 3 };

/** How far back a tail looks (across rotated files). */
const TAIL_WINDOW_BYTES = 64 * 1024;

/** A rotation lock older than this was left by a rotator that died (a rotation takes well under a second). */
const STALE_ROTATION_MS = 60_000;

export function workerLogPath(stateDir: string, project: string): string {
  return join(stateDir, 'logs', `worker-${project}.log`);
}

/** The header line that opens a worker's section of the log; `id` labels the section. */
export function sectionHeader(command: string, cwd: string, id: string): string {
  return `=== ${new Date().toISOString()} temporal-ops starting: ${command} (cwd ${cwd}) [section ${id}]`;
}

function sizeOf(path: string): Promise<number> {
  return stat(path).then(
    (s) => s.size,
    () => 0,
  );
}

/** Takes the rotation lock of a log (a directory); a lock left by a rotator that died is taken over. */
async function lockRotation(lock: string): Promise<boolean> {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      await mkdir(lock);
      return true;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const since = await stat(lock).then(
      (s) => Date.now() - s.mtimeMs,
      () => 0,
    );
    if (since < STALE_ROTATION_MS) return false;
    await rm(lock, { recursive: true, force: true });
  }
  return false;
}

/** Appends to `to` what `from` holds past `to`'s length: the lines written while we copied. */
async function catchUp(from: string, to: string): Promise<void> {
  for (;;) {
    const [have, now] = await Promise.all([sizeOf(to), sizeOf(from)]);
    if (now <= have) return;
    const handle = await open(from, 'r');
    try {
      const buffer = Buffer.alloc(now - have);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, have);
      await appendFile(to, buffer.subarray(0, bytesRead));
    } finally {
      await handle.close();
    }
  }
}

/**
 * The last stretch of a copy then truncate: appends to `to` what `from` grew by since, then empties
 * `from`, without yielding in between, so that a writer has the least time to append a line that
 * neither file keeps.
 */
function catchUpAndTruncate(from: string, to: string): void {
  const source = openSync(from, 'r+');
  try {
    const target = openSync(to, 'a');
    try {
      const buffer = Buffer.alloc(64 * 1024);
      let offset = fstatSync(target).size;
      for (let read = readSync(source, buffer, 0, buffer.length, offset); read > 0;) {
        writeSync(target, buffer, 0, read);
        offset += read;
        read = readSync(source, buffer, 0, buffer.length, offset);
      }
      ftruncateSync(source, 0);
    } finally {
      closeSync(target);
    }
  } finally {
    closeSync(source);
  }
}

/**
 * Shifts `log` to `log.1` ... `log.<keep>` once it has grown past maxBytes, by copy then truncate:
 * a running worker keeps writing through its O_APPEND descriptor, now at the start of the emptied
 * file. One rotator at a time (a lock directory); a rotator killed half-way loses no line (at worst
 * the next rotation copies some twice). Returns whether it rotated.
 */
export async function rotateIfLarge(path: string, policy: LogPolicy = defaultLogPolicy): Promise<boolean> {
  if ((await sizeOf(path)) < policy.maxBytes) return false;
  const lock = `${path}.rotating`;
  if (!(await lockRotation(lock))) return false;
  try {
    if ((await sizeOf(path)) < policy.maxBytes) return false; // another rotator was faster
    await rm(`${path}.${policy.keep}`, { force: true });
    for (let i = policy.keep - 1; i >= 1; i--) {
      if (existsSync(`${path}.${i}`)) await rename(`${path}.${i}`, `${path}.${i + 1}`);
    }
    const copy = `${path}.rotate.tmp`;
    await copyFile(path, copy);
    await rename(copy, `${path}.1`);
    await catchUp(path, `${path}.1`);
    catchUpAndTruncate(path, `${path}.1`);
    return true;
  } finally {
    await rm(lock, { recursive: true, force: true });
  }
}

/** Rotates the logs of the recorded workers under `stateDir` that grew past the policy's size; returns their paths. */
async function capWorkerLogs(stateDir: string, policy: LogPolicy = defaultLogPolicy): Promise<string[]> {
  const records = await readPidRecords(stateDir, { kind: 'worker' });
  const rotated: string[] = [];
  for (const path of new Set(records.map((r) => r.logPath))) {
    if (await rotateIfLarge(path, policy).catch(() => false)) rotated.push(path);
  }
  return rotated;
}

/** Runs `task` every `intervalMs` (never two at once) until `signal` aborts; the timer keeps no process alive. */
function repeat(task: () => Promise<unknown>, options: { signal?: AbortSignal; intervalMs?: number }): void {
  let busy = false;
  const timer = setInterval(() => {
    if (busy) return;
    busy = true;
    void task()
      .catch(() => undefined)
      .finally(() => (busy = false));
  }, options.intervalMs ?? 5000);
  timer.unref();
  options.signal?.addEventListener('abort', () => clearInterval(timer), { once: true });
}

/**
 * Caps the recorded workers' logs every `intervalMs` until `signal` aborts, for a long-lived host
 * process (the control worker): a worker's log is rotated within seconds of passing the size.
 */
export function watchWorkerLogs(
  stateDir: string,
  options: { signal: AbortSignal; intervalMs?: number; policy?: LogPolicy },
): void {
  repeat(() => capWorkerLogs(stateDir, options.policy), options);
}

/**
 * Caps one log this process appends to (through an O_APPEND stream) every `intervalMs`, until
 * `signal` aborts or the process exits: rotated like a worker's log, within seconds of passing the size.
 */
export function watchOwnLog(
  path: string,
  options: { signal?: AbortSignal; intervalMs?: number; policy?: LogPolicy } = {},
): void {
  repeat(() => rotateIfLarge(path, options.policy), options);
}

/** The last `length` bytes of a file's range [from, size), or '' when it is missing. */
async function readRange(path: string, from: number, length: number): Promise<Buffer> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return Buffer.alloc(0);
  try {
    const { size } = await handle.stat();
    const start = Math.max(from, size - length);
    if (start >= size) return Buffer.alloc(0);
    const buffer = Buffer.alloc(size - start);
    const { bytesRead } = await handle.read(buffer, 0, buffer.length, start);
    return buffer.subarray(0, bytesRead);
  } finally {
    await handle.close();
  }
}

/** Which file (0: the log, i: `log.i`) holds the section's header at its recorded offset. */
async function sectionFile(
  path: string,
  section: NonNullable<PidRecord['logSection']>,
  keep: number,
): Promise<number | undefined> {
  const label = `[section ${section.id}]`;
  for (let i = 0; i <= keep; i++) {
    const file = i === 0 ? path : `${path}.${i}`;
    const handle = await open(file, 'r').catch(() => undefined);
    if (!handle) continue;
    try {
      const buffer = Buffer.alloc(1024);
      const { bytesRead } = await handle.read(buffer, 0, buffer.length, section.offset);
      const line = buffer.subarray(0, bytesRead).toString('utf8').split('\n')[0] ?? '';
      if (RUN_MARKER.test(line) && line.endsWith(label)) return i;
    } finally {
      await handle.close();
    }
  }
  return undefined;
}

/**
 * The last `lines` lines of one worker's section of its log: from its header (found at the offset
 * the record keeps, in the log or a rotated copy) up to the next worker's header. Without a
 * recorded section (or once it rotated away), the latest section of the log.
 */
export async function sectionTail(
  record: Pick<PidRecord, 'logPath' | 'logSection'>,
  lines = 40,
  policy: LogPolicy = defaultLogPolicy,
): Promise<string> {
  const path = record.logPath;
  const section = record.logSection;
  const found = section ? await sectionFile(path, section, policy.keep) : undefined;
  const chunks: Buffer[] = [];
  let budget = TAIL_WINDOW_BYTES;
  // Newest file first, back to the one holding the header (the log alone when it is unknown).
  for (let i = 0; i <= (found ?? 0) && budget > 0; i++) {
    const from = i === found ? section!.offset : 0;
    const chunk = await readRange(i === 0 ? path : `${path}.${i}`, from, budget);
    chunks.unshift(chunk);
    budget -= chunk.length;
  }
  let text = Buffer.concat(chunks).toString('utf8').split('\n');
  if (found === undefined) {
    let last = text.length - 1;
    while (last >= 0 && !RUN_MARKER.test(text[last] ?? '')) last--;
    if (last >= 0) text = text.slice(last);
  } else {
    // A later worker's header ends this section.
    const label = `[section ${section!.id}]`;
    const next = text.findIndex((line, i) => i > 0 && RUN_MARKER.test(line) && !line.endsWith(label));
    if (next > 0) text = text.slice(0, next);
  }
  return text
    .slice(-lines - 1)
    .join('\n')
    .trimEnd();
}

/** The last `lines` lines of a log, read from at most the last 64 KiB. */
export async function tailLog(path: string, lines = 40): Promise<string> {
  return (await readRange(path, 0, TAIL_WINDOW_BYTES))
    .toString('utf8')
    .split('\n')
    .slice(-lines - 1)
    .join('\n')
    .trimEnd();
}
