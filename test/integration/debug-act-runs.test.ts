// DebugStalled with act on remedies that need no code change: a non-deterministic run is
// terminated and rerun (or reset), and a queue nobody polls gets the project's worker.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { createRemedyActivities } from '../../activities/remedy-activities.js';
import { eventTypeName } from '../../src/inspect/history.js';
import type { DebugStalledReport } from '../../workflows/debug-stalled.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import {
  ACT_POLICY,
  actInput,
  copyFixtures,
  startCopyWorker,
  startDebug,
  untilNoWorkerVerdict,
  type FixtureCopy,
} from './debug-act-fixture.js';
import { terminateAll, uniqueId, waitUntil } from './diagnosis-fixture.js';

let h: Harness;
let nde: FixtureCopy;
const ndeQueue = uniqueQueue('act-nde');
const ids = {
  terminate: uniqueId('nde-terminate'),
  reset: uniqueId('nde-reset'),
  idle: uniqueId('no-worker'),
};
const started: string[] = [...Object.values(ids)];

async function historyTypes(workflowId: string, runId?: string): Promise<string[]> {
  const history = await h.client.workflow.getHandle(workflowId, runId).fetchHistory();
  return (history.events ?? []).map(eventTypeName);
}

before(async () => {
  h = await createHarness();
  nde = await copyFixtures('act-nde');
  await startCopyWorker(h, nde, ndeQueue, '1');
  for (const id of [ids.terminate, ids.reset])
    await h.client.workflow.start('NonDeterministic', { taskQueue: ndeQueue, workflowId: id, args: [{}] });
  for (const id of [ids.terminate, ids.reset])
    await waitUntil(
      `${id} to fire its timer and complete the next workflow task`,
      async () => {
        const types = await historyTypes(id);
        const fired = types.indexOf('TimerFired');
        return fired >= 0 && types.slice(fired).includes('WorkflowTaskCompleted') ? true : undefined;
      },
      30_000,
      200,
    );
  // The code changed under the running workflows: the v2 worker no longer replays them.
  await startCopyWorker(h, nde, ndeQueue, '2');
  for (const id of [ids.terminate, ids.reset]) {
    await h.client.workflow.getHandle(id).signal('go');
    await waitUntil(
      `${id} to hit non-determinism`,
      async () => ((await historyTypes(id)).includes('WorkflowTaskFailed') ? true : undefined),
      30_000,
    );
  }
});

after(async () => {
  await terminateAll(h.client, started);
  await h.cleanup();
});

