import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { diagnose, type PollerFact, type WorkflowFacts } from '../../src/diagnosis/index.js';
import { judgePoller, parsePollerIdentity } from '../../src/diagnosis/poller-liveness.js';
import { type PollerLiveness, type ProcessFact } from '../../src/contract/facts.js';
import { procHidesPids } from '../../src/host/records/proc-fs.js';
import { localLivenessOracle } from '../../src/host/workers/pollers.js';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const SEC = 1000;
const MIN = 60 * SEC;
const FRESH = 70 * SEC;

const gone: ProcessFact = { host: 'vm', pid: 4242, running: false };
const since = (startTimeMs: number): ProcessFact => ({ host: 'vm', pid: 4242, running: true, startTimeMs });

describe('judgePoller', () => {
  const table: [string, number, ProcessFact | undefined, PollerLiveness, RegExp][] = [
    [
      'a fresh poll, process unknown (another host, a custom identity)',
      2 * SEC,
      undefined,
      'live',
      /^last polled 2 s ago$/,
    ],
    [
      'a fresh poll whose pid runs since before it',
      2 * SEC,
      since(NOW - 10 * MIN),
      'live',
      /pid 4242 runs on vm/,
    ],
    [
      'a fresh poll whose pid runs no process: ghost at once',
      2 * SEC,
      gone,
      'ghost',
      /^pid 4242 is not running on vm$/,
    ],
    ['an old poll whose pid runs no process', 4 * MIN, gone, 'ghost', /not running/],
    [
      'a fresh poll whose pid is a process started after it: reused',
      60 * SEC,
      since(NOW - 5 * SEC),
      'ghost',
      /pid 4242 on vm is another process: it started 55 s after this poller's last poll/,
    ],
    [
      'a start within the clock slack (a skewed server clock) of the last poll is not proof',
      60 * SEC,
      since(NOW - 35 * SEC),
      'live',
      /runs on vm/,
    ],
    [
      'an old poll, process unknown: silent, not a ghost',
      3 * MIN,
      undefined,
      'silent',
      /last polled 3 min ago/,
    ],
    [
      'an old poll by a live process that stopped polling',
      3 * MIN,
      since(NOW - 10 * MIN),
      'silent',
      /3 min ago/,
    ],
  ];
  for (const [title, age, process, expected, why] of table) {
    it(`${title}: ${expected}`, () => {
      const judged = judgePoller({ lastAccessTimeMs: NOW - age, ...(process && { process }) }, NOW, FRESH);
      assert.equal(judged.liveness, expected);
      assert.match(judged.why, why);
    });
  }
});

describe('parsePollerIdentity', () => {
  const table: [string, { pid: number; host: string } | undefined][] = [
    ['4242@vm', { pid: 4242, host: 'vm' }],
    ['4242@vm.example.com', { pid: 4242, host: 'vm.example.com' }],
    ['worker-1', undefined],
    ['4242@', undefined],
    ['@vm', undefined],
    ['0@vm', undefined],
    ['042@vm', undefined],
    ['4242@vm@other', undefined],
    ['4242@vm extra', undefined],
    ['99999999@vm', undefined],
    ['orders-4242@vm', undefined],
  ];
  for (const [identity, expected] of table)
    it(`${JSON.stringify(identity)} -> ${JSON.stringify(expected)}`, () =>
      assert.deepEqual(parsePollerIdentity(identity), expected));
});

function waiting(
  pollers: PollerFact[],
  scheduledAgoMs: number,
  over: Partial<WorkflowFacts> = {},
): WorkflowFacts {
  return {
    workflowId: 'order-1',
    runId: 'run-1',
    workflowType: 'OrderWorkflow',
    taskQueue: 'orders',
    status: 'RUNNING',
    startTimeMs: NOW - scheduledAgoMs,
    historyLength: 2,
    pendingActivities: [],
    workflowTaskTimeoutsSinceCompleted: 0,
    lastEventType: 'WorkflowTaskScheduled',
    pendingWorkflowTask: { state: 'scheduled', attempt: 1, scheduledTimeMs: NOW - scheduledAgoMs },
    workflowPollers: pollers,
    ...over,
  };
}

const ghost: PollerFact = { identity: '4242@vm', lastAccessTimeMs: NOW - 3 * SEC, process: gone };
const alive: PollerFact = {
  identity: '5151@vm',
  lastAccessTimeMs: NOW - 3 * SEC,
  process: { host: 'vm', pid: 5151, running: true, startTimeMs: NOW - MIN },
};
const remote: PollerFact = { identity: '777@elsewhere', lastAccessTimeMs: NOW - 3 * SEC };
const silent: PollerFact = { identity: 'custom-worker', lastAccessTimeMs: NOW - 3 * MIN };

