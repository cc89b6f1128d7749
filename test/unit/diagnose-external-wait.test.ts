// A run waiting for a signal from another workflow, which the server records no link for: the history
// tail names the newest signal the run sent and how it ended; the wait names that workflow and what its
// own diagnosis says, and is blocked by it (inferred, medium confidence) when the gatherer found it stalled.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import proto from '@temporalio/proto';
import { diagnose, type SignalSentFact, type WorkflowFacts } from '../../src/diagnosis/index.js';
import { codeBugBlocker } from '../helpers/blockers.js';
import { foldNewestFirst, type RecentHistory } from '../../src/inspect/history.js';

const { HistoryEvent } = proto.temporal.api.history.v1;
const event = (object: Record<string, unknown>) => HistoryEvent.fromObject(object);
const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const T0 = Math.floor(NOW / 1000) - 60;

const fresh = (): RecentHistory => ({
  workflowTaskTimeoutsSinceCompleted: 0,
  eventsRead: 0,
  complete: false,
});

// Newest first, as the fixture AsksPeer writes them: a task signals `peer-1`, the signal is delivered,
// and the next task completes with the run waiting.
const asked = (resolution: 'delivered' | 'failed' | 'pending') => [
  event({ eventId: '9', eventType: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED' }),
  event({ eventId: '8', eventType: 'EVENT_TYPE_WORKFLOW_TASK_STARTED' }),
  event({ eventId: '7', eventType: 'EVENT_TYPE_WORKFLOW_TASK_SCHEDULED' }),
  ...(resolution === 'delivered'
    ? [
        event({
          eventId: '6',
          eventType: 'EVENT_TYPE_EXTERNAL_WORKFLOW_EXECUTION_SIGNALED',
          externalWorkflowExecutionSignaledEventAttributes: { initiatedEventId: '5' },
        }),
      ]
    : resolution === 'failed'
      ? [
          event({
            eventId: '6',
            eventType: 'EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_FAILED',
            signalExternalWorkflowExecutionFailedEventAttributes: { initiatedEventId: '5' },
          }),
        ]
      : []),
  event({
    eventId: '5',
    eventTime: { seconds: String(T0), nanos: 0 },
    eventType: 'EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED',
    signalExternalWorkflowExecutionInitiatedEventAttributes: {
      workflowExecution: { workflowId: 'peer-1' },
      signalName: 'ask',
    },
  }),
  event({ eventId: '4', eventType: 'EVENT_TYPE_WORKFLOW_TASK_COMPLETED' }),
];

function waiting(sent: SignalSentFact | undefined, over: Partial<WorkflowFacts> = {}): WorkflowFacts {
  return {
    workflowId: 'asker',
    runId: 'r1',
    workflowType: 'AsksPeer',
    taskQueue: 'q',
    status: 'RUNNING',
    startTimeMs: NOW - 60_000,
    historyLength: 9,
    pendingActivities: [],
    workflowTaskTimeoutsSinceCompleted: 0,
    lastEventType: 'WorkflowTaskCompleted',
    lastWorkflowTaskCompletedEventId: 9,
    ...(sent && { lastSignalSent: sent }),
    ...over,
  };
}

const sent: SignalSentFact = {
  workflowId: 'peer-1',
  signalName: 'ask',
  eventId: 5,
  timeMs: T0 * 1000,
  outcome: 'delivered',
};

describe('the history tail of a run that signalled another workflow', () => {
  it('names the newest signal sent, from the events older than the last completed task, and its outcome', () => {
    for (const outcome of ['delivered', 'failed', 'pending'] as const) {
      const recent = fresh();
      assert.equal(foldNewestFirst(recent, asked(outcome)), true);
      assert.deepEqual(recent.lastSignalSent, { ...sent, outcome }, outcome);
    }
  });

  it('keeps the newest of several signals', () => {
    const recent = fresh();
    const newer = event({
      eventId: '10',
      eventType: 'EVENT_TYPE_SIGNAL_EXTERNAL_WORKFLOW_EXECUTION_INITIATED',
      signalExternalWorkflowExecutionInitiatedEventAttributes: {
        workflowExecution: { workflowId: 'peer-2', runId: 'pr2' },
        signalName: 'again',
      },
    });
    foldNewestFirst(recent, [newer, ...asked('delivered')]);
    assert.deepEqual(
      [recent.lastSignalSent?.workflowId, recent.lastSignalSent?.runId, recent.lastSignalSent?.outcome],
      ['peer-2', 'pr2', 'pending'],
    );
  });
});

describe('a healthy wait after a signal to another workflow', () => {
  it('names the workflow it signalled last and that it is stalled, with medium confidence, never a stall', () => {
    const target = {
      running: true as const,
      runId: 'pr',
      workflowType: 'CodeBug',
      verdict: 'workflow-code-bug' as const,
      stalled: true,
    };
    const f = diagnose(waiting({ ...sent, target }), NOW);
    assert.equal(f.verdict, 'healthy-wait');
    assert.equal(f.stalled, false);
    assert.equal(f.confidence, 'medium');
    assert.equal(
      f.evidence.summary,
      'Waiting for a signal or an update; the last signal it sent ("ask", event 5) went to workflow peer-1, which is stalled ' +
        '(workflow-code-bug, run pr): if this run waits on an answer from it, look there (the server records no link between them)',
    );
    assert.deepEqual(f.evidence.lastSignalSent, { ...sent, target });
    assert.equal(f.remedy.action, 'none');
  });

  it('says when the signalled workflow no longer runs, or was not looked at, or the signal is not delivered yet', () => {
    const gone = diagnose(waiting({ ...sent, target: { running: false } }), NOW);
    assert.equal(gone.confidence, 'medium');
    assert.match(gone.evidence.summary, /went to workflow peer-1, which no longer runs: /);
    const unknown = diagnose(waiting(sent), NOW);
    assert.equal(unknown.confidence, 'high');
    assert.match(unknown.evidence.summary, /went to workflow peer-1: if this run waits/);
    const pending = diagnose(waiting({ ...sent, outcome: 'pending' }), NOW);
    assert.match(pending.evidence.summary, /\("ask", event 5 \(not delivered yet\)\)/);
  });

  it('leaves out a failed signal, and a run waiting on anything but a signal', () => {
    const failed = diagnose(waiting({ ...sent, outcome: 'failed' }), NOW);
    assert.equal(failed.evidence.summary, 'Waiting for a signal or an update');
    assert.equal(failed.evidence.lastSignalSent, undefined);
    const timer = diagnose(waiting(sent, { lastEventType: 'TimerStarted' }), NOW);
    assert.equal(timer.evidence.summary, 'Waiting on a timer');
  });
});

describe('a wait after a signal to a workflow that is stalled', () => {
  it('is blocked by it, with medium confidence, its root cause and that remedy', () => {
    const blocker = codeBugBlocker('peer-1', 'pr', 'signalled-workflow', 'signal "ask" (event 5)');
    const f = diagnose({ ...waiting(sent), blockers: [blocker] }, NOW);
    assert.deepEqual([f.verdict, f.stalled, f.confidence], ['blocked', true, 'medium']);
    assert.equal(f.evidence.waitingOn, 'signal-or-update');
    assert.equal(
      f.evidence.summary,
      'Waiting for a signal or an update since it signalled workflow peer-1 (run pr) last (signal "ask" (event 5)), most likely ' +
        'for its answer (the server records no link); that workflow is workflow-code-bug; root cause: peer-1 (run pr) is workflow-code-bug: boom',
    );
    assert.deepEqual(f.remedy.target, { workflowId: 'peer-1', runId: 'pr' });
    assert.equal(f.remedy.action, 'fix-code-restart-worker');
  });
});
