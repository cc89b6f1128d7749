import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';

import {
  VERDICTS,
  defaultDiagnosisPolicy,
  diagnose,
  isStalled,
  summarizeFindings,
  type DiagnosisPolicy,
  type PendingActivityFact,
  type RemedyAction,
  type Verdict,
  type WorkflowFacts,
  type WorkflowTaskFailureFact,
} from '../../src/diagnosis/index.js';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const SEC = 1000;
const MIN = 60 * SEC;

// Real wordings, read off the sources:
// sdk-core worker/workflow/mod.rs: #[error("[TMPRL1100] Nondeterminism error: {0}")], cause NonDeterministicError.
const NDE_CORE =
  "[TMPRL1100] Nondeterminism error: Activity type of scheduled event 'reserve_stock' does not match activity type of activity command 'charge_card'";
// sdk-python temporalio/worker/_workflow.py (_create_workflow_instance), ApplicationError type NotFoundError.
const WF_NOT_REGISTERED =
  'Workflow class OrderWorkflow is not registered on this worker, available workflows: InvoiceWorkflow, RefundWorkflow';
// sdk-python temporalio/worker/workflow_sandbox/_restrictions.py (RestrictedWorkflowAccessError.default_message).
const SANDBOX =
  'Cannot access datetime.datetime.now from inside a workflow. If this is code from a module not used in a workflow or known to only be used deterministically from a workflow, mark the import as pass through.';
// sdk-python temporalio/worker/_workflow.py (_DeadlockError.from_deadlocked_workflow).
const DEADLOCK = "[TMPRL1101] Potential deadlock detected: workflow didn't yield within 2 second(s).";
// sdk-python temporalio/worker/_activity.py, ApplicationError type NotFoundError.
const ACT_NOT_REGISTERED =
  'Activity function charge_card is not registered on this worker, available activities: reserve_stock, send_receipt';
const PY_TRACE = [
  'Traceback (most recent call last):',
  '  File "/app/.venv/lib/python3.12/site-packages/temporalio/worker/_workflow_instance.py", line 2301, in _run_top_level_workflow_function',
  '    await coro',
  '  File "/app/.venv/lib/python3.12/site-packages/temporalio/worker/_workflow_instance.py", line 2614, in execute_workflow',
  '    return await input.run_fn(*args)',
  '  File "/app/orders/workflows.py", line 41, in run',
  '    total = order.amount / order.quantity',
  'ZeroDivisionError: division by zero',
].join('\n');

const live = { identity: '4242@devbox', lastAccessTimeMs: NOW - 2 * SEC };
const stale = { identity: '4100@devbox', lastAccessTimeMs: NOW - 5 * MIN };

/** A RUNNING order workflow that last completed workflow task 9 and has a live worker. */
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
    workflowPollers: [live],
    ...over,
  };
}

function failure(message: string, over: Partial<WorkflowTaskFailureFact> = {}): WorkflowTaskFailureFact {
  return { eventId: 12, timeMs: NOW - MIN, cause: 'WORKFLOW_WORKER_UNHANDLED_FAILURE', message, ...over };
}

/** A workflow task stuck retrying after `f` (history holds the first failure, describe the attempt). */
function failing(f: WorkflowTaskFailureFact, over: Partial<WorkflowFacts> = {}): WorkflowFacts {
  return facts({
    lastWorkflowTaskFailure: f,
    lastEventType: 'WorkflowTaskFailed',
    pendingWorkflowTask: { state: 'scheduled', attempt: 7, scheduledTimeMs: NOW - 5 * SEC },
    ...over,
  });
}

function activity(over: Partial<PendingActivityFact> = {}): PendingActivityFact {
  return {
    activityId: '5',
    activityType: 'charge_card',
    state: 'scheduled',
    attempt: 1,
    maximumAttempts: 0,
    scheduledTimeMs: NOW - 3 * SEC,
    ...over,
  };
}

