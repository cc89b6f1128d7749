// The context every tool call of one MCP session shares: the CLI's settings and target, and one
// connection that is opened on first use and, unlike a CLI run's, tried again after a failure.
import type { Client } from '@temporalio/client';
import { unavailable, type CliContext } from '../cli/context.js';
import { connectClient } from '../temporal/connection.js';

/** A long-lived context over `base`'s settings: a server that was down at one call may answer the next. */
export function sessionContext(base: CliContext): CliContext & { close(): Promise<void> } {
  let pending: Promise<Client> | undefined;
  return {
    settings: base.settings,
    target: base.target,
    cwd: base.cwd,
    client() {
      pending ??= connectClient(base.target).catch((error: Error) => {
        pending = undefined;
        return unavailable(base.target)(error);
      });
      return pending;
    },
    async close() {
      if (pending) await (await pending.catch(() => undefined))?.connection.close();
    },
  };
}
