// Incidents survive a dev-server restart between two sweeps: the dev server keeps them in its
// database file, so the second sweep counts the same incident again instead of opening a new one.
// A dev server of this test's own, so others are not hit.
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { nanoid } from 'nanoid';
import { defaultTemporalCli, loadSettings, type Settings } from '../../src/config.js';
import { createControlWorker } from '../../src/control-worker.js';
import { startDevServer, stopDevServers } from '../../src/host/server/dev-server.js';
import { freePort } from '../../src/host/server/ports.js';
import { bookkeepingClient } from '../../src/temporal/bookkeeping.js';
import { loadConnectTarget } from '../../src/temporal/connection.js';
import { listIncidents } from '../../src/temporal/incidents.js';
import type { DebugStalledReport } from '../../workflows/debug-stalled.js';
import { testBundles } from '../helpers/harness.js';
import { waitFor } from '../helpers/processes.js';

let root: string;
let serverState: string;
let options: { port: number; uiPort: number; dbFile: string };
let settings: Settings;
const clients: Client[] = [];

async function connect(): Promise<Client> {
  const client = new Client({
    connection: await Connection.connect({ address: `127.0.0.1:${options.port}` }),
  });
  clients.push(client);
  return client;
}

/** One sweep of `taskQueue` with incidents, served by a control worker that stops afterwards. */
async function sweep(client: Client, taskQueue: string): Promise<DebugStalledReport> {
  const worker = await createControlWorker({
    target: loadConnectTarget({ address: `127.0.0.1:${options.port}`, namespace: 'default' }),
    settings,
    workflowBundles: await testBundles(),
  });
  const stop = new AbortController();
  const running = worker.run(stop.signal);
  try {
    return await client.workflow.execute<(i: unknown) => Promise<DebugStalledReport>>('DebugStalled', {
      taskQueue: settings.opsTaskQueue,
      workflowId: `sweep-${nanoid(8)}`,
      args: [{ taskQueue, incidents: true, policy: { noWorkerAfterMs: 0 } }],
      workflowExecutionTimeout: '2m',
    });
  } finally {
    stop.abort();
    await running;
  }
}

before(async () => {
  root = await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? '/tmp', 'incident-restart-'));
  serverState = join(root, 'server');
  options = { port: await freePort(), uiPort: await freePort(), dbFile: join(root, 'incidents.db') };
  settings = { ...loadSettings(), stateDir: join(root, 'state'), opsTaskQueue: `ops-${nanoid(8)}` };
  await startDevServer(serverState, defaultTemporalCli(), options);
});

after(async () => {
  for (const client of clients) await client.connection.close().catch(() => undefined);
  await stopDevServers(serverState, 3000);
});

describe('incidents across a dev-server restart', () => {
  it('keep their state and count, so the next sweep counts the same incident again', async () => {
    const taskQueue = `nobody-${nanoid(8)}`;
    const before = await connect();
    const target = await before.workflow.start('NobodyPolls', {
      taskQueue,
      workflowId: `nobody-${nanoid(8)}`,
      args: [],
    });
    await waitFor(
      'the target to be visible',
      async () => (await before.workflow.count(`TaskQueue = "${taskQueue}"`)).count > 0,
      30_000,
    );
    assert.equal((await sweep(before, taskQueue)).incidents?.opened, 1);
    const [opened] = await waitFor('the incident to be listed', async () => {
      const listed = await listIncidents(bookkeepingClient(before, 'temporal-ops'), settings.opsTaskQueue);
      return listed.length === 1 ? listed : undefined;
    });

    await stopDevServers(serverState, 5000);
    await startDevServer(serverState, defaultTemporalCli(), options);

    const afterRestart = await connect();
    const second = await sweep(afterRestart, taskQueue);
    assert.deepEqual(second.incidents, { opened: 0, reopened: 0, seenAgain: 1, resolved: 0, repeated: 0 });
    const incident = await bookkeepingClient(afterRestart, 'temporal-ops')
      .workflow.getHandle(opened!.id)
      .describe();
    const kept = incident.memo?.incident as { seenCount: number; firstSeenMs: number; state: string };
    assert.equal(kept.seenCount, 2);
    assert.equal(kept.firstSeenMs, opened!.firstSeenMs);
    assert.equal(kept.state, 'open');
    await afterRestart.workflow.getHandle(target.workflowId).terminate('test cleanup');
  });
});
