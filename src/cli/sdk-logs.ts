// The SDK runtime's logger for commands that run a worker: its lines go to a log file under the
// state dir, and to the terminal only when --log-level asks for them (the CLI shows its own progress).
import { mkdirSync, createWriteStream } from 'node:fs';
import { dirname, join } from 'node:path';
import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import { DEFAULTS } from '../defaults.js';
import { watchOwnLog } from '../host/logs/logs.js';
import type { SdkLogLevel } from './global-flags.js';
import { metricsTelemetry } from './metrics-endpoint.js';
import { usageError } from './options.js';

/** Where the control worker's SDK log lines go. */
function sdkLogPath(stateDir: string): string {
  return join(stateDir, 'logs', 'control-worker.log');
}

/**
 * Installs the runtime once. Its lines are appended to `sdkLogPath` at $TEMPORAL_OPS_LOG_LEVEL
 * (default WARN); with `terminal` set to a level other than `never`, at that level, and also to `write`.
 * The file is rotated like a worker's log (10 MiB, three kept) while the process runs. With
 * `metrics` (an address checked by checkMetricsAddress), the runtime serves Prometheus metrics there.
 */
export function installQuietRuntime(
  stateDir: string,
  write: (line: string) => void,
  terminal: SdkLogLevel = DEFAULTS.terminalLogLevel,
  metrics?: string,
): string {
  const path = sdkLogPath(stateDir);
  mkdirSync(dirname(path), { recursive: true });
  const file = createWriteStream(path, { flags: 'a' });
  watchOwnLog(path);
  const level = (
    terminal === 'never' ? (process.env.TEMPORAL_OPS_LOG_LEVEL ?? DEFAULTS.logLevel) : terminal.toUpperCase()
  ) as LogLevel;
  const logger = new DefaultLogger(level, (entry) => {
    // The host-queue worker hosts activities only; the SDK warns about that on every start.
    if (entry.message.startsWith('No workflows registered')) return;
    const time = new Date(Number(entry.timestampNanos / 1_000_000n)).toISOString();
    const line = `${time} [${entry.level}] ${entry.message} ${entry.meta ? JSON.stringify(entry.meta) : ''}`;
    file.write(`${line}\n`);
    if (terminal !== 'never') write(line);
  });
  if (!metrics) Runtime.install({ logger });
  else
    try {
      Runtime.install({ logger, telemetryOptions: metricsTelemetry(metrics) });
    } catch (error) {
      // The address was checked a moment ago; another process may have taken the port since.
      throw usageError(
        `--metrics ${metrics}: the SDK could not serve metrics there (${(error as Error).message})`,
      );
    }
  return path;
}
