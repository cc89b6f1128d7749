// What every command gets: settings, the connection target, a lazily connected client, the output.
import type { Client } from '@temporalio/client';
import type { Settings } from '../config.js';
import { ConnectionFailedError, ExitError, type ConnectFailure } from '../errors.js';
import type { ConnectOptions, ConnectTarget } from '../temporal/connection.js';
import type { SdkLogLevel } from './global-flags.js';
import type { WorkflowReadClient } from '../temporal/lite/read-client.js';
import type { LiteClient } from '../temporal/lite/workflow-service.js';
import { ExitCode, type Output } from './output.js';

export interface CliContext {
  settings: Settings;
  target: ConnectTarget;
  cwd: string;
  /** Connects on first use; exit code 3 when no server answers. */
  client(): Promise<Client>;
  /**
   * The read-only path of the hot read commands, connected on first use (exit code 3 when no
   * server answers): the light WorkflowService when it honours the target, else `client()`.
   * Contexts without it (tests, the MCP session) serve reads through `client()`.
   */
  reader?(): Promise<WorkflowReadClient>;
  /** --log-level: SDK log lines on the terminal too (commands that run a worker). */
  logLevel?: SdkLogLevel;
  /** Asks a person at a terminal and resolves with the answer; absent when nobody can answer (no TTY). */
  prompt?(question: string): Promise<string>;
}

/** A context plus the output object of the one command being run. */
export interface CommandContext extends CliContext {
  out: Output;
}

/** One command: computes, prints through `ctx.out`, resolves with its exit code (or throws ExitError). */
export type CommandFn<O> = (options: O, ctx: CommandContext) => Promise<number>;

/** The client a read-only command uses: the context's reader when it has one, else its full client. */
export function readClient(ctx: CliContext): Promise<WorkflowReadClient> {
  return ctx.reader ? ctx.reader() : ctx.client();
}

const UNAUTHENTICATED = 16;
const PERMISSION_DENIED = 7;

/** True when the server refused the caller's credentials (gRPC UNAUTHENTICATED or PERMISSION_DENIED). */
export function isRefused(error: unknown): boolean {
  const code = typeof error === 'object' && error !== null ? (error as { code?: unknown }).code : undefined;
  return code === UNAUTHENTICATED || code === PERMISSION_DENIED;
}

/** The causes that are the client's credentials (exit 12); every other named cause is the connection's (exit 3). */
const CREDENTIAL_FAILURES: ReadonlySet<ConnectFailure> = new Set([
  'client-certificate-required',
  'client-certificate-refused',
  'credentials-refused',
]);

/** A connection failure whose cause the probe named, as its exit: 12 for credentials, else 3. */
export function connectionExit(error: ConnectionFailedError): ExitError {
  return new ExitError(
    `cannot connect to ${error.message}`,
    CREDENTIAL_FAILURES.has(error.reason) ? ExitCode.unauthorized : ExitCode.unavailable,
  );
}

/** A connection failure as the exit every command gives it: 12 for refused credentials, else 3; naming the address. */
export const unavailable = (target: ConnectTarget) => (error: Error) => {
  if (error instanceof ConnectionFailedError) throw connectionExit(error);
  if (isRefused(error))
    throw new ExitError(
      `${target.address} refused the credentials for namespace ${target.namespace}: ${error.message}`,
      ExitCode.unauthorized,
    );
  throw new ExitError(`cannot connect to ${target.address}: ${error.message}`, ExitCode.unavailable);
};

/** One question on stderr, its answer read from stdin (a terminal). */
async function askOnTerminal(question: string): Promise<string> {
  const { createInterface } = await import('node:readline/promises');
  const terminal = createInterface({ input: process.stdin, output: process.stderr });
  try {
    return await terminal.question(question);
  } finally {
    terminal.close();
  }
}

/** The context of this process's environment (or of `target`); the SDK loads only here, after argv parsed. */
export async function createCliContext(
  options: { target?: ConnectTarget; connect?: ConnectOptions } = {},
): Promise<CliContext & Required<Pick<CliContext, 'reader'>> & { close(): Promise<void> }> {
  const [{ loadSettings }, { connectClient, loadConnectTarget }, { liteUnsupported }] = await Promise.all([
    import('../config.js'),
    import('../temporal/connection.js'),
    import('../temporal/lite/support.js'),
  ]);
  const target = options.target ?? loadConnectTarget(options.connect);
  let pending: Promise<Client> | undefined;
  let lite: Promise<LiteClient> | undefined;
  const context = {
    settings: loadSettings(),
    target,
    cwd: process.cwd(),
    client() {
      pending ??= connectClient(target).catch(unavailable(target));
      return pending;
    },
    reader(): Promise<WorkflowReadClient> {
      // Options the light service does not apply (channel args, a proxy) are the full client's to honour.
      if (liteUnsupported(target)) return context.client();
      lite ??= import('../temporal/lite/workflow-service.js')
        .then(({ connectLite }) => connectLite(target))
        .catch(unavailable(target));
      return lite;
    },
    ...(process.stdin.isTTY && process.stderr.isTTY ? { prompt: askOnTerminal } : {}),
    async close() {
      (await lite?.catch(() => undefined))?.close();
      if (pending) await (await pending.catch(() => undefined))?.connection.close();
    },
  };
  return context;
}
