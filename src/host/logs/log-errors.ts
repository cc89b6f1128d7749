// The last errors in a worker log, with their times. Pure text parsing: the caller reads the log.

export interface LogError {
  /** Epoch ms of the line, or of the nearest timestamped line above it; undefined when none. */
  timeMs?: number;
  /** The error line (for a traceback: the logged message and the exception line). */
  text: string;
  /** 1-based line number in the text given. */
  line: number;
}

// Python logging's default asctime ("2025-06-01 10:11:12,345", local time) or ISO 8601.
const TIMESTAMP =
  /^(?:=== )?(\d{4})-(\d\d)-(\d\d)[ T](\d\d):(\d\d):(\d\d)(?:[,.](\d{1,9}))?(Z|[+-]\d\d:?\d\d)?/;
const ERROR_LINE =
  /\b(ERROR|CRITICAL|FATAL)\b|Failed activation|Completing activity as failed|^\w*(Error|Exception): /;
const TRACEBACK = 'Traceback (most recent call last):';
export const RUN_MARKER = /^=== \S+ temporal-ops starting: /;

/** Epoch ms of a line's leading timestamp; undefined when it has none. */
export function lineTimeMs(line: string): number | undefined {
  const m = TIMESTAMP.exec(line);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const ms = Number((frac ?? '0').padEnd(3, '0').slice(0, 3));
  if (zone) return Date.parse(`${y}-${mo}-${d}T${h}:${mi}:${s}.${String(ms).padStart(3, '0')}${zone}`);
  return new Date(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s), ms).getTime();
}

/** The text after the last "temporal-ops starting" marker: the output of the latest run. */
export function latestRun(text: string): string {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    if (RUN_MARKER.test(lines[i] ?? '')) return lines.slice(i).join('\n');
  }
  return text;
}

/**
 * Finds error lines and tracebacks, newest last, at most `limit`. A traceback right after a
 * logged error or warning is one event with it (the SDK logs "Failed activation" then the trace).
 */
export function findLogErrors(text: string, limit = 5): LogError[] {
  const lines = text.split('\n');
  const found: LogError[] = [];
  let lastTime: number | undefined;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] ?? '';
    const time = lineTimeMs(line);
    if (time !== undefined) lastTime = time;
    if (line.startsWith(TRACEBACK)) {
      let end = i + 1;
      while (end < lines.length && /^\s/.test(lines[end] ?? '')) end++;
      const exception = (lines[end] ?? '').trim() || 'traceback';
      const previous = found[found.length - 1];
      if (previous && previous.line === i) previous.text = `${previous.text} — ${exception}`;
      else found.push({ timeMs: lastTime, text: exception, line: i + 1 });
      i = end;
      continue;
    }
    if (ERROR_LINE.test(line) && !RUN_MARKER.test(line))
      found.push({ timeMs: time ?? lastTime, text: line.trim(), line: i + 1 });
  }
  return found.slice(-limit);
}