describe('DebugStalled act: runs and workers', () => {
  it('terminates a non-deterministic run and reruns it with the same type, input and queue', async () => {
    const oldRun = (await h.client.workflow.getHandle(ids.terminate).describe()).runId;
    const report = await h.withControlWorker(
      async () =>
        (await (
          await startDebug(
            h,
            actInput(nde, { workflowId: ids.terminate, taskQueue: ndeQueue, autoApprove: true }),
          )
        ).result()) as DebugStalledReport,
    );
    assert.equal(report.ok, true, report.problem);
    const [action] = report.actions ?? [];
    assert.ok(action);
    started.push(action.newWorkflowId ?? '');
    assert.deepEqual(
      [action.verdict, action.remedy, action.applied, action.verified, action.statusAfter, action.runId],
      ['non-determinism', 'terminate', true, true, 'TERMINATED', oldRun],
    );
    assert.equal(report.steps.find((s) => s.name === 'ensure-worker')?.outcome, 'skipped');
    assert.equal(
      (await h.client.workflow.getHandle(ids.terminate, oldRun).describe()).status.name,
      'TERMINATED',
    );
    const rerun = await h.client.workflow.getHandle(action.newWorkflowId!, action.newRunId).describe();
    assert.match(rerun.workflowId, new RegExp(`^${ids.terminate}-rerun-`));
    assert.deepEqual(
      [rerun.type, rerun.taskQueue, rerun.status.name],
      ['NonDeterministic', ndeQueue, 'RUNNING'],
    );
    // The new run runs the v2 code from the start: it completes once signalled.
    await h.client.workflow.getHandle(rerun.workflowId).signal('go');
    assert.deepEqual(await h.client.workflow.getHandle(rerun.workflowId).result(), {
      status: 'ok',
      codeVersion: '2',
    });
    // A retried terminate or rerun (same request id and workflow ID) finds what the first one did.
    const remedies = createRemedyActivities({ client: h.client });
    const planned = report.plan?.actions[0];
    assert.ok(planned?.rerun);
    const again = await remedies.rerunWorkflow({
      workflowId: ids.terminate,
      runId: oldRun,
      newWorkflowId: planned.rerun.workflowId,
      requestId: planned.rerun.requestId,
    });
    assert.deepEqual([again.workflowId, again.runId], [action.newWorkflowId, action.newRunId]);
    assert.deepEqual(
      await remedies.terminateRun({ workflowId: ids.terminate, runId: oldRun, reason: 'retry' }),
      {
        terminated: false,
        status: 'TERMINATED',
      },
    );
  });

  it('with nonDeterminism "reset", resets to the workflow task before the divergence, and the new run completes', async () => {
    const oldRun = (await h.client.workflow.getHandle(ids.reset).describe()).runId;
    const report = await h.withControlWorker(
      async () =>
        (await (
          await startDebug(
            h,
            actInput(nde, { workflowId: ids.reset, autoApprove: true, nonDeterminism: 'reset' }),
          )
        ).result()) as DebugStalledReport,
    );
    assert.equal(report.ok, true, report.problem);
    const [action] = report.actions ?? [];
    assert.ok(action);
    assert.deepEqual(
      [action.remedy, action.applied, action.verified, action.statusAfter],
      ['reset', true, true, 'TERMINATED'],
    );
    assert.match(action.detail, /reset to event 4/);
    assert.ok(action.newRunId && action.newRunId !== oldRun);
    // The reset run kept the start and replayed the `go` signal: v2 runs to completion.
    assert.deepEqual(await h.client.workflow.getHandle(ids.reset, action.newRunId).result(), {
      status: 'ok',
      codeVersion: '2',
    });
    assert.equal((await h.client.workflow.getHandle(ids.reset).describe()).runId, action.newRunId);
    const again = await createRemedyActivities({ client: h.client }).resetRun({
      workflowId: ids.reset,
      runId: oldRun,
      reason: 'retry',
      requestId: report.plan?.actions[0]?.requestId ?? '',
    });
    assert.deepEqual(
      [again.newRunId, again.alreadyReset],
      [action.newRunId, true],
      'a retried reset resets nothing',
    );
  });

  it('starts the project worker for a queue nobody polls, and the workflow runs', async () => {
    const idle = uniqueQueue('act-nobody');
    const copy = await copyFixtures('act-idle');
    await h.client.workflow.start('NoWorkerTarget', { taskQueue: idle, workflowId: ids.idle, args: [{}] });
    const report = await h.withControlWorker(async () => {
      await untilNoWorkerVerdict(h.client, ids.idle, ACT_POLICY);
      const handle = await startDebug(h, actInput(copy, { taskQueue: idle, autoApprove: true }));
      return (await handle.result()) as DebugStalledReport;
    });
    assert.equal(report.ok, true, report.problem);
    const [action] = report.actions ?? [];
    assert.deepEqual(
      [action?.workflowId, action?.verdict, action?.remedy, action?.applied, action?.verified],
      [ids.idle, 'no-worker', 'start-worker', true, true],
    );
    assert.match(action?.detail ?? '', /polls and the workflow task started/);
    assert.ok(report.worker?.pid);
    assert.deepEqual(await h.client.workflow.getHandle(ids.idle).result(), { status: 'ok' });
  });
});
