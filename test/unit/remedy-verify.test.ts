import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { judgeClosedRun } from '../../src/diagnosis/closed-check.js';
import { judgeRemedy, type ProgressFacts, type VerifyGoal } from '../../src/diagnosis/verify.js';

const restartAt = 1_000_000;

function run(extra: Partial<ProgressFacts> = {}): ProgressFacts {
  return {
    workflowId: 'w',
    runId: 'r1',
    status: 'RUNNING',
    workflowTaskStarted: true,
    activityCompletedMs: {},
    reportedProblems: [],
    ...extra,
  };
}

function judge(goal: VerifyGoal, facts: ProgressFacts, next?: ProgressFacts) {
  const v = judgeRemedy(goal, { run: facts, next, nowMs: restartAt + 10_000 });
  return [v.verified, v.evidence];
}

describe('judgeRemedy after a worker restart', () => {
  const goal: VerifyGoal = { kind: 'resumes', sinceMs: restartAt, activityId: '5' };
  const table: [string, Partial<ProgressFacts>, boolean, RegExp][] = [
    ['closed COMPLETED', { status: 'COMPLETED' }, true, /closed COMPLETED/],
    [
      'a workflow task completed after the restart',
      { lastWorkflowTaskCompletedMs: restartAt + 1 },
      true,
      /workflow task completed after/,
    ],
    [
      'its failing activity completed after the restart',
      { activityCompletedMs: { '5': restartAt + 1 } },
      true,
      /activity 5 completed/,
    ],
    [
      'only progress before the restart',
      { lastWorkflowTaskCompletedMs: restartAt - 1, activityCompletedMs: { '5': restartAt - 1 } },
      false,
      /no workflow task nor activity 5 completed after the restart/,
    ],
    [
      'another activity completed',
      { activityCompletedMs: { '6': restartAt + 1 } },
      false,
      /no workflow task/,
    ],
    [
      'progress, but the server still reports problems',
      { lastWorkflowTaskCompletedMs: restartAt + 1, reportedProblems: ['category=WorkflowTaskFailed'] },
      false,
      /TemporalReportedProblems is still category=WorkflowTaskFailed/,
    ],
    ['closed FAILED', { status: 'FAILED' }, false, /closed FAILED, not COMPLETED/],
  ];
  for (const [what, facts, verified, evidence] of table) {
    it(`${verified ? 'verifies' : 'does not verify'}: ${what}`, () => {
      const [ok, text] = judge(goal, run(facts));
      assert.equal(ok, verified);
      assert.match(String(text), evidence);
    });
  }
});

describe('judgeRemedy after starting a worker for an idle queue', () => {
  const goal: VerifyGoal = { kind: 'picked-up', pollerIdentity: '42@box', pollerFreshMs: 70_000 };
  const live = { identity: '42@box', lastAccessTimeMs: restartAt + 9_000 };
  it('verifies when our poller is live and the workflow task started', () => {
    assert.deepEqual(judge(goal, run({ pollers: [live] })), [
      true,
      '42@box polls and the workflow task started',
    ]);
  });
  it('does not verify with only another poller, a stale one, or no task started', () => {
    assert.match(
      String(judge(goal, run({ pollers: [{ ...live, identity: '7@other' }] }))[1]),
      /no live poller "42@box" on the queue \(live: 7@other\)/,
    );
    assert.equal(judge(goal, run({ pollers: [{ ...live, lastAccessTimeMs: 0 }] }))[0], false);
    assert.match(
      String(judge(goal, run({ pollers: [live], workflowTaskStarted: false }))[1]),
      /no workflow task started yet/,
    );
  });
});