interface Row {
  title: string;
  facts: WorkflowFacts;
  policy?: Partial<DiagnosisPolicy>;
  verdict: Verdict;
  stalled: boolean;
  action: RemedyAction;
  confidence?: 'high' | 'medium' | 'low';
}

const table: Row[] = [
  {
    title: 'a workflow task scheduled 30 s ago with no poller on its queue means no worker',
    facts: facts({
      workflowPollers: [],
      pendingWorkflowTask: { state: 'scheduled', attempt: 1, scheduledTimeMs: NOW - 30 * SEC },
    }),
    verdict: 'no-worker',
    stalled: true,
    action: 'start-worker',
    confidence: 'high',
  },
  {
    title: 'pollers last seen longer ago than pollerFreshMs do not count as live',
    facts: facts({
      workflowPollers: [stale],
      pendingWorkflowTask: { state: 'scheduled', attempt: 1, scheduledTimeMs: NOW - 30 * SEC },
    }),
    verdict: 'no-worker',
    stalled: true,
    action: 'start-worker',
    confidence: 'high',
  },
  {
    title: 'an unscheduled-for-long task is no-worker with low confidence when pollers were not fetched',
    facts: facts({
      workflowPollers: undefined,
      pendingWorkflowTask: { state: 'scheduled', attempt: 1, scheduledTimeMs: NOW - 30 * SEC },
    }),
    verdict: 'no-worker',
    stalled: true,
    action: 'start-worker',
    confidence: 'low',
  },
  {
    title: 'a workflow task scheduled 3 s ago is not yet a no-worker stall',
    facts: facts({
      workflowPollers: [],
      lastEventType: 'WorkflowTaskScheduled',
      pendingWorkflowTask: { state: 'scheduled', attempt: 1, scheduledTimeMs: NOW - 3 * SEC },
    }),
    verdict: 'healthy-wait',
    stalled: false,
    action: 'none',
  },
  {
    title: 'a Core nondeterminism failure calls for terminate or reset',
    facts: failing(failure(NDE_CORE, { cause: 'NON_DETERMINISTIC_ERROR' })),
    verdict: 'non-determinism',
    stalled: true,
    action: 'terminate-or-reset',
    confidence: 'high',
  },
  {
    title: 'a nondeterminism message is recognised even without the cause',
    facts: failing(
      failure(
        'Nondeterminism error: Timer machine does not handle this event: HistoryEvent(id: 8, TimerFired)',
        { cause: 'UNSPECIFIED' },
      ),
    ),
    verdict: 'non-determinism',
    stalled: true,
    action: 'terminate-or-reset',
  },
  {
    title: 'a workflow class missing from the Python worker is workflow-not-registered',
    facts: failing(failure(WF_NOT_REGISTERED, { failureType: 'NotFoundError' })),
    verdict: 'workflow-not-registered',
    stalled: true,
    action: 'register-and-restart-worker',
    confidence: 'high',
  },
  {
    title: 'a prefixed cause name is read like the bare one',
    facts: failing(
      failure(WF_NOT_REGISTERED, { cause: 'WORKFLOW_TASK_FAILED_CAUSE_WORKFLOW_WORKER_UNHANDLED_FAILURE' }),
    ),
    verdict: 'workflow-not-registered',
    stalled: true,
    action: 'register-and-restart-worker',
  },
  {
    title: 'a Python sandbox restriction is a sandbox violation',
    facts: failing(failure(SANDBOX, { failureType: 'RestrictedWorkflowAccessError' })),
    verdict: 'sandbox-violation',
    stalled: true,
    action: 'fix-code-restart-worker',
    confidence: 'high',
  },
  {
    title: 'a sandbox restriction stays a sandbox violation when reported with the non-determinism cause',
    facts: failing(
      failure('Cannot access os.getcwd from inside a workflow.', { cause: 'NON_DETERMINISTIC_ERROR' }),
    ),
    verdict: 'sandbox-violation',
    stalled: true,
    action: 'fix-code-restart-worker',
  },
  {
    title: 'an exception in workflow code is a workflow code bug that fixes itself after a restart',
    facts: failing(failure('division by zero', { failureType: 'ZeroDivisionError', stackTrace: PY_TRACE })),
    verdict: 'workflow-code-bug',
    stalled: true,
    action: 'fix-code-restart-worker',
    confidence: 'high',
  },
  {
    title: 'the Python deadlock detector is a workflow code bug',
    facts: failing(failure(DEADLOCK, { failureType: '_DeadlockError' })),
    verdict: 'workflow-code-bug',
    stalled: true,
    action: 'fix-code-restart-worker',
  },
  {
    title: 'a workflow that failed once and then completed a task is not stalled',
    facts: facts({
      lastWorkflowTaskFailure: failure('division by zero', { eventId: 5 }),
      lastEventType: 'TimerStarted',
    }),
    verdict: 'healthy-wait',
    stalled: false,
    action: 'none',
  },
  {
    title: 'the failure a reset writes into the new run is not a stall',
    facts: failing(failure('Reset workflow', { cause: 'RESET_WORKFLOW' }), {
      pendingWorkflowTask: { state: 'started', attempt: 1, scheduledTimeMs: NOW - SEC, startedTimeMs: NOW },
    }),
    verdict: 'healthy-wait',
    stalled: false,
    action: 'none',
  },
  {
    title: 'two workflow task timeouts since the last completed task are a timeout stall',
    facts: facts({
      workflowTaskTimeoutsSinceCompleted: 2,
      lastEventType: 'WorkflowTaskTimedOut',
      pendingWorkflowTask: { state: 'scheduled', attempt: 1, scheduledTimeMs: NOW - SEC },
    }),
    verdict: 'workflow-task-timeout',
    stalled: true,
    action: 'inspect-worker',
    confidence: 'high',
  },
  {
    title: 'a task retrying after a timeout counts its unwritten attempts as timeouts',
    facts: facts({
      workflowTaskTimeoutsSinceCompleted: 1,
      lastEventType: 'WorkflowTaskTimedOut',
      pendingWorkflowTask: { state: 'started', attempt: 4, scheduledTimeMs: NOW - SEC },
    }),
    verdict: 'workflow-task-timeout',
    stalled: true,
    action: 'inspect-worker',
    confidence: 'medium',
  },
  {
    title: 'one sticky-queue timeout after a worker restart is not a stall',
    facts: facts({
      workflowTaskTimeoutsSinceCompleted: 1,
      lastEventType: 'WorkflowTaskTimedOut',
      pendingWorkflowTask: { state: 'started', attempt: 2, scheduledTimeMs: NOW - SEC },
    }),
    verdict: 'healthy-wait',
    stalled: false,
    action: 'none',
  },
  {
    title: 'an activity failing as not registered is activity-not-registered',
    facts: facts({
      lastEventType: 'ActivityTaskScheduled',
      pendingActivities: [
        activity({ attempt: 2, lastFailureMessage: ACT_NOT_REGISTERED, lastFailureType: 'NotFoundError' }),
      ],
    }),
    verdict: 'activity-not-registered',
    stalled: true,
    action: 'register-and-restart-worker',
    confidence: 'high',
  },
  {
    title: 'an activity on attempt 5 with a last failure is a retry storm',
    facts: facts({
      lastEventType: 'ActivityTaskScheduled',
      pendingActivities: [
        activity({ attempt: 5, lastFailureMessage: 'ConnectionError: payment gateway unreachable' }),
      ],
    }),
    verdict: 'activity-retry-storm',
    stalled: true,
    action: 'fix-code-restart-worker',
    confidence: 'high',
  },
  {
    title: 'an activity retry below the threshold is not a storm',
    facts: facts({
      lastEventType: 'ActivityTaskScheduled',
      pendingActivities: [
        activity({ attempt: 2, lastFailureMessage: 'ConnectionError: payment gateway unreachable' }),
      ],
    }),
    verdict: 'healthy-wait',
    stalled: false,
    action: 'none',
  },
  {
    title: 'a policy override of retryStormAttempts turns attempt 2 into a storm',
    facts: facts({
      lastEventType: 'ActivityTaskScheduled',
      pendingActivities: [
        activity({ attempt: 2, lastFailureMessage: 'ConnectionError: payment gateway unreachable' }),
      ],
    }),
    policy: { retryStormAttempts: 2 },
    verdict: 'activity-retry-storm',
    stalled: true,
    action: 'fix-code-restart-worker',
  },
  {
    title: 'a policy override of noWorkerAfterMs waits longer before calling no-worker',
    facts: facts({
      workflowPollers: [],
      lastEventType: 'WorkflowTaskScheduled',
      pendingWorkflowTask: { state: 'scheduled', attempt: 1, scheduledTimeMs: NOW - 30 * SEC },
    }),
    policy: { noWorkerAfterMs: MIN },
    verdict: 'healthy-wait',
    stalled: false,
    action: 'none',
  },
  {
    title: 'a policy override of pollerFreshMs keeps a 5-minute-old poller live',
    facts: facts({
      workflowPollers: [stale],
      lastEventType: 'WorkflowTaskScheduled',
      pendingWorkflowTask: { state: 'scheduled', attempt: 1, scheduledTimeMs: NOW - 30 * SEC },
    }),
    policy: { pollerFreshMs: 10 * MIN },
    verdict: 'healthy-wait',
    stalled: false,
    action: 'none',
  },
  {
    title: 'a two-hour activity that heartbeats on attempt 1 is a healthy wait',
    facts: facts({
      lastEventType: 'ActivityTaskStarted',
      pendingActivities: [
        activity({
          state: 'started',
          lastStartedTimeMs: NOW - 120 * MIN,
          lastHeartbeatTimeMs: NOW - 5 * SEC,
          heartbeatTimeoutMs: 30 * SEC,
        }),
      ],
    }),
    verdict: 'healthy-wait',
    stalled: false,
    action: 'none',
    confidence: 'high',
  },
  {
    title: 'a run waiting on a timer is a healthy wait',
    facts: facts({ lastEventType: 'TimerStarted' }),
    verdict: 'healthy-wait',
    stalled: false,
    action: 'none',
    confidence: 'high',
  },
  {
    title: 'server-reported problems with no failure in history are a low-confidence code bug',
    facts: facts({
      reportedProblems: [
        'category=WorkflowTaskFailed',
        'cause=WorkflowTaskFailedCauseWorkflowWorkerUnhandledFailure',
      ],
    }),
    verdict: 'workflow-code-bug',
    stalled: true,
    action: 'fix-code-restart-worker',
    confidence: 'low',
  },
  {
    title: 'server-reported non-determinism with no failure in history keeps the terminate-or-reset remedy',
    facts: facts({
      reportedProblems: ['category=WorkflowTaskFailed', 'cause=WorkflowTaskFailedCauseNonDeterministicError'],
    }),
    verdict: 'non-determinism',
    stalled: true,
    action: 'terminate-or-reset',
    confidence: 'low',
  },
  {
    title: 'non-determinism outranks a missing worker',
    facts: failing(failure(NDE_CORE, { cause: 'NON_DETERMINISTIC_ERROR' }), { workflowPollers: [] }),
    verdict: 'non-determinism',
    stalled: true,
    action: 'terminate-or-reset',
  },
  {
    title: 'a completed run is never stalled',
    facts: facts({ status: 'COMPLETED', closeTimeMs: NOW - MIN, workflowPollers: [] }),
    verdict: 'healthy-wait',
    stalled: false,
    action: 'none',
  },
  {
    title: 'a run terminated while stuck keeps its verdict but is not stalled',
    facts: failing(failure(NDE_CORE, { cause: 'NON_DETERMINISTIC_ERROR' }), {
      status: 'TERMINATED',
      closeTimeMs: NOW,
    }),
    verdict: 'non-determinism',
    stalled: false,
    action: 'none',
  },
];

