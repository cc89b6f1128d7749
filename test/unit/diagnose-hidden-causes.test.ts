// The pure rules behind causes describe does not show: local activity storms read from history
// markers, and a worker frozen by a blocking activity (its victims, and the run holding it).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import proto from '@temporalio/proto';
import { diagnose, type HeldSlotFact, type WorkflowFacts } from '../../src/diagnosis/index.js';
import { planRemedies } from '../../src/diagnosis/remedy-plan.js';
import { FrozenWorkers } from '../../src/inspect/frozen-workers.js';
import { needsHistory, pageSizeFor, QUIET_HISTORY_EVENTS } from '../../src/inspect/gather.js';
import { foldNewestFirst, type RecentHistory } from '../../src/inspect/history.js';

const { HistoryEvent } = proto.temporal.api.history.v1;
const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const SEC = 1000;
const MIN = 60 * SEC;
const WORKER = '9443@vm';

function facts(over: Partial<WorkflowFacts> = {}): WorkflowFacts {
  return {
    workflowId: 'order-17',
    runId: 'run-17',
    workflowType: 'OrderWorkflow',
    taskQueue: 'orders',
    status: 'RUNNING',
    startTimeMs: NOW - 10 * MIN,
    historyLength: 42,
    pendingActivities: [],
    lastWorkflowTaskCompletedEventId: 40,
    workflowTaskTimeoutsSinceCompleted: 0,
    lastEventType: 'TimerStarted',
    workflowPollers: [{ identity: WORKER, lastAccessTimeMs: NOW - 2 * SEC }],
    ...over,
  };
}

const fresh = (): RecentHistory => ({
  workflowTaskTimeoutsSinceCompleted: 0,
  eventsRead: 0,
  complete: false,
});

