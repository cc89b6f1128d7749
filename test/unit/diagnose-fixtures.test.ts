// Diagnosis of the failure texts the Python fixtures really produce (test/fixtures/python/README.md),
// the activity-queue no-worker rule, child-workflow waits, remedy grouping and DebugStalled input.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  diagnose,
  groupRemedies,
  type PendingActivityFact,
  type WorkflowFacts,
} from '../../src/diagnosis/index.js';
import { parseDebugStalledInput } from '../../src/contract/debug-stalled-input.js';
import { describeProblem } from '../../src/contract/validate.js';

const NOW = Date.UTC(2026, 10, 25, 12, 0, 0);
const SEC = 1000;
const live = { identity: '19468@vm', lastAccessTimeMs: NOW - 2 * SEC };

function facts(over: Partial<WorkflowFacts> = {}): WorkflowFacts {
  return {
    workflowId: 'wf-1',
    runId: 'run-1',
    workflowType: 'Fixture',
    taskQueue: 'stalls',
    status: 'RUNNING',
    startTimeMs: NOW - 60 * SEC,
    historyLength: 4,
    pendingActivities: [],
    workflowTaskTimeoutsSinceCompleted: 0,
    workflowPollers: [live],
    ...over,
  };
}

/** A Python workflow task failing from its first task: event 4 in history, describe on attempt 3. */
function failingFirstTask(
  message: string,
  over: { cause?: string; failureType?: string; stackTrace?: string } = {},
): WorkflowFacts {
  return facts({
    lastEventType: 'WorkflowTaskFailed',
    lastWorkflowTaskFailure: {
      eventId: 4,
      timeMs: NOW - 20 * SEC,
      cause: over.cause ?? 'WORKFLOW_WORKER_UNHANDLED_FAILURE',
      message,
      ...(over.failureType && { failureType: over.failureType }),
    },
    pendingWorkflowTask: {
      state: 'started',
      attempt: 3,
      scheduledTimeMs: NOW - SEC,
      startedTimeMs: NOW - SEC,
    },
  });
}

const UNREGISTERED =
  'Workflow class UnregisteredType is not registered on this worker, available workflows: CodeBug, FlakyOnce, LongActivity, MissingActivity, NoWorkerTarget, NonDeterministic, RetryStorm, SandboxViolation, SlowTask, WaitsForSignal, WaitsForTimer, WaitsForUpdate';

describe('fixture failure texts', () => {
  const rows: [string, WorkflowFacts, string][] = [
    [
      'CodeBug',
      failingFirstTask('boom in workflow code', { failureType: 'RuntimeError' }),
      'workflow-code-bug',
    ],
    [
      'SandboxViolation',
      failingFirstTask(
        'Cannot access os.getcwd.__call__ from inside a workflow. If this is code from a module not used in a workflow or known to only be used deterministically from a workflow, mark the import as pass through.',
        { failureType: 'RestrictedWorkflowAccessError' },
      ),
      'sandbox-violation',
    ],
    [
      'UnregisteredType, whose message lists a workflow named NonDeterministic',
      failingFirstTask(UNREGISTERED, { failureType: 'NotFoundError' }),
      'workflow-not-registered',
    ],
    [
      'NonDeterministic',
      failingFirstTask(
        '[TMPRL1100] Nondeterminism error: Activity machine does not handle this event: HistoryEvent(id: 5, TimerStarted)',
        {
          cause: 'NON_DETERMINISTIC_ERROR',
        },
      ),
      'non-determinism',
    ],
  ];
  for (const [name, input, verdict] of rows) {
    it(`calls ${name} ${verdict}`, () => {
      const f = diagnose(input, NOW);
      assert.equal(f.verdict, verdict, f.evidence.summary);
      assert.equal(f.stalled, true);
      assert.equal(f.confidence, 'high');
      assert.deepEqual(f.evidence.eventIds, [4]);
    });
  }
});

function activity(over: Partial<PendingActivityFact> = {}): PendingActivityFact {
  return {
    activityId: '1',
    activityType: 'charge_card',
    state: 'scheduled',
    attempt: 1,
    maximumAttempts: 0,
    scheduledTimeMs: NOW - 30 * SEC,
    taskQueue: 'payments',
    ...over,
  };
}

describe('an activity whose own task queue has no worker', () => {
  it('is no-worker, naming the activity queue in evidence and remedy', () => {
    const f = diagnose(
      facts({
        lastEventType: 'ActivityTaskScheduled',
        pendingActivities: [activity()],
        activityPollers: { payments: [] },
      }),
      NOW,
    );
    assert.equal(f.verdict, 'no-worker');
    assert.equal(f.stalled, true);
    assert.match(f.evidence.summary, /Activity "charge_card" scheduled 30 s ago on task queue "payments"/);
    assert.deepEqual(f.evidence.activityPollers, []);
    assert.equal(f.evidence.activity?.taskQueue, 'payments');
    assert.match(f.remedy.text, /task queue "payments"/);
    assert.equal(f.remedy.action, 'start-worker');
  });

  it('is a healthy wait while a live poller serves the queue, or when pollers were not fetched', () => {
    const polled = facts({ pendingActivities: [activity()], activityPollers: { payments: [live] } });
    assert.equal(diagnose(polled, NOW).verdict, 'healthy-wait');
    assert.equal(diagnose(facts({ pendingActivities: [activity()] }), NOW).verdict, 'healthy-wait');
  });

  it('waits noWorkerAfterMs, and a retry scheduled in the future is not overdue', () => {
    const recent = facts({
      pendingActivities: [activity({ scheduledTimeMs: NOW - 3 * SEC })],
      activityPollers: { payments: [] },
    });
    assert.equal(diagnose(recent, NOW).verdict, 'healthy-wait');
    assert.equal(diagnose(recent, NOW, { noWorkerAfterMs: 2000 }).verdict, 'no-worker');
    const backoff = facts({
      pendingActivities: [activity({ attempt: 2, scheduledTimeMs: NOW + 60 * SEC, lastFailureMessage: 'x' })],
      activityPollers: { payments: [] },
    });
    assert.equal(diagnose(backoff, NOW).verdict, 'healthy-wait');
  });
});

