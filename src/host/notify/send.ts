// Sending one grouped message to one sink: a POST with an Idempotency-Key header, or a command run
// without a shell (unless the policy allows one) with the title and text as its last arguments and
// the JSON payload on stdin. Either succeeds (2xx, exit 0) or throws NotifyFailedError.
import { execa } from 'execa';
import { NotifyFailedError } from '../../errors.js';
import { parseCommand } from '../projects/command.js';

/** How long one attempt at a sink may take. */
const SEND_TIMEOUT_MS = 20_000;

/** POSTs `body` as JSON; resolves on a 2xx answer. */
export async function postJson(
  url: string,
  label: string,
  body: unknown,
  idempotencyKey: string,
  signal: AbortSignal,
): Promise<number> {
  let response: Response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': idempotencyKey,
        'user-agent': 'temporal-ops',
      },
      body: JSON.stringify(body),
      signal: AbortSignal.any([signal, AbortSignal.timeout(SEND_TIMEOUT_MS)]),
      redirect: 'error',
    });
  } catch (error) {
    throw new NotifyFailedError(label, undefined, `no answer: ${(error as Error).message}`);
  }
  // Read the answer whole, so the connection is free before we say it was delivered.
  const text = await response.text().catch(() => '');
  if (!response.ok)
    throw new NotifyFailedError(label, response.status, `HTTP ${response.status}: ${text.slice(0, 200)}`);
  return response.status;
}

export interface SinkCommand {
  command: string;
  label: string;
  title: string;
  text: string;
  /** The JSON payload, on stdin. */
  payload: string;
  env: Record<string, string>;
  cwd: string;
  signal: AbortSignal;
}

/** Runs a notification command to its end; resolves when it exits 0. */
export async function runSinkCommand(c: SinkCommand): Promise<void> {
  const parsed = parseCommand(c.command, 'notify');
  // A shell command gets the title and text as "$1" and "$2", appended to it.
  const [file, args] = parsed.shell
    ? ['/bin/sh', ['-c', `${parsed.file} "$@"`, 'sh', c.title, c.text]]
    : [parsed.file, [...parsed.args, c.title, c.text]];
  const result = await execa(file, args, {
    input: c.payload,
    env: c.env,
    extendEnv: false,
    cwd: c.cwd,
    timeout: SEND_TIMEOUT_MS,
    cancelSignal: c.signal,
    reject: false,
    stdout: 'pipe',
    stderr: 'pipe',
    maxBuffer: 64 * 1024,
  });
  if (result.exitCode === 0) return;
  const why = result.timedOut
    ? `timed out after ${SEND_TIMEOUT_MS} ms`
    : result.failed && result.exitCode === undefined
      ? (result.shortMessage ?? 'did not start')
      : `exit ${result.exitCode ?? result.signal}: ${String(result.stderr).slice(0, 200)}`;
  throw new NotifyFailedError(c.label, result.exitCode, why);
}