describe('no-worker with ghosts', () => {
  const table: [string, WorkflowFacts, string][] = [
    [
      'a task waiting 2 s on a queue only a ghost polls is no-worker at once',
      waiting([ghost], 2 * SEC),
      'no-worker',
    ],
    [
      'a ghost beside a silent poller: nobody serves it, at once',
      waiting([ghost, silent], 2 * SEC),
      'no-worker',
    ],
    ['a ghost beside a live worker is no stall', waiting([ghost, alive], 2 * SEC), 'healthy-wait'],
    [
      'a ghost beside a fresh poller of another host (unknown) is no stall',
      waiting([ghost, remote], 2 * SEC),
      'healthy-wait',
    ],
    ['only silent pollers wait for noWorkerAfterMs as before', waiting([silent], 2 * SEC), 'healthy-wait'],
    ['no poller at all waits for noWorkerAfterMs as before', waiting([], 2 * SEC), 'healthy-wait'],
    [
      'a ghost does not make a started task no-worker',
      waiting([ghost], 2 * SEC, {
        pendingWorkflowTask: { state: 'started', attempt: 1, scheduledTimeMs: NOW - 2 * SEC },
      }),
      'healthy-wait',
    ],
  ];
  for (const [title, facts, verdict] of table)
    it(title, () => {
      const f = diagnose(facts, NOW, { noWorkerAfterMs: 10 * SEC });
      assert.equal(f.verdict, verdict, f.evidence.summary);
    });

  it('names each ghost and why it is one, in the summary and in the poller evidence', () => {
    const other: PollerFact = {
      identity: '6000@vm',
      lastAccessTimeMs: NOW - 60 * SEC,
      process: { host: 'vm', pid: 6000, running: true, startTimeMs: NOW - 2 * SEC },
    };
    const f = diagnose(waiting([ghost, other], 2 * SEC), NOW);
    assert.equal(f.confidence, 'high');
    assert.match(
      f.evidence.summary,
      /not picked up; no live poller \(2 ghosts of dead workers: 4242@vm \(pid 4242 is not running on vm\), 6000@vm \(pid 6000 on vm is another process: it started 58 s after this poller's last poll\)\)/,
    );
    assert.deepEqual(
      f.evidence.pollers?.map((p) => [p.identity, p.liveness, p.live]),
      [
        ['4242@vm', 'ghost', false],
        ['6000@vm', 'ghost', false],
      ],
    );
    assert.equal(f.remedy.action, 'start-worker');
  });

  it('judges a scheduled activity whose queue only ghosts poll as no-worker at once', () => {
    const facts = waiting([alive], 0, {
      pendingWorkflowTask: undefined,
      pendingActivities: [
        {
          activityId: '1',
          activityType: 'charge',
          state: 'scheduled',
          attempt: 1,
          maximumAttempts: 0,
          scheduledTimeMs: NOW - SEC,
          taskQueue: 'payments',
        },
      ],
      activityPollers: { payments: [ghost] },
    });
    const f = diagnose(facts, NOW);
    assert.equal(f.verdict, 'no-worker');
    assert.match(f.evidence.summary, /"payments".*4242@vm \(pid 4242 is not running on vm\)/);
    assert.equal(f.evidence.activityPollers?.[0]?.liveness, 'ghost');
  });
});

describe('localLivenessOracle', () => {
  const host = 'this-host';
  const oracle = localLivenessOracle(host, procHidesPids('22 27 0:21 / /proc rw,relatime - proc proc rw'));

  it('finds this process running, started before now', () => {
    const fact = oracle(`${process.pid}@${host}`);
    assert.equal(fact?.running, true);
    assert.ok(fact.running && fact.startTimeMs <= Date.now());
  });

  it('says a pid with no process is not running', () => {
    // pid_max is at most 2^22, so this pid never runs.
    assert.deepEqual(oracle(`4194304@${host}`), { host, pid: 4194304, running: false });
  });

  it('leaves identities of other hosts and other forms unjudged', () => {
    assert.equal(oracle(`${process.pid}@another-host`), undefined);
    assert.equal(oracle(`worker-${process.pid}`), undefined);
    assert.equal(oracle(`${process.pid}@${host}-2`), undefined);
  });

  it('does not call a missing pid gone when /proc hides other users processes', () => {
    const hidden = localLivenessOracle(
      host,
      procHidesPids('22 27 0:21 / /proc rw,relatime - proc proc rw,hidepid=2'),
    );
    assert.equal(hidden(`4194304@${host}`), undefined);
    assert.equal(hidden(`${process.pid}@${host}`)?.running, true);
  });

  it('reads hidepid from the /proc mount only', () => {
    assert.equal(procHidesPids('22 27 0:21 / /proc rw - proc proc rw,hidepid=invisible'), true);
    assert.equal(procHidesPids('22 27 0:21 / /proc rw - proc proc rw,hidepid=0'), false);
    assert.equal(procHidesPids('22 27 0:21 / /proc rw - proc proc rw'), false);
    assert.equal(procHidesPids('30 27 0:25 / /other rw - proc proc rw,hidepid=2'), false);
  });
});