describe('healthy waits', () => {
  it('calls an idle run whose history was not read a wait on a timer, a signal or an update, with high confidence', () => {
    const f = diagnose(facts({ lastEventType: undefined }), NOW);
    assert.deepEqual(
      [f.verdict, f.stalled, f.evidence.waitingOn, f.confidence],
      ['healthy-wait', false, 'timer-signal-or-update', 'high'],
    );
  });

  it('names a pending child workflow from describe', () => {
    const f = diagnose(facts({ pendingChildWorkflows: 2, lastEventType: 'WorkflowTaskCompleted' }), NOW);
    assert.equal(f.verdict, 'healthy-wait');
    assert.equal(f.evidence.waitingOn, 'child-workflow');
  });

  it('a run that failed once and recovered (FlakyOnce) is waiting, not stalled', () => {
    // History was read back to the last completed task only: the recovered failure is older.
    const f = diagnose(
      facts({ lastWorkflowTaskCompletedEventId: 7, lastEventType: 'WorkflowTaskCompleted' }),
      NOW,
    );
    assert.deepEqual(
      [f.verdict, f.stalled, f.evidence.waitingOn],
      ['healthy-wait', false, 'signal-or-update'],
    );
  });
});

describe('groupRemedies', () => {
  it('groups stalled findings by verdict and remedy text, most frequent first, and skips healthy runs', () => {
    const noWorker = (id: string, queue: string) =>
      diagnose(
        facts({
          workflowId: id,
          taskQueue: queue,
          workflowPollers: [],
          pendingWorkflowTask: { state: 'scheduled', attempt: 1, scheduledTimeMs: NOW - 60 * SEC },
        }),
        NOW,
      );
    const findings = [
      noWorker('a', 'q1'),
      noWorker('b', 'q1'),
      noWorker('c', 'q2'),
      diagnose(facts({ workflowId: 'd', lastEventType: 'TimerStarted' }), NOW),
    ];
    const groups = groupRemedies(findings);
    assert.deepEqual(
      groups.map((g) => [g.verdict, g.count, g.workflowIds]),
      [
        ['no-worker', 2, ['a', 'b']],
        ['no-worker', 1, ['c']],
      ],
    );
    assert.match(groups[0]?.text ?? '', /"q1"/);
    assert.equal(groupRemedies(findings, 1)[0]?.workflowIds.length, 1);
  });
});

describe('DebugStalled input', () => {
  it('accepts nothing at all (sweep everything) and a full sweep input', () => {
    const defaults = {
      act: false,
      waitForFixSeconds: 0,
      nonDeterminism: 'terminate',
      rerun: true,
      verifySeconds: 60,
    };
    assert.deepEqual(parseDebugStalledInput(undefined), { input: defaults, problems: [] });
    const parsed = parseDebugStalledInput({
      query: 'WorkflowType = "Order"',
      taskQueue: 'orders',
      policy: { noWorkerAfterMs: 2000 },
      maxFindings: 50,
      concurrency: 16,
    });
    assert.deepEqual(parsed.input, {
      query: 'WorkflowType = "Order"',
      taskQueue: 'orders',
      policy: { noWorkerAfterMs: 2000 },
      maxFindings: 50,
      concurrency: 16,
      ...defaults,
    });
  });

  const bad: [string, unknown, RegExp][] = [
    ['not an object', 'orders', /input: expected one JSON object, got "orders"/],
    ['a mistyped field', { taskqueue: 'q' }, /taskqueue: expected no such field/],
    [
      'a workflowId with a query',
      { workflowId: 'w', query: 'x' },
      /workflowId: expected either workflowId \(analyze one\) or query\/taskQueue/,
    ],
    ['a runId alone', { runId: 'r' }, /runId: expected a runId only together with workflowId/],
    [
      'a negative policy value',
      { policy: { noWorkerAfterMs: -1 } },
      /policy\.noWorkerAfterMs: expected a number from 0/,
    ],
    [
      'an unknown policy key',
      { policy: { noWorkerAfter: 5 } },
      /policy\.noWorkerAfter: expected no such field/,
    ],
    [
      'a fractional concurrency',
      { concurrency: 2.5 },
      /concurrency: expected an integer from 1 to 64, got 2.5/,
    ],
    [
      'an empty query',
      { query: '' },
      /query: expected a non-empty visibility query of at most 10000 characters, got ""/,
    ],
  ];
  for (const [title, raw, message] of bad) {
    it(`names the field and value for ${title}`, () => {
      const parsed = parseDebugStalledInput(raw);
      assert.equal(parsed.input, undefined);
      assert.match(parsed.problems.map(describeProblem).join('; '), message);
    });
  }
});
