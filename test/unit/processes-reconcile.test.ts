import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isExecTail } from '../../src/host/records/identity.js';
import type { LivenessOracle } from '../../src/diagnosis/poller-liveness.js';
import { mergePollers } from '../../src/host/workers/pollers.js';
import {
  parseIdentity,
  reconcile,
  type LocalWorkerFacts,
  type PollerClass,
  type ReconcileInput,
} from '../../src/host/workers/reconcile.js';
import { workerState, type StateFacts, type WorkerState } from '../../src/host/workers/state.js';

const now = 1_000_000;
const ours: LocalWorkerFacts = {
  project: 'shop',
  pid: 100,
  taskQueue: 'q',
  ownership: 'ours',
  memberPids: [100, 101],
  fingerprint: 'abc',
  currentFingerprint: 'abc',
};

// The live processes of host vm and when they started; every other pid there runs nothing.
const started: Record<number, number> = { 100: now - 3_600_000, 101: now - 3_600_000, 555: now - 3_600_000 };

/** A table-driven oracle for host vm, as src/host/workers/pollers.ts answers from /proc. */
const oracle: LivenessOracle = (identity) => {
  const named = parseIdentity(identity);
  if (named.pid === undefined || named.host !== 'vm') return undefined;
  const at = started[named.pid];
  return at === undefined
    ? { host: 'vm', pid: named.pid, running: false }
    : { host: 'vm', pid: named.pid, running: true, startTimeMs: at };
};

function input(extra: Partial<ReconcileInput>): ReconcileInput {
  return {
    taskQueue: 'q',
    pollers: [],
    host: 'vm',
    nowMs: now,
    workers: [ours],
    processes: [
      { pid: 100, cmdline: ['uv', 'run'] },
      { pid: 101, cmdline: ['python', 'worker.py'] },
    ],
    oracle,
    ...extra,
  };
}

describe('reconcile', () => {
  const cases: [string, string, number, Partial<ReconcileInput>, PollerClass, RegExp][] = [
    ['a poller of our worker', '100@vm', now - 1000, {}, 'ours', /worker 100 of shop, code abc/],
    ["a poller of our wrapper's child", '101@vm', now - 1000, {}, 'ours', /worker 100 of shop/],
    [
      'ours, but the tree changed since it started',
      '100@vm',
      now - 1000,
      { workers: [{ ...ours, currentFingerprint: 'def' }] },
      'ours-stale',
      /runs code abc; the working tree is def/,
    ],
    [
      'an orphan of our gone wrapper is still ours',
      '101@vm',
      now - 1000,
      { workers: [{ ...ours, ownership: 'gone', memberPids: [101] }] },
      'ours',
      /worker 100/,
    ],
    [
      'a live local process we did not start',
      '555@vm',
      now - 1000,
      { processes: [{ pid: 555, cmdline: ['python', 'worker.py'], cwd: '/app2' }] },
      'foreign',
      /pid 555 runs "python worker.py" in \/app2; not started by temporal-ops/,
    ],
    ['a pid that is gone', '556@vm', now - 1000, {}, 'ghost', /^pid 556 is not running on vm$/],
    [
      'our dead worker, pid gone, but /proc cannot prove it: no ghost',
      '100@vm',
      now - 1000,
      { workers: [{ ...ours, ownership: 'gone', memberPids: [] }], processes: [], oracle: () => undefined },
      'foreign',
      /^pid 100 could not be checked on this host; not started by temporal-ops$/,
    ],
    [
      'our dead worker, pid gone, proven by the oracle',
      '100@vm',
      now - 1000,
      {
        workers: [{ ...ours, ownership: 'gone', memberPids: [] }],
        oracle: () => ({ host: 'vm', pid: 100, running: false }),
      },
      'ghost',
      /^was worker 100 of shop; pid 100 is not running on vm$/,
    ],
    [
      'our dead worker, pid reused',
      '100@vm',
      now - 1000,
      { workers: [{ ...ours, ownership: 'recycled', memberPids: [] }] },
      'ghost',
      /was worker 100 of shop/,
    ],
    [
      'a live pid started after the last poll: the pid was reused',
      '555@vm',
      now - 3_700_000,
      { processes: [{ pid: 555, cmdline: ['bash'] }] },
      'ghost',
      /pid 555 on vm is another process: it started 100 s after this poller's last poll/,
    ],
    [
      'a live pid that was there at its last poll, silent since',
      '555@vm',
      now - 200_000,
      { processes: [{ pid: 555, cmdline: ['bash'] }] },
      'silent',
      /last polled 3 min ago/,
    ],
    ['another host, polling', '42@elsewhere', now - 1000, {}, 'foreign', /runs on host elsewhere/],
    [
      'another host, silent for minutes: nothing proves it dead',
      '42@elsewhere',
      now - 200_000,
      {},
      'silent',
      /last polled 3 min ago/,
    ],
    ['a custom identity, polling', 'my-worker', now - 1000, {}, 'foreign', /names no pid/],
    ['a custom identity, silent', 'my-worker', now - 100_000, {}, 'silent', /last polled 100 s ago/],
    [
      'a custom identity that looks like ours on this host is judged by its form only',
      '556@vm-2',
      now - 1000,
      {},
      'foreign',
      /runs on host vm-2/,
    ],
  ];
  for (const [title, identity, lastAccessTimeMs, extra, expected, why] of cases) {
    it(`${title}: ${expected}`, () => {
      const [poller] = reconcile(
        input({ ...extra, pollers: [{ identity, lastAccessTimeMs, types: ['workflow'] }] }),
      ).pollers;
      assert.equal(poller?.class, expected);
      assert.match(poller?.why ?? '', why);
    });
  }

  it('lists our live workers on the queue that no poller names', () => {
    const quiet: LocalWorkerFacts = { ...ours, project: 'quiet', pid: 200, memberPids: [200] };
    const elsewhere: LocalWorkerFacts = {
      ...ours,
      project: 'other',
      pid: 300,
      memberPids: [300],
      taskQueue: 'other',
    };
    const result = reconcile(
      input({
        workers: [ours, quiet, elsewhere],
        pollers: [{ identity: '101@vm', lastAccessTimeMs: now, types: ['workflow'] }],
      }),
    );
    assert.deepEqual(result.silent, [{ project: 'quiet', pid: 200 }]);
  });

  it('parses <pid>@<host> identities', () => {
    assert.deepEqual(parseIdentity('123@vm.local'), { pid: 123, host: 'vm.local' });
    assert.deepEqual(parseIdentity('worker-1'), {});
  });
});

