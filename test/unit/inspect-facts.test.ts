// The boundary conversions of src/inspect: raw describe responses and history events (built with
// the real protobuf classes, so Long, enums and Timestamps are as the server sends them) -> facts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import proto from '@temporalio/proto';
import { diagnose } from '../../src/diagnosis/diagnose.js';
import type { WorkflowFacts } from '../../src/contract/facts.js';
import { factsFromDescribe, searchAttributeStrings } from '../../src/inspect/describe-facts.js';
import { failureChain, formatFailureChain } from '../../src/inspect/failure.js';
import { needsHistory } from '../../src/inspect/gather.js';
import { closeEventFact, foldNewestFirst, type RecentHistory } from '../../src/inspect/history.js';

const { DescribeWorkflowExecutionResponse } = proto.temporal.api.workflowservice.v1;
const { HistoryEvent } = proto.temporal.api.history.v1;

const T0 = 1_795_608_570; // seconds
const ts = (secondsAfter: number, nanos = 0) => ({ seconds: String(T0 + secondsAfter), nanos });
const keywordList = (values: string[]) => ({
  metadata: {
    encoding: Buffer.from('json/plain').toString('base64'),
    type: Buffer.from('KeywordList').toString('base64'),
  },
  data: Buffer.from(JSON.stringify(values)).toString('base64'),
});

// Shaped like `temporal workflow describe -o json` of the fixture RetryStorm / CodeBug runs.
const retryStorm = DescribeWorkflowExecutionResponse.fromObject({
  executionConfig: { taskQueue: { name: 'stalls', kind: 'TASK_QUEUE_KIND_NORMAL' } },
  workflowExecutionInfo: {
    execution: { workflowId: 's-RetryStorm', runId: 'run-1' },
    type: { name: 'RetryStorm' },
    startTime: ts(0, 521_909_332),
    status: 'WORKFLOW_EXECUTION_STATUS_RUNNING',
    historyLength: '5',
    taskQueue: 'stalls',
    searchAttributes: { indexedFields: { BuildIds: keywordList(['unversioned']) } },
  },
  pendingActivities: [
    {
      activityId: '1',
      activityType: { name: 'always_fails' },
      state: 'PENDING_ACTIVITY_STATE_SCHEDULED',
      attempt: 19,
      scheduledTime: ts(20),
      lastFailure: { message: 'downstream unavailable', applicationFailureInfo: { type: 'RuntimeError' } },
      lastWorkerIdentity: '19468@vm',
      activityOptions: { taskQueue: { name: 'stalls' }, heartbeatTimeout: {} },
    },
  ],
});

const codeBug = DescribeWorkflowExecutionResponse.fromObject({
  executionConfig: { taskQueue: { name: 'stalls' } },
  workflowExecutionInfo: {
    execution: { workflowId: 's-CodeBug', runId: 'run-2' },
    type: { name: 'CodeBug' },
    startTime: ts(0),
    status: 'WORKFLOW_EXECUTION_STATUS_RUNNING',
    historyLength: '4',
    taskQueue: 'stalls',
    searchAttributes: {
      indexedFields: {
        TemporalReportedProblems: keywordList([
          'category=WorkflowTaskFailed',
          'cause=WorkflowTaskFailedCauseWorkflowWorkerUnhandledFailure',
        ]),
      },
    },
  },
  pendingWorkflowTask: {
    state: 'PENDING_WORKFLOW_TASK_STATE_STARTED',
    scheduledTime: ts(10, 727_435_644),
    originalScheduledTime: ts(10, 727_434_141),
    startedTime: ts(10, 884_613_172),
    attempt: 3,
  },
});

const event = (object: Record<string, unknown>) => HistoryEvent.fromObject(object);

