// Nexus operations: the workflow a workflow-run operation token names, a caller blocked by the stalled
// workflow behind its operation, the root cause naming its callers, and an operation that cannot start.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import proto from '@temporalio/proto';
import {
  diagnose,
  type PendingNexusOperationFact,
  type WorkflowFacts,
  type WorkflowTaskFailureFact,
} from '../../src/diagnosis/index.js';
import { planNeedsWorker, planRemedies } from '../../src/diagnosis/remedy-plan.js';
import { codeBugBlocker } from '../helpers/blockers.js';
import { factsFromDescribe, handlerOfToken } from '../../src/inspect/describe-facts.js';

const NOW = Date.UTC(2025, 0, 15, 12, 0, 0);
const MIN = 60_000;
// As the dev server (1.32) gave it for the Python SDK's workflow_run_operation.
const TOKEN = 'eyJ0IjoxLCJucyI6ImRlZmF1bHQiLCJ3aWQiOiJuZXh1cy1jYWxsZXItZVhEYm1jZk0tbmV4dXMifQ';

function facts(over: Partial<WorkflowFacts> = {}): WorkflowFacts {
  return {
    workflowId: 'caller-1',
    runId: 'run-1',
    workflowType: 'Checkout',
    taskQueue: 'shop',
    status: 'RUNNING',
    startTimeMs: NOW - 10 * MIN,
    historyLength: 9,
    pendingActivities: [],
    workflowTaskTimeoutsSinceCompleted: 0,
    workflowPollers: [{ identity: '77@vm', lastAccessTimeMs: NOW - 1000 }],
    ...over,
  };
}

const operation: PendingNexusOperationFact = {
  endpoint: 'payments',
  service: 'FixtureService',
  operation: 'start_code_bug',
  state: 'started',
  attempt: 1,
  handler: { namespace: 'default', workflowId: 'nexus-caller-eXDbmcfM-nexus' },
};

describe('Nexus operations', () => {
  it('reads the workflow a workflow-run operation token names, and nothing from other tokens', () => {
    assert.deepEqual(handlerOfToken(TOKEN), {
      namespace: 'default',
      workflowId: 'nexus-caller-eXDbmcfM-nexus',
    });
    assert.equal(handlerOfToken('not-a-token'), undefined);
    assert.equal(handlerOfToken(Buffer.from('{"t":2,"wid":"x"}').toString('base64url')), undefined);
    assert.equal(handlerOfToken(''), undefined);
  });

  it('converts describe: the pending operation with its handler, and the callers a handler workflow reports', () => {
    const { PendingNexusOperationState, CallbackState } = proto.temporal.api.enums.v1;
    const caller = factsFromDescribe({
      workflowExecutionInfo: { execution: { workflowId: 'caller-1', runId: 'run-1' }, status: 1 },
      pendingNexusOperations: [
        {
          endpoint: 'payments',
          service: 'FixtureService',
          operation: 'start_code_bug',
          state: PendingNexusOperationState.PENDING_NEXUS_OPERATION_STATE_STARTED,
          attempt: 1,
          operationToken: TOKEN,
        },
      ],
    });
    assert.deepEqual(caller.pendingNexusOperations, [operation]);
    const handler = factsFromDescribe({
      workflowExecutionInfo: { execution: { workflowId: 'h', runId: 'hr' }, status: 1 },
      callbacks: [
        {
          callback: {
            nexus: { url: 'temporal://system' },
            links: [{ workflowEvent: { namespace: 'default', workflowId: 'caller-1', runId: 'run-1' } }],
          },
          state: CallbackState.CALLBACK_STATE_STANDBY,
        },
      ],
    });
    assert.deepEqual(handler.nexusCallers, [{ workflowId: 'caller-1', runId: 'run-1' }]);
  });

  it('is a healthy wait naming the operation while its workflow is not stalled', () => {
    const f = diagnose(facts({ pendingNexusOperations: [operation] }), NOW);
    assert.equal(f.verdict, 'healthy-wait');
    assert.equal(f.evidence.waitingOn, 'nexus-operation');
    assert.equal(
      f.evidence.summary,
      'Waiting on Nexus operation FixtureService.start_code_bug on endpoint payments (started, attempt 1; its workflow nexus-caller-eXDbmcfM-nexus is not stalled)',
    );
  });

  it('is blocked by the stalled workflow behind the operation, with that root cause remedy', () => {
    const blocker = codeBugBlocker(
      'h',
      'hr',
      'nexus-operation',
      'FixtureService.start_code_bug on endpoint payments',
    );
    const f = diagnose(facts({ pendingNexusOperations: [operation], blockers: [blocker] }), NOW);
    assert.equal(f.verdict, 'blocked');
    assert.equal(f.evidence.waitingOn, 'nexus-operation');
    assert.equal(f.evidence.blockedBy?.via, blocker.via);
    assert.match(
      f.evidence.summary,
      /^Waiting on Nexus operation FixtureService\.start_code_bug on endpoint payments, whose workflow h \(run hr\) is workflow-code-bug;/,
    );
    assert.deepEqual(f.remedy.target, { workflowId: 'h', runId: 'hr' });
    assert.equal(f.remedy.action, 'fix-code-restart-worker');
  });

  it('names the callers of a stalled handler workflow among the runs waiting on it', () => {
    const failing = facts({
      nexusCallers: [{ workflowId: 'caller-1', runId: 'run-1' }],
      pendingWorkflowTask: { state: 'scheduled', attempt: 1, scheduledTimeMs: NOW - 5 * MIN },
      workflowPollers: [],
    });
    const f = diagnose(failing, NOW);
    assert.equal(f.verdict, 'no-worker');
    assert.deepEqual(f.evidence.waitedOnBy, [{ workflowId: 'caller-1', runId: 'run-1' }]);
  });
});