describe('diagnose', () => {
  for (const row of table) {
    it(row.title, () => {
      const f = diagnose(row.facts, NOW, row.policy);
      assert.equal(f.verdict, row.verdict, f.evidence.summary);
      assert.equal(f.stalled, row.stalled);
      assert.equal(f.remedy.action, row.action);
      if (row.confidence) assert.equal(f.confidence, row.confidence);
    });
  }

  it('names the task queue in the no-worker remedy and shows the stale pollers', () => {
    const f = diagnose(
      facts({
        workflowPollers: [stale],
        pendingWorkflowTask: { state: 'scheduled', attempt: 1, scheduledTimeMs: NOW - 30 * SEC },
      }),
      NOW,
    );
    assert.match(f.remedy.text, /"orders"/);
    assert.deepEqual(f.evidence.pollers, [
      {
        identity: '4100@devbox',
        lastAccessAgeMs: 5 * MIN,
        live: false,
        liveness: 'silent',
        why: 'last polled 5 min ago, longer than a live worker waits between polls',
      },
    ]);
    assert.match(f.evidence.summary, /30 s ago/);
  });

  it('says non-determinism does not recover by itself', () => {
    const f = diagnose(failing(failure(NDE_CORE, { cause: 'NON_DETERMINISTIC_ERROR' })), NOW);
    assert.equal(f.remedy.autoRecovers, false);
    assert.deepEqual(f.evidence.eventIds, [12]);
    assert.equal(f.evidence.workflowTaskAttempt, 7);
    assert.equal(f.evidence.failureMessage, NDE_CORE);
  });

  it('keeps the innermost Python frames in the stack excerpt', () => {
    const f = diagnose(failing(failure('division by zero', { stackTrace: PY_TRACE })), NOW);
    const lines = f.evidence.stackExcerpt?.split('\n') ?? [];
    assert.equal(lines.length, 6);
    assert.equal(lines.at(-1), 'ZeroDivisionError: division by zero');
    assert.equal(f.remedy.autoRecovers, true);
  });

  it('states the deadlock in the evidence summary', () => {
    const f = diagnose(failing(failure(DEADLOCK)), NOW);
    assert.match(f.evidence.summary, /deadlock/i);
  });

  it('names the storming activity, its attempt and last failure', () => {
    const f = diagnose(
      facts({
        pendingActivities: [
          activity({ attempt: 5, lastFailureMessage: 'ConnectionError: payment gateway unreachable' }),
        ],
      }),
      NOW,
    );
    assert.deepEqual(f.evidence.activity, {
      activityId: '5',
      activityType: 'charge_card',
      attempt: 5,
      lastFailureMessage: 'ConnectionError: payment gateway unreachable',
    });
    assert.match(f.remedy.text, /charge_card/);
    assert.equal(f.remedy.autoRecovers, true);
  });

  it('raises confidence and shows reported problems for a fresh workflow task failure', () => {
    const fresh = { state: 'scheduled', attempt: 1, scheduledTimeMs: NOW - SEC };
    const reported = [
      'category=WorkflowTaskFailed',
      'cause=WorkflowTaskFailedCauseWorkflowWorkerUnhandledFailure',
    ];
    const plain = diagnose(failing(failure('boom'), { pendingWorkflowTask: fresh }), NOW);
    const flagged = diagnose(
      failing(failure('boom'), { pendingWorkflowTask: fresh, reportedProblems: reported }),
      NOW,
    );
    assert.equal(plain.confidence, 'medium');
    assert.equal(flagged.confidence, 'high');
    assert.deepEqual(flagged.evidence.reportedProblems, reported);
  });

  it('infers what a healthy run waits on from the last event', () => {
    const waits = [
      ['TimerStarted', 'timer'],
      ['WorkflowTaskCompleted', 'signal-or-update'],
      ['StartChildWorkflowExecutionInitiated', 'child-workflow'],
      ['ChildWorkflowExecutionStarted', 'child-workflow'],
      ['MarkerRecorded', 'unknown'],
    ] as const;
    for (const [lastEventType, waitingOn] of waits) {
      assert.equal(diagnose(facts({ lastEventType }), NOW).evidence.waitingOn, waitingOn, lastEventType);
    }
  });

  it('reads no clock: the same facts and now give the same finding', (t) => {
    t.mock.method(Date, 'now', () => {
      throw new Error('diagnose read the clock');
    });
    const input = failing(failure(SANDBOX));
    assert.deepEqual(diagnose(input, NOW), diagnose(structuredClone(input), NOW));
  });

  it('rejects a policy value that is not a non-negative number, naming the field', () => {
    assert.throws(
      () => diagnose(facts(), NOW, { retryStormAttempts: -1 }),
      /policy\.retryStormAttempts .* -1/,
    );
    assert.throws(() => diagnose(facts(), NOW, { pollerFreshMs: Number.NaN }), RangeError);
  });

  it('leaves absent evidence fields out of the JSON', () => {
    const f = diagnose(facts({ workflowPollers: undefined, lastEventType: 'TimerStarted' }), NOW);
    assert.deepEqual(Object.keys(f.evidence).sort(), ['eventIds', 'summary', 'waitingOn']);
  });
});

