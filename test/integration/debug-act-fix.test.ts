// DebugStalled with act on fixes that need a code change: the code bug and the retry storm are
// fixed by really editing the project while the recipe waits; the same runs resume and complete
// after one worker restart. Healthy waits are never touched; a rejected plan applies nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { CancelledFailure, WorkflowFailedError } from '@temporalio/client';
import { eventTypeName } from '../../src/inspect/history.js';
import type { PendingApproval } from '../../workflows/clear-stalled-environment.js';
import type { DebugStalledReport } from '../../workflows/debug-stalled.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import {
  actInput,
  copyFixtures,
  fixWaitShown,
  startCopyWorker,
  startDebug,
  workflowTaskFailed,
  type FixtureCopy,
} from './debug-act-fixture.js';
import { terminateAll, uniqueId, waitUntil } from './diagnosis-fixture.js';

let h: Harness;
let copy: FixtureCopy;
const queue = uniqueQueue('act-fix');
const ids = {
  bug: uniqueId('codebug'),
  storm: uniqueId('storm'),
  signal: uniqueId('waits-signal'),
  timer: uniqueId('waits-timer'),
};
const runIds: Record<string, string> = {};
let workerPid = 0;

before(async () => {
  h = await createHarness();
  copy = await copyFixtures('act-fix');
  workerPid = (await startCopyWorker(h, copy, queue)).pid;
  for (const [name, type] of [
    ['bug', 'CodeBug'],
    ['storm', 'RetryStorm'],
    ['signal', 'WaitsForSignal'],
    ['timer', 'WaitsForTimer'],
  ] as const) {
    const handle = await h.client.workflow.start(type, {
      taskQueue: queue,
      workflowId: ids[name],
      args: [{}],
    });
    runIds[name] = handle.firstExecutionRunId;
  }
  await waitUntil(
    'the retry storm to reach attempt 3',
    async () => {
      const d = await h.client.workflow.getHandle(ids.storm).describe();
      return (d.raw.pendingActivities?.[0]?.attempt ?? 0) >= 3 ? true : undefined;
    },
    30_000,
  );
});

after(async () => {
  await terminateAll(h.client, Object.values(ids));
  await h.cleanup();
});

async function status(workflowId: string): Promise<string> {
  return (await h.client.workflow.getHandle(workflowId).describe()).status.name;
}

function pendingPlan(handle: { query: (name: string) => Promise<unknown> }): Promise<PendingApproval> {
  return waitUntil(
    'the remedy plan to wait for approval',
    async () => ((await handle.query('pendingApproval')) as PendingApproval | null) ?? undefined,
    90_000,
  );
}