// As describe (server 1.32) gave them for the Python SDK: a start handler raising RuntimeError, and an
// endpoint whose target task queue no worker polls for Nexus tasks.
const handlerRaises: PendingNexusOperationFact = {
  endpoint: 'payments',
  service: 'FixtureService',
  operation: 'start_fails',
  state: 'backing-off',
  attempt: 5,
  scheduledTimeMs: NOW - 2 * MIN,
  lastAttemptFailureMessage: 'Internal handler error',
  lastAttemptHandlerErrorType: 'INTERNAL',
  lastAttemptCause: { message: 'payments database is down', type: 'RuntimeError' },
  lastAttemptCompleteTimeMs: NOW - 6000,
  nextAttemptScheduleTimeMs: NOW + 8000,
};
const noHandler: PendingNexusOperationFact = {
  endpoint: 'payments',
  service: 'FixtureService',
  operation: 'start_fails',
  state: 'scheduled',
  attempt: 3,
  lastAttemptFailureMessage: 'upstream timeout',
  lastAttemptHandlerErrorType: 'UPSTREAM_TIMEOUT',
};

describe('a Nexus operation that cannot start', () => {
  it('converts describe: the handler error type, what the handler raised, the next attempt and a blocked reason', () => {
    const { PendingNexusOperationState } = proto.temporal.api.enums.v1;
    const ts = (ms: number) => ({ seconds: String(Math.floor(ms / 1000)), nanos: 0 });
    const { DescribeWorkflowExecutionResponse } = proto.temporal.api.workflowservice.v1;
    const caller = factsFromDescribe(
      DescribeWorkflowExecutionResponse.fromObject({
        workflowExecutionInfo: { execution: { workflowId: 'caller-1', runId: 'run-1' }, status: 1 },
        pendingNexusOperations: [
          {
            endpoint: 'payments',
            service: 'FixtureService',
            operation: 'start_fails',
            state: PendingNexusOperationState.PENDING_NEXUS_OPERATION_STATE_BACKING_OFF,
            attempt: 5,
            scheduledTime: ts(NOW - 2 * MIN),
            lastAttemptCompleteTime: ts(NOW - 6000),
            nextAttemptScheduleTime: ts(NOW + 8000),
            lastAttemptFailure: {
              message: 'Internal handler error',
              nexusHandlerFailureInfo: { type: 'INTERNAL' },
              cause: {
                message: 'payments database is down',
                applicationFailureInfo: { type: 'RuntimeError' },
              },
            },
          },
          {
            endpoint: 'payments',
            service: 'FixtureService',
            operation: 'start_fails',
            state: PendingNexusOperationState.PENDING_NEXUS_OPERATION_STATE_BLOCKED,
            attempt: 9,
            blockedReason: 'The circuit breaker is open.',
          },
        ],
      }),
    );
    assert.deepEqual(caller.pendingNexusOperations, [
      handlerRaises,
      {
        endpoint: 'payments',
        service: 'FixtureService',
        operation: 'start_fails',
        state: 'blocked',
        attempt: 9,
        blockedReason: 'The circuit breaker is open.',
      },
    ]);
  });

  it('is nexus-operation-failing when the start handler raises, naming the operation, endpoint, attempt and failure', () => {
    const f = diagnose(facts({ pendingNexusOperations: [handlerRaises] }), NOW, { retryStormAttempts: 3 });
    assert.equal(f.verdict, 'nexus-operation-failing');
    assert.equal(f.stalled, true);
    assert.equal(
      f.evidence.summary,
      'Nexus operation FixtureService.start_fails on endpoint payments cannot start: attempt 5 (backing-off), ' +
        'last failure: INTERNAL: Internal handler error: RuntimeError: payments database is down; next attempt in 8 s',
    );
    assert.deepEqual(f.evidence.nexusOperation, {
      endpoint: 'payments',
      service: 'FixtureService',
      operation: 'start_fails',
      state: 'backing-off',
      attempt: 5,
      lastFailureMessage: 'Internal handler error',
      handlerErrorType: 'INTERNAL',
      cause: { message: 'payments database is down', type: 'RuntimeError' },
      nextAttemptAtMs: NOW + 8000,
    });
    assert.equal(f.remedy.action, 'fix-code-restart-worker');
    assert.match(
      f.remedy.text,
      /Nexus handler of FixtureService\.start_fails on endpoint payments fails on start/,
    );
    assert.match(f.remedy.text, /temporal operator nexus endpoint get --name payments/);
    // The handler may live in another project or namespace: DebugStalled act leaves it to a person.
    const plan = planRemedies([f], { nonDeterminism: 'terminate', rerun: false, newId: () => 'x' });
    assert.deepEqual([plan.actions[0]?.remedy, plan.actions[0]?.why], ['manual', f.remedy.text]);
    assert.equal(planNeedsWorker(plan), false);
  });

  it('asks for the handler worker when no handler answers in time (UPSTREAM_TIMEOUT)', () => {
    const f = diagnose(facts({ pendingNexusOperations: [noHandler] }), NOW);
    assert.equal(f.verdict, 'nexus-operation-failing');
    assert.match(
      f.evidence.summary,
      /attempt 3 \(scheduled\), last failure: UPSTREAM_TIMEOUT: upstream timeout$/,
    );
    assert.equal(f.remedy.action, 'start-worker');
    assert.match(f.remedy.text, /No Nexus handler answered .* with service "FixtureService" registered/);
  });

  it("names the endpoint's target queue and that no worker polls it for Nexus tasks", () => {
    const routed = {
      ...noHandler,
      endpointTarget: { namespace: 'default', taskQueue: 'ledger' },
      handlerPollers: [],
    };
    const f = diagnose(facts({ pendingNexusOperations: [routed] }), NOW);
    assert.match(
      f.evidence.summary,
      /; the endpoint routes it to task queue "ledger" in namespace default, where no worker polls for Nexus tasks \(no poller on the queue\)$/,
    );
    assert.deepEqual(f.evidence.nexusOperation?.target, { namespace: 'default', taskQueue: 'ledger' });
    assert.deepEqual(f.evidence.nexusOperation?.handlerPollers, []);
    assert.equal(f.remedy.action, 'start-worker');
    assert.match(f.remedy.text, /start the worker that polls task queue "ledger" in namespace default/);
  });

  it('reads an upstream timeout with a live Nexus poller as a slow or overloaded handler, not a missing worker', () => {
    const polled = {
      ...noHandler,
      endpointTarget: { namespace: 'default', taskQueue: 'ledger' },
      handlerPollers: [{ identity: '91@vm', lastAccessTimeMs: NOW - 2000 }],
    };
    const f = diagnose(facts({ pendingNexusOperations: [polled] }), NOW);
    assert.match(
      f.evidence.summary,
      /routes it to task queue "ledger" in namespace default, polled for Nexus tasks by 91@vm$/,
    );
    assert.equal(f.remedy.action, 'inspect-worker');
    assert.match(f.remedy.text, /start handler is too slow/);
  });

  it('says the server holds an operation back behind an open circuit breaker, at any attempt', () => {
    const blocked = {
      ...noHandler,
      state: 'blocked',
      attempt: 1,
      blockedReason: 'The circuit breaker is open.',
    };
    const f = diagnose(facts({ pendingNexusOperations: [blocked] }), NOW);
    assert.equal(f.verdict, 'nexus-operation-failing');
    assert.match(
      f.evidence.summary,
      /is held back by the server \(The circuit breaker is open\.\), attempt 1/,
    );
    assert.equal(f.remedy.action, 'inspect-worker');
  });

  it('stays a healthy wait below the retry threshold, and for a started operation whatever its past failures', () => {
    const early = diagnose(facts({ pendingNexusOperations: [{ ...handlerRaises, attempt: 2 }] }), NOW);
    assert.equal(early.verdict, 'healthy-wait');
    assert.equal(early.evidence.waitingOn, 'nexus-operation');
    const started = diagnose(
      facts({ pendingNexusOperations: [{ ...handlerRaises, state: 'started' }] }),
      NOW,
    );
    assert.equal(started.verdict, 'healthy-wait');
  });

  it('reads an endpoint the server does not know from the workflow task failure cause, not its text', () => {
    const failure: WorkflowTaskFailureFact = {
      eventId: 4,
      timeMs: NOW - MIN,
      cause: 'BAD_SCHEDULE_NEXUS_OPERATION_ATTRIBUTES',
      message: 'BadScheduleNexusOperationAttributes: endpoint "payments" not found',
    };
    const f = diagnose(
      facts({
        lastWorkflowTaskFailure: failure,
        lastEventType: 'WorkflowTaskFailed',
        pendingWorkflowTask: { state: 'scheduled', attempt: 4, scheduledTimeMs: NOW - 5000 },
      }),
      NOW,
    );
    assert.equal(f.verdict, 'nexus-operation-failing');
    assert.equal(f.evidence.failureMessage, failure.message);
    assert.equal(f.remedy.action, 'fix-code-restart-worker');
    assert.match(f.remedy.text, /temporal operator nexus endpoint create/);
    // The same words under another cause are not read as a missing endpoint.
    const other = diagnose(
      facts({
        lastWorkflowTaskFailure: { ...failure, cause: 'WORKFLOW_WORKER_UNHANDLED_FAILURE' },
        pendingWorkflowTask: { state: 'scheduled', attempt: 4, scheduledTimeMs: NOW - 5000 },
      }),
      NOW,
    );
    assert.equal(other.verdict, 'workflow-code-bug');
  });
});
