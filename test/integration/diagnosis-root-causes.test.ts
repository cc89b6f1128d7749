// Root causes, not symptoms, on real Python workers: a parent and a grandparent waiting on a child
// whose workflow code raises, an activity paused with `temporal activity pause`, and a worker whose
// only activity slot is taken while more activities queue behind it; update handlers that raise.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowUpdateStage } from '@temporalio/client';
import { execa } from 'execa';
import { planRemedies } from '../../src/diagnosis/remedy-plan.js';
import type { Finding } from '../../src/contract/verdicts.js';
import { analyzeWorkflow } from '../../src/inspect/analyze.js';
import { sweep } from '../../src/inspect/sweep.js';
import { venvBin } from '../../src/host/projects/example.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { startFixtureWorker, terminateAll, uniqueId, waitUntil } from './diagnosis-fixture.js';

let h: Harness;
const queue = uniqueQueue('roots');
const busyQueue = uniqueQueue('busy');
const opsQueue = uniqueQueue('ops-roots');
const policy = { noWorkerAfterMs: 2000, retryStormAttempts: 3 };
const ids = {
  parent: uniqueId('parent'),
  grandparent: uniqueId('grandparent'),
  paused: uniqueId('paused'),
  holder: uniqueId('holder'),
  queued: uniqueId('queued'),
  queuedToo: uniqueId('queued-too'),
  updateLater: uniqueId('update-later'),
};
const UPDATE_ID = uniqueId('explode-later');
const child = `${ids.parent}-child`;
const middle = `${ids.grandparent}-child`;
const grandchild = `${ids.grandparent}-child-child`;
const PAUSED_BY = 'oncall-ana';
const PAUSE_REASON = 'downstream maintenance until noon';

async function describeRun(workflowId: string) {
  return h.client.workflowService.describeWorkflowExecution({
    namespace: 'default',
    execution: { workflowId, runId: '' },
  });
}

async function sweepQueue(taskQueue: string): Promise<Map<string, Finding>> {
  const found = new Map<string, Finding>();
  for await (const item of sweep(h.client, { taskQueue, opsTaskQueue: opsQueue, policy })) {
    assert.notEqual(item.kind, 'error', JSON.stringify(item));
    if (item.kind === 'finding') found.set(item.finding.workflowId, item.finding);
  }
  return found;
}

/** RetryStorm's failing activity, paused by hand once it has failed at least twice. */
async function pauseFailingActivity(): Promise<void> {
  const activityId = await waitUntil(
    'the failing activity to be retried',
    async () => {
      const a = (await describeRun(ids.paused)).pendingActivities?.[0];
      return a && (a.attempt ?? 0) >= 2 ? a.activityId! : undefined;
    },
    30_000,
    200,
  );
  await execa(join(venvBin, 'temporal'), [
    'activity',
    'pause',
    '--address',
    testTarget().address,
    '--namespace',
    'default',
    '--workflow-id',
    ids.paused,
    '--activity-id',
    activityId,
    '--identity',
    PAUSED_BY,
    '--reason',
    PAUSE_REASON,
  ]);
}

/** One LongActivity takes the busy worker's only slot; two more queue behind it. */
async function saturateWorker(): Promise<void> {
  await h.client.workflow.start('LongActivity', { taskQueue: busyQueue, workflowId: ids.holder, args: [{}] });
  await waitUntil(
    'the holder activity to start',
    async () => ((await describeRun(ids.holder)).pendingActivities?.[0]?.lastStartedTime ? true : undefined),
    30_000,
    200,
  );
  for (const workflowId of [ids.queued, ids.queuedToo])
    await h.client.workflow.start('LongActivity', { taskQueue: busyQueue, workflowId, args: [{}] });
}

