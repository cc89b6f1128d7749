// The trimmed descriptor of the light WorkflowService: committed as the generator writes it now, and
// decoding what the full @temporalio/proto root encodes into the same values for every field it keeps.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import proto from '@temporalio/proto';
import type { Type } from 'protobufjs/light.js';
import { descriptorPath, liteDescriptorSource, TRIM } from '../../scripts/gen-lite-descriptor.mjs';
import { factsFromDescribe } from '../../src/inspect/describe-facts.js';
import { closeEventFact, workflowTaskFailureFact } from '../../src/inspect/history.js';
import { liteRoot } from '../../src/temporal/lite/codec.js';
import { enums } from '../../src/temporal/lite/enums.js';

const full = proto.temporal.api;
const lite = (name: string): Type => liteRoot().lookupType(name);
const asJson = { longs: String, enums: String, bytes: String, defaults: false } as const;
const b64 = (text: string) => Buffer.from(text).toString('base64');
const jsonPayload = (value: unknown) => ({
  metadata: { encoding: b64('json/plain') },
  data: b64(JSON.stringify(value)),
});
const ts = (seconds: number, nanos = 0) => ({ seconds: String(seconds), nanos });
const T0 = 1_795_608_570;

interface FullType<T> {
  fromObject(object: Record<string, unknown>): T;
  encode(message: never): { finish(): Uint8Array };
}

/** Encodes `object` with the full root's message class and decodes the bytes with the trimmed root's. */
function roundTrip<T>(fullType: FullType<T>, name: string, object: Record<string, unknown>) {
  const message = fullType.fromObject(object);
  const decoded = lite(name).decode(fullType.encode(message as never).finish());
  // The claim under test: the trimmed decode reads as the full message type does.
  return { full: message, lite: decoded as unknown as T };
}

const failure = {
  message: 'card declined',
  stackTrace: '  File "workflows.py", line 9, in run\n    raise ApplicationError',
  applicationFailureInfo: { type: 'CardDeclined', nonRetryable: true },
  cause: { message: 'timed out', timeoutFailureInfo: { timeoutType: 'TIMEOUT_TYPE_START_TO_CLOSE' } },
};

const events: Record<string, Record<string, unknown>> = {
  completed: {
    eventId: '7',
    eventTime: ts(T0, 123_456_789),
    eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_COMPLETED',
    workflowExecutionCompletedEventAttributes: {
      result: { payloads: [jsonPayload({ status: 'error', message: 'payment service unavailable' })] },
      workflowTaskCompletedEventId: '6',
    },
  },
  failed: {
    eventId: '9007199254740993',
    eventTime: ts(T0 + 1),
    eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_FAILED',
    workflowExecutionFailedEventAttributes: { failure, retryState: 'RETRY_STATE_NON_RETRYABLE_FAILURE' },
  },
  timedOut: {
    eventId: '3',
    eventTime: ts(T0 + 2),
    eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_TIMED_OUT',
    workflowExecutionTimedOutEventAttributes: { retryState: 'RETRY_STATE_TIMEOUT' },
  },
  terminated: {
    eventId: '5',
    eventTime: ts(T0 + 3),
    eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_TERMINATED',
    workflowExecutionTerminatedEventAttributes: { reason: 'operator gave up', identity: 'ops@host' },
  },
  continued: {
    eventId: '11',
    eventTime: ts(T0 + 4),
    eventType: 'EVENT_TYPE_WORKFLOW_EXECUTION_CONTINUED_AS_NEW',
    workflowExecutionContinuedAsNewEventAttributes: {
      newExecutionRunId: 'run-2',
      workflowType: { name: 'Order' },
      input: { payloads: [jsonPayload({ page: 2 })] },
      failure,
    },
  },
  workflowTaskFailed: {
    eventId: '4',
    eventTime: ts(T0 + 5),
    eventType: 'EVENT_TYPE_WORKFLOW_TASK_FAILED',
    workflowTaskFailedEventAttributes: {
      scheduledEventId: '2',
      startedEventId: '3',
      cause: 'WORKFLOW_TASK_FAILED_CAUSE_NON_DETERMINISTIC_ERROR',
      failure: { message: '[TMPRL1100] Nondeterminism error', applicationFailureInfo: {} },
      identity: '4242@host',
    },
  },
};

