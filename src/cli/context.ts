// What every command group gets: settings, the connection target and a lazily connected client.
import type { Client } from '@temporalio/client';
import type { Settings } from '../config.js';
import { ExitError } from '../errors.js';
import { connectClient, type ConnectTarget } from '../temporal/connection.js';
import { ExitCode } from './output.js';

export interface CliContext {
  settings: Settings;
  target: ConnectTarget;
  cwd: string;
  /** Connects on first use; exit code 3 when no server answers. Closed by main. */
  client(): Promise<Client>;
}

export function createCliContext(
  settings: Settings,
  target: ConnectTarget,
): CliContext & { close(): Promise<void> } {
  let pending: Promise<Client> | undefined;
  return {
    settings,
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

/** A command group (`worker ...`, `workflows ...`): gets argv after the group word, returns the exit code. */
export type CommandGroup = (argv: string[], ctx: CliContext) => Promise<number>;
