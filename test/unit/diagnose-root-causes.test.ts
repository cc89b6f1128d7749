import assert from 'node:assert/strict';
import { describe, it } from 'node:test';

import {
  diagnose,
  type BlockerFact,
  type Finding,
  type PendingActivityFact,
  type WorkflowFacts,
} from '../../src/diagnosis/index.js';
import { planRemedies } from '../../src/diagnosis/remedy-plan.js';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const SEC = 1000;
const MIN = 60 * SEC;
const WORKER = '4242@devbox';

function facts(over: Partial<WorkflowFacts> = {}): WorkflowFacts {
  return {
    workflowId: 'order-17',
    runId: 'run-17',
    workflowType: 'OrderWorkflow',
    taskQueue: 'orders',
    status: 'RUNNING',
    startTimeMs: NOW - 10 * MIN,
    historyLength: 12,
    pendingActivities: [],
    lastWorkflowTaskCompletedEventId: 9,
    workflowTaskTimeoutsSinceCompleted: 0,
    lastEventType: 'WorkflowTaskCompleted',
    workflowPollers: [{ identity: WORKER, lastAccessTimeMs: NOW - 2 * SEC }],
    ...over,
  };
}

function activity(over: Partial<PendingActivityFact> = {}): PendingActivityFact {
  return {
    activityId: '5',
    activityType: 'charge_card',
    state: 'scheduled',
    attempt: 1,
    maximumAttempts: 0,
    scheduledTimeMs: NOW - 3 * MIN,
    taskQueue: 'orders',
    ...over,
  };
}

const plan = (findings: Finding[]) =>
  planRemedies(findings, { nonDeterminism: 'terminate', rerun: false, newId: () => 'id' });

describe('activity-paused', () => {
  const paused = activity({
    state: 'paused',
    attempt: 17,
    lastFailureMessage: 'downstream unavailable',
    pause: { identity: 'oncall-ana', reason: 'maintenance', timeMs: NOW - 5 * MIN },
  });

  it('is a paused activity with who, when and why, never a retry storm at attempt 17', () => {
    const f = diagnose(facts({ pendingActivities: [paused] }), NOW);
    assert.equal(f.verdict, 'activity-paused');
    assert.equal(f.stalled, true);
    assert.match(
      f.evidence.summary,
      /paused by oncall-ana 5 min ago \(reason: "maintenance"\), at attempt 17/,
    );
    assert.deepEqual(f.evidence.activity?.pause, paused.pause);
    assert.equal(f.remedy.action, 'unpause-activity');
    assert.match(f.remedy.text, /temporal activity unpause --workflow-id order-17 --activity-id 5/);
  });

  it('is recognised from the PAUSED state alone, and from a pause requested while running', () => {
    for (const state of ['paused', 'pause-requested']) {
      const f = diagnose(
        facts({ pendingActivities: [activity({ state, attempt: 9, lastFailureMessage: 'x' })] }),
        NOW,
      );
      assert.equal(f.verdict, 'activity-paused', state);
    }
  });

  it('leaves another storming activity of the run a retry storm only when none is paused', () => {
    const storm = activity({ activityId: '6', state: 'scheduled', attempt: 40, lastFailureMessage: 'boom' });
    assert.equal(diagnose(facts({ pendingActivities: [storm] }), NOW).verdict, 'activity-retry-storm');
    assert.equal(diagnose(facts({ pendingActivities: [storm, paused] }), NOW).verdict, 'activity-paused');
  });

  it('is planned as an unpause, not a worker restart', () => {
    const f = diagnose(facts({ pendingActivities: [paused] }), NOW);
    assert.deepEqual(
      plan([f]).actions.map((a) => [a.remedy, a.activityId]),
      [['unpause', '5']],
    );
  });
});