describe('DebugStalled act: code fixes', () => {
  it('shows the plan, rejects a wrong plan ID, and applies nothing when the plan is rejected', async () => {
    const report = await h.withControlWorker(async () => {
      const handle = await startDebug(h, actInput(copy, { taskQueue: queue, waitForFixSeconds: 300 }));
      const pending = await pendingPlan(handle);
      assert.equal(pending.kind, 'remedies');
      assert.equal(pending.actions, 2);
      assert.match(pending.plan, new RegExp(`\`${ids.bug}\` .*\\*\\*restart-worker\\*\\*`));
      assert.match(pending.plan, new RegExp(`\`${ids.storm}\` .*\\*\\*restart-worker\\*\\*`));
      assert.doesNotMatch(pending.plan, new RegExp(`${ids.signal}|${ids.timer}`));
      assert.match(pending.plan, new RegExp(`after a code change in ${copy.dir}`));
      await assert.rejects(
        handle.executeUpdate('approve', { args: [{ planId: 'wrong', approve: true }] }),
        (error: Error) =>
          /planId: expected "\w+", got "wrong"/.test(String((error.cause as Error | undefined)?.message)),
      );
      await handle.executeUpdate('approve', {
        args: [{ planId: pending.planId, approve: false, by: 'test' }],
      });
      return (await handle.result()) as DebugStalledReport;
    });
    assert.equal(report.ok, false);
    assert.deepEqual(report.approval, { by: 'test', approved: false, planId: report.approval?.planId });
    assert.match(report.problem ?? '', /plan rejected by test; nothing was touched/);
    assert.deepEqual(
      report.actions?.map((a) => [a.workflowId, a.remedy, a.applied, a.verified]).sort(),
      [
        [ids.bug, 'restart-worker', false, false],
        [ids.storm, 'restart-worker', false, false],
      ].sort(),
    );
    assert.equal(report.steps.find((s) => s.name === 'ensure-worker')?.outcome, 'skipped');
    for (const id of Object.values(ids)) assert.equal(await status(id), 'RUNNING', id);
    // The worker the test started still runs: nothing was restarted.
    assert.doesNotThrow(() => process.kill(workerPid, 0));
  });

  it('ends CANCELED when cancelled while it waits for the fix, with the actions (none applied) in memo', async () => {
    const { failure, memo } = await h.withControlWorker(async () => {
      const handle = await startDebug(
        h,
        actInput(copy, { taskQueue: queue, autoApprove: true, waitForFixSeconds: 300 }),
      );
      await fixWaitShown(handle, copy);
      await handle.cancel();
      const failure = await handle.result().then(
        () => undefined,
        (e: unknown) => e,
      );
      return { failure, memo: (await handle.describe()).memo };
    });
    assert.ok(failure instanceof WorkflowFailedError);
    assert.ok(failure.cause instanceof CancelledFailure);
    assert.equal(memo?.opsOutcome, 'canceled');
    const saved = memo?.opsReport as DebugStalledReport;
    assert.deepEqual(
      saved.actions?.map((a) => [a.workflowId, a.applied]).sort(),
      [
        [ids.bug, false],
        [ids.storm, false],
      ].sort(),
    );
    assert.equal(saved.steps.find((s) => s.name === 'wait-fix')?.outcome, 'canceled');
    assert.doesNotThrow(() => process.kill(workerPid, 0), 'the worker was not restarted');
  });

  it('waits for the code change, restarts the worker once, and the same runs resume and complete', async () => {
    const report = await h.withControlWorker(async () => {
      const handle = await startDebug(
        h,
        actInput(copy, { taskQueue: queue, autoApprove: true, waitForFixSeconds: 300, verifySeconds: 120 }),
      );
      await fixWaitShown(handle, copy);
      // The developer fixes both bugs while the recipe waits.
      await copy.edit(
        'workflows.py',
        'raise RuntimeError("boom in workflow code")',
        'return {"status": "fixed"}',
      );
      await copy.edit('activities.py', 'raise RuntimeError("downstream unavailable")', 'return None');
      return (await handle.result()) as DebugStalledReport;
    });
    assert.equal(report.ok, true, report.problem);
    assert.equal(report.fixWait?.how, 'fingerprint');
    assert.match(report.fixWait?.baseline ?? '', /^files:/);
    assert.notEqual(report.worker?.pid, workerPid, 'the worker was restarted');
    assert.equal(report.worker?.replaced.length, 1, 'one restart for both workflows');
    const byId = new Map(report.actions?.map((a) => [a.workflowId, a]));
    for (const name of ['bug', 'storm'] as const) {
      const a = byId.get(ids[name])!;
      assert.deepEqual(
        [a.remedy, a.applied, a.verified, a.runId],
        ['restart-worker', true, true, runIds[name]],
        a.detail,
      );
    }
    assert.equal(byId.size, 2, 'healthy waits are not in the actions');
    assert.deepEqual(await h.client.workflow.getHandle(ids.bug, runIds.bug).result(), { status: 'fixed' });
    assert.deepEqual(await h.client.workflow.getHandle(ids.storm, runIds.storm).result(), { status: 'ok' });
    const history = await h.client.workflow.getHandle(ids.bug, runIds.bug).fetchHistory();
    const types = (history.events ?? []).map(eventTypeName);
    assert.equal(types.includes('WorkflowExecutionTerminated'), false);
    assert.equal(types.at(-1), 'WorkflowExecutionCompleted');
    for (const id of [ids.signal, ids.timer]) assert.equal(await status(id), 'RUNNING', id);
  });

  it('ends the wait for a fix on the codeFixed update, and reports an unverified remedy with its evidence', async () => {
    const id = uniqueId('codebug-unfixed');
    // The copy's CodeBug is fixed now: put the bug back (and a worker on it), so a restart cannot make it resume.
    await copy.edit(
      'workflows.py',
      'return {"status": "fixed"}',
      'raise RuntimeError("boom in workflow code")',
    );
    await startCopyWorker(h, copy, queue);
    await h.client.workflow.start('CodeBug', { taskQueue: queue, workflowId: id, args: [{}] });
    await workflowTaskFailed(h, id);
    const original = await h.client.workflow.getHandle(id).describe();
    try {
      const report = await h.withControlWorker(async () => {
        const handle = await startDebug(
          h,
          actInput(copy, { taskQueue: queue, autoApprove: true, waitForFixSeconds: 600, verifySeconds: 15 }),
        );
        await fixWaitShown(handle, copy);
        assert.equal(await handle.executeUpdate('codeFixed', { args: ['test'] }), 'code fix noted');
        return (await handle.result()) as DebugStalledReport;
      });
      assert.deepEqual([report.fixWait?.how, report.fixWait?.by], ['codeFixed', 'test']);
      const action = report.actions?.find((a) => a.workflowId === id);
      assert.deepEqual([action?.applied, action?.verified, action?.statusAfter], [true, false, 'RUNNING']);
      assert.match(action?.detail ?? '', /NOT verified: no workflow task completed after the restart/);
      assert.equal(report.ok, false);
      assert.equal(await status(id), 'RUNNING');
      assert.equal((await h.client.workflow.getHandle(id).describe()).runId, original.runId);
    } finally {
      await terminateAll(h.client, [id]);
    }
  });
});