describe('verdict helpers', () => {
  it('lists each verdict once', () => {
    assert.equal(new Set(VERDICTS).size, 18);
    assert.equal(VERDICTS.length, 18);
  });

  it('uses the documented default policy', () => {
    assert.deepEqual(
      { ...defaultDiagnosisPolicy },
      {
        retryStormAttempts: 3,
        noWorkerAfterMs: 10_000,
        pollerFreshMs: 70_000,
        workflowTaskTimeouts: 2,
        historyWarnEvents: 10_240,
        historyLimitEvents: 51_200,
        historyWarnBytes: 10 * 1024 * 1024,
        historyLimitBytes: 50 * 1024 * 1024,
      },
    );
  });

  it('counts findings per verdict with zeros for unseen verdicts', () => {
    const findings = table.map((row) => diagnose(row.facts, NOW, row.policy));
    const counts = summarizeFindings(findings);
    assert.deepEqual(Object.keys(counts).sort(), [...VERDICTS].sort());
    assert.equal(
      Object.values(counts).reduce((a, b) => a + b, 0),
      table.length,
    );
    for (const v of VERDICTS) assert.equal(counts[v], table.filter((r) => r.verdict === v).length, v);
    assert.equal(summarizeFindings([])['no-worker'], 0);
  });

  it('treats only stalled findings as stalls', () => {
    assert.equal(isStalled(diagnose(facts({ lastEventType: 'TimerStarted' }), NOW)), false);
    assert.equal(isStalled(diagnose(failing(failure('boom')), NOW)), true);
  });
});

const DIAGNOSIS_DIR = new URL('../../src/diagnosis/', import.meta.url);
const OWN_FILES = readdirSync(DIAGNOSIS_DIR).filter((name) => name.endsWith('.ts'));

describe('purity', () => {
  it('imports nothing but sibling diagnosis modules and the pure contract, so workflow code can use it', () => {
    assert.ok(OWN_FILES.length > 10, 'the diagnosis folder is read');
    for (const file of OWN_FILES) {
      const source = readFileSync(new URL(file, DIAGNOSIS_DIR), 'utf8');
      for (const [, spec] of source.matchAll(/from\s+'([^']+)'/g))
        assert.match(spec ?? '', /^(\.|\.\.\/contract)\/[\w-]+\.js$/, `${file} imports ${spec}`);
      assert.doesNotMatch(
        source,
        /Date\.now|new Date\(\)|process\.(env|argv|exit|cwd|hrtime|platform)|console\./,
        file,
      );
    }
  });
});
