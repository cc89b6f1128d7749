// A workflow waiting on a Nexus operation whose workflow stalls, on a real Python worker (caller and
// handler) and a real Nexus endpoint of the dev server: the caller is blocked by that workflow, which
// names the caller among the runs waiting on it.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Finding } from '../../src/contract/verdicts.js';
import { analyzeWorkflow } from '../../src/inspect/analyze.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import {
  nexusEndpointCli,
  startFixtureWorker,
  sweepFindings,
  terminateAll,
  uniqueEndpoint,
  uniqueId,
  waitUntil,
} from './diagnosis-fixture.js';

let h: Harness;
const queue = uniqueQueue('nexus');
const opsQueue = uniqueQueue('ops-nexus');
const endpoint = uniqueEndpoint('fixture-endpoint');
const policy = { noWorkerAfterMs: 2000, retryStormAttempts: 3 };
const ids = { caller: uniqueId('nexus-caller') };
const handler = `${ids.caller}-nexus`;

async function describeRun(workflowId: string) {
  return h.client.workflowService.describeWorkflowExecution({
    namespace: 'default',
    execution: { workflowId, runId: '' },
  });
}

const sweepQueue = () => sweepFindings(h.client, { taskQueue: queue, opsTaskQueue: opsQueue, policy });

const cli = nexusEndpointCli;

before(async () => {
  h = await createHarness();
  await cli('create', '--name', endpoint, '--target-namespace', 'default', '--target-task-queue', queue);
  await startFixtureWorker(h, { project: uniqueId('nexus'), taskQueue: queue });
  await h.client.workflow.start('WaitsOnNexus', {
    taskQueue: queue,
    workflowId: ids.caller,
    args: [{ endpoint }],
  });
});

after(async () => {
  await terminateAll(h.client, [...Object.values(ids), handler]);
  await cli('delete', '--name', endpoint).catch(() => undefined);
  await h.cleanup();
});

describe('a workflow waiting on a Nexus operation', () => {
  it('is blocked by the stalled workflow its operation started, which names its caller', async () => {
    let last: Map<string, Finding> | undefined;
    const found = await waitUntil(
      'the caller to be found blocked',
      async () => {
        last = await sweepQueue();
        return last.get(ids.caller)?.verdict === 'blocked' ? last : undefined;
      },
      60_000,
      1000,
    ).catch((error: Error) => {
      throw new Error(
        `${error.message}\n${JSON.stringify([...(last?.values() ?? [])].map((f) => [f.workflowId, f.verdict, f.evidence.summary]))}`,
      );
    });
    const handlerRun = (await describeRun(handler)).workflowExecutionInfo?.execution?.runId;
    const callerRun = (await describeRun(ids.caller)).workflowExecutionInfo?.execution?.runId;
    const caller = found.get(ids.caller)!;
    assert.equal(caller.stalled, true);
    const by = caller.evidence.blockedBy!;
    assert.deepEqual(
      [by.relation, by.workflowId, by.runId, by.verdict, by.via],
      [
        'nexus-operation',
        handler,
        handlerRun,
        'workflow-code-bug',
        `FixtureService.start_code_bug on endpoint ${endpoint}`,
      ],
    );
    assert.equal(caller.evidence.waitingOn, 'nexus-operation');
    assert.match(
      caller.evidence.summary,
      new RegExp(`Nexus operation FixtureService\\.start_code_bug .*whose workflow ${handler}`),
    );
    assert.equal(caller.remedy.action, 'fix-code-restart-worker');
    assert.deepEqual(caller.remedy.target, { workflowId: handler, runId: handlerRun });
    // The root cause says who waits on it, from its Nexus completion callback.
    const root = found.get(handler)!;
    assert.equal(root.verdict, 'workflow-code-bug');
    assert.deepEqual(root.evidence.waitedOnBy, [{ workflowId: ids.caller, runId: callerRun }]);

    const analysis = await analyzeWorkflow(h.client, { workflowId: ids.caller }, { policy });
    assert.equal(analysis.finding.verdict, 'blocked');
    assert.equal(analysis.finding.evidence.blockedBy?.workflowId, handler);
  });
});
