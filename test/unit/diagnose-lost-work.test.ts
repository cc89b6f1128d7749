// The pure rules for work the server holds for nobody: a started activity whose worker died (no
// heartbeat timeout, so it sits until its start-to-close), and workflow tasks the server itself fails
// because the run would pass a per-workflow pending-operation limit.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import proto from '@temporalio/proto';
import { diagnose, type PendingActivityFact, type WorkflowFacts } from '../../src/diagnosis/index.js';
import { planClear } from '../../src/diagnosis/clear-plan.js';
import { planRemedies } from '../../src/diagnosis/remedy-plan.js';
import { workflowTaskFailureFact } from '../../src/inspect/history.js';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const SEC = 1000;
const MIN = 60 * SEC;
const HOUR = 60 * MIN;
const DEAD = '4242@vm';
const LIVE = '5151@vm';

function facts(over: Partial<WorkflowFacts> = {}): WorkflowFacts {
  return {
    workflowId: 'export-3',
    runId: 'run-3',
    workflowType: 'ExportWorkflow',
    taskQueue: 'exports',
    status: 'RUNNING',
    startTimeMs: NOW - 10 * MIN,
    historyLength: 7,
    pendingActivities: [],
    lastWorkflowTaskCompletedEventId: 4,
    workflowTaskTimeoutsSinceCompleted: 0,
    workflowPollers: [{ identity: LIVE, lastAccessTimeMs: NOW - 2 * SEC }],
    ...over,
  };
}

function started(over: Partial<PendingActivityFact> = {}): PendingActivityFact {
  return {
    activityId: '1',
    activityType: 'render_report',
    state: 'started',
    attempt: 1,
    maximumAttempts: 0,
    scheduledTimeMs: NOW - 3 * MIN,
    lastStartedTimeMs: NOW - 3 * MIN,
    startToCloseTimeoutMs: HOUR,
    lastWorkerIdentity: DEAD,
    lastWorkerProcess: { host: 'vm', pid: 4242, running: false },
    ...over,
  };
}

describe('activity-on-dead-worker', () => {
  it('names the activity, its attempt, the dead worker and when its start-to-close ends', () => {
    const f = diagnose(facts({ pendingActivities: [started({ attempt: 2 })] }), NOW);
    assert.equal(f.verdict, 'activity-on-dead-worker');
    assert.equal(f.stalled, true);
    assert.equal(f.confidence, 'high');
    assert.deepEqual(f.evidence.deadWorker, {
      workerIdentity: DEAD,
      why: 'pid 4242 is not running on vm',
      startedTimeMs: NOW - 3 * MIN,
      startToCloseTimeoutMs: HOUR,
      attemptTimesOutAtMs: NOW + 57 * MIN,
      livePoller: true,
    });
    assert.equal(
      f.evidence.summary,
      'Activity "render_report" (1, attempt 2) started 3 min ago on worker 4242@vm, which is gone (pid 4242 is not running ' +
        'on vm); it has no heartbeat timeout, so the server retries it only when its start-to-close timeout (60 min) ends, ' +
        'in 57 min',
    );
    assert.equal(f.remedy.action, 'retry-lost-activity');
    assert.doesNotMatch(f.remedy.text, /Start the worker/);
    assert.match(
      f.remedy.text,
      /get_async_activity_handle\(workflow_id="export-3", run_id="run-3", activity_id="1"\)/,
    );
    assert.match(f.remedy.text, /not with `temporal activity fail`/);
  });

  it('asks for a worker first when none polls the queue, and says when a schedule-to-close ends sooner', () => {
    const f = diagnose(
      facts({ workflowPollers: [], pendingActivities: [started({ expirationTimeMs: NOW + 5 * MIN })] }),
      NOW,
    );
    assert.equal(f.verdict, 'activity-on-dead-worker');
    assert.equal(f.evidence.deadWorker?.livePoller, false);
    assert.match(f.evidence.summary, /times out at its schedule-to-close, in 5 min/);
    assert.match(f.evidence.summary, /no live worker polls task queue "exports"$/);
    assert.match(f.remedy.text, /^Start the worker on task queue "exports" \(none polls it\)\./);
  });

  it('counts a pid that now runs a process started after the attempt as gone', () => {
    const reused = { host: 'vm', pid: 4242, running: true as const, startTimeMs: NOW - MIN };
    const f = diagnose(facts({ pendingActivities: [started({ lastWorkerProcess: reused })] }), NOW);
    assert.equal(f.verdict, 'activity-on-dead-worker');
    assert.match(
      f.evidence.deadWorker!.why,
      /is another process: it started 2 min after the attempt started/,
    );
  });

  it('takes a ghost poller of the same identity as proof when the host was not asked', () => {
    const ghost = {
      identity: DEAD,
      lastAccessTimeMs: NOW - 3 * MIN,
      process: { host: 'vm', pid: 4242, running: false as const },
    };
    const f = diagnose(
      facts({
        workflowPollers: [ghost],
        pendingActivities: [started({ lastWorkerProcess: undefined })],
      }),
      NOW,
    );
    assert.equal(f.verdict, 'activity-on-dead-worker');
    assert.equal(f.evidence.deadWorker?.livePoller, false);
  });

  it('is a healthy wait while the worker may live, or when a heartbeat timeout will notice its death', () => {
    const alive = { host: 'vm', pid: 4242, running: true as const, startTimeMs: NOW - HOUR };
    const cases: Partial<PendingActivityFact>[] = [
      { lastWorkerProcess: alive },
      { lastWorkerProcess: undefined },
      { heartbeatTimeoutMs: 30 * SEC },
      { state: 'scheduled', lastWorkerIdentity: undefined },
    ];
    for (const over of cases)
      assert.equal(
        diagnose(facts({ pendingActivities: [started(over)] }), NOW).verdict,
        'healthy-wait',
        JSON.stringify(over),
      );
    // A silent poller of that identity is no proof either.
    const silent = { identity: DEAD, lastAccessTimeMs: NOW - 3 * MIN };
    const f = diagnose(
      facts({
        workflowPollers: [silent],
        pendingActivities: [started({ lastWorkerProcess: undefined })],
      }),
      NOW,
    );
    assert.equal(f.verdict, 'healthy-wait');
  });

  it('is left to a person by act, and cleared by cancel (the workflow code still runs)', () => {
    const f = diagnose(facts({ pendingActivities: [started()] }), NOW);
    const plan = planRemedies([f], { nonDeterminism: 'terminate', rerun: false, newId: () => 'x' });
    assert.equal(plan.actions[0]?.remedy, 'manual');
    assert.equal(planClear([f], 'auto').actions[0]?.action, 'cancel');
  });
});

