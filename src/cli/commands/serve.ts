// `temporal-ops serve`: the control worker alone, until SIGINT or SIGTERM.
import { createControlWorker } from '../../control-worker.js';
import type { CommandContext } from '../context.js';
import { ExitCode } from '../output.js';
import { checkMetricsAddress } from '../metrics-endpoint.js';
import { installQuietRuntime } from '../sdk-logs.js';

export interface ServeOptions {
  /** Serve Prometheus metrics at http://<metrics>/metrics (IP:PORT). */
  metrics?: string;
}

/** Runs the control worker on the ops and host queues until a signal stops it (exit 0). */
export async function serve(options: ServeOptions, ctx: CommandContext): Promise<number> {
  if (options.metrics) await checkMetricsAddress(options.metrics);
  const logPath = installQuietRuntime(ctx.settings.stateDir, ctx.out.info, ctx.logLevel, options.metrics);
  const worker = await createControlWorker({ target: ctx.target, settings: ctx.settings });
  const stop = new AbortController();
  process.once('SIGINT', () => stop.abort());
  process.once('SIGTERM', () => stop.abort());
  ctx.out.info(
    `control worker: polling ${worker.queues.join(' and ')} on ${ctx.target.address} (bookkeeping in namespace ${worker.bookkeeping.namespace}); SDK log ${logPath}`,
  );
  if (options.metrics) ctx.out.info(`metrics: http://${options.metrics}/metrics`);
  await worker.run(stop.signal);
  return ExitCode.ok;
}
