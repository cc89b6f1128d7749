import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { divergenceOf, type WindowEvent } from '../../src/host/replay/divergence.js';

const NDE = '[TMPRL1100] Nondeterminism error: ';
/** How the Python Replayer raises core's failure. */
const wrapped = (message: string) =>
  `Workflow activation completion failed: Failure { failure: Some(Failure { message: "${message}", source: "", stack_trace: "" }), force_cause: NonDeterministicError }`;

const window: WindowEvent[] = [
  { eventId: 4, eventType: 'WorkflowTaskCompleted' },
  { eventId: 5, eventType: 'ActivityTaskScheduled', detail: 'greet' },
  { eventId: 6, eventType: 'ActivityTaskScheduled', detail: 'charge' },
  { eventId: 7, eventType: 'TimerStarted', detail: '3' },
];

describe('divergenceOf', () => {
  const cases: [string, string, WindowEvent[], Partial<ReturnType<typeof divergenceOf>>][] = [
    [
      'an activity type mismatch points at the scheduled event of the recorded type',
      `${NDE}Activity type of scheduled event 'charge' does not match activity type of activity command 'refund'`,
      window,
      {
        eventId: 6,
        eventType: 'ActivityTaskScheduled',
        recorded: 'charge',
        produced: 'ScheduleActivityTask refund',
      },
    ],
    [
      'a machine that does not handle the event names the event and the command produced',
      `${NDE}Timer machine does not handle this event: HistoryEvent(id: 5, ActivityTaskScheduled)`,
      window,
      { eventId: 5, eventType: 'ActivityTaskScheduled', recorded: 'greet', produced: 'StartTimer' },
    ],
    [
      'an activity where history has a timer',
      `${NDE}Activity machine does not handle this event: HistoryEvent(id: 7, TimerStarted)`,
      window,
      { eventId: 7, eventType: 'TimerStarted', produced: 'ScheduleActivityTask' },
    ],
    [
      'no command where history has one',
      `${NDE}No command scheduled for event HistoryEvent(id: 9, TimerStarted)`,
      [],
      { eventId: 9, eventType: 'TimerStarted', produced: 'no command' },
    ],
    [
      'a child workflow type mismatch',
      `${NDE}Child workflow type of scheduled event 'Pay' does not match child workflow type of command 'Refund'`,
      [{ eventId: 12, eventType: 'StartChildWorkflowExecutionInitiated', detail: 'Pay' }],
      { eventId: 12, recorded: 'Pay', produced: 'StartChildWorkflowExecution Refund' },
    ],
    [
      'an unknown message falls back to the first command event of the diverging task',
      `${NDE}Change id a does not match expected id b`,
      window,
      { eventId: 5, eventType: 'ActivityTaskScheduled' },
    ],
  ];
  for (const [title, message, events, expected] of cases) {
    it(title, () => {
      const divergence = divergenceOf(message, events);
      for (const [key, value] of Object.entries(expected))
        assert.equal(divergence[key as keyof typeof divergence], value, key);
      assert.equal(divergence.message, message);
    });
  }

  it('unwraps the message from the Replayer failure and keeps the failure', () => {
    const inner = `${NDE}Activity type of scheduled event 'greet' does not match activity type of activity command 'farewell'`;
    const divergence = divergenceOf(wrapped(inner), window);
    assert.equal(divergence.message, inner);
    assert.equal(divergence.failure, wrapped(inner));
    assert.equal(divergence.eventId, 5);
  });

  it('unescapes quotes inside the wrapped message', () => {
    assert.equal(divergenceOf(wrapped('say \\"hi\\"')).message, 'say "hi"');
  });

  it('leaves a failure with nothing to match without an event', () => {
    const divergence = divergenceOf('RuntimeError: boom');
    assert.deepEqual(divergence, { message: 'RuntimeError: boom' });
  });
});