describe('worker-saturated', () => {
  // The worker polled for activities last 3 minutes ago: it took the task that filled its last slot.
  const silentActivityPoller = { identity: WORKER, lastAccessTimeMs: NOW - 3 * MIN };
  const held = {
    workflowId: 'report-1',
    runId: 'run-r1',
    activityId: '1',
    activityType: 'build_report',
    startedTimeMs: NOW - 4 * MIN,
    lastHeartbeatTimeMs: NOW - 2 * SEC,
  };
  const saturated = (over: Partial<WorkflowFacts> = {}) =>
    facts({
      pendingActivities: [activity()],
      activityPollers: { orders: [silentActivityPoller] },
      heldSlots: { [WORKER]: [held] },
      activityQueueStats: { orders: { backlogCount: 4, backlogAgeMs: 3 * MIN } },
      ...over,
    });

  it('names the worker, the activity holding its slot and the backlog, instead of no-worker', () => {
    const f = diagnose(saturated(), NOW);
    assert.equal(f.verdict, 'worker-saturated', f.evidence.summary);
    assert.equal(f.confidence, 'high');
    assert.deepEqual(f.evidence.saturation, {
      workerIdentity: WORKER,
      alive: 'polls-workflow-queue',
      holding: [held],
      backlogCount: 4,
      backlogAgeMs: 3 * MIN,
    });
    assert.match(f.evidence.summary, /slot is held by activity "build_report" \(1\) of workflow report-1/);
    assert.match(f.evidence.summary, /backlog 4/);
    assert.equal(f.remedy.action, 'raise-worker-slots');
    assert.match(f.remedy.text, /max_concurrent_activities/);
  });

  it('counts a worker that holds a started activity as alive though its workflow poll is stale', () => {
    const f = diagnose(
      saturated({ workflowPollers: [{ identity: WORKER, lastAccessTimeMs: NOW - 4 * MIN }] }),
      NOW,
    );
    assert.equal(f.verdict, 'worker-saturated');
    assert.equal(f.evidence.saturation?.alive, 'holds-started-activity');
  });

  it('does not take a started activity without a fresh heartbeat for a live worker: a dead worker leaves those', () => {
    const f = diagnose(
      saturated({
        workflowPollers: [{ identity: WORKER, lastAccessTimeMs: NOW - 4 * MIN }],
        heldSlots: { [WORKER]: [{ ...held, lastHeartbeatTimeMs: NOW - 10 * MIN }] },
      }),
      NOW,
    );
    assert.equal(f.verdict, 'no-worker', f.evidence.summary);
  });

  it('finds the slot holder among the run own started activities', () => {
    const own = activity({
      activityId: '2',
      state: 'started',
      lastWorkerIdentity: WORKER,
      lastStartedTimeMs: NOW - MIN,
    });
    const f = diagnose(saturated({ heldSlots: undefined, pendingActivities: [own, activity()] }), NOW);
    assert.equal(f.verdict, 'worker-saturated');
    assert.deepEqual(
      f.evidence.saturation?.holding.map((h) => h.activityId),
      ['2'],
    );
  });

  it('stays no-worker when the only poller left is a proven ghost or nothing shows the worker alive', () => {
    const dead = { ...silentActivityPoller, process: { running: false as const, host: 'devbox', pid: 4242 } };
    const ghost = diagnose(
      saturated({ workflowPollers: [], heldSlots: undefined, activityPollers: { orders: [dead] } }),
      NOW,
    );
    assert.equal(ghost.verdict, 'no-worker', ghost.evidence.summary);
    const gone = diagnose(saturated({ workflowPollers: [], heldSlots: undefined }), NOW);
    assert.equal(gone.verdict, 'no-worker', gone.evidence.summary);
  });

  it('is a healthy wait while an activity poller is live', () => {
    const f = diagnose(
      saturated({ activityPollers: { orders: [{ identity: WORKER, lastAccessTimeMs: NOW - SEC }] } }),
      NOW,
    );
    assert.equal(f.verdict, 'healthy-wait');
  });

  it('is never planned as a second worker or a restart', () => {
    const p = plan([diagnose(saturated(), NOW)]);
    assert.equal(p.actions[0]?.remedy, 'manual');
    assert.equal(p.workerQueue, undefined);
  });
});

