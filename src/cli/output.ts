// CLI output: results to stdout (text or --json), progress, warnings and errors to stderr.

/** Exit codes of every command; documented in docs/REFERENCE.md. */
export const ExitCode = {
  ok: 0,
  /** The recipe ran and reports a problem (ok=false, failed target, error-like result); an unhealthy worker. */
  notOk: 1,
  /** Bad flags or input (also input a recipe rejected as InvalidInput). */
  usage: 2,
  /** No server answers, or the connection failed. */
  unavailable: 3,
  /** A wait ended by its timeout. */
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

/** The one object a command prints through. */
export interface Output {
  /** The command was given --json: results are JSON. */
  readonly json: boolean;
  /** The command's result: JSON of `value` with --json, else the text `render` makes of it (if any). */
  result<T>(value: T, render: (value: T) => string): void;
  /** Raw result text to stdout, for results that stream (a JSON array item by item, followed logs). */
  write(text: string): void;
  /** A line of progress or a warning, to stderr. */
  info(line: string): void;
}

/** An Output over `sink` in text or JSON mode. */
export function createOutput(sink: Sink, json: boolean): Output {
  return {
    json,
    result(value, render) {
      const text = json ? JSON.stringify(value, null, 2) : render(value);
      if (text !== '') sink.stdout(`${text}\n`);
    },
    write: (text) => sink.stdout(text),
    info: (line) => sink.stderr(`${line}\n`),
  };
}
