// DebugStalled on one project shape, as a developer meets each stall: the fault is made by editing
// the copy's real source and restarting its worker; the diagnosis must name it, and `act` must
// apply and verify its remedy (waiting for the developer's fix where one is needed), leaving
// exactly one worker of the project on the queue and no orphan.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import type { Finding, Verdict } from '../../src/contract/verdicts.js';
import { eventTypeName } from '../../src/inspect/history.js';
import type { DebugStalledReport } from '../../workflows/debug-stalled.js';
import { createHarness, type Harness } from '../helpers/harness.js';
import { assertOneWorkerNoOrphan, waitFor } from '../helpers/processes.js';
import { startDebug } from '../integration/debug-act-fixture.js';
import { terminateAll, uniqueId } from '../integration/diagnosis-fixture.js';
import type { Shape } from '../integration/replay-shapes-fixture.js';
import { copyShape, pastActivity, watchNewPollers, type ShapeCopy } from './debug-shape.js';

/** Registers the DebugStalled suite of one shape (one test file per shape calls this). */
export function debugScenario(name: string, shape: Shape): void {
  let h: Harness;
  let copy: ShapeCopy;
  const started: string[] = [];

  const startRun = async (prefix: string): Promise<string> => {
    const workflowId = uniqueId(prefix);
    started.push(workflowId);
    await h.client.workflow.start(shape.workflowType, {
      taskQueue: copy.taskQueue,
      workflowId,
      args: ['bob'],
    });
    return workflowId;
  };
  const historyTypes = async (workflowId: string): Promise<string[]> =>
    ((await h.client.workflow.getHandle(workflowId).fetchHistory()).events ?? []).map(eventTypeName);
  const taskFailed = (workflowId: string) =>
    waitFor(`${workflowId} to fail a workflow task`, async () =>
      (await historyTypes(workflowId)).includes('WorkflowTaskFailed'),
    );
  /** The user's input: the project directory and queue; the worker command is the one recorded. */
  const input = (extra: Record<string, unknown>) => ({
    projectDir: copy.dir,
    taskQueue: copy.taskQueue,
    env: copy.env,
    graceSeconds: 3,
    ...extra,
  });
  /** Runs DebugStalled (a control worker serves it: see `withControl`); `during` acts while it runs. */
  const run = async (
    extra: Record<string, unknown>,
    during?: (handle: WorkflowHandle) => Promise<void>,
  ): Promise<DebugStalledReport> => {
    const handle = await startDebug(h, input(extra));
    await during?.(handle);
    return (await handle.result()) as DebugStalledReport;
  };
  /** One control worker for a whole test (diagnosis and act). */
  const withControl = (body: () => Promise<void>) => () => h.withControlWorker(body);
  const verdicts = (findings: Finding[]): Record<string, Verdict> =>
    Object.fromEntries(findings.map((f) => [f.workflowId, f.verdict]));
  const oneWorker = () =>
    assertOneWorkerNoOrphan(h.client, h.settings.stateDir, copy.project, copy.taskQueue, {
      pollerInGroup: true,
    });
  // The gate runs as a user has it: a gate that cannot run keeps the old worker (and fails the test).
  const replayGate = { onUnknown: 'keep-old-worker' };

  describe(`DebugStalled on ${name} (${shape.command('<dir>')})`, () => {
    before(async () => {
      h = await createHarness();
      copy = await copyShape(h.client, h.settings.stateDir, shape);
    });

    after(async () => {
      await terminateAll(h.client, [...started, ...(copy?.ownRunId ? [copy.ownRunId] : [])]);
      await h.cleanup();
    });

    it(
      'code bug and retry storm: diagnosed, fixed while act waits, one restart, the same runs complete',
      withControl(async () => {
        const bug = await startRun('code-bug');
        await pastActivity(h.client, bug);
        await copy.fault('codeBug', true);
        await copy.fault('retryStorm', true);
        const faultyPid = await copy.restartWorker();
        const storm = await startRun('storm');
        const runIds = {
          [bug]: (await h.client.workflow.getHandle(bug).describe()).runId,
          [storm]: (await h.client.workflow.getHandle(storm).describe()).runId,
        };
        await h.client.workflow.getHandle(bug).signal(shape.signal);
        await taskFailed(bug);
        await waitFor(`${storm} to retry its activity`, async () => {
          const d = await h.client.workflow.getHandle(storm).describe();
          return (d.raw.pendingActivities?.[0]?.attempt ?? 0) >= 3;
        });
        // A samples-style file cannot start again while its own (now storming) run is open.
        if (copy.ownRunId) await copy.stopWorker();

        const diagnosed = await run({});
        assert.deepEqual(verdicts(diagnosed.findings), {
          [bug]: 'workflow-code-bug',
          [storm]: 'activity-retry-storm',
        });

        const pollers = await watchNewPollers(h.client, copy.taskQueue);
        const report = await run(
          { act: true, autoApprove: true, waitForFixSeconds: 300, verifySeconds: 120, replayGate },
          async (handle) => {
            await fixWaitShown(handle, copy.dir);
            // The developer removes both bugs while the recipe waits.
            await copy.fault('codeBug', false);
            await copy.fault('retryStorm', false);
          },
        );
        // Nothing but the new worker ever polled the live queue: the gate ran no user code against it.
        assert.deepEqual(await pollers.stop(), [report.worker?.pollerIdentity]);
        assert.equal(report.ok, true, report.problem);
        assert.equal(report.fixWait?.how, 'fingerprint');
        // A worker ran the faulty code, so the gate replayed the open runs on the fixed code; a
        // samples-style file was down (its own run ended), so nothing ran that a restart could break.
        assert.equal(
          report.replayGate?.verdict,
          copy.ownRunId ? 'skipped' : 'passed',
          report.replayGate?.reason,
        );
        assert.notEqual(report.worker?.pid, faultyPid);
        assert.equal(report.worker?.replaced.length, 1, 'one restart for both');
        assert.deepEqual(
          report.actions?.map((a) => [a.workflowId, a.remedy, a.applied, a.verified, a.runId]).sort(),
          [
            [bug, 'restart-worker', true, true, runIds[bug]],
            [storm, 'restart-worker', true, true, runIds[storm]],
          ].sort(),
          report.actions?.map((a) => a.detail).join('; '),
        );
        await oneWorker();
        await h.client.workflow.getHandle(storm).signal(shape.signal);
        for (const id of [bug, storm]) {
          await h.client.workflow.getHandle(id, runIds[id]).result();
          assert.equal((await historyTypes(id)).at(-1), 'WorkflowExecutionCompleted', id);
        }
      }),
    );

    it(
      'non-determinism: a careless edit and a restart; act terminates the run and reruns it on the new code',
      withControl(async () => {
        const nde = await startRun('nde');
        await pastActivity(h.client, nde);
        await copy.careless(true);
        const workerPid = await copy.restartWorker();
        const oldRun = (await h.client.workflow.getHandle(nde).describe()).runId;
        await h.client.workflow.getHandle(nde).signal(shape.signal);
        await taskFailed(nde);

        const diagnosed = await run({});
        assert.deepEqual(verdicts(diagnosed.findings), { [nde]: 'non-determinism' });

        const report = await run({ act: true, autoApprove: true, replayGate });
        assert.equal(report.ok, true, report.problem);
        const [action] = report.actions ?? [];
        assert.ok(action);
        if (action.newWorkflowId) started.push(action.newWorkflowId);
        assert.deepEqual(
          [action.workflowId, action.verdict, action.remedy, action.applied, action.verified, action.runId],
          [nde, 'non-determinism', 'terminate', true, true, oldRun],
          action.detail,
        );
        assert.equal(report.steps.find((s) => s.name === 'ensure-worker')?.outcome, 'skipped');
        assert.equal((await h.client.workflow.getHandle(nde, oldRun).describe()).status.name, 'TERMINATED');
        assert.equal((await oneWorker()).pid, workerPid, 'the worker was left alone');
        // The rerun runs the new code from its start (timer, activity) and completes once signalled.
        const rerun = h.client.workflow.getHandle(action.newWorkflowId ?? '', action.newRunId);
        assert.deepEqual(
          [(await rerun.describe()).type, (await rerun.describe()).taskQueue],
          [shape.workflowType, copy.taskQueue],
        );
        await rerun.signal(shape.signal);
        await rerun.result();
        const types = (await rerun.fetchHistory()).events?.map(eventTypeName) ?? [];
        assert.ok(
          types.includes('TimerFired') && types.at(-1) === 'WorkflowExecutionCompleted',
          types.join(),
        );
      }),
    );

    it(
      "no worker: the project's worker is down; act starts it with its recorded command, verified by a poll on that queue",
      withControl(async () => {
        await copy.stopWorker();
        const idle = await startRun('no-worker');
        const diagnosed = await run({});
        assert.deepEqual(verdicts(diagnosed.findings), { [idle]: 'no-worker' });

        const report = await run({ act: true, autoApprove: true, replayGate });
        assert.equal(report.ok, true, report.problem);
        assert.match(
          report.steps.find((s) => s.name === 'prepare')?.detail ?? '',
          new RegExp(`worker command "${escape(shape.command(copy.dir))}"`),
        );
        const [action] = report.actions ?? [];
        assert.deepEqual(
          [action?.workflowId, action?.verdict, action?.remedy, action?.applied, action?.verified],
          [idle, 'no-worker', 'start-worker', true, true],
          action?.detail,
        );
        const worker = await oneWorker();
        assert.equal(report.worker?.pid, worker.pid);
        await h.client.workflow.getHandle(idle).signal(shape.signal);
        await h.client.workflow.getHandle(idle).result();
      }),
    );
  });
}

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/** Resolves once the recipe shows that it waits for a code change in `dir`. */
async function fixWaitShown(handle: WorkflowHandle, dir: string): Promise<void> {
  await waitFor(
    'the recipe to wait for a code change',
    async () => (await handle.describe()).memo?.opsSummary === `waiting for a code change in ${dir}`,
    90_000,
  );
}
