// Integration test harness: the dev server started by scripts/test.ts, a control worker per test
// on its own ops queue and state dir, and the prebuilt workflow bundles.
import { mkdtemp, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, Runtime } from '@temporalio/worker';
import { nanoid } from 'nanoid';
import { loadSettings, type Settings } from '../../src/config.js';
import { createControlWorker } from '../../src/control-worker.js';
import type { BundleName } from '../../src/workflow-bundle.js';
import { loadConnectTarget, type ConnectTarget } from '../../src/temporal/connection.js';
import { readPidRecords } from '../../src/host/records/pid-file.js';
import { stopRecorded } from '../../src/host/workers/stop.js';

let runtimeInstalled = false;

export function testTarget(): ConnectTarget {
  const address = process.env.TEMPORAL_ADDRESS;
  if (!address || address.endsWith(':7233')) {
    throw new Error(
      'integration tests run through `npm test`, which starts a dev server on a free port (never 7233)',
    );
  }
  return loadConnectTarget({ address, namespace: 'default' });
}

export async function testClient(): Promise<Client> {
  const connection = await Connection.connect({ address: testTarget().address });
  return new Client({ connection, namespace: 'default' });
}

/** Where scripts/test.ts put its copy of each prebuilt bundle, by the env variable naming it. */
const TEST_BUNDLE_ENV: Record<BundleName, string> = {
  ops: 'TEMPORAL_OPS_TEST_BUNDLE',
  bookkeeping: 'TEMPORAL_OPS_TEST_BOOKKEEPING_BUNDLE',
};

/** The bundles scripts/test.ts prebuilt, for createControlWorker (a bundle it did not name is loaded there). */
export async function testBundles(): Promise<Partial<Record<BundleName, { code: string }>>> {
  const bundles: Partial<Record<BundleName, { code: string }>> = {};
  for (const [name, variable] of Object.entries(TEST_BUNDLE_ENV) as [BundleName, string][]) {
    const path = process.env[variable];
    if (path) bundles[name] = { code: await readFile(path, 'utf8') };
  }
  return bundles;
}

export function uniqueQueue(prefix: string): string {
  return `${prefix}-${nanoid(8)}`;
}

export interface Harness {
  client: Client;
  settings: Settings;
  /** Runs `fn` while a control worker serves this harness's ops queue. */
  withControlWorker<T>(fn: () => Promise<T>): Promise<T>;
  /** Stops every process this harness's state dir recorded. */
  cleanup(): Promise<void>;
}

/** A control worker setup isolated from other test files (own ops queue, own state dir). */
export async function createHarness(): Promise<Harness> {
  if (!runtimeInstalled) {
    // Quiet: activity failures are expected in many tests (set TEMPORAL_OPS_TEST_LOG=WARN to see them).
    const level = (process.env.TEMPORAL_OPS_TEST_LOG ?? 'ERROR') as 'ERROR' | 'WARN';
    Runtime.install({ logger: new DefaultLogger(level) });
    runtimeInstalled = true;
  }
  const stateDir = await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? tmpdir(), 'state-'));
  const settings: Settings = {
    ...loadSettings(),
    stateDir,
    opsTaskQueue: uniqueQueue('ops'),
    graceMs: 3000,
    readyTimeoutMs: 30_000,
  };
  const client = await testClient();
  const workflowBundles = await testBundles();
  return {
    client,
    settings,
    async withControlWorker<T>(fn: () => Promise<T>): Promise<T> {
      const worker = await createControlWorker({ target: testTarget(), settings, workflowBundles });
      const stop = new AbortController();
      const running = worker.run(stop.signal);
      try {
        return await fn();
      } finally {
        stop.abort();
        await running;
      }
    },
    async cleanup() {
      for (const record of await readPidRecords(stateDir)) await stopRecorded(stateDir, record, 2000);
      await client.connection.close();
    },
  };
}
