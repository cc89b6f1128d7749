import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  planNeedsWorker,
  planRemedies,
  renderRemedyPlan,
  type RemedyOptions,
} from '../../src/diagnosis/remedy-plan.js';
import { resetEventId } from '../../src/diagnosis/reset-point.js';
import type { Finding, Verdict } from '../../src/contract/verdicts.js';

function finding(workflowId: string, verdict: Verdict, extra: Partial<Finding> = {}): Finding {
  return {
    workflowId,
    runId: `${workflowId}-run`,
    workflowType: 'Order',
    taskQueue: 'orders',
    verdict,
    stalled: verdict !== 'healthy-wait',
    confidence: 'high',
    evidence: { summary: `${verdict} evidence`, eventIds: [] },
    remedy: { action: 'none', text: `remedy for ${verdict}`, autoRecovers: false },
    ...extra,
  };
}

function options(extra: Partial<RemedyOptions> = {}): RemedyOptions {
  let n = 0;
  return { nonDeterminism: 'terminate', rerun: true, newId: () => `id${++n}`, ...extra };
}

describe('planRemedies', () => {
  const table: [Verdict, string, boolean][] = [
    ['workflow-code-bug', 'restart-worker', true],
    ['sandbox-violation', 'restart-worker', true],
    ['workflow-not-registered', 'restart-worker', true],
    ['activity-retry-storm', 'restart-worker', true],
    ['activity-not-registered', 'restart-worker', true],
    ['workflow-task-timeout', 'restart-worker', false],
    ['no-worker', 'start-worker', false],
    ['non-determinism', 'terminate', false],
  ];
  for (const [verdict, remedy, needsCodeFix] of table) {
    it(`plans ${remedy} for ${verdict}${needsCodeFix ? ', after a code fix' : ''}`, () => {
      const plan = planRemedies([finding('w', verdict)], options());
      assert.deepEqual(
        plan.actions.map((a) => [a.remedy, a.needsCodeFix]),
        [[remedy, needsCodeFix]],
      );
    });
  }

  it('with `only`, plans the other kinds for a person, waiting for no code fix on their behalf', () => {
    const plan = planRemedies(
      [finding('idle', 'no-worker'), finding('bug', 'workflow-code-bug'), finding('nde', 'non-determinism')],
      options({ only: ['start-worker'] }),
    );
    assert.deepEqual(
      plan.actions.map((a) => [a.workflowId, a.remedy, a.needsCodeFix]),
      [
        ['idle', 'start-worker', false],
        ['bug', 'manual', false],
        ['nde', 'manual', false],
      ],
    );
    assert.match(
      plan.actions[1]?.why ?? '',
      /^restart-worker is not among the remedies applied here \(start-worker\): /,
    );
    assert.equal(planNeedsWorker(plan), true);
  });

  it('never plans for a healthy wait, a closed run or an ops workflow', () => {
    const plan = planRemedies(
      [
        finding('wait', 'healthy-wait'),
        finding('closed', 'workflow-code-bug', { stalled: false }),
        finding('ops', 'no-worker', { workflowType: 'CleanStart', taskQueue: 'elsewhere' }),
      ],
      options(),
    );
    assert.deepEqual(
      plan.actions.map((a) => [a.workflowId, a.remedy, a.why]),
      [['ops', 'manual', 'an ops workflow is never remedied']],
    );
    assert.equal(plan.workerQueue, undefined, 'an ops workflow does not choose the worker queue');
  });

  const paused = finding('p', 'activity-paused', {
    evidence: {
      summary: 'paused',
      eventIds: [],
      activity: {
        activityId: '7',
        activityType: 'charge',
        attempt: 12,
        pause: { identity: 'oncall-ana', reason: 'provider outage', timeMs: 1 },
      },
    },
  });

  it('plans an unpause for a paused activity, naming who paused it and why, without a worker', () => {
    const plan = planRemedies([paused], options());
    const [a] = plan.actions;
    assert.deepEqual(
      [a?.remedy, a?.activityId, a?.needsCodeFix, a?.resetAttempts],
      ['unpause', '7', false, undefined],
    );
    assert.match(
      a?.why ?? '',
      /unpause activity "charge" \(7\), paused by oncall-ana \(reason: "provider outage"\), at attempt 12/,
    );
    assert.equal(planNeedsWorker(plan), false);
    assert.equal(plan.workerQueue, undefined);
  });

  it('resets the attempts of the unpaused activity when asked', () => {
    const [a] = planRemedies([paused], options({ resetAttempts: true })).actions;
    assert.deepEqual([a?.remedy, a?.resetAttempts], ['unpause', true]);
    assert.match(a?.why ?? '', /and reset its attempts/);
  });

  it('never unpauses under autoApprove: a person paused it on purpose', () => {
    const [a] = planRemedies([paused], options({ autoApprove: true })).actions;
    assert.equal(a?.remedy, 'manual');
    assert.match(a?.why ?? '', /paused by oncall-ana .*autoApprove does not undo a pause/);
  });

  it('leaves a paused activity it cannot name to a person', () => {
    const [a] = planRemedies([finding('p', 'activity-paused')], options()).actions;
    assert.deepEqual([a?.remedy, a?.why], ['manual', 'the paused activity is not named in the evidence']);
  });

  it('decides the terminate request id and the rerun workflow ID once, in the plan', () => {
    const [a] = planRemedies([finding('nde', 'non-determinism')], options()).actions;
    assert.deepEqual([a?.requestId, a?.rerun], ['id3', { workflowId: 'nde-rerun-id1', requestId: 'id2' }]);
    const [noRerun] = planRemedies([finding('nde', 'non-determinism')], options({ rerun: false })).actions;
    assert.equal(noRerun?.rerun, undefined);
    const [reset] = planRemedies(
      [finding('nde', 'non-determinism')],
      options({ nonDeterminism: 'reset' }),
    ).actions;
    assert.deepEqual([reset?.remedy, reset?.requestId, reset?.rerun], ['reset', 'id1', undefined]);
  });

  it('runs one worker on the one queue the findings need, and leaves a finding on another queue to a human', () => {
    const storm = finding('storm', 'activity-retry-storm', {
      evidence: {
        summary: '',
        eventIds: [],
        activity: { activityId: '7', activityType: 'charge', attempt: 9, taskQueue: 'payments' },
      },
    });
    const alone = planRemedies([storm], options());
    assert.equal(alone.workerQueue, 'payments');
    assert.equal(alone.actions[0]?.activityId, '7');
    const mixed = planRemedies([storm, finding('bug', 'workflow-code-bug')], options());
    assert.equal(mixed.workerQueue, undefined);
    assert.deepEqual(
      mixed.actions.map((a) => a.remedy),
      ['manual', 'manual'],
    );
    assert.match(
      mixed.actions[0]!.why,
      /several queues \(payments, orders\): name the one to run with taskQueue/,
    );
    const named = planRemedies(
      [storm, finding('bug', 'workflow-code-bug')],
      options({ taskQueue: 'orders' }),
    );
    assert.deepEqual(
      named.actions.map((a) => a.remedy),
      ['manual', 'restart-worker'],
    );
    assert.match(
      named.actions[0]!.why,
      /needs a worker on "payments", but the recipe runs the project's worker on "orders"/,
    );
    assert.equal(planNeedsWorker(named), true);
  });

  it('renders every action and the one restart, word for word what the approver sees', () => {
    const plan = planRemedies(
      [finding('bug', 'workflow-code-bug'), finding('nde', 'non-determinism')],
      options(),
    );
    const text = renderRemedyPlan(plan, { projectDir: '/srv/app', waitForFixSeconds: 600 });
    assert.match(text, /^\*\*2 remedies planned\*\*/);
    assert.match(
      text,
      /- `bug` \(run `bug-run`, workflow-code-bug\): \*\*restart-worker\*\* — restart the worker on the fixed code/,
    );
    assert.match(
      text,
      /- `nde` \(run `nde-run`, non-determinism\): \*\*terminate\*\* — terminate, then start nde-rerun-id1/,
    );
    assert.match(
      text,
      /restarted once, on task queue "orders", after a code change in \/srv\/app \(up to 600 s\)\./,
    );
  });
});

describe('resetEventId', () => {
  const history = [
    'WorkflowExecutionStarted',
    'WorkflowTaskScheduled',
    'WorkflowTaskStarted',
    'WorkflowTaskCompleted',
    'TimerStarted',
    'TimerFired',
    'WorkflowTaskScheduled',
    'WorkflowTaskStarted',
    'WorkflowTaskCompleted',
    'WorkflowExecutionSignaled',
    'WorkflowTaskScheduled',
    'WorkflowTaskStarted',
    'WorkflowTaskFailed',
  ].map((eventType, i) => ({ eventId: i + 1, eventType }));

  it('resets to the workflow task before the event the divergence names', () => {
    assert.equal(resetEventId(history, 5), 4);
  });
  it('without a named event, resets to the last completed task before the failure', () => {
    assert.equal(resetEventId(history), 9);
  });
  it('with no completed task, falls back to the first finished one; with none at all, undefined', () => {
    const failedFirst = history.slice(0, 3).concat([{ eventId: 4, eventType: 'WorkflowTaskFailed' }]);
    assert.equal(resetEventId(failedFirst), 4);
    assert.equal(resetEventId(history.slice(0, 2)), undefined);
  });
});
