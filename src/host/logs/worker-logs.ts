// Our target workers' log lines about one run: the lines that name it (with their traceback), or
// else the lines logged around the failing task's time by the workers of its task queue.
import { open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { readPidRecords } from '../records/pid-file.js';
import type { LogExcerpt, LogQuery } from '../../contract/log-excerpt.js';

const TIMESTAMP = /^(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:[,.](\d{1,6}))?(Z|[+-]\d\d:?\d\d)?/;
const READ_BYTES = 2 * 1024 * 1024;

/** Epoch ms of a log line's leading timestamp (Python logging's local `asctime`, or ISO); undefined without one. */
export function logLineTimeMs(line: string): number | undefined {
  const m = TIMESTAMP.exec(line);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = Number((frac ?? '0').padEnd(3, '0').slice(0, 3));
  if (zone)
    return Date.parse(
      `${y}-${mo}-${d}T${h}:${mi}:${s}.${String(ms).padStart(3, '0')}${zone === 'Z' ? 'Z' : zone}`,
    );
  return new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms).getTime();
}

/** Lines selected by `pick`, each with the untimestamped lines that follow it (a traceback), up to maxLines. */
function excerpt(lines: readonly string[], pick: (line: string) => boolean, maxLines: number): string[] {
  const out: string[] = [];
  for (let i = 0; i < lines.length && out.length < maxLines; i++) {
    const line = lines[i] as string;
    if (!pick(line)) continue;
    out.push(line);
    for (
      let j = i + 1;
      j < lines.length && out.length < maxLines && logLineTimeMs(lines[j] as string) === undefined;
      j++
    ) {
      if ((lines[j] as string).startsWith('=== ')) break;
      out.push(lines[j] as string);
      i = j;
    }
  }
  return out;
}

/** Lines that name the run id (else the workflow id as a whole word), with their tracebacks. */
export function excerptMentions(
  text: string,
  ids: { workflowId: string; runId: string },
  maxLines = 80,
): string[] {
  const lines = text.split('\n');
  const byRun = excerpt(lines, (l) => l.includes(ids.runId), maxLines);
  if (byRun.length > 0 || !ids.workflowId) return byRun;
  return excerpt(lines, (l) => namesWord(l, ids.workflowId), maxLines);
}

const wordChar = /[\w.-]/;

/** True when `word` occurs in `line` between non-word characters (a workflow ID from input: no regex is built of it). */
function namesWord(line: string, word: string): boolean {
  for (let at = line.indexOf(word); at >= 0; at = line.indexOf(word, at + 1)) {
    const before = line[at - 1];
    const after = line[at + word.length];
    if ((before === undefined || !wordChar.test(before)) && (after === undefined || !wordChar.test(after)))
      return true;
  }
  return false;
}

/** Lines logged within ±windowMs of `aroundMs`, with their tracebacks. */
export function excerptAround(text: string, aroundMs: number, windowMs = 5000, maxLines = 80): string[] {
  return excerpt(
    text.split('\n'),
    (l) => {
      const t = logLineTimeMs(l);
      return t !== undefined && Math.abs(t - aroundMs) <= windowMs;
    },
    maxLines,
  );
}

async function readTail(path: string): Promise<string> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return '';
  try {
    const { size } = await handle.stat();
    const length = Math.min(size, READ_BYTES);
    const buffer = Buffer.alloc(length);
    await handle.read(buffer, 0, length, size - length);
    const text = buffer.toString('utf8');
    // A cut first line is noise.
    return length < size ? text.slice(text.indexOf('\n') + 1) : text;
  } finally {
    await handle.close();
  }
}

/**
 * Excerpts of the worker logs under `stateDir` about the run: every worker log (current and first
 * rotation) is searched for the run; when none names it, the logs of the workers recorded on its
 * task queue give the lines around `aroundMs`.
 */
export async function workerLogExcerpts(stateDir: string, query: LogQuery): Promise<LogExcerpt[]> {
  const dir = join(stateDir, 'logs');
  const names = await readdir(dir).catch(() => [] as string[]);
  const paths = names
    .filter((n) => /^worker-.+\.log(\.1)?$/.test(n))
    .sort()
    .map((n) => join(dir, n));
  const maxLines = query.maxLines ?? 80;
  const found: LogExcerpt[] = [];
  for (const path of paths) {
    const lines = excerptMentions(await readTail(path), query, maxLines);
    if (lines.length > 0) found.push({ path, match: 'run', lines });
  }
  if (found.length > 0 || query.aroundMs === undefined) return found;
  const records = await readPidRecords(stateDir, { kind: 'worker' });
  const queuePaths = [
    ...new Set(records.filter((r) => r.taskQueue === query.taskQueue).map((r) => r.logPath)),
  ];
  for (const path of queuePaths) {
    const lines = excerptAround(await readTail(path), query.aroundMs, query.windowMs, maxLines);
    if (lines.length > 0) found.push({ path, match: 'time', lines });
  }
  return found;
}
