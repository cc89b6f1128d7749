// Nexus operations: the workflow a workflow-run operation token names, a caller blocked by the stalled
// workflow behind its operation, and the root cause naming its callers.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import proto from '@temporalio/proto';
import {
  diagnose,
  type BlockerFact,
  type PendingNexusOperationFact,
  type WorkflowFacts,
} from '../../src/diagnosis/index.js';
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
    const remedy = { action: 'fix-code-restart-worker' as const, text: 'Fix CodeBug.', autoRecovers: true };
    const blocker: BlockerFact = {
      workflowId: 'h',
      runId: 'hr',
      workflowType: 'CodeBug',
      relation: 'nexus-operation',
      via: 'FixtureService.start_code_bug on endpoint payments',
      verdict: 'workflow-code-bug',
      summary: 'boom',
      rootCause: {
        workflowId: 'h',
        runId: 'hr',
        workflowType: 'CodeBug',
        verdict: 'workflow-code-bug',
        summary: 'boom',
        remedy,
        chain: ['h'],
      },
    };
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