before(async () => {
  h = await createHarness();
  await Promise.all([
    startFixtureWorker(h, { project: uniqueId('roots'), taskQueue: queue }),
    startFixtureWorker(h, {
      project: uniqueId('busy'),
      taskQueue: busyQueue,
      env: { FIXTURE_MAX_ACTIVITIES: '1' },
    }),
  ]);
  await h.client.workflow.start('WaitsOnChild', { taskQueue: queue, workflowId: ids.parent, args: [{}] });
  await h.client.workflow.start('WaitsOnChild', {
    taskQueue: queue,
    workflowId: ids.grandparent,
    args: [{ depth: 2 }],
  });
  await h.client.workflow.start('RetryStorm', { taskQueue: queue, workflowId: ids.paused });
  await h.client.workflow.start('UpdateHandlerBug', { taskQueue: queue, workflowId: ids.updateLater });
  // Accepted (history records its ID), then its handler raises after a timer.
  await h.client.workflow.getHandle(ids.updateLater).startUpdate('explode-later', {
    args: ['kaboom'],
    updateId: UPDATE_ID,
    waitForStage: WorkflowUpdateStage.ACCEPTED,
  });
  await Promise.all([pauseFailingActivity(), saturateWorker()]);
});

after(async () => {
  await terminateAll(h.client, Object.values(ids));
  await h.cleanup();
});

