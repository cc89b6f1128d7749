// Reconciliation with the server and health, for real: the pollers of one task queue are classified
// as ours, ours-stale, foreign and ghost; health reads memory, CPU and errors with their times.
import assert from 'node:assert/strict';
import { appendFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa, type ResultPromise } from 'execa';
import { checkHealth } from '../../src/host/workers/health.js';
import { takeInventory } from '../../src/host/workers/inventory.js';
import { readPidRecords } from '../../src/host/records/pid-file.js';
import { clientPollerSource } from '../../src/host/workers/pollers.js';
import { readProc } from '../../src/host/records/proc.js';
import { ensureWorker } from '../../src/host/workers/workers.js';
import { listPollers } from '../../src/temporal/task-queue.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import {
  copyOrders,
  ordersSpec,
  processesOnQueue,
  scratchDir,
  venvPython,
  waitFor,
} from '../helpers/processes.js';

let h: Harness;
let foreign: ResultPromise | undefined;

before(async () => {
  h = await createHarness();
});

after(async () => {
  // The foreign worker was started by this test, outside temporal-ops: end it the same way.
  if (foreign?.pid && readProc(foreign.pid)) process.kill(foreign.pid, 'SIGTERM');
  await foreign;
  await h.cleanup();
});

describe('reconciling pollers with local processes', () => {
  it('classifies ours, ours-stale, foreign and ghost pollers on one task queue', async () => {
    const queue = uniqueQueue('mixed');
    const ready = { timeoutMs: 30_000, pollers: clientPollerSource(h.client) };
    const shopDir = await copyOrders(await scratchDir('shop'), { git: true });
    const shop = await ensureWorker(ordersSpec(h.settings.stateDir, 'shop', shopDir, queue), { ready });
    const goneDir = await copyOrders(await scratchDir('gone'));
    const gone = await ensureWorker(ordersSpec(h.settings.stateDir, 'gone', goneDir, queue), { ready });
    const outsider = await copyOrders(await scratchDir('outsider'));
    foreign = execa(venvPython, ['worker.py'], {
      cwd: outsider,
      env: { TEMPORAL_ADDRESS: testTarget().address, TEMPORAL_TASK_QUEUE: queue },
      detached: true,
      cleanup: false,
      reject: false,
      stdio: 'ignore',
    });
    const foreignIdentity = await waitFor(
      'the foreign worker to poll',
      async () =>
        (await listPollers(h.client, queue)).find((p) => p.identity.startsWith(`${foreign!.pid}@`))?.identity,
    );

    let inventory = await takeInventory(h.settings.stateDir, { pollers: clientPollerSource(h.client) });
    const classOf = (identity: string) =>
      inventory.queues[0]?.pollers.find((p) => p.identity === identity)?.class;
    assert.equal(classOf(shop.ready!.pollerIdentity), 'ours');

    // The ghost: our worker dies hard; the server keeps listing its poller for minutes.
    process.kill(-gone.record.pgid, 'SIGKILL');
    // The process that spawned it (this one) records how it ended.
    await waitFor(
      'its exit to be recorded',
      async () => (await readPidRecords(h.settings.stateDir, { project: 'gone' }))[0]?.exit,
    );
    // The stale one: the working tree changes under a running worker.
    await appendFile(join(shopDir, 'workflows.py'), '\n# edited after the worker started\n');

    inventory = await takeInventory(h.settings.stateDir, { pollers: clientPollerSource(h.client) });
    assert.equal(inventory.queues.length, 1);
    assert.equal(classOf(shop.ready!.pollerIdentity), 'ours-stale');
    assert.equal(classOf(gone.ready!.pollerIdentity), 'ghost');
    assert.equal(classOf(foreignIdentity), 'foreign');
    const foreignWhy = inventory.queues[0]!.pollers.find((p) => p.identity === foreignIdentity)!.why;
    assert.match(foreignWhy, new RegExp(`in ${outsider}; not started by temporal-ops`));

    const rows = Object.fromEntries(inventory.workers.map((w) => [w.project, w]));
    assert.equal(rows.shop?.state, 'running');
    assert.equal(rows.shop?.stale, true);
    assert.equal(rows.shop?.pollersSeen, 1);
    assert.equal(rows.gone?.state, 'exited');
    assert.equal(rows.gone?.why, 'killed by SIGKILL');
    assert.ok(readProc(foreign.pid!), 'the foreign worker was only observed');
    assert.ok(processesOnQueue(queue).includes(foreign.pid!));
  });

  it('reports health: alive, polling, uptime, restarts, memory, CPU and the last errors with their times', async () => {
    const queue = uniqueQueue('health');
    const dir = await copyOrders(await scratchDir('healthy'));
    const spec = ordersSpec(h.settings.stateDir, 'healthy', dir, queue);
    const ready = { timeoutMs: 30_000, pollers: clientPollerSource(h.client) };
    await ensureWorker(spec, { ready });
    const { record } = await ensureWorker(spec, { ready });
    // What a failing activity logs through Python's logging, appended to the worker's own log.
    await appendFile(record.logPath, '2031-02-03 04:05:06,789 ERROR temporalio.activity: charge failed\n');
    const { workers } = await checkHealth(h.settings.stateDir, {
      project: 'healthy',
      pollers: clientPollerSource(h.client),
      cpuSampleMs: 200,
    });
    const health = workers[0]!;
    assert.equal(health.healthy, true);
    assert.equal(health.state, 'running');
    assert.equal(health.restarts, 1);
    assert.ok(health.rssBytes > 10 * 1024 * 1024, `rss ${health.rssBytes}`);
    assert.ok(health.cpuPercent !== undefined && health.cpuSeconds > 0);
    assert.ok((health.uptimeMs ?? 0) > 0);
    assert.deepEqual(
      health.errors.map((e) => [e.text, e.timeMs]),
      [
        [
          '2031-02-03 04:05:06,789 ERROR temporalio.activity: charge failed',
          new Date(2031, 1, 3, 4, 5, 6, 789).getTime(),
        ],
      ],
    );
  });
});