describe('factsFromDescribe', () => {
  it('converts a pending activity with its queue, attempt and last failure to plain numbers and names', () => {
    const facts = factsFromDescribe(retryStorm);
    assert.equal(facts.status, 'RUNNING');
    assert.equal(facts.historyLength, 5);
    assert.equal(facts.startTimeMs, T0 * 1000 + 521);
    assert.equal(facts.taskQueue, 'stalls');
    assert.deepEqual(facts.pendingActivities, [
      {
        activityId: '1',
        activityType: 'always_fails',
        state: 'scheduled',
        attempt: 19,
        maximumAttempts: 0,
        scheduledTimeMs: (T0 + 20) * 1000,
        lastFailureMessage: 'downstream unavailable',
        lastFailureType: 'RuntimeError',
        lastWorkerIdentity: '19468@vm',
        taskQueue: 'stalls',
      },
    ]);
    assert.equal(facts.pendingWorkflowTask, undefined);
    assert.equal(facts.reportedProblems, undefined, 'BuildIds is not a reported problem');
  });

  it('reads the pending workflow task and decodes TemporalReportedProblems', () => {
    const facts = factsFromDescribe(codeBug);
    assert.deepEqual(facts.pendingWorkflowTask, {
      state: 'started',
      attempt: 3,
      scheduledTimeMs: (T0 + 10) * 1000 + 727,
      startedTimeMs: (T0 + 10) * 1000 + 884,
      originalScheduledTimeMs: (T0 + 10) * 1000 + 727,
    });
    assert.deepEqual(facts.reportedProblems, [
      'category=WorkflowTaskFailed',
      'cause=WorkflowTaskFailedCauseWorkflowWorkerUnhandledFailure',
    ]);
    assert.equal(facts.pendingChildWorkflows, 0);
  });

  it('reads a single keyword search attribute and ignores unreadable payloads', () => {
    const attrs = proto.temporal.api.common.v1.SearchAttributes.fromObject({
      indexedFields: {
        One: { data: Buffer.from('"x"').toString('base64') },
        Bad: { data: Buffer.from('{oops').toString('base64') },
      },
    });
    assert.deepEqual(searchAttributeStrings(attrs, 'One'), ['x']);
    assert.deepEqual(searchAttributeStrings(attrs, 'Bad'), []);
    assert.deepEqual(searchAttributeStrings(attrs, 'Missing'), []);
  });
});

