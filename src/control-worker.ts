// The control worker: hosts the recipes on the shared ops queue and the process activities on
// this host's queue (`temporal-ops@<host>`), so recipes can route process work to its owner.
import { fileURLToPath } from 'node:url';
import { Worker, type WorkerOptions } from '@temporalio/worker';
import { createActivities } from '../activities/index.js';
import type { Settings } from './config.js';
import { connectClient, connectNative, type ConnectTarget } from './temporal/connection.js';

export const workflowsPath = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

export interface ControlWorkerOptions {
  target: ConnectTarget;
  settings: Settings;
  /** A prebuilt bundle (tests bundle once); default: bundle `workflowsPath` at start. */
  workflowBundle?: { code: string };
}

export interface ControlWorker {
  /** Runs until `signal` aborts, then shuts down gracefully (in-flight activities get their grace). */
  run(signal: AbortSignal): Promise<void>;
  queues: string[];
}

/** Connection env every target worker and starter gets, so it talks to the same server. */
export function targetEnv(target: ConnectTarget): Record<string, string> {
  return { TEMPORAL_ADDRESS: target.address, TEMPORAL_NAMESPACE: target.namespace };
}

/** Creates the control worker's two Temporal workers on one connection. */
export async function createControlWorker({
  target,
  settings,
  workflowBundle,
}: ControlWorkerOptions): Promise<ControlWorker> {
  const connection = await connectNative(target);
  const client = await connectClient(target);
  const activities = createActivities({
    client,
    settings,
    address: target.address,
    workerEnv: targetEnv(target),
  });
  const common: Partial<WorkerOptions> = {
    connection,
    namespace: target.namespace,
    activities,
    shutdownGraceTime: '10s',
  };
  const hostQueue = `${settings.opsTaskQueue}@${settings.host}`;
  const shared = await Worker.create({
    ...common,
    taskQueue: settings.opsTaskQueue,
    ...(workflowBundle ? { workflowBundle } : { workflowsPath }),
  });
  const local = await Worker.create({ ...common, taskQueue: hostQueue });
  return {
    queues: [settings.opsTaskQueue, hostQueue],
    async run(signal: AbortSignal) {
      const stop = () => {
        shared.shutdown();
        local.shutdown();
      };
      if (signal.aborted) stop();
      else signal.addEventListener('abort', stop, { once: true });
      try {
        await Promise.all([shared.run(), local.run()]);
      } finally {
        await client.connection.close();
        await connection.close();
      }
    },
  };
}
