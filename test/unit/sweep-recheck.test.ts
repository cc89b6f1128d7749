// Which runs a repeat sweep describes again: a table of what the last sweep remembered against what
// the list and the task queues say now, and the rotation that bounds how long a quiet run goes unseen.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { WorkflowFacts } from '../../src/contract/facts.js';
import type { RememberedRun } from '../../src/contract/sweep-memory.js';
import type { Finding, Verdict } from '../../src/contract/verdicts.js';
import {
  queueState,
  recheckKind,
  recheckReason,
  rotationSlot,
  type RecheckQuestion,
} from '../../src/diagnosis/sweep-recheck.js';

const facts = (extra: Partial<WorkflowFacts> = {}): WorkflowFacts => ({
  workflowId: 'w',
  runId: 'r',
  workflowType: 'T',
  taskQueue: 'q',
  status: 'RUNNING',
  startTimeMs: 0,
  historyLength: 5,
  pendingActivities: [],
  workflowTaskTimeoutsSinceCompleted: 0,
  pendingChildWorkflows: 0,
  ...extra,
});
const finding = (verdict: Verdict): Finding =>
  ({ verdict, stalled: verdict !== 'healthy-wait' }) as unknown as Finding;
const activity = { activityId: '1', activityType: 'a', state: 'scheduled', attempt: 1, maximumAttempts: 0 };

describe('recheckKind', () => {
  const table: [string, WorkflowFacts, Verdict, RememberedRun['kind']][] = [
    ['a wait with nothing pending is idle', facts(), 'healthy-wait', 'idle'],
    [
      'a healthy run with an activity is rechecked',
      facts({ pendingActivities: [activity] }),
      'healthy-wait',
      'recheck',
    ],
    [
      'a healthy run with a workflow task in flight is rechecked',
      facts({ pendingWorkflowTask: { state: 'scheduled', attempt: 1 } }),
      'healthy-wait',
      'recheck',
    ],
    [
      'a healthy run waiting on a child is rechecked',
      facts({ pendingChildWorkflows: 1 }),
      'healthy-wait',
      'recheck',
    ],
    ['no worker is steady', facts(), 'no-worker', 'steady'],
    [
      'a failing task the server reports is steady',
      facts({ reportedProblems: ['p'] }),
      'workflow-code-bug',
      'steady',
    ],
    ['a failing task the server does not report yet is rechecked', facts(), 'non-determinism', 'recheck'],
    [
      'a retry storm is rechecked',
      facts({ pendingActivities: [activity] }),
      'activity-retry-storm',
      'recheck',
    ],
    [
      'a task timeout the server reports is steady',
      facts({ reportedProblems: ['p'] }),
      'workflow-task-timeout',
      'steady',
    ],
  ];
  for (const [title, f, verdict, kind] of table)
    it(title, () => assert.equal(recheckKind(f, finding(verdict)), kind));
});

describe('recheckReason', () => {
  const remembered: RememberedRun = {
    runId: 'r1',
    taskQueue: 'q',
    verdict: 'healthy-wait',
    stalled: false,
    kind: 'idle',
    problems: '',
  };
  // A sweep number whose slot is not this run's, so only the other reasons speak.
  const offSlot = (rotationSlot('w', 'r1', 3) + 1) % 3;
  const base: RecheckQuestion = {
    workflowId: 'w',
    runId: 'r1',
    problems: '',
    remembered,
    queueNow: 'live:1@h',
    queueBefore: 'live:1@h',
    sweep: offSlot,
    every: 3,
  };
  const table: [string, Partial<RecheckQuestion>, string | undefined][] = [
    ['an idle run off its slot is taken from the memory', {}, undefined],
    ['a run never seen is described', { remembered: undefined }, 'new run'],
    ['a new run of a known workflow is described', { runId: 'r2' }, 'new run'],
    [
      'problems the server now reports are described',
      { problems: 'category=WorkflowTaskFailed' },
      'reported problems changed',
    ],
    ['a queue whose workers changed is described', { queueNow: 'live:2@h' }, 'task queue changed'],
    ['a queue whose state is unknown is described', { queueNow: undefined }, 'task queue changed'],
    [
      'a run that may move by itself is described',
      { remembered: { ...remembered, kind: 'recheck' } },
      'may move by itself',
    ],
    ['an idle run on its slot is described', { sweep: offSlot + 2 }, 'rotation'],
  ];
  for (const [title, change, reason] of table)
    it(title, () => assert.equal(recheckReason({ ...base, ...change }), reason));

  it('describes a steady stall on a rotation four times slower', () => {
    const steady = { ...remembered, kind: 'steady' as const, verdict: 'no-worker' as const, stalled: true };
    const described = Array.from({ length: 12 }, (_, k) =>
      recheckReason({ ...base, remembered: steady, sweep: 100 + k }),
    ).filter((r) => r === 'rotation');
    assert.equal(described.length, 1);
  });

  it('describes every remembered run at least once in any `every` sweeps in a row', () => {
    for (const every of [1, 2, 3, 7])
      for (let i = 0; i < 200; i++) {
        const q = { ...base, workflowId: `w${i}`, runId: `r${i}`, every };
        const remembered1 = { ...remembered, runId: `r${i}` };
        const described = Array.from({ length: every }, (_, k) =>
          recheckReason({ ...q, remembered: remembered1, sweep: 5 + k }),
        ).filter((r) => r === 'rotation');
        assert.equal(described.length, 1, `run ${i} with every ${every}`);
      }
  });
});

describe('queueState', () => {
  it('names the live pollers in order, or the backlog when none is live', () => {
    assert.equal(queueState(['b@h', 'a@h'], 3), 'live:a@h,b@h');
    assert.equal(queueState([], 2), 'none:2');
    assert.equal(queueState([], undefined), 'none:?');
  });
});