describe('pending-limit', () => {
  // The WorkflowTaskFailed event the dev server (1.32) wrote for PendingActivitiesFlood: 2001 activities at once.
  const event = proto.temporal.api.history.v1.HistoryEvent.fromObject({
    eventId: '4',
    eventTime: { seconds: String(NOW / 1000 - 20), nanos: 0 },
    eventType: 'EVENT_TYPE_WORKFLOW_TASK_FAILED',
    workflowTaskFailedEventAttributes: {
      scheduledEventId: '2',
      startedEventId: '3',
      cause: 'WORKFLOW_TASK_FAILED_CAUSE_PENDING_ACTIVITIES_LIMIT_EXCEEDED',
      failure: {
        message:
          'PendingActivitiesLimitExceeded: the number of pending activities, 2000, has reached the per-workflow limit of 2000',
        source: 'History Service',
        serverFailureInfo: {},
      },
    },
  });
  const failing = (over: Partial<WorkflowFacts> = {}) =>
    facts({
      lastWorkflowTaskFailure: workflowTaskFailureFact(event),
      lastWorkflowTaskCompletedEventId: undefined,
      pendingWorkflowTask: { state: 'scheduled', attempt: 3, scheduledTimeMs: NOW - SEC },
      ...over,
    });

  it('names the limit, its setting, the figure in force and what is pending, from the cause', () => {
    const f = diagnose(failing(), NOW);
    assert.equal(f.verdict, 'pending-limit');
    assert.equal(f.confidence, 'high');
    assert.deepEqual(f.evidence.pendingLimit, {
      kind: 'activities',
      cause: 'PENDING_ACTIVITIES_LIMIT_EXCEEDED',
      setting: 'limit.numPendingActivities.error',
      defaultLimit: 2000,
      limit: 2000,
      pending: 0,
    });
    assert.match(f.evidence.summary, /= 2000 on this server; 0 pending now\)$/);
    assert.equal(f.remedy.action, 'fix-code-restart-worker');
    assert.match(f.remedy.text, /limit\.numPendingActivities\.error \(2000 here\)/);
    const plan = planRemedies([f], { nonDeterminism: 'terminate', rerun: false, newId: () => 'x' });
    assert.equal(plan.actions[0]?.remedy, 'restart-worker');
    assert.equal(plan.actions[0]?.needsCodeFix, true);
    assert.equal(planClear([f], 'auto').actions[0]?.action, 'terminate');
  });

  it('counts pending children for the child limit, and keeps the default when the message states no figure', () => {
    const child = workflowTaskFailureFact(event);
    child.cause = 'PENDING_CHILD_WORKFLOWS_LIMIT_EXCEEDED';
    child.message = 'PendingChildWorkflowsLimitExceeded';
    const f = diagnose(failing({ lastWorkflowTaskFailure: child, pendingChildWorkflows: 7 }), NOW);
    assert.equal(f.verdict, 'pending-limit');
    assert.deepEqual(f.evidence.pendingLimit, {
      kind: 'child-workflows',
      cause: 'PENDING_CHILD_WORKFLOWS_LIMIT_EXCEEDED',
      setting: 'limit.numPendingChildExecutions.error',
      defaultLimit: 2000,
      pending: 7,
    });
    assert.match(f.remedy.text, /more child workflows pending at once .* \(2000 by default\)/);
  });
});