describe('history tail', () => {
  const fresh = (): RecentHistory => ({
    workflowTaskTimeoutsSinceCompleted: 0,
    eventsRead: 0,
    complete: false,
  });

  it('finds the current non-determinism failure and stops at the last completed workflow task', () => {
    // NonDeterministic after the v2 worker replayed: ..., WFT_COMPLETED(9), SIGNALED, WFT_SCHEDULED, WFT_STARTED, WFT_FAILED(13)
    const events = [
      event({
        eventId: '13',
        eventTime: ts(30),
        eventType: 'EVENT_TYPE_WORKFLOW_TASK_FAILED',
        workflowTaskFailedEventAttributes: {
          cause: 'WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR',
          failure: {
            message:
              '[TMPRL1100] Nondeterminism error: Activity machine does not handle this event: HistoryEvent(id: 5, TimerStarted)',
            applicationFailureInfo: {},
          },
          identity: '777@vm',
        },
      }),
      event({ eventId: '12', eventType: 'EVENT_TYPE_WORKFLOW_TASK_STARTED' }),
      event({ eventId: '11', eventType: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED' }),
      event({ eventId: '10', eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_SIGNALED' }),
      event({ eventId: '9', eventType: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED' }),
      event({ eventId: '8', eventType: 'EVENT_TYPE_WORKFLOW_TASK_STARTED' }),
    ];
    const recent = fresh();
    assert.equal(foldNewestFirst(recent, events), true);
    assert.equal(recent.eventsRead, 5, 'nothing older than the completed task is read');
    assert.equal(recent.lastEventType, 'WorkflowTaskFailed');
    assert.equal(recent.lastWorkflowTaskCompletedEventId, 9);
    assert.deepEqual(recent.lastWorkflowTaskFailure, {
      eventId: 13,
      timeMs: (T0 + 30) * 1000,
      cause: 'NON_DETERMINISTIC_ERROR',
      message:
        '[TMPRL1100] Nondeterminism error: Activity machine does not handle this event: HistoryEvent(id: 5, TimerStarted)',
      identity: '777@vm',
    });
  });

  it('counts workflow task timeouts across pages until a completed task', () => {
    const recent = fresh();
    assert.equal(
      foldNewestFirst(recent, [
        event({ eventId: '7', eventType: 'EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT' }),
        event({ eventId: '6', eventType: 'EVENT_TYPE_WORKFLOW_TASK_STARTED' }),
      ]),
      false,
    );
    assert.equal(
      foldNewestFirst(recent, [
        event({ eventId: '5', eventType: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED' }),
        event({ eventId: '4', eventType: 'EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT' }),
        event({ eventId: '3', eventType: 'EVENT_TYPE_WORKFLOW_TASK_STARTED' }),
        event({ eventId: '2', eventType: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED' }),
        event({ eventId: '1', eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_STARTED' }),
      ]),
      false,
    );
    assert.equal(recent.workflowTaskTimeoutsSinceCompleted, 2);
    assert.equal(recent.lastEventType, 'WorkflowTaskTimedOut');
    assert.equal(recent.lastWorkflowTaskCompletedEventId, undefined);
  });

  it('turns a failed close event into a failure chain, outermost first', () => {
    const close = closeEventFact(
      event({
        eventId: '11',
        eventTime: ts(40),
        eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_FAILED',
        workflowExecutionFailedEventAttributes: {
          retryState: 'RETRY_STATE_RETRY_POLICY_NOT_SET',
          failure: {
            message: 'Activity task failed',
            activityFailureInfo: { activityType: { name: 'charge_card' } },
            cause: {
              message: 'card declined',
              stackTrace:
                'Traceback (most recent call last):\n  File "/app/activities.py", line 9, in charge_card\n    raise ApplicationError("card declined")',
              applicationFailureInfo: { type: 'PaymentError', nonRetryable: true },
            },
          },
        },
      }),
    );
    assert.equal(close?.status, 'FAILED');
    assert.equal(close?.retryState, 'RETRY_POLICY_NOT_SET');
    assert.deepEqual(
      close?.failure?.map(({ kind, message, type, nonRetryable }) => ({ kind, message, type, nonRetryable })),
      [
        { kind: 'activity', message: 'Activity task failed', type: 'charge_card', nonRetryable: undefined },
        { kind: 'application', message: 'card declined', type: 'PaymentError', nonRetryable: true },
      ],
    );
    assert.match(close?.failure?.[1]?.stackExcerpt ?? '', /raise ApplicationError/);
    assert.equal(
      formatFailureChain(close?.failure ?? []),
      'Activity task failed (charge_card): card declined (PaymentError)',
    );
  });

  it('reads terminate reasons and ignores events that do not close the run', () => {
    const terminated = closeEventFact(
      event({
        eventId: '6',
        eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED',
        workflowExecutionTerminatedEventAttributes: {
          reason: 'stuck on non-determinism',
          identity: 'ops@vm',
        },
      }),
    );
    assert.deepEqual(
      [terminated?.status, terminated?.reason, terminated?.identity],
      ['TERMINATED', 'stuck on non-determinism', 'ops@vm'],
    );
    assert.equal(closeEventFact(event({ eventId: '5', eventType: 'EVENT_TYPE_TIMER_STARTED' })), undefined);
    assert.deepEqual(failureChain(undefined), []);
  });
});

describe('needsHistory', () => {
  const base: WorkflowFacts = {
    workflowId: 'w',
    runId: 'r',
    workflowType: 'T',
    taskQueue: 'q',
    status: 'RUNNING',
    startTimeMs: 0,
    historyLength: 3,
    pendingActivities: [],
    workflowTaskTimeoutsSinceCompleted: 0,
  };
  const rows: [string, Partial<WorkflowFacts>, boolean][] = [
    [
      'a task waiting for its first pickup (no-worker candidate)',
      { pendingWorkflowTask: { state: 'scheduled', attempt: 1 } },
      false,
    ],
    [
      'a task on attempt 3 (failing or timing out)',
      { pendingWorkflowTask: { state: 'started', attempt: 3 } },
      true,
    ],
    [
      'server-reported problems',
      {
        pendingWorkflowTask: { state: 'scheduled', attempt: 1 },
        reportedProblems: ['category=WorkflowTaskFailed'],
      },
      true,
    ],
    [
      'a pending activity (describe says it all)',
      {
        pendingActivities: [
          { activityId: '1', activityType: 'a', state: 'started', attempt: 1, maximumAttempts: 0 },
        ],
      },
      false,
    ],
    ['an idle run (timer or signal: the last event names the wait)', {}, true],
    ['a closed run (its close event)', { status: 'FAILED' }, true],
  ];
  for (const [title, over, expected] of rows) {
    it(`${expected ? 'reads' : 'skips'} history for ${title}`, () =>
      assert.equal(needsHistory({ ...base, ...over }), expected));
  }

  it('skips idle runs when waits need not be named, and obeys always / never', () => {
    assert.equal(needsHistory(base, 'auto', false), false);
    assert.equal(needsHistory(base, 'never'), false);
    assert.equal(
      needsHistory({ ...base, pendingWorkflowTask: { state: 'scheduled', attempt: 1 } }, 'always'),
      true,
    );
  });

  it('feeds diagnose: describe facts alone make a retry storm verdict', () => {
    const facts = factsFromDescribe(retryStorm);
    facts.workflowPollers = [{ identity: '19468@vm', lastAccessTimeMs: (T0 + 20) * 1000 }];
    const finding = diagnose(facts, (T0 + 21) * 1000);
    assert.equal(finding.verdict, 'activity-retry-storm');
    assert.equal(finding.evidence.activity?.taskQueue, 'stalls');
  });
});