describe('blocked', () => {
  const codeBugRemedy = {
    action: 'fix-code-restart-worker' as const,
    text: 'Fix the exception in workflow "ChargeWorkflow" and restart the worker.',
    autoRecovers: true,
  };
  const blocker: BlockerFact = {
    workflowId: 'order-17-charge',
    runId: 'run-c',
    workflowType: 'ChargeWorkflow',
    relation: 'child-workflow',
    verdict: 'workflow-code-bug',
    summary: 'Workflow task failing (attempt 4): boom',
    rootCause: {
      workflowId: 'order-17-charge',
      runId: 'run-c',
      workflowType: 'ChargeWorkflow',
      verdict: 'workflow-code-bug',
      summary: 'Workflow task failing (attempt 4): boom',
      remedy: codeBugRemedy,
      chain: ['order-17-charge'],
    },
  };
  const parent = facts({
    lastEventType: 'ChildWorkflowExecutionStarted',
    pendingChildWorkflows: 1,
    pendingChildren: [{ workflowId: 'order-17-charge', runId: 'run-c', workflowType: 'ChargeWorkflow' }],
    blockers: [blocker],
  });

  it('names the stalled child and takes the root cause remedy, not "none"', () => {
    const f = diagnose(parent, NOW);
    assert.equal(f.verdict, 'blocked');
    assert.equal(f.stalled, true);
    assert.equal(f.evidence.blockedBy?.workflowId, 'order-17-charge');
    assert.equal(f.evidence.blockedBy?.runId, 'run-c');
    assert.equal(f.evidence.blockedBy?.verdict, 'workflow-code-bug');
    assert.equal(f.remedy.action, 'fix-code-restart-worker');
    assert.deepEqual(f.remedy.target, { workflowId: 'order-17-charge', runId: 'run-c' });
    assert.match(f.remedy.text, /Fix the exception in workflow "ChargeWorkflow"/);
  });

  it('is a healthy wait on a child that is not stalled, and names the child', () => {
    const f = diagnose({ ...parent, blockers: [] }, NOW);
    assert.equal(f.verdict, 'healthy-wait');
    assert.match(f.evidence.summary, /child workflow order-17-charge \(run run-c\)/);
  });

  it('keeps its own workflow task failure first', () => {
    const f = diagnose(
      {
        ...parent,
        lastWorkflowTaskFailure: {
          eventId: 12,
          timeMs: NOW - MIN,
          cause: 'WORKFLOW_WORKER_UNHANDLED_FAILURE',
          message: 'own bug',
        },
        lastEventType: 'WorkflowTaskFailed',
        pendingWorkflowTask: { state: 'scheduled', attempt: 3, scheduledTimeMs: NOW - SEC },
      },
      NOW,
    );
    assert.equal(f.verdict, 'workflow-code-bug');
  });

  it('says which runs wait on a stalled child, and only when it is stalled', () => {
    const child = facts({
      workflowId: 'order-17-charge-fee',
      runId: 'run-f',
      parent: { workflowId: 'order-17-charge', runId: 'run-c' },
      root: { workflowId: 'order-17', runId: 'run-17' },
    });
    const stuck = diagnose(
      {
        ...child,
        lastWorkflowTaskFailure: {
          eventId: 3,
          timeMs: NOW - MIN,
          cause: 'WORKFLOW_WORKER_UNHANDLED_FAILURE',
          message: 'boom',
        },
        lastEventType: 'WorkflowTaskFailed',
        pendingWorkflowTask: { state: 'scheduled', attempt: 5, scheduledTimeMs: NOW - SEC },
      },
      NOW,
    );
    assert.deepEqual(stuck.evidence.waitedOnBy, [
      { workflowId: 'order-17-charge', runId: 'run-c' },
      { workflowId: 'order-17', runId: 'run-17' },
    ]);
    assert.match(stuck.evidence.summary, /waited on by order-17-charge, order-17$/);
    assert.equal(diagnose({ ...child, lastEventType: 'TimerStarted' }, NOW).evidence.waitedOnBy, undefined);
  });

  it('is planned by hand: the remedy belongs to the root cause, planned with its own finding', () => {
    assert.equal(plan([diagnose(parent, NOW)]).actions[0]?.remedy, 'manual');
  });
});

