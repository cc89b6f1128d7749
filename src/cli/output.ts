// CLI output: results to stdout (text or --json), progress, warnings and errors to stderr.

/** Exit codes of every command; documented in the README. */
export const ExitCode = {
  ok: 0,
  /** The recipe ran and reports a problem (ok=false, failed target, error-like result). */
  notOk: 1,
  /** Bad flags or input. */
  usage: 2,
  /** No server answers, or the connection failed. */
  unavailable: 3,
  /** A wait ended by its timeout. */
  timeout: 4,
  /** `workflows result|recent`: a COMPLETED result reads like an error. */
  resultLooksLikeError: 5,
  /** `workflows wait|result`: the workflow closed with a status other than the one wanted (FAILED, ...). */
  otherTerminal: 6,
  /** `workflows ...`: no such workflow (or run). */
  notFound: 7,
  /** `workflows stalled|analyze`: at least one stalled workflow was found. */
  stallsFound: 8,
  /** `workflows result`: the workflow is still running, so it has no result yet. */
  stillRunning: 9,
  /** Interrupted by Ctrl-C. */
  interrupted: 130,
} as const;

export function info(line: string): void {
  process.stderr.write(`${line}\n`);
}

export function printJson(value: unknown): void {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
}
