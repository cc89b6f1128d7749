// What every command gets: settings, the connection target, a lazily connected client, the output.
import type { Client } from '@temporalio/client';
import type { Settings } from '../config.js';
import { ExitError } from '../errors.js';
import type { ConnectTarget } from '../temporal/connection.js';
import { ExitCode, type Output } from './output.js';

export interface CliContext {
  settings: Settings;
  target: ConnectTarget;
  cwd: string;
  /** Connects on first use; exit code 3 when no server answers. */
  client(): Promise<Client>;
}

/** A context plus the output object of the one command being run. */
export interface CommandContext extends CliContext {
  out: Output;
}

/** One command: computes, prints through `ctx.out`, resolves with its exit code (or throws ExitError). */
export type CommandFn<O> = (options: O, ctx: CommandContext) => Promise<number>;

/** The context of this process's environment; the SDK loads only here, after argv parsed. */
export async function createCliContext(): Promise<CliContext & { close(): Promise<void> }> {
  const [{ loadSettings }, { connectClient, loadConnectTarget }] = await Promise.all([
    import('../config.js'),
    import('../temporal/connection.js'),
  ]);
  const target = loadConnectTarget();
  let pending: Promise<Client> | undefined;
  return {
    settings: loadSettings(),
    target,
    cwd: process.cwd(),
    client() {
      pending ??= connectClient(target).catch((error: Error) => {
        throw new ExitError(`cannot connect to ${target.address}: ${error.message}`, ExitCode.unavailable);
      });
      return pending;
    },
    async close() {
      if (pending) await (await pending.catch(() => undefined))?.connection.close();
    },
  };
}