describe('handler naming', () => {
  // Read off a real Python worker (temporalio 1.35): an async update handler raising after a timer.
  const SDK = '/app/.venv/lib/python3.11/site-packages/temporalio';
  const trace = [
    `  File "${SDK}/worker/_workflow_instance.py", line 534, in activate`,
    '    self._run_once(',
    '',
    `  File "${SDK}/worker/_workflow_instance.py", line 736, in run_update`,
    '    success = await self._inbound.handle_update_handler(handler_input)',
    '',
    `  File "${SDK}/worker/_workflow_instance.py", line 3295, in handle_update_handler`,
    '    return await handler(*input.args)',
    '',
    `  File "${SDK}/workflow/_handlers.py", line 415, in with_object`,
    '    return await fn(obj, *args, **kwargs)',
    '',
    '  File "/app/orders/workflows.py", line 269, in explode_later',
    '    raise RuntimeError(f"update handler bug after a timer: {what}")',
  ].join('\n');
  const failingUpdate = (over: Partial<WorkflowFacts> = {}) =>
    facts({
      lastWorkflowTaskFailure: {
        eventId: 13,
        timeMs: NOW - MIN,
        cause: 'WORKFLOW_WORKER_UNHANDLED_FAILURE',
        message: 'update handler bug after a timer: kaboom',
        stackTrace: trace,
      },
      lastEventType: 'WorkflowTaskFailed',
      pendingWorkflowTask: { state: 'scheduled', attempt: 3, scheduledTimeMs: NOW - SEC },
      ...over,
    });

  it('names the update handler and the accepted update it serves', () => {
    const f = diagnose(
      failingUpdate({
        openUpdates: [
          { updateId: 'approve-1', name: 'approve', acceptedEventId: 5 },
          { updateId: 'upd-8', name: 'explode-later', acceptedEventId: 8 },
        ],
      }),
      NOW,
    );
    assert.equal(f.verdict, 'workflow-code-bug');
    assert.deepEqual(f.evidence.handler, {
      kind: 'update',
      functionName: 'explode_later',
      updateName: 'explode-later',
      updateId: 'upd-8',
    });
    assert.match(f.evidence.summary, /in update handler explode_later \(update "explode-later", ID upd-8\)/);
  });

  it('says when history holds no ID for the update', () => {
    const f = diagnose(failingUpdate(), NOW);
    assert.deepEqual(f.evidence.handler, { kind: 'update', functionName: 'explode_later' });
    assert.match(f.evidence.summary, /not accepted, so history holds no ID/);
  });

  it('names a signal handler, and names none when the run method failed', () => {
    const signal = trace
      .replaceAll('run_update', '_apply_signal')
      .replaceAll('handle_update_handler', 'handle_signal');
    const f = diagnose(
      failingUpdate({
        lastWorkflowTaskFailure: {
          eventId: 13,
          timeMs: NOW - MIN,
          cause: 'X',
          message: 'm',
          stackTrace: signal,
        },
      }),
      NOW,
    );
    assert.equal(f.evidence.handler?.kind, 'signal');
    const run = trace.split('\n').slice(0, 2).join('\n');
    const g = diagnose(
      failingUpdate({
        lastWorkflowTaskFailure: {
          eventId: 13,
          timeMs: NOW - MIN,
          cause: 'X',
          message: 'm',
          stackTrace: run,
        },
      }),
      NOW,
    );
    assert.equal(g.evidence.handler, undefined);
  });
});
