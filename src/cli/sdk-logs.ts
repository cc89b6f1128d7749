// The SDK runtime's logger for commands that run a worker: quiet by default, to stderr.
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { DEFAULTS } from '../defaults.js';

/** Installs the runtime once, at $TEMPORAL_OPS_LOG_LEVEL (default WARN); the CLI shows its own progress. */
export function installQuietRuntime(write: (line: string) => void): void {
  const level = (process.env.TEMPORAL_OPS_LOG_LEVEL ?? DEFAULTS.logLevel) as LogLevel;
  Runtime.install({
    logger: new DefaultLogger(level, (entry) => {
      // The host-queue worker hosts activities only; the SDK warns about that on every start.
      if (entry.message.startsWith('No workflows registered')) return;
      const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
      write(`${time} [${entry.level}] ${entry.message} ${entry.meta ? JSON.stringify(entry.meta) : ''}`);
    }),
  });
}
