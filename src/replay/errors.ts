// Why a replay check could not produce a verdict (as opposed to a verdict of `would-break`).

/**
 * `hook-not-loaded`: the command's Python never ran our start hook (not Python, `-S`/`-I`, or
 * PYTHONPATH replaced); `no-worker`: the command exited without constructing a temporalio Worker;
 * `no-matching-worker`: no Worker on the checked task queue ran; `crashed`: the command or the
 * hook failed before every history was replayed; `timed-out`; `cancelled`.
 */
export type ReplayCheckFailure =
  'hook-not-loaded' | 'no-worker' | 'no-matching-worker' | 'crashed' | 'timed-out' | 'cancelled';

/** Thrown when the worker command cannot replay the histories; carries the command's log tail. */
export class ReplayCheckError extends Error {
  override readonly name = 'ReplayCheckError';
  constructor(
    readonly reason: ReplayCheckFailure,
    message: string,
    readonly logTail: string,
    readonly exit?: { code: number | null; signal: string | null },
  ) {
    super(message);
  }
}
