// A run waiting on another workflow it signalled, which the server records no link for, on a real
// Python worker: analysed alone, the healthy wait names the workflow it signalled last and what that
// workflow's own diagnosis says (stalled, running, or gone); a sweep still never flags the wait.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Finding } from '../../src/contract/verdicts.js';
import { analyzeWorkflow } from '../../src/inspect/analyze.js';
import { sweep } from '../../src/inspect/sweep.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import { startFixtureWorker, terminateAll, uniqueId, waitUntil } from './diagnosis-fixture.js';

let h: Harness;
const queue = uniqueQueue('external');
const opsQueue = uniqueQueue('ops-external');
const policy = { noWorkerAfterMs: 2000, retryStormAttempts: 3 };
const ids = {
  brokenPeer: uniqueId('broken-peer'),
  askBroken: uniqueId('asks-broken'),
  healthyPeer: uniqueId('healthy-peer'),
  askHealthy: uniqueId('asks-healthy'),
  gonePeer: uniqueId('gone-peer'),
  askGone: uniqueId('asks-gone'),
};

async function describeRun(workflowId: string) {
  return h.client.workflowService.describeWorkflowExecution({
    namespace: 'default',
    execution: { workflowId, runId: '' },
  });
}

/**
 * Waits until the asking run has delivered its signal and completed the workflow task after it: started,
 * a task, the signal initiated and delivered, a task (9 events).
 */
async function signalled(workflowId: string): Promise<void> {
  await waitUntil(
    `${workflowId} to wait after its signal`,
    async () => {
      const d = await describeRun(workflowId);
      return !d.pendingWorkflowTask && Number(d.workflowExecutionInfo?.historyLength) >= 9 ? true : undefined;
    },
    30_000,
    200,
  );
}

const analyze = async (workflowId: string) =>
  (await analyzeWorkflow(h.client, { workflowId }, { policy })).finding;

before(async () => {
  h = await createHarness();
  await startFixtureWorker(h, { project: uniqueId('external'), taskQueue: queue });
  const start = (type: string, workflowId: string, args: unknown[] = [{}]) =>
    h.client.workflow.start(type, { taskQueue: queue, workflowId, args });
  await start('CodeBug', ids.brokenPeer);
  await start('WaitsForSignal', ids.healthyPeer);
  await start('WaitsForSignal', ids.gonePeer);
  await start('AsksPeer', ids.askBroken, [{ peer: ids.brokenPeer }]);
  await start('AsksPeer', ids.askHealthy, [{ peer: ids.healthyPeer }]);
  await start('AsksPeer', ids.askGone, [{ peer: ids.gonePeer }]);
  await Promise.all([ids.askBroken, ids.askHealthy, ids.askGone].map(signalled));
  await h.client.workflow.getHandle(ids.gonePeer).terminate('test: the peer is gone');
});

after(async () => {
  await terminateAll(h.client, Object.values(ids));
  await h.cleanup();
});

describe('a run waiting on a workflow it signalled', () => {
  it('is a healthy wait that names the stalled workflow it signalled last, with that verdict', async () => {
    const brokenRun = (await describeRun(ids.brokenPeer)).workflowExecutionInfo?.execution?.runId;
    const f = await waitUntil(
      'the signalled peer to be judged stalled',
      async () => {
        const found = await analyze(ids.askBroken);
        return found.evidence.lastSignalSent?.target?.running && found.evidence.lastSignalSent.target.stalled
          ? found
          : undefined;
      },
      30_000,
      500,
    );
    assert.equal(f.verdict, 'healthy-wait');
    assert.equal(f.stalled, false);
    assert.equal(f.confidence, 'medium');
    assert.equal(f.evidence.waitingOn, 'signal-or-update');
    const sent = f.evidence.lastSignalSent!;
    assert.deepEqual([sent.workflowId, sent.signalName, sent.outcome], [ids.brokenPeer, 'ask', 'delivered']);
    assert.deepEqual(sent.target, {
      running: true,
      runId: brokenRun,
      workflowType: 'CodeBug',
      verdict: 'workflow-code-bug',
      stalled: true,
    });
    assert.match(
      f.evidence.summary,
      new RegExp(
        `^Waiting for a signal or an update; the last signal it sent \\("ask", event \\d+\\) went to workflow ${ids.brokenPeer}, ` +
          `which is stalled \\(workflow-code-bug, run ${brokenRun}\\): if this run waits on an answer from it, look there`,
      ),
    );
    assert.equal(f.remedy.action, 'none');
  });

  it('says a signalled workflow that runs healthily, or no longer runs, is so', async () => {
    const healthy = await analyze(ids.askHealthy);
    assert.equal(healthy.verdict, 'healthy-wait');
    assert.equal(healthy.confidence, 'high');
    assert.deepEqual(healthy.evidence.lastSignalSent?.target, {
      running: true,
      runId: (await describeRun(ids.healthyPeer)).workflowExecutionInfo?.execution?.runId,
      workflowType: 'WaitsForSignal',
      verdict: 'healthy-wait',
      stalled: false,
    });
    assert.match(healthy.evidence.summary, /, which is running \(healthy-wait\): /);
    const gone = await analyze(ids.askGone);
    assert.equal(gone.verdict, 'healthy-wait');
    assert.equal(gone.confidence, 'medium');
    assert.deepEqual(gone.evidence.lastSignalSent?.target, { running: false });
    assert.match(
      gone.evidence.summary,
      new RegExp(`went to workflow ${ids.gonePeer}, which no longer runs: `),
    );
  });

  it('is never flagged by a sweep, which reads no history of idle runs', async () => {
    const found = new Map<string, Finding>();
    for await (const item of sweep(h.client, { taskQueue: queue, opsTaskQueue: opsQueue, policy })) {
      assert.notEqual(item.kind, 'error', JSON.stringify(item));
      if (item.kind === 'finding') found.set(item.finding.workflowId, item.finding);
    }
    for (const id of [ids.askBroken, ids.askHealthy, ids.askGone]) {
      assert.equal(found.get(id)?.verdict, 'healthy-wait', id);
      assert.equal(found.get(id)?.stalled, false, id);
    }
    assert.equal(found.get(ids.brokenPeer)?.verdict, 'workflow-code-bug');
  });
});
