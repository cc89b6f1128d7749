// A run waiting on another workflow it signalled, which the server records no link for, on a real
// Python worker: analysed alone, it is blocked by the workflow it signalled last when that one is
// stalled (medium confidence), and a healthy wait naming it when it runs healthily or is gone; a
// sweep, which reads no history of idle runs, never flags the wait.
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
  it('is blocked by the stalled workflow it signalled last (inferred: medium confidence), with its root cause and remedy', async () => {
    const brokenRun = (await describeRun(ids.brokenPeer)).workflowExecutionInfo?.execution?.runId;
    const f = await waitUntil(
      'the signalled peer to be judged stalled',
      async () => {
        const found = await analyze(ids.askBroken);
        return found.verdict === 'blocked' ? found : undefined;
      },
      30_000,
      500,
    );
    assert.equal(f.stalled, true);
    assert.equal(f.confidence, 'medium');
    assert.equal(f.evidence.waitingOn, 'signal-or-update');
    const by = f.evidence.blockedBy!;
    assert.deepEqual(
      [by.workflowId, by.runId, by.workflowType, by.relation, by.verdict],
      [ids.brokenPeer, brokenRun, 'CodeBug', 'signalled-workflow', 'workflow-code-bug'],
    );
    assert.match(by.via ?? '', /^signal "ask" \(event \d+\)$/);
    assert.equal(by.rootCause.workflowId, ids.brokenPeer);
    assert.match(
      f.evidence.summary,
      new RegExp(
        `^Waiting for a signal or an update since it signalled workflow ${ids.brokenPeer} \\(run ${brokenRun}\\) last ` +
          `\\(signal "ask" \\(event \\d+\\)\\), most likely for its answer \\(the server records no link\\); that workflow is workflow-code-bug`,
      ),
    );
    // The root cause's remedy, aimed at the root cause.
    assert.equal(f.remedy.action, by.rootCause.remedy.action);
    assert.notEqual(f.remedy.action, 'none');
    assert.equal(f.remedy.target?.workflowId, ids.brokenPeer);
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