describe('lite descriptor', () => {
  it('is committed as scripts/gen-lite-descriptor.mjs writes it now (regenerate: node scripts/gen-lite-descriptor.mjs)', async () => {
    assert.equal(readFileSync(descriptorPath, 'utf8'), await liteDescriptorSource());
  });

  for (const [name, object] of Object.entries(events))
    it(`decodes a full ${name} HistoryEvent into the same values for every kept field`, () => {
      const { full: f, lite: l } = roundTrip(
        full.history.v1.HistoryEvent,
        'temporal.api.history.v1.HistoryEvent',
        object,
      );
      const fullJson = full.history.v1.HistoryEvent.toObject(f, asJson);
      const kept = TRIM['temporal.api.history.v1.HistoryEvent'] ?? [];
      const expected = Object.fromEntries(Object.entries(fullJson).filter(([key]) => kept.includes(key)));
      assert.deepEqual(lite('temporal.api.history.v1.HistoryEvent').toObject(l as never, asJson), expected);
      if (name === 'workflowTaskFailed')
        assert.deepEqual(workflowTaskFailureFact(l), workflowTaskFailureFact(f));
      else {
        assert.deepEqual(closeEventFact(l), closeEventFact(f));
        assert.ok(closeEventFact(l), 'a close event');
      }
    });

  it('drops the attributes it does not keep and still reads the event header', () => {
    const { lite: l } = roundTrip(full.history.v1.HistoryEvent, 'temporal.api.history.v1.HistoryEvent', {
      eventId: '5',
      eventTime: ts(T0),
      eventType: 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED',
      activityTaskScheduledEventAttributes: { activityId: '1', activityType: { name: 'charge' } },
    });
    assert.deepEqual(lite('temporal.api.history.v1.HistoryEvent').toObject(l as never, asJson), {
      eventId: '5',
      eventTime: { seconds: String(T0) },
      eventType: 'EVENT_TYPE_ACTIVITY_TASK_SCHEDULED',
    });
  });

  it('decodes a full DescribeWorkflowExecutionResponse whole, into the same facts', () => {
    const name = 'temporal.api.workflowservice.v1.DescribeWorkflowExecutionResponse';
    const { full: f, lite: l } = roundTrip(full.workflowservice.v1.DescribeWorkflowExecutionResponse, name, {
      executionConfig: { taskQueue: { name: 'stalls', kind: 'TASK_QUEUE_KIND_NORMAL' } },
      workflowExecutionInfo: {
        execution: { workflowId: 's-RetryStorm', runId: 'run-1' },
        type: { name: 'RetryStorm' },
        startTime: ts(T0, 521_909_332),
        status: 'WORKFLOW_EXECUTION_STATUS_RUNNING',
        historyLength: '5',
        taskQueue: 'stalls',
        searchAttributes: {
          indexedFields: { TemporalReportedProblems: jsonPayload(['category=WorkflowTaskFailed']) },
        },
        memo: { fields: { note: jsonPayload('hi') } },
      },
      pendingActivities: [
        {
          activityId: '1',
          activityType: { name: 'always_fails' },
          state: 'PENDING_ACTIVITY_STATE_SCHEDULED',
          attempt: 27,
          scheduledTime: ts(T0 + 27),
          lastFailure: {
            message: 'downstream unavailable',
            applicationFailureInfo: { type: 'RuntimeError' },
          },
          activityOptions: { heartbeatTimeout: { seconds: '10' }, taskQueue: { name: 'stalls' } },
        },
      ],
      pendingWorkflowTask: {
        state: 'PENDING_WORKFLOW_TASK_STATE_STARTED',
        scheduledTime: ts(T0 + 1),
        startedTime: ts(T0 + 2),
        attempt: 3,
      },
      pendingChildren: [{ workflowId: 'child', runId: 'c1', workflowTypeName: 'Child' }],
    });
    const fullType = full.workflowservice.v1.DescribeWorkflowExecutionResponse;
    assert.deepEqual(lite(name).toObject(l as never, asJson), fullType.toObject(f, asJson));
    assert.deepEqual(factsFromDescribe(l), factsFromDescribe(f));
  });

  it('has every enum the inspect code names, with the numbers of @temporalio/proto', () => {
    for (const [name, values] of Object.entries(enums))
      assert.deepEqual(values, { ...full.enums.v1[name as keyof typeof enums] }, name);
  });
});
