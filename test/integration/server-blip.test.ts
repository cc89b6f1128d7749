// A server blip during ensure-worker: the dev server is down when the fresh worker starts, so it
// exits on its connect error; once the server is back the worker is started again, and the step
// ends with exactly one worker polling. A dev server of this test's own, so others are not hit.
import assert from 'node:assert/strict';
import { mkdtemp, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Client, Connection } from '@temporalio/client';
import { defaultTemporalCli } from '../../src/config.js';
import { startDevServer, stopDevServers } from '../../src/host/server/dev-server.js';
import { freePort } from '../../src/host/server/ports.js';
import { readPidRecords } from '../../src/host/records/pid-file.js';
import { clientPollerSource } from '../../src/host/workers/pollers.js';
import { groupMembers } from '../../src/host/records/proc.js';
import { ensureWorker, stopProjectWorkers } from '../../src/host/workers/workers.js';
import { serverAnswersVia } from '../../src/temporal/connection.js';
import { copyOrders, ordersSpec, processesOnQueue, scratchDir, waitFor } from '../helpers/processes.js';

let root: string;
let serverState: string;
let stateDir: string;
// Headless: between the stop and the restart another test may take a free port, and only the
// frontend's must be the same again.
let options: { port: number; uiPort: number; dbFile: string; headless: true };
let client: Client;

before(async () => {
  root = await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? '/tmp', 'blip-'));
  serverState = join(root, 'server');
  stateDir = join(root, 'state');
  options = {
    port: await freePort(),
    uiPort: await freePort(),
    dbFile: join(root, 'blip.db'),
    headless: true,
  };
  const server = await startDevServer(serverState, defaultTemporalCli(), options);
  client = new Client({ connection: await Connection.connect({ address: server.address }) });
});

after(async () => {
  await stopProjectWorkers(stateDir, 'blip', 2000);
  await stopDevServers(serverState, 3000);
  await client.connection.close();
});

describe('a server blip during ensure-worker', () => {
  it('starts the worker again once the server is back, and ends with exactly one worker polling', async () => {
    const dir = await copyOrders(await scratchDir('blip'));
    const queue = `blip-${options.port}`;
    const address = `127.0.0.1:${options.port}`;
    await stopDevServers(serverState, 3000);
    assert.equal(await serverAnswersVia(client, 1000), false, 'the server is down');

    const spec = ordersSpec(stateDir, 'blip', dir, queue, {
      baseEnv: { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'default' },
    });
    const ensuring = ensureWorker(spec, {
      ready: {
        timeoutMs: 90_000,
        pollers: clientPollerSource(client),
        serverUp: () => serverAnswersVia(client, 1000),
      },
    });
    // The first worker meets the dead server and exits with its connect error.
    const logPath = await waitFor(
      'the worker to be recorded',
      async () => (await readPidRecords(stateDir, { kind: 'worker', project: 'blip' })).at(0)?.logPath,
    );
    await waitFor(
      'the first worker to fail its connect',
      async () => /Traceback|connect/i.test(await readFile(logPath, 'utf8').catch(() => '')),
      60_000,
    );
    await startDevServer(serverState, defaultTemporalCli(), options);

    const outcome = await ensuring;
    assert.equal(outcome.action, 'started');
    assert.ok((outcome.serverBlips ?? 0) >= 1, 'the worker was started again after the blip');
    assert.ok(outcome.ready, 'the worker polls');
    const group = groupMembers(outcome.record.pgid).map((m) => m.pid);
    assert.ok(group.includes(outcome.record.pid));
    assert.deepEqual(
      processesOnQueue(queue).filter((pid) => !group.includes(pid)),
      [],
      'no other process runs for the queue',
    );
  });
});