describe('root causes on real Python workers', () => {
  it('calls a parent and a grandparent of a child whose workflow code raises blocked, naming the root cause', async () => {
    const found = await waitUntil(
      'the parents to be found blocked',
      async () => {
        const f = await sweepQueue(queue);
        return f.get(ids.parent)?.verdict === 'blocked' && f.get(ids.grandparent)?.verdict === 'blocked'
          ? f
          : undefined;
      },
      60_000,
      1000,
    );
    const childRun = (await describeRun(child)).workflowExecutionInfo?.execution?.runId;
    const parent = found.get(ids.parent)!;
    assert.equal(parent.stalled, true);
    assert.equal(parent.evidence.blockedBy?.workflowId, child);
    assert.equal(parent.evidence.blockedBy?.runId, childRun);
    assert.equal(parent.evidence.blockedBy?.verdict, 'workflow-code-bug');
    assert.match(parent.evidence.summary, new RegExp(child));
    assert.equal(parent.remedy.action, 'fix-code-restart-worker');
    assert.deepEqual(parent.remedy.target, { workflowId: child, runId: childRun });

    const grandparent = found.get(ids.grandparent)!;
    assert.equal(grandparent.evidence.blockedBy?.workflowId, middle);
    assert.equal(grandparent.evidence.blockedBy?.verdict, 'blocked');
    assert.equal(grandparent.evidence.blockedBy?.rootCause.workflowId, grandchild);
    assert.equal(grandparent.evidence.blockedBy?.rootCause.verdict, 'workflow-code-bug');
    assert.deepEqual(grandparent.evidence.blockedBy?.rootCause.chain, [middle, grandchild]);
    assert.equal(grandparent.remedy.action, 'fix-code-restart-worker');
    assert.equal(grandparent.remedy.target?.workflowId, grandchild);

    // The root causes say who waits on them; the sweep lists the children too (same queue).
    const root = found.get(child)!;
    assert.equal(root.verdict, 'workflow-code-bug');
    assert.deepEqual(
      root.evidence.waitedOnBy?.map((r) => r.workflowId),
      [ids.parent],
    );
    const deepRoot = found.get(grandchild)!;
    assert.equal(deepRoot.verdict, 'workflow-code-bug');
    assert.deepEqual(
      deepRoot.evidence.waitedOnBy?.map((r) => r.workflowId),
      [middle, ids.grandparent],
    );
    assert.equal(found.get(middle)?.verdict, 'blocked');
  });

  it('finds the same blocker when one parent is analyzed alone', async () => {
    const analysis = await analyzeWorkflow(h.client, { workflowId: ids.grandparent }, { policy });
    assert.equal(analysis.finding.verdict, 'blocked');
    assert.equal(analysis.finding.evidence.blockedBy?.rootCause.workflowId, grandchild);
    assert.match(analysis.finding.remedy.text, /Fix the exception in workflow "CodeBug"/);
  });

  it('reports an activity paused by hand as activity-paused with who, when and why, never as a retry storm', async () => {
    const found = await waitUntil(
      'the paused activity to be seen paused',
      async () => {
        const f = (await sweepQueue(queue)).get(ids.paused);
        return f?.evidence.activity?.pause ? f : undefined;
      },
      30_000,
      500,
    );
    assert.equal(found.verdict, 'activity-paused', found.evidence.summary);
    assert.equal(found.stalled, true);
    const pause = found.evidence.activity?.pause;
    assert.equal(pause?.identity, PAUSED_BY);
    assert.equal(pause?.reason, PAUSE_REASON);
    assert.ok((pause?.timeMs ?? 0) > 0);
    assert.ok((found.evidence.activity?.attempt ?? 0) >= 2);
    assert.match(found.evidence.summary, new RegExp(`paused by ${PAUSED_BY}`));
    assert.equal(found.remedy.action, 'unpause-activity');
    assert.match(found.remedy.text, /temporal activity unpause/);
  });

  it('calls a worker whose only activity slot is taken saturated, never no-worker, naming the slot holder', async () => {
    const seen: string[] = [];
    const found = await waitUntil(
      'the queued activities to be judged',
      async () => {
        const f = await sweepQueue(busyQueue);
        const queued = [f.get(ids.queued), f.get(ids.queuedToo)];
        for (const q of queued) if (q) seen.push(q.verdict);
        // Until the worker's last activity poll ages out, the queue simply looks busy.
        return queued.every((q) => q && q.verdict !== 'healthy-wait') ? queued : undefined;
      },
      150_000,
      2000,
    );
    assert.ok(!seen.includes('no-worker'), seen.join(', '));
    const holderActivity = (await describeRun(ids.holder)).pendingActivities?.[0];
    for (const q of found) {
      assert.equal(q?.verdict, 'worker-saturated', q?.evidence.summary);
      const s = q!.evidence.saturation!;
      assert.equal(s.workerIdentity, holderActivity?.lastWorkerIdentity);
      assert.deepEqual(
        s.holding.map((x) => [x.workflowId, x.activityId]),
        [[ids.holder, holderActivity?.activityId]],
      );
      if (s.backlogCount !== undefined) assert.ok(s.backlogCount >= 1, String(s.backlogCount));
      assert.equal(q!.remedy.action, 'raise-worker-slots');
      assert.match(q!.remedy.text, new RegExp(`"heartbeat_forever" of workflow ${ids.holder}`));
    }
    const plan = planRemedies(found as Finding[], {
      nonDeterminism: 'terminate',
      rerun: false,
      newId: () => 'x',
    });
    for (const a of plan.actions) assert.equal(a.remedy, 'manual', a.why);
    assert.equal(plan.workerQueue, undefined);
  });

  it('names the update handler whose exception fails the workflow task, and the accepted update ID', async () => {
    let last: Finding | undefined;
    const found = await waitUntil(
      'the update handler to fail its workflow task',
      async () => {
        last = (await sweepQueue(queue)).get(ids.updateLater);
        return last?.evidence.handler ? last : undefined;
      },
      60_000,
      1000,
    ).catch((error: Error) => {
      throw new Error(`${error.message}\n${JSON.stringify(last?.evidence)}`);
    });
    assert.equal(found.verdict, 'workflow-code-bug');
    assert.deepEqual(found.evidence.handler, {
      kind: 'update',
      functionName: 'explode_later',
      updateName: 'explode-later',
      updateId: UPDATE_ID,
    });
    assert.match(found.evidence.summary, new RegExp(`update handler explode_later .*ID ${UPDATE_ID}`));
  });
});
