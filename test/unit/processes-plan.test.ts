import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  planStop,
  planWorkers,
  type PlanRequest,
  type RecordedWorker,
  type WorkerPlan,
} from '../../src/host/workers/plan.js';

const spec = { command: 'uv run worker', taskQueue: 'orders', cwd: '/app', env: {} };
const request: PlanRequest = { mode: 'ensure', spec, requestedAtMs: 1000, fingerprint: 'abc' };

function worker(pid: number, extra: Partial<RecordedWorker> = {}): RecordedWorker {
  return { pid, ownership: 'ours', alive: true, startedAtMs: 500, spec, fingerprint: 'abc', ...extra };
}

describe('planWorkers', () => {
  const cases: [string, Partial<PlanRequest>, RecordedWorker[], Partial<WorkerPlan>][] = [
    ['nothing recorded: start one', {}, [], { action: 'replace', stop: [], forget: [] }],
    [
      'ensure replaces a worker started before the request',
      {},
      [worker(1)],
      { action: 'replace', stop: [1], forget: [] },
    ],
    [
      'ensure adopts a worker started after the request with the same spec and code',
      {},
      [worker(1, { startedAtMs: 1500 })],
      { action: 'adopt', pid: 1, stop: [] },
    ],
    [
      'adopting the fresh one still stops an older one',
      {},
      [worker(1), worker(2, { startedAtMs: 1500 })],
      { action: 'adopt', pid: 2, stop: [1] },
    ],
    [
      'no adoption when the code differs',
      {},
      [worker(1, { startedAtMs: 1500, fingerprint: 'old' })],
      { action: 'replace', stop: [1] },
    ],
    [
      'no adoption when the task queue differs',
      {},
      [worker(1, { startedAtMs: 1500, spec: { ...spec, taskQueue: 'other' } })],
      { action: 'replace', stop: [1] },
    ],
    [
      'no adoption when the env differs',
      {},
      [worker(1, { startedAtMs: 1500, spec: { ...spec, env: { A: '1' } } })],
      { action: 'replace', stop: [1] },
    ],
    [
      'no adoption of a dead worker',
      {},
      [worker(1, { startedAtMs: 1500, ownership: 'gone', alive: false })],
      { action: 'replace', stop: [], forget: [1] },
    ],
    [
      'a recycled pid is forgotten, never stopped',
      {},
      [worker(1, { ownership: 'recycled', alive: false })],
      { action: 'replace', stop: [], forget: [1] },
    ],
    [
      'orphans of a gone leader are stopped',
      {},
      [worker(1, { ownership: 'gone', alive: true })],
      { action: 'replace', stop: [1], forget: [] },
    ],
    ['start keeps the running worker', { mode: 'start' }, [worker(1)], { action: 'keep', pid: 1 }],
    [
      'start keeps the newest running worker',
      { mode: 'start' },
      [worker(1), worker(2, { startedAtMs: 700 })],
      { action: 'keep', pid: 2 },
    ],
    [
      'start with only a dead record starts one',
      { mode: 'start' },
      [worker(1, { ownership: 'gone', alive: false })],
      { action: 'replace', stop: [], forget: [1] },
    ],
    [
      'restart adopts like ensure',
      { mode: 'restart' },
      [worker(1, { startedAtMs: 1000 })],
      { action: 'adopt', pid: 1 },
    ],
    [
      'restart replaces an older worker',
      { mode: 'restart' },
      [worker(1, { startedAtMs: 999 })],
      { action: 'replace', stop: [1] },
    ],
    [
      'a retry adopts the worker its interrupted attempt spawned, even one started before the request',
      { token: 't1' },
      [worker(1, { startedAtMs: 500, spawnToken: 't1' })],
      { action: 'adopt', pid: 1, own: true, stop: [] },
    ],
    [
      'a retry adopts its own worker and still stops the older one',
      { token: 't1' },
      [worker(1, { startedAtMs: 400 }), worker(2, { startedAtMs: 500, spawnToken: 't1' })],
      { action: 'adopt', pid: 2, own: true, stop: [1] },
    ],
    [
      'its own worker is adopted although the code changed since the spawn',
      { token: 't1' },
      [worker(1, { spawnToken: 't1', fingerprint: 'old' })],
      { action: 'adopt', pid: 1, own: true },
    ],
    [
      "another request's token is not ours: replaced as usual",
      { token: 't1' },
      [worker(1, { spawnToken: 't2' })],
      { action: 'replace', stop: [1] },
    ],
    [
      'a dead worker of its own token is forgotten and a new one started',
      { token: 't1' },
      [worker(1, { spawnToken: 't1', ownership: 'gone', alive: false })],
      { action: 'replace', stop: [], forget: [1] },
    ],
  ];
  for (const [title, overrides, workers, expected] of cases) {
    it(title, () => {
      const plan = planWorkers({ ...request, ...overrides }, workers);
      assert.deepEqual(
        Object.fromEntries(Object.keys(expected).map((k) => [k, plan[k as keyof WorkerPlan]])),
        expected,
      );
    });
  }

  it('says why it keeps a worker running older code', () => {
    const plan = planWorkers({ ...request, mode: 'start' }, [worker(7, { fingerprint: 'old' })]);
    assert.equal(plan.reason, 'worker 7 already runs (its code old differs from abc)');
  });
});

describe('planStop', () => {
  type Spare = Parameters<typeof planStop>[1];
  const cases: [string, Spare, RecordedWorker[], ReturnType<typeof planStop>][] = [
    [
      'stops every live worker of ours',
      {},
      [worker(1), worker(2, { startedAtMs: 2000 })],
      { stop: [1, 2], forget: [], spared: [] },
    ],
    [
      'spares a worker started after the request',
      { spareStartedAfterMs: 1000 },
      [worker(1), worker(2, { startedAtMs: 2000 })],
      { stop: [1], forget: [], spared: [2] },
    ],
    [
      'spares a newer worker another recipe started',
      { spareStartedAfterMs: 1000, requester: 'wf A' },
      [worker(2, { startedAtMs: 2000, startedBy: 'wf B' })],
      { stop: [], forget: [], spared: [2] },
    ],
    [
      "stops the requester's own newer worker",
      { spareStartedAfterMs: 1000, requester: 'wf A' },
      [worker(2, { startedAtMs: 2000, startedBy: 'wf A' })],
      { stop: [2], forget: [], spared: [] },
    ],
    [
      'never spares or stops a recycled pid',
      { spareStartedAfterMs: 1000 },
      [worker(3, { ownership: 'recycled', alive: false, startedAtMs: 2000 })],
      { stop: [], forget: [3], spared: [] },
    ],
    [
      'forgets dead records',
      {},
      [worker(4, { ownership: 'gone', alive: false })],
      { stop: [], forget: [4], spared: [] },
    ],
  ];
  for (const [title, spare, workers, expected] of cases) {
    it(title, () => assert.deepEqual(planStop(workers, spare), expected));
  }
});
