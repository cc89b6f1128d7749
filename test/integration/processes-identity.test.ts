// A worker that sets its own identity (no pid in it, as many production workers do): the server's
// poller list cannot tie it to a process, the SDK's worker heartbeats can (ListWorkers: host and pid).
// Readiness takes that proof, a restart replaces the worker under the same identity, and `worker list`
// counts it ours; on a server that keeps no heartbeats, the failed start says why.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readProc } from '../../src/host/records/proc.js';
import { clientPollerSource } from '../../src/host/workers/pollers.js';
import { ensureWorker, stopProjectWorkers } from '../../src/host/workers/workers.js';
import { WorkerNotReadyError } from '../../src/errors.js';
import { targetEnv } from '../../src/control-worker.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { fixtureDir, uniqueId } from './diagnosis-fixture.js';
import { venvPython } from '../../src/host/projects/example.js';

let h: Harness;
const queue = uniqueQueue('named-worker');
const identity = uniqueId('orders-worker');
const project = uniqueId('named');

before(async () => {
  h = await createHarness();
});

after(async () => {
  await stopProjectWorkers(h.settings.stateDir, project, 3000);
  await h.cleanup();
});

const spec = (taskQueue: string) => ({
  stateDir: h.settings.stateDir,
  project,
  projectDir: fixtureDir,
  command: `${venvPython} worker.py`,
  taskQueue,
  env: { FIXTURE_IDENTITY: identity },
  baseEnv: targetEnv(testTarget()),
  graceMs: 3000,
});

describe('a worker with its own identity', () => {
  it('is ready once its heartbeat names its pid, and a restart replaces it under the same identity', async () => {
    const ready = { timeoutMs: 30_000, pollers: clientPollerSource(h.client) };
    const first = await ensureWorker(spec(queue), { mode: 'restart', ready });
    assert.equal(first.ready?.pollerIdentity, identity);
    assert.ok(readProc(first.record.pid), 'the first worker runs');
    const second = await ensureWorker(spec(queue), { mode: 'restart', ready });
    assert.deepEqual(
      second.stopped.map((s) => s.pid),
      [first.record.pid],
      'the restart stopped the first worker',
    );
    assert.equal(second.ready?.pollerIdentity, identity);
    assert.notEqual(second.record.pid, first.record.pid);
    assert.equal(readProc(first.record.pid), undefined, 'the first worker is gone');
  });

  it('says why when nothing names its process: the identity that polled, and what to change', async () => {
    // Pollers as a server without worker heartbeats lists them.
    const source = clientPollerSource(h.client);
    const withoutHeartbeats = async (taskQueue: string) =>
      (await source(taskQueue)).map(({ named: _named, ...poller }) => poller);
    const other = uniqueQueue('named-worker-plain');
    await assert.rejects(
      ensureWorker(spec(other), { mode: 'restart', ready: { timeoutMs: 8_000, pollers: withoutHeartbeats } }),
      (error: unknown) => {
        assert.ok(error instanceof WorkerNotReadyError, String(error));
        assert.match(
          error.message,
          new RegExp(`"${identity}" polled the queue after the start, but names no process`),
        );
        assert.match(error.message, /keep the SDK's default identity/);
        return true;
      },
    );
  });
});
