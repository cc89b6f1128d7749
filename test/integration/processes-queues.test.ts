// A project directory may run several workers, one per task queue (the samples' style): an ensure or
// a stop for one queue never touches the worker of another.
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readPidRecords } from '../../src/host/records/pid-file.js';
import { clientPollerSource } from '../../src/host/workers/pollers.js';
import { readProc } from '../../src/host/records/proc.js';
import { ensureWorker, stopProjectWorkers } from '../../src/host/workers/workers.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import { copyOrders, ordersSpec, scratchDir } from '../helpers/processes.js';

let h: Harness;
let stateDir: string;

before(async () => {
  h = await createHarness();
  stateDir = await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? '/tmp', 'queues-state-'));
});

after(async () => {
  await stopProjectWorkers(stateDir, 'samples', 2000);
  await h.cleanup();
});

const live = async (queue?: string) =>
  (await readPidRecords(stateDir, { kind: 'worker', project: 'samples' }))
    .filter((r) => (queue === undefined || r.taskQueue === queue) && readProc(r.pid) !== undefined)
    .map((r) => r.pid);

describe('one project, one worker per task queue', () => {
  it('keeps the other queue’s worker through an ensure and a stop of this queue', async () => {
    const dir = await copyOrders(await scratchDir('samples'));
    const [a, b] = [uniqueQueue('samples-a'), uniqueQueue('samples-b')];
    const ready = { timeoutMs: 30_000, pollers: clientPollerSource(h.client) };
    const first = await ensureWorker(ordersSpec(stateDir, 'samples', dir, a), { ready });
    const second = await ensureWorker(ordersSpec(stateDir, 'samples', dir, b), { ready });
    assert.deepEqual(second.stopped, [], 'starting queue b stopped nothing');
    assert.deepEqual(await live(a), [first.record.pid]);
    assert.deepEqual(await live(b), [second.record.pid]);

    const again = await ensureWorker(ordersSpec(stateDir, 'samples', dir, a), { ready });
    assert.deepEqual(
      again.stopped.map((o) => o.pid),
      [first.record.pid],
      'an ensure of queue a replaced only queue a’s worker',
    );
    assert.deepEqual(await live(b), [second.record.pid], 'queue b’s worker still runs');

    const stopped = await stopProjectWorkers(stateDir, 'samples', 2000, { taskQueue: a });
    assert.deepEqual(
      stopped.map((o) => o.pid),
      [again.record.pid],
    );
    assert.deepEqual(await live(a), []);
    assert.deepEqual(await live(b), [second.record.pid], 'a stop of queue a left queue b’s worker');
  });
});