describe('judgeRemedy for a diverged run', () => {
  const terminated = run({ status: 'TERMINATED' });
  it('terminate with rerun: the old run TERMINATED and the rerun RUNNING or COMPLETED', () => {
    const goal: VerifyGoal = { kind: 'replaced', how: 'terminate', sinceMs: restartAt, expectNewRun: true };
    assert.equal(judge(goal, terminated, run({ runId: 'r2' }))[0], true);
    assert.equal(judge(goal, terminated, run({ runId: 'r2', status: 'COMPLETED' }))[0], true);
    assert.match(
      String(judge(goal, terminated, run({ runId: 'r2', status: 'FAILED' }))[1]),
      /new run r2 is FAILED/,
    );
    assert.match(String(judge(goal, terminated)[1]), /there is no new run/);
    assert.match(String(judge(goal, run(), run({ runId: 'r2' }))[1]), /old run is RUNNING, not TERMINATED/);
  });
  it('terminate without rerun: TERMINATED is enough', () => {
    const goal: VerifyGoal = { kind: 'replaced', how: 'terminate', sinceMs: restartAt, expectNewRun: false };
    assert.equal(judge(goal, terminated)[0], true);
  });
  it('reset: the new run must complete a workflow task after the reset', () => {
    const goal: VerifyGoal = { kind: 'replaced', how: 'reset', sinceMs: restartAt, expectNewRun: true };
    assert.equal(
      judge(goal, terminated, run({ runId: 'r2', lastWorkflowTaskCompletedMs: restartAt + 5 }))[0],
      true,
    );
    assert.match(
      String(judge(goal, terminated, run({ runId: 'r2', lastWorkflowTaskCompletedMs: restartAt - 5 }))[1]),
      /completed no workflow task after the reset/,
    );
  });
});

describe('judgeRemedy after an unpause', () => {
  const goal: VerifyGoal = { kind: 'activity-completes', sinceMs: restartAt, activityId: '1' };
  const pending = (paused: boolean, lastStartedTimeMs?: number) => ({
    pendingActivities: [
      { activityId: '1', paused, attempt: 4, ...(lastStartedTimeMs && { lastStartedTimeMs }) },
    ],
  });
  const table: [string, Partial<ProgressFacts>, boolean, RegExp][] = [
    [
      'the activity completed after the unpause',
      { activityCompletedMs: { '1': restartAt + 5 } },
      true,
      /completed after the unpause/,
    ],
    ['the run closed COMPLETED', { status: 'COMPLETED' }, true, /closed COMPLETED/],
    ['the run failed', { status: 'FAILED' }, false, /closed FAILED/],
    ['still paused', pending(true, restartAt - 5), false, /still paused/],
    [
      'unpaused, an attempt running',
      pending(false, restartAt + 5),
      false,
      /attempt 4 started after the unpause, not completed/,
    ],
    ['unpaused, no attempt yet', pending(false, restartAt - 5), false, /no attempt started since/],
    ['gone without a completion', { pendingActivities: [] }, false, /no longer pending/],
    [
      'completed before the unpause only',
      { activityCompletedMs: { '1': restartAt - 5 }, ...pending(true) },
      false,
      /still paused/,
    ],
  ];
  for (const [name, facts, verified, evidence] of table)
    it(`${verified ? 'verifies' : 'does not verify'}: ${name}`, () => {
      const [v, e] = judge(goal, run(facts));
      assert.equal(v, verified);
      assert.match(String(e), evidence);
    });
});

describe('judgeClosedRun', () => {
  const table: [Parameters<typeof judgeClosedRun>[0], boolean, string][] = [
    [
      { status: 'COMPLETED', resultCheck: { looksLikeError: false, reason: '' } },
      true,
      'COMPLETED; result looks right',
    ],
    [
      { status: 'COMPLETED', resultCheck: { looksLikeError: true, reason: 'result.status is "error"' } },
      false,
      'COMPLETED but result.status is "error"',
    ],
    [{ status: 'COMPLETED' }, false, 'COMPLETED, but its result could not be read'],
    [{ status: 'FAILED', problem: 'card declined' }, false, 'FAILED: card declined'],
    [{ status: 'TIMED_OUT' }, false, 'TIMED_OUT'],
    [{ status: 'TERMINATED', problem: 'terminated: by ops' }, false, 'TERMINATED: terminated: by ops'],
    [{ status: 'CANCELED' }, false, 'CANCELED'],
    [{ status: 'CONTINUED_AS_NEW' }, true, 'continued as new'],
  ];
  for (const [facts, resultOk, reason] of table) {
    it(`${facts.status}${facts.resultCheck?.looksLikeError ? ' reading like an error' : ''}: ${resultOk ? 'ok' : 'not ok'}`, () => {
      assert.deepEqual(judgeClosedRun(facts), { resultOk, reason });
    });
  }
});
