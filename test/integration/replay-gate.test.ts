// The replay gate in a recipe: EnsureWorker restarting onto edited code replays the open histories
// first. A careless edit stops the restart and asks (the old worker keeps serving); a harmless edit
// restarts at once; with no open workflows the gate passes without starting Python.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { execa } from 'execa';
import { nanoid } from 'nanoid';
import { packageRoot } from '../../src/config.js';
import type { WorkflowHandle } from '@temporalio/client';
import type { PendingApproval } from '../../workflows/lib/approval.js';
import type { EnsureWorkerRecipeReport } from '../../workflows/ensure-worker.js';
import { readProc } from '../../src/host/records/proc.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { waitFor } from '../helpers/processes.js';
import { copyReplayProject, REPLAY_WORKER, startWaitingGreeter, waitListed } from './replay-fixture.js';

let h: Harness;
before(async () => {
  h = await createHarness();
});
after(async () => {
  await h.cleanup();
});

function ensure(
  projectDir: string,
  taskQueue: string,
  extra: Record<string, unknown> = {},
): Promise<WorkflowHandle> {
  return h.client.workflow.start('EnsureWorker', {
    taskQueue: h.settings.opsTaskQueue,
    workflowId: `gate-ensure-${nanoid(8)}`,
    args: [{ projectDir, taskQueue, workerCommand: REPLAY_WORKER, ...extra }],
  });
}

async function ensured(handle: WorkflowHandle): Promise<EnsureWorkerRecipeReport> {
  const report = (await handle.result()) as EnsureWorkerRecipeReport;
  assert.equal(report.ok, true, report.problem);
  return report;
}

/** A project copy whose worker EnsureWorker started, with one Greeter run waiting after its first activity. */
interface WaitingGreeter {
  project: Awaited<ReturnType<typeof copyReplayProject>>;
  taskQueue: string;
  greeterId: string;
  first: EnsureWorkerRecipeReport;
}

/** Sets up a `WaitingGreeter` inside a control worker, then runs `fn` there. */
async function withWaitingGreeter(name: string, fn: (g: WaitingGreeter) => Promise<void>): Promise<void> {
  const project = await copyReplayProject(name);
  const taskQueue = uniqueQueue('gate');
  const greeterId = `greeter-${nanoid(6)}`;
  await h.withControlWorker(async () => {
    const first = await ensured(await ensure(project.dir, taskQueue));
    await startWaitingGreeter(h.client, taskQueue, greeterId);
    await waitListed(h.client, taskQueue, 1);
    await fn({ project, taskQueue, greeterId, first });
  });
}

const carelessEdit =
  '        await workflow.execute_activity(farewell, name, start_to_close_timeout=timedelta(seconds=10))\n';

