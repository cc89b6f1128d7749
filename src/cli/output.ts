// CLI output: results to stdout (text, json or jsonl), progress, warnings and errors to stderr.

/** Exit codes of every command; documented in docs/REFERENCE.md. */
export const ExitCode = {
  ok: 0,
  /** The recipe ran and reports a problem (ok=false, failed target, error-like result); an unhealthy worker. */
  notOk: 1,
  /** Bad flags or input (also input a recipe rejected as InvalidInput, and bad connection settings). */
  usage: 2,
  /** No server answers, or the connection failed (TLS included). */
  unavailable: 3,
  /** A wait ended by its timeout, or the command ran past --command-timeout. */
  timeout: 4,
  /** `workflows result|recent`: a COMPLETED result reads like an error. */
  resultLooksLikeError: 5,
  /** `workflows wait|result`: the workflow closed with a status other than the one wanted (FAILED, ...). */
  otherTerminal: 6,
  /** No such workflow (or run, or schedule). */
  notFound: 7,
  /** `workflows stalled|analyze`: at least one stalled workflow was found. */
  stallsFound: 8,
  /** `workflows result`: the workflow is still running, so it has no result yet. */
  stillRunning: 9,
  /** `replay-check`: some open workflow would break on the current code. */
  wouldBreak: 10,
  /** The namespace does not exist on the server. */
  namespaceNotFound: 11,
  /** The server refused the credentials (unauthenticated, or not allowed in the namespace). */
  unauthorized: 12,
  /** Interrupted by Ctrl-C. */
  interrupted: 130,
} as const;

/** Where output goes: results to stdout, everything else to stderr (tests capture both). */
export interface Sink {
  stdout(text: string): void;
  stderr(text: string): void;
}

export const processSink: Sink = {
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
};

/** -o: text for people; json one document; jsonl one JSON value per line (a list: one line per item). */
export type OutputFormat = 'text' | 'json' | 'jsonl';
/** --time-format: `relative` (3 minutes ago), `iso` (RFC 3339, UTC), `raw` (2026-12-04 20:09:19.123 +0000 UTC). */
export type TimeFormat = 'relative' | 'iso' | 'raw';

/** How results are printed: the global -o, --time-format and --color, resolved. */
export interface OutputStyle {
  format: OutputFormat;
  timeFormat: TimeFormat;
  /** Colour escapes allowed (--color always, or auto on a terminal without NO_COLOR). */
  color: boolean;
}

export const plainStyle: OutputStyle = { format: 'text', timeFormat: 'relative', color: false };

/** The one object a command prints through. */
export interface Output {
  /** The result is machine-readable (-o json, -o jsonl or --json). */
  readonly json: boolean;
  readonly style: OutputStyle;
  /** The command's result: JSON of `value` with -o json|jsonl, else the text `render` makes of it (if any). */
  result<T>(value: T, render: (value: T) => string): void;
  /** Raw result text to stdout, for results that stream (list items one by one, followed logs). */
  write(text: string): void;
  /** A line of progress or a warning, to stderr. */
  info(line: string): void;
  /** An instant (epoch ms) in the --time-format; '-' for none. */
  time(ms: number | undefined): string;
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `ms` as --time-format says, `now` being the current epoch ms (relative times count from it). */
export function formatTime(ms: number | undefined, format: TimeFormat, now: number): string {
  if (ms === undefined || !Number.isFinite(ms) || ms <= 0) return '-';
  const d = new Date(ms);
  if (format === 'iso') return d.toISOString();
  if (format === 'raw')
    return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)} +0000 UTC`;
  const seconds = Math.round((now - ms) / 1000);
  const [amount, unit] = relativeUnit(Math.abs(seconds));
  const span = `${amount} ${unit}${amount === 1 ? '' : 's'}`;
  return seconds >= 0 ? `${span} ago` : `in ${span}`;
}

function relativeUnit(seconds: number): [number, string] {
  if (seconds < 60) return [seconds, 'second'];
  if (seconds < 3600) return [Math.floor(seconds / 60), 'minute'];
  if (seconds < 86_400) return [Math.floor(seconds / 3600), 'hour'];
  return [Math.floor(seconds / 86_400), 'day'];
}

/** An Output over `sink` in `style` (or plain JSON / text when given a boolean, as the MCP tools do). */
export function createOutput(sink: Sink, style: OutputStyle | boolean, now: () => number = Date.now): Output {
  const resolved: OutputStyle =
    typeof style === 'boolean' ? { ...plainStyle, format: style ? 'json' : 'text' } : style;
  const json = resolved.format !== 'text';
  return {
    json,
    style: resolved,
    result(value, render) {
      const text =
        resolved.format === 'jsonl'
          ? (Array.isArray(value) ? value : [value]).map((item) => JSON.stringify(item)).join('\n')
          : json
            ? JSON.stringify(value, null, 2)
            : render(value);
      if (text !== '') sink.stdout(`${text}\n`);
    },
    write: (text) => sink.stdout(text),
    info: (line) => sink.stderr(`${line}\n`),
    time: (ms) => formatTime(ms, resolved.timeFormat, now()),
  };
}