describe('local activity retry storms', () => {
  // As the server sends it for the fixture's LocalRetryStorm (Python SDK 1.35).
  const markerData = {
    seq: 1,
    attempt: 7,
    activity_id: '1',
    activity_type: 'charge_card',
    complete_time: { seconds: 1796412974, nanos: 557949888 },
    backoff: { seconds: 4, nanos: 0 },
    original_schedule_time: { seconds: 1796412974, nanos: 561507532 },
    activation_index: 1,
  };
  const marker = (data: Record<string, unknown>) =>
    HistoryEvent.fromObject({
      eventId: '41',
      eventTime: { seconds: String(NOW / 1000 - 3), nanos: 0 },
      eventType: 'EVENT_TYPE_MARKER_RECORDED',
      markerRecordedEventAttributes: {
        markerName: 'core_local_activity',
        details: {
          data: {
            payloads: [
              {
                metadata: { encoding: Buffer.from('json/plain').toString('base64') },
                data: Buffer.from(JSON.stringify(data)).toString('base64'),
              },
            ],
          },
        },
        workflowTaskCompletedEventId: '40',
        failure: { message: 'card gateway unavailable', applicationFailureInfo: { type: 'RuntimeError' } },
      },
    });
  const tail = (data: Record<string, unknown>) => [
    HistoryEvent.fromObject({ eventId: '42', eventType: 'EVENT_TYPE_TIMER_STARTED' }),
    marker(data),
    HistoryEvent.fromObject({ eventId: '40', eventType: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED' }),
  ];

  it('reads the newest failed local activity marker back to the last completed workflow task', () => {
    const recent = fresh();
    assert.equal(foldNewestFirst(recent, tail(markerData)), true);
    assert.deepEqual(recent.localActivityFailure, {
      eventId: 41,
      timeMs: NOW - 3 * SEC,
      activityId: '1',
      activityType: 'charge_card',
      attempt: 7,
      backoffMs: 4000,
      message: 'card gateway unavailable',
      failureType: 'RuntimeError',
    });
  });

  const storm = (over: Partial<NonNullable<WorkflowFacts['localActivityFailure']>> = {}) =>
    facts({
      localActivityFailure: {
        eventId: 41,
        timeMs: NOW - 3 * SEC,
        activityId: '1',
        activityType: 'charge_card',
        attempt: 7,
        backoffMs: 4000,
        message: 'card gateway unavailable',
        ...over,
      },
    });

  it('is a retry storm naming the local activity, its attempt and the marker, not a timer wait', () => {
    const f = diagnose(storm(), NOW);
    assert.equal(f.verdict, 'activity-retry-storm');
    assert.equal(f.stalled, true);
    assert.deepEqual(f.evidence.activity, {
      activityId: '1',
      activityType: 'charge_card',
      attempt: 7,
      lastFailureMessage: 'card gateway unavailable',
      taskQueue: 'orders',
      local: true,
    });
    assert.deepEqual(f.evidence.eventIds, [41]);
    assert.match(
      f.evidence.summary,
      /Local activity "charge_card" keeps failing: attempt 7 .*4 s backoff timer/,
    );
    assert.match(f.remedy.text, /local activity "charge_card".*task queue "orders"/);
    assert.equal(
      planRemedies([f], { nonDeterminism: 'terminate', rerun: false, newId: () => 'x' }).actions[0]?.remedy,
      'restart-worker',
    );
  });

  it('waits below the storm threshold, and after a final failure the workflow code handles', () => {
    assert.equal(diagnose(storm({ attempt: 2 }), NOW).verdict, 'healthy-wait');
    assert.equal(diagnose(storm({ backoffMs: undefined }), NOW).verdict, 'healthy-wait');
  });

  it('reads history for a quiet run whose history grew past a plain wait, and not for a plain wait', () => {
    const quiet = facts({ lastEventType: undefined, lastWorkflowTaskCompletedEventId: undefined });
    assert.equal(needsHistory({ ...quiet, historyLength: QUIET_HISTORY_EVENTS + 1 }, 'auto', false), true);
    assert.equal(
      needsHistory(
        {
          ...quiet,
          historyLength: 40,
          pendingWorkflowTask: { state: 'started', attempt: 1 },
        },
        'auto',
        false,
      ),
      true,
      'caught between its timer and its next marker',
    );
    assert.equal(needsHistory({ ...quiet, historyLength: 5 }, 'auto', false), false);
  });
});

describe('worker-frozen', () => {
  const taskStartedMs = NOW - 40 * SEC;
  const holder: HeldSlotFact = {
    workflowId: 'import-3',
    runId: 'run-i3',
    activityId: '1',
    activityType: 'parse_upload',
    startedTimeMs: NOW - 3 * MIN,
  };
  const victim = (slots: HeldSlotFact[]) =>
    facts({
      workflowId: 'victim-1',
      runId: 'run-v1',
      historyLength: 4,
      lastEventType: 'WorkflowTaskTimedOut',
      lastWorkflowTaskCompletedEventId: undefined,
      workflowTaskTimeoutsSinceCompleted: 1,
      pendingWorkflowTask: { state: 'started', attempt: 5 },
      lastWorkflowTaskStarted: { identity: WORKER, timeMs: taskStartedMs },
      heldSlots: { [WORKER]: slots },
    });

  it('names, on a run timing out, the silent activity that blocks the worker which took its task', () => {
    const f = diagnose(victim([holder]), NOW);
    assert.equal(f.verdict, 'workflow-task-timeout');
    assert.deepEqual(f.evidence.frozenBy, { workerIdentity: WORKER, holder });
    assert.match(
      f.evidence.summary,
      /worker 9443@vm took it, and its event loop looks blocked by activity "parse_upload" \(1\) of workflow import-3/,
    );
    assert.deepEqual(f.remedy.target, { workflowId: 'import-3', runId: 'run-i3' });
  });

  it('blames no activity that heartbeats since the task started, or started after it', () => {
    const beating = { ...holder, lastHeartbeatTimeMs: taskStartedMs + 5 * SEC };
    const later = { ...holder, startedTimeMs: taskStartedMs + SEC };
    for (const slot of [beating, later]) {
      const f = diagnose(victim([slot]), NOW);
      assert.equal(f.verdict, 'workflow-task-timeout');
      assert.equal(f.evidence.frozenBy, undefined);
    }
  });

  const holderFacts = facts({
    workflowId: 'import-3',
    runId: 'run-i3',
    historyLength: 5,
    lastEventType: 'ActivityTaskStarted',
    pendingActivities: [
      {
        activityId: '1',
        activityType: 'parse_upload',
        state: 'started',
        attempt: 1,
        maximumAttempts: 0,
        lastStartedTimeMs: NOW - 3 * MIN,
        lastWorkerIdentity: WORKER,
        taskQueue: 'orders',
      },
    ],
  });

  it('judges the holder worker-frozen once its victims were seen, whatever the order', () => {
    const victimFinding = diagnose(victim([holder]), NOW);
    const holderFinding = diagnose(holderFacts, NOW);
    assert.equal(holderFinding.verdict, 'healthy-wait');
    const frozen = new FrozenWorkers();
    frozen.note(holderFacts, holderFinding, NOW, 70 * SEC);
    assert.equal(frozen.mayHold(holderFinding), true);
    frozen.note(victim([holder]), victimFinding, NOW, 70 * SEC);
    const judged = frozen.judge(holderFinding);
    assert.equal(judged.verdict, 'worker-frozen');
    assert.equal(judged.stalled, true);
    assert.deepEqual(judged.evidence.frozenWorker, {
      workerIdentity: WORKER,
      victims: [{ workflowId: 'victim-1', runId: 'run-v1' }],
    });
    assert.match(
      judged.evidence.summary,
      /runs on worker 9443@vm without a heartbeat while that worker's workflow tasks time out/,
    );
    assert.equal(judged.remedy.action, 'fix-code-restart-worker');
    assert.match(judged.remedy.text, /temporal activity reset --workflow-id import-3 --activity-id 1/);
    const plan = planRemedies([judged], { nonDeterminism: 'terminate', rerun: false, newId: () => 'x' });
    assert.equal(plan.actions[0]?.remedy, 'restart-worker');
  });

  it('leaves a silent activity with no victims a healthy wait, and never holds a heartbeating one', () => {
    const frozen = new FrozenWorkers();
    const f = diagnose(holderFacts, NOW);
    frozen.note(holderFacts, f, NOW, 70 * SEC);
    assert.equal(frozen.judge(f).verdict, 'healthy-wait');
    const beating = facts({
      ...holderFacts,
      pendingActivities: [{ ...holderFacts.pendingActivities[0]!, lastHeartbeatTimeMs: NOW - 2 * SEC }],
    });
    const other = new FrozenWorkers();
    const g = diagnose(beating, NOW);
    other.note(beating, g, NOW, 70 * SEC);
    assert.equal(other.mayHold(g), false);
  });
});

describe('history-limit', () => {
  const MiB = 1024 * 1024;
  const waiting = (over: Partial<WorkflowFacts> = {}) =>
    facts({ lastEventType: 'WorkflowTaskCompleted', historyLength: 40, historySizeBytes: 2 * MiB, ...over });

  it('is a healthy wait below both warnings', () => {
    assert.equal(diagnose(waiting(), NOW).verdict, 'healthy-wait');
  });

  it('says a history past the event warning nears the limit, with the figures and where the limits come from', () => {
    const f = diagnose(waiting({ historyLength: 12_800 }), NOW);
    assert.equal(f.verdict, 'history-limit');
    assert.equal(f.stalled, true);
    assert.deepEqual(f.evidence.historyLimit, {
      events: 12_800,
      warnEvents: 10_240,
      limitEvents: 51_200,
      bytes: 2 * MiB,
      warnBytes: 10 * MiB,
      limitBytes: 50 * MiB,
    });
    assert.match(
      f.evidence.summary,
      /12800 events \(25% of the 51200-event limit\), 2\.0 MiB \(4% of 50\.0 MiB\)/,
    );
    assert.match(f.evidence.summary, /limit\.historyCount\.warn\/error = 10240\/51200 events/);
    assert.equal(f.remedy.action, 'continue-as-new');
    assert.equal(f.remedy.autoRecovers, false);
    const plan = planRemedies([f], { nonDeterminism: 'terminate', rerun: false, newId: () => 'x' });
    assert.equal(plan.actions[0]?.remedy, 'manual');
  });

  it('counts bytes as well, and takes the limits of a server configured otherwise from the policy', () => {
    assert.equal(diagnose(waiting({ historySizeBytes: 11 * MiB }), NOW).verdict, 'history-limit');
    const f = diagnose(waiting({ historyLength: 600 }), NOW, {
      historyWarnEvents: 500,
      historyLimitEvents: 1000,
    });
    assert.equal(f.verdict, 'history-limit');
    assert.match(f.evidence.summary, /600 events \(60% of the 1000-event limit\)/);
  });

  it('comes after the run own failures: a storm near the limit is a storm', () => {
    const f = diagnose(
      waiting({
        historyLength: 20_000,
        pendingActivities: [
          {
            activityId: '5',
            activityType: 'charge_card',
            state: 'scheduled',
            attempt: 30,
            maximumAttempts: 0,
            lastFailureMessage: 'boom',
          },
        ],
      }),
      NOW,
    );
    assert.equal(f.verdict, 'activity-retry-storm');
  });
});

describe('flapping', () => {
  const failure = (eventId: number, agoMs: number) => ({
    eventId,
    timeMs: NOW - agoMs,
    cause: 'WORKFLOW_WORKER_UNHANDLED_FAILURE',
    message: `flapping step ${eventId}`,
    failureType: 'RuntimeError',
  });
  const between = (failures: ReturnType<typeof failure>[]) =>
    facts({ lastEventType: 'TimerStarted', historyLength: 60, recoveredFailures: failures });

  it('judges a run between failures by the failures it keeps recovering from', () => {
    const f = diagnose(between([failure(53, 2 * SEC), failure(45, 4 * SEC), failure(37, 6 * SEC)]), NOW);
    assert.equal(f.verdict, 'workflow-code-bug');
    assert.equal(f.stalled, true);
    assert.equal(f.confidence, 'medium');
    assert.deepEqual(f.evidence.eventIds, [53, 45, 37]);
    assert.match(
      f.evidence.summary,
      /^Flapping: workflow tasks failed 3 times in the last 6 s and recovered in between/,
    );
    assert.match(f.evidence.summary, /flapping step 53/);
  });

  it('leaves a run that failed once and recovered, or failed long ago, healthy', () => {
    assert.equal(diagnose(between([failure(4, 2 * SEC)]), NOW).verdict, 'healthy-wait');
    assert.equal(
      diagnose(between([failure(9, 20 * MIN), failure(4, 21 * MIN)]), NOW).verdict,
      'healthy-wait',
    );
  });

  it('reads recovered failures from the page already fetched, past the last completed task', () => {
    const e = (eventId: number, eventType: string, extra: Record<string, unknown> = {}) =>
      HistoryEvent.fromObject({ eventId: String(eventId), eventType, ...extra });
    const failed = (eventId: number) =>
      e(eventId, 'EVENT_TYPE_WORKFLOW_TASK_FAILED', {
        eventTime: { seconds: String(NOW / 1000 - 1), nanos: 0 },
        workflowTaskFailedEventAttributes: {
          cause: 'WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE',
          failure: { message: `step ${eventId}` },
        },
      });
    const recent = fresh();
    foldNewestFirst(recent, [
      e(22, 'EVENT_TYPE_TIMER_STARTED'),
      e(21, 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED'),
      e(20, 'EVENT_TYPE_WORKFLOW_TASK_STARTED'),
      e(19, 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED'),
      failed(18),
      e(13, 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED'),
      failed(10),
    ]);
    assert.equal(recent.eventsRead, 2);
    assert.deepEqual(
      recent.recoveredFailures?.map((f) => [f.eventId, f.message]),
      [
        [18, 'step 18'],
        [10, 'step 10'],
      ],
    );
  });

  it('reads a history of large events one event per page', () => {
    assert.equal(pageSizeFor({ historyLength: 28, historySizeBytes: 12 * 1024 * 1024 }), 1);
    assert.equal(pageSizeFor({ historyLength: 28, historySizeBytes: 9000 }), 32);
    assert.equal(pageSizeFor({ historyLength: 28 }), 32);
  });
});