describe('mergePollers', () => {
  it('merges workflow and activity pollers per identity with the latest access', () => {
    const merged = mergePollers(
      [
        { identity: '1@vm', lastAccessTimeMs: 10 },
        { identity: '2@vm', lastAccessTimeMs: 5 },
      ],
      [
        { identity: '1@vm', lastAccessTimeMs: 20 },
        { identity: '3@vm', lastAccessTimeMs: 7 },
      ],
    );
    assert.deepEqual(merged, [
      { identity: '1@vm', lastAccessTimeMs: 20, types: ['workflow', 'activity'] },
      { identity: '2@vm', lastAccessTimeMs: 5, types: ['workflow'] },
      { identity: '3@vm', lastAccessTimeMs: 7, types: ['activity'] },
    ]);
  });
});

describe('workerState', () => {
  const cases: [StateFacts, WorkerState][] = [
    [{ ownership: 'ours', alive: true, polling: true, gaveUp: false }, 'running'],
    [{ ownership: 'ours', alive: true, polling: false, gaveUp: false }, 'not-polling'],
    [{ ownership: 'ours', alive: true, gaveUp: false }, 'alive'],
    [{ ownership: 'gone', alive: true, polling: true, gaveUp: false }, 'running'],
    [{ ownership: 'gone', alive: false, gaveUp: false }, 'exited'],
    [{ ownership: 'gone', alive: false, polling: false, gaveUp: true }, 'gave-up'],
    [{ ownership: 'recycled', alive: false, polling: true, gaveUp: false }, 'foreign'],
  ];
  for (const [facts, expected] of cases) {
    it(`${JSON.stringify(facts)} is ${expected}`, () => assert.equal(workerState(facts), expected));
  }
});

describe('isExecTail', () => {
  const table: [string[], string[], boolean][] = [
    [['env', 'TEMPORAL_TASK_QUEUE=x', '/v/bin/python', 'worker.py'], ['/v/bin/python', 'worker.py'], true],
    [['/bin/sh', '-c', 'exec python worker.py --q a'], ['python', 'worker.py', '--q', 'a'], true],
    [['env', 'A=1', 'python', 'worker.py'], ['/usr/bin/python', 'worker.py'], true],
    [['env', 'A=1', 'python', 'worker.py'], ['python', 'other.py'], false],
    [['python', 'worker.py'], ['bash'], false],
    [['python', 'worker.py'], [], false],
  ];
  for (const [recorded, live, expected] of table) {
    it(`"${live.join(' ')}" is ${expected ? '' : 'not '}an exec of "${recorded.join(' ')}"`, () =>
      assert.equal(isExecTail(recorded, live), expected));
  }
});
