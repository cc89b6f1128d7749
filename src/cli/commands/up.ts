// `temporal-ops up` (npm start): ensure a server, run the control worker, run CleanStart against
// the configured target (or the bundled example), then serve until Ctrl-C.
import { existsSync } from 'node:fs';
import type { Settings } from '../../config.js';
import { createControlWorker } from '../../control-worker.js';
import { proveIdentity } from '../../host/records/identity.js';
import { readPidRecords } from '../../host/records/pid-file.js';
import { exampleCleanStartInput, exampleProjectDir } from '../../host/projects/example.js';
import { ensureServer } from '../../host/server/ensure.js';
import { checkServer } from '../../host/server/probe.js';
import { connectClient, type ConnectTarget } from '../../temporal/connection.js';
import type { CommandContext } from '../context.js';
import { usageError } from '../options.js';
import { ExitCode } from '../output.js';
import { checkMetricsAddress } from '../metrics-endpoint.js';
import { installQuietRuntime } from '../sdk-logs.js';
import { runRecipe } from './run-recipe.js';

export interface UpOptions {
  /** CleanStart input to run at once; undefined runs the bundled example. */
  recipeInput?: Record<string, unknown>;
  runRecipe: boolean;
  /** Exit after the recipe instead of serving until Ctrl-C. */
  once: boolean;
  /** Serve Prometheus metrics at http://<metrics>/metrics (IP:PORT). */
  metrics?: string;
}

async function printLeftRunning(settings: Settings, info: (line: string) => void): Promise<void> {
  // Records of workers that already died (a failed start) are kept for reports; only live ones count here.
  const records = (await readPidRecords(settings.stateDir)).filter(
    (r) => proveIdentity(r).ownership === 'ours',
  );
  if (records.length === 0) return;
  info('Still running (by design, so your next recipe finds them):');
  for (const r of records)
    info(
      `  ${r.kind} pid ${r.pid}${r.kind === 'worker' ? ` (project ${r.project}, queue ${r.taskQueue})` : ''} log ${r.logPath}`,
    );
  info('Stop them with: temporal-ops worker stop-all --include-server');
}

/** A server we did not start may lack our profile: say what is missing rather than trust it. */
async function warnAboutProfile(target: ConnectTarget, info: (line: string) => void): Promise<void> {
  const client = await connectClient(target);
  try {
    const check = await checkServer(client, target.address);
    for (const problem of check.problems) info(`warning: ${problem}`);
  } finally {
    await client.connection.close();
  }
}

/** The main job; resolves with the exit code. */
export async function up(options: UpOptions, ctx: CommandContext): Promise<number> {
  const { target, settings, out } = ctx;
  const info = out.info;
  if (options.runRecipe && !options.recipeInput?.projectDir && !existsSync(exampleProjectDir))
    throw usageError(
      'no target: give --project-dir (with --task-queue and a start) or --no-recipe; the bundled example (examples/orders) comes with a checkout of temporal-ops, not with an installed copy',
    );
  if (options.metrics) await checkMetricsAddress(options.metrics);
  const logPath = installQuietRuntime(settings.stateDir, info, ctx.logLevel, options.metrics);
  const server = await ensureServer(target, settings, info);
  const uiUrl =
    server.uiUrl ??
    (server.address.match(/^(localhost|127\.0\.0\.1):7233$/) ? 'http://localhost:8233' : undefined);
  const resolved = {
    ...target,
    address: server.address,
    connectionOptions: { ...target.connectionOptions, address: server.address },
  };
  if (!server.startedByUs) await warnAboutProfile(resolved, info);
  const worker = await createControlWorker({ target: resolved, settings });
  info(
    `control worker: polling ${worker.queues.join(' and ')} in namespace ${target.namespace}; SDK log ${logPath}`,
  );
  if (uiUrl) info(`Web UI: ${uiUrl}/namespaces/${target.namespace}/workflows`);
  if (options.metrics) info(`metrics: http://${options.metrics}/metrics`);
  const { bookkeeping } = worker;
  if (bookkeeping.namespace !== target.namespace)
    info(
      `bookkeeping (which host owns each project): namespace ${bookkeeping.namespace}${bookkeeping.created ? ', created now' : ''}${uiUrl ? `, ${uiUrl}/namespaces/${bookkeeping.namespace}/workflows` : ''}`,
    );
  const stop = new AbortController();
  let interrupted = false;
  const onSignal = () => {
    interrupted = true;
    info('\nstopping the control worker (in-flight activities get their grace period)...');
    stop.abort();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  const running = worker.run(stop.signal);
  let code: number = ExitCode.ok;
  try {
    if (options.runRecipe) {
      const client = await connectClient(resolved);
      try {
        // Without a project dir the bundled example is the target; other flags still apply to it.
        const input = options.recipeInput?.projectDir
          ? options.recipeInput
          : { ...exampleCleanStartInput(), ...options.recipeInput };
        if (input !== options.recipeInput)
          info('no target configured: running CleanStart against the bundled example (examples/orders)');
        const report = await runRecipe(
          async () => client,
          { recipe: 'clean-start', input, follow: true },
          ctx,
        );
        code = report.ok ? ExitCode.ok : ExitCode.notOk;
      } finally {
        await client.connection.close();
      }
    }
    if (options.once) stop.abort();
    else info('serving recipes; press Ctrl-C to stop');
  } catch (error) {
    stop.abort();
    await running.catch(() => undefined);
    throw error;
  }
  await running;
  process.off('SIGINT', onSignal);
  process.off('SIGTERM', onSignal);
  await printLeftRunning(settings, info);
  return interrupted ? ExitCode.interrupted : code;
}