describe('replay gate', () => {
  it('stops a restart onto a careless edit, names the diverging event, keeps the old worker until approved, then terminates', async () => {
    await withWaitingGreeter('gate-shop', async ({ project, taskQueue, greeterId, first }) => {
      const oldPid = first.worker!.worker.pid;
      await project.editWorkflow(carelessEdit);

      const handle = await ensure(project.dir, taskQueue);
      const pending = await waitFor(
        'the gate to ask',
        () => handle.query<PendingApproval | null>('pendingApproval').then((p) => p ?? undefined),
        90_000,
      );
      assert.equal(pending.kind, 'replay-gate');
      assert.match(pending.plan, /1 of 1 open workflows would break/);
      assert.match(pending.plan, new RegExp(`${greeterId}.*at event 5 ActivityTaskScheduled`));
      assert.deepEqual(pending.choices, [
        'keep-old-worker',
        'restart-anyway',
        'restart-and-terminate',
        'restart-and-reset',
      ]);
      assert.ok(readProc(oldPid), 'the old worker still serves while the gate waits');

      await assert.rejects(
        handle.executeUpdate('approve', {
          args: [{ planId: pending.planId, approve: true, choice: 'nope' }],
        }),
        (error: Error & { cause?: Error }) => /choice: expected one of/.test(String(error.cause?.message)),
      );
      await handle.executeUpdate('approve', {
        args: [{ planId: pending.planId, approve: true, choice: 'restart-and-terminate', by: 'test' }],
      });
      const report = await ensured(handle);
      assert.equal(report.replayGate?.verdict, 'would-break');
      assert.equal(report.replayGate?.choice, 'restart-and-terminate');
      assert.equal(report.replayGate?.replay?.broken[0]?.divergence?.eventId, 5);
      assert.match(report.replayGate?.replay?.broken[0]?.divergence?.message ?? '', /TMPRL1100/);
      assert.notEqual(report.worker!.worker.pid, oldPid);
      assert.equal(readProc(oldPid), undefined, 'the old worker was replaced after the choice');
      assert.equal((await h.client.workflow.getHandle(greeterId).describe()).status.name, 'TERMINATED');
    });
  });

  it('says so when the gate cannot run (a wrapper drops its hook), and follows onUnknown; nothing served the run meanwhile', async () => {
    await withWaitingGreeter('gate-unknown', async ({ project, taskQueue, greeterId, first }) => {
      const before = (await h.client.workflow.getHandle(greeterId).fetchHistory()).events?.length;
      // A wrapper that sets its own PYTHONPATH inside a script: the hook cannot be carried in.
      await writeFile(
        join(project.dir, 'reset-path.sh'),
        `export PYTHONPATH=/nowhere\nexec ${REPLAY_WORKER}\n`,
      );
      await project.editWorkflow(carelessEdit);
      const handle = await ensure(project.dir, taskQueue, {
        workerCommand: 'bash reset-path.sh',
        replayGate: { onUnknown: 'ask' },
      });
      const pending = await waitFor(
        'the gate to ask what to do without a verdict',
        () => handle.query<PendingApproval | null>('pendingApproval').then((p) => p ?? undefined),
        90_000,
      );
      assert.equal(pending.kind, 'replay-gate');
      assert.match(pending.plan, /could not run/);
      assert.match(pending.plan, /hook/);
      assert.deepEqual(pending.choices, ['keep-old-worker', 'restart-anyway']);
      await handle.executeUpdate('approve', {
        args: [{ planId: pending.planId, approve: true, choice: 'keep-old-worker', by: 'test' }],
      });
      const report = (await handle.result()) as EnsureWorkerRecipeReport;
      assert.equal(report.ok, false);
      assert.equal(report.replayGate?.verdict, 'unknown');
      assert.equal(report.replayGate?.choice, 'keep-old-worker');
      assert.ok(readProc(first.worker!.worker.pid), 'the old worker still runs');
      const after = (await h.client.workflow.getHandle(greeterId).fetchHistory()).events?.length;
      assert.equal(after, before, 'no other worker advanced the waiting run');
    });
  });

  it('keeps the old worker when the input says so, and the recipe says why', async () => {
    await withWaitingGreeter('gate-keep', async ({ project, taskQueue, greeterId, first }) => {
      await project.editWorkflow(carelessEdit);
      const report = (await (
        await ensure(project.dir, taskQueue, { replayGate: { onBreak: 'keep-old-worker' } })
      ).result()) as EnsureWorkerRecipeReport;
      assert.equal(report.ok, false);
      assert.match(
        report.problem ?? '',
        /replay gate: 1 of 1 open workflows would break; kept the old worker/,
      );
      assert.ok(readProc(first.worker!.worker.pid), 'the old worker still runs');
      assert.equal((await h.client.workflow.getHandle(greeterId).describe()).status.name, 'RUNNING');

      // The same check on demand: exit 10 while the run would break, 0 once nothing open would.
      const cli = (): Promise<{ exitCode?: number; stdout: string; stderr: string }> =>
        execa(
          process.execPath,
          [
            join(packageRoot, 'bin', 'temporal-ops.mjs'),
            ...['replay-check', '--project-dir', project.dir, '--task-queue', taskQueue],
            ...['--worker-command', REPLAY_WORKER, '--json'],
          ],
          {
            env: { TEMPORAL_ADDRESS: testTarget().address, TEMPORAL_OPS_STATE_DIR: h.settings.stateDir },
            reject: false,
          },
        );
      const breaking = await cli();
      assert.equal(breaking.exitCode, 10, breaking.stderr);
      assert.equal((JSON.parse(breaking.stdout) as { wouldBreak: number }).wouldBreak, 1);
      await h.client.workflow.getHandle(greeterId).terminate('test over');
      const clean = await cli();
      assert.equal(clean.exitCode, 0, clean.stderr);
    });
  });

  it('with restart-and-reset, restarts and resets the broken run to its last workflow task before the divergence', async () => {
    await withWaitingGreeter('gate-reset', async ({ project, taskQueue, greeterId }) => {
      const before = await h.client.workflow.getHandle(greeterId).describe();
      await project.editWorkflow(carelessEdit);
      const report = await ensured(
        await ensure(project.dir, taskQueue, { replayGate: { onBreak: 'restart-and-reset' } }),
      );
      assert.equal(report.replayGate?.choice, 'restart-and-reset');
      const [reset] = report.replayGate?.reset ?? [];
      assert.equal(reset?.result, 'reset', reset?.error);
      assert.equal(reset?.resetToEventId, 4, 'the workflow task before the divergence at event 5');
      const after = await h.client.workflow.getHandle(greeterId).describe();
      assert.notEqual(after.runId, before.runId);
      assert.equal(after.runId, reset?.newRunId);
      assert.equal(after.status.name, 'RUNNING', 'the reset run goes on, on the new code');
      await h.client.workflow.getHandle(greeterId).terminate('test over');
    });
  });

  it('lets a harmless edit restart at once, and passes at once with nothing open', async () => {
    await withWaitingGreeter('gate-harmless', async ({ project, taskQueue, greeterId }) => {
      await project.editWorkflow('        # a comment changes nothing the workflow does\n');
      const harmless = await ensured(await ensure(project.dir, taskQueue));
      assert.equal(harmless.replayGate?.verdict, 'passed');
      assert.equal(harmless.replayGate?.replay?.checked, 1);

      await h.client.workflow.getHandle(greeterId).terminate('test over');
      await project.editWorkflow(carelessEdit);
      const empty = await ensured(await ensure(project.dir, taskQueue));
      assert.equal(empty.replayGate?.verdict, 'passed');
      assert.equal(empty.replayGate?.replay?.spawned, false, 'no Python started with nothing to replay');
    });
  });

  it('costs nothing when the code did not change', async () => {
    const project = await copyReplayProject('gate-same');
    const taskQueue = uniqueQueue('gate');
    await h.withControlWorker(async () => {
      await ensured(await ensure(project.dir, taskQueue));
      const again = await ensured(await ensure(project.dir, taskQueue));
      assert.equal(again.replayGate?.verdict, 'skipped');
      assert.match(again.replayGate?.reason ?? '', /code unchanged/);
    });
  });
});
