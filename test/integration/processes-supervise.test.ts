// Crash supervision, for real: a worker that dies is reported with its signal or exit code and log
// tail, restarted with backoff, and given up on after too many crashes in a row.
import assert from 'node:assert/strict';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { checkHealth } from '../../src/host/workers/health.js';
import { readPidRecords } from '../../src/host/records/pid-file.js';
import { clientPollerSource } from '../../src/host/workers/pollers.js';
import { readProc } from '../../src/host/records/proc.js';
import { superviseWorker, type SupervisionEvent } from '../../src/host/workers/supervise.js';
import { ensureWorker, stopProjectWorkers } from '../../src/host/workers/workers.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import {
  copyOrders,
  ordersSpec,
  processesOnQueue,
  scratchDir,
  venvPython,
  waitFor,
} from '../helpers/processes.js';

let h: Harness;

before(async () => {
  h = await createHarness();
});

after(async () => {
  await h.cleanup();
});

const policy = { maxRestarts: 2, initialDelayMs: 100, maxDelayMs: 1000, factor: 2, resetAfterMs: 60_000 };

describe('crash supervision', () => {
  it('restarts a crashed worker with backoff, then gives up after repeated crashes and says why', async () => {
    const queue = uniqueQueue('crashy');
    const dir = await copyOrders(await scratchDir('crashy'));
    // Runs the worker until the file `broken` exists; from then on it fails at start like a bad deploy.
    const command = `if [ -e broken ]; then echo "boom: config missing" >&2; exit 3; fi; exec ${venvPython} worker.py`;
    const spec = ordersSpec(h.settings.stateDir, 'crashy', dir, queue, { command });
    const ready = { timeoutMs: 30_000, pollers: clientPollerSource(h.client) };
    const first = await ensureWorker(spec, { ready });
    const events: SupervisionEvent[] = [];
    const supervision = superviseWorker(spec, first, {
      policy,
      ready,
      onEvent: (e) => events.push(e),
      pollMs: 100,
    });

    process.kill(-first.record.pgid, 'SIGKILL');
    const restarted = await waitFor('a restart', () => events.find((e) => e.type === 'restarted'));
    assert.notEqual(restarted.pid, first.record.pid);
    const [second] = await readPidRecords(h.settings.stateDir, { project: 'crashy' });
    assert.equal(second?.pid, restarted.pid);
    assert.equal(second?.restarts, 1);
    assert.ok(second?.readyAtMs, 'the restarted worker was seen polling');

    await writeFile(join(dir, 'broken'), '');
    process.kill(-second.pgid, 'SIGKILL');
    const end = await supervision;
    assert.equal(end.ended, 'gave-up');
    assert.deepEqual(
      events.map((e) =>
        e.type === 'crashed'
          ? `crashed:${e.exit?.signal ?? e.exit?.code}`
          : e.type === 'restarting'
            ? `restarting:${e.delayMs}`
            : e.type,
      ),
      [
        'crashed:SIGKILL',
        'restarting:100',
        'restarted',
        'crashed:SIGKILL',
        'restarting:200',
        'restart-failed',
        'gave-up',
      ],
    );
    const { workers } = await checkHealth(h.settings.stateDir, {
      project: 'crashy',
      pollers: clientPollerSource(h.client),
      cpuSampleMs: 50,
    });
    assert.equal(workers.length, 1);
    assert.equal(workers[0]?.state, 'gave-up');
    assert.equal(workers[0]?.healthy, false);
    assert.equal(workers[0]?.exit?.code, 3);
    assert.match(workers[0]?.why ?? '', /crashed 3 times in a row/);
    assert.match(workers[0]?.logTail ?? '', /boom: config missing/);
    assert.deepEqual(processesOnQueue(queue), []);
  });

  it('ends without restarting when the worker is stopped on purpose', async () => {
    const queue = uniqueQueue('calm');
    const dir = await copyOrders(await scratchDir('calm'));
    const spec = ordersSpec(h.settings.stateDir, 'calm', dir, queue);
    const ready = { timeoutMs: 30_000, pollers: clientPollerSource(h.client) };
    const first = await ensureWorker(spec, { ready });
    const events: SupervisionEvent[] = [];
    const supervision = superviseWorker(spec, first, {
      policy,
      ready,
      onEvent: (e) => events.push(e),
      pollMs: 100,
    });
    await stopProjectWorkers(h.settings.stateDir, 'calm', 3000);
    assert.deepEqual(await supervision, { ended: 'stopped', pid: first.record.pid });
    assert.deepEqual(events, []);
    assert.equal(readProc(first.record.pid), undefined);
    assert.deepEqual(processesOnQueue(queue), []);
  });
});
