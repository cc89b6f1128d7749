// The control worker: the recipes and the cluster-only activities on the shared ops queue, the
// host-bound activities only on this host's queue (`temporal-ops@<host>`), so process work always
// runs on the machine that owns the processes. The bookkeeping workflows (ProjectHost,
// HostProcesses, Incident) run in a namespace of their own, from a bundle holding only them, with
// the one host activity they call.
import { Client } from '@temporalio/client';
import { Runtime, Worker, type WorkerOptions } from '@temporalio/worker';
import { createClusterActivities, createHostActivities } from '../activities/index.js';
import type { Settings } from './config.js';
import { watchWorkerLogs } from './host/logs/logs.js';
import { stopOrphanedReplays } from './host/replay/replay-runs.js';
import { drainWarm } from './host/replay/warm-pool.js';
import { connectNative, targetConverterOf, type ConnectTarget } from './temporal/connection.js';
import { loadWorkflowBundle, type BundleName } from './workflow-bundle.js';
import { hostQueueName } from './contract/ops-workflows.js';
import { bookkeepingClient, ensureBookkeepingNamespace } from './temporal/bookkeeping.js';
import { moveOldBookkeeping } from './temporal/bookkeeping-move.js';
import { ensureIncidentAttributes } from './temporal/incidents.js';
import { useMetricMeter } from './temporal/metrics.js';

/** Grace for in-flight activities on shutdown, then the time after which they are abandoned. */
const SHUTDOWN_GRACE_MS = 5000;
const SHUTDOWN_FORCE_MS = 8000;

export interface ControlWorkerOptions {
  target: ConnectTarget;
  settings: Settings;
  /** Prebuilt bundles by name (tests bundle once); default: each loaded (or built) at start. */
  workflowBundles?: Partial<Record<BundleName, { code: string }>>;
}

export interface ControlWorker {
  /** Runs until `signal` aborts, then shuts down gracefully (in-flight activities get their grace). */
  run(signal: AbortSignal): Promise<void>;
  queues: string[];
  /** The namespace of the bookkeeping workflows, and whether this start created it. */
  bookkeeping: { namespace: string; created: boolean };
}

/** Connection env every target worker and starter gets, so it talks to the same server. */
export function targetEnv(target: ConnectTarget): Record<string, string> {
  return { TEMPORAL_ADDRESS: target.address, TEMPORAL_NAMESPACE: target.namespace };
}

/** Creates the control worker's two Temporal workers on one connection. */
export async function createControlWorker({
  target,
  settings,
  workflowBundles = {},
}: ControlWorkerOptions): Promise<ControlWorker> {
  const connection = await connectNative(target);
  // Our metrics go where the SDK's go: the runtime's exporter, when `--metrics` installed one.
  useMetricMeter(Runtime.instance().metricMeter);
  const apart = settings.bookkeepingNamespace !== target.namespace;
  const created =
    apart &&
    (await ensureBookkeepingNamespace(connection, settings.bookkeepingNamespace, target.address).catch(
      async (error: unknown) => {
        await connection.close();
        throw error;
      },
    )) === 'created';
  // One connection for the workers and the activities' client: no gRPC-js channel beside the
  // Rust-core one, and the cheaper calls for the sweep.
  const client = new Client({
    connection,
    namespace: target.namespace,
    dataConverter: targetConverterOf(target),
  });
  const bookkeeping = bookkeepingClient(client, settings.bookkeepingNamespace);
  // Incidents need their search attributes; a dev server gets them now. Elsewhere (or where the
  // operator service is not ours to call) the sweep's incident step names what an administrator runs.
  await ensureIncidentAttributes(bookkeeping, target.address).catch(() => undefined);
  const deps = {
    client,
    bookkeeping,
    settings,
    address: target.address,
    workerEnv: targetEnv(target),
  };
  const common: Partial<WorkerOptions> = {
    connection,
    namespace: target.namespace,
    // In-flight activities get this long after a shutdown request; then they are cancelled and,
    // if they still do not settle, the worker gives up on them so the process can exit.
    shutdownGraceTime: `${SHUTDOWN_GRACE_MS}ms`,
    shutdownForceTime: `${SHUTDOWN_FORCE_MS}ms`,
  };
  const hostQueue = hostQueueName(settings.opsTaskQueue, settings.host);
  const bundle = async (name: BundleName) => workflowBundles[name] ?? (await loadWorkflowBundle({ name }));
  const hostActivities = createHostActivities(deps);
  const workers = [
    await Worker.create({
      ...common,
      taskQueue: settings.opsTaskQueue,
      activities: createClusterActivities(deps),
      workflowBundle: await bundle('ops'),
    }),
    await Worker.create({ ...common, taskQueue: hostQueue, activities: hostActivities }),
  ];
  if (apart) {
    const apartOptions = { ...common, namespace: settings.bookkeepingNamespace };
    workers.push(
      await Worker.create({
        ...apartOptions,
        taskQueue: settings.opsTaskQueue,
        workflowBundle: await bundle('bookkeeping'),
      }),
      await Worker.create({
        ...apartOptions,
        taskQueue: hostQueue,
        activities: { processFacts: hostActivities.processFacts },
      }),
    );
  }
  return {
    queues: [settings.opsTaskQueue, hostQueue],
    bookkeeping: { namespace: settings.bookkeepingNamespace, created },
    async run(signal: AbortSignal) {
      const stop = () => {
        for (const worker of workers) worker.shutdown();
      };
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
      // Target workers write their logs themselves: this host caps them while they run.
      const logs = new AbortController();
      watchWorkerLogs(settings.stateDir, { signal: logs.signal });
      // Replay processes of a predecessor killed with -9; the next replay check retries a failure.
      void stopOrphanedReplays(settings.stateDir).catch(() => undefined);
      // ProjectHost runs an earlier version left among the user's workflows; the next start retries.
      if (apart) void moveOldBookkeeping(client, bookkeeping, settings.opsTaskQueue).catch(() => undefined);
      try {
        // A worker past its force time rejects; the others may still be finishing: wait for all.
        const results = await Promise.allSettled(workers.map((worker) => worker.run()));
        const failed = results.find((r) => r.status === 'rejected');
        if (failed && !signal.aborted) throw failed.reason;
      } finally {
        logs.abort();
        // Warm replay processes would end with us anyway (end of their input); this also drops their records.
        await drainWarm();
        await connection.close();
      }
    },
  };
}
