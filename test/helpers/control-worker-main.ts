// A control worker in a process of its own, for tests that kill it (`kill -9`) or run two of them.
// Env: TEMPORAL_ADDRESS, TEMPORAL_OPS_STATE_DIR, TEMPORAL_OPS_TASK_QUEUE (and the other settings);
// TEMPORAL_OPS_TEST_BUNDLE and TEMPORAL_OPS_TEST_BOOKKEEPING_BUNDLE (the prebuilt bundles, see
// testBundles), TEMPORAL_OPS_STEP_BUNDLE (step-workflows.ts,
// served on `<ops queue>-steps`), optional TEMPORAL_OPS_FAILPOINT (see src/host/records/failpoint.ts).
// Prints "ready" once its workers are created; SIGTERM stops it gracefully.
import { readFile } from 'node:fs/promises';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { loadSettings } from '../../src/config.js';
import { createControlWorker } from '../../src/control-worker.js';
import { connectNative } from '../../src/temporal/connection.js';
import { testBundles, testTarget } from './harness.js';

async function main(): Promise<void> {
  Runtime.install({ logger: new DefaultLogger('ERROR') });
  const settings = loadSettings();
  const target = testTarget();
  const bundle = async (name: string) => {
    const path = process.env[name];
    if (!path) throw new Error(`${name}: expected the path of a workflow bundle`);
    return { code: await readFile(path, 'utf8') };
  };
  const control = await createControlWorker({ target, settings, workflowBundles: await testBundles() });
  const connection = await connectNative(target);
  const steps = await Worker.create({
    connection,
    namespace: target.namespace,
    taskQueue: `${settings.opsTaskQueue}-steps`,
    workflowBundle: await bundle('TEMPORAL_OPS_STEP_BUNDLE'),
  });
  const stop = new AbortController();
  process.once('SIGTERM', () => {
    stop.abort();
    steps.shutdown();
  });
  process.stdout.write('ready\n');
  await Promise.all([control.run(stop.signal), steps.run()]);
  await connection.close();
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    console.error(error);
    process.exit(1);
  },
);
