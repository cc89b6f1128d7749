// Cancel means cancel: a cancelled recipe ends CANCELED with its outcome in memo and search
// attributes, after the cleanup it owes (TestInteractive stops its worker).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError, type WorkflowHandle } from '@temporalio/client';
import { nanoid } from 'nanoid';
import type { Progress } from '../../workflows/lib/checklist.js';
import type { PendingApproval } from '../../workflows/lib/approval.js';
import { readPidRecords } from '../../src/host/records/pid-file.js';
import { readProc } from '../../src/host/records/proc.js';
import { exampleCleanStartInput } from '../../src/host/projects/example.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import { waitUntil } from './diagnosis-fixture.js';

let h: Harness;
before(async () => {
  h = await createHarness();
});
after(async () => {
  await h.cleanup();
});

/** The example's Approval workflow waits for a signal nobody sends: the recipe sits in wait-target. */
function waitingInput(project: string) {
  const { projectDir, workerCommand } = exampleCleanStartInput();
  return {
    projectDir,
    workerCommand,
    project,
    taskQueue: uniqueQueue('approvals'),
    start: { workflowType: 'Approval', args: [{ requestId: 'r-1' }] },
  };
}

async function untilStep(handle: WorkflowHandle, step: string): Promise<void> {
  await waitUntil(
    `step ${step} to run`,
    async () => {
      const progress = await handle.query<Progress>('progress').catch(() => undefined);
      return progress?.steps.some((s) => s.name === step && s.outcome === 'running') || undefined;
    },
    60_000,
  );
}

async function cancelAndExpectCanceled(handle: WorkflowHandle): Promise<Record<string, unknown>> {
  await handle.cancel();
  const error = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  assert.ok(
    error instanceof WorkflowFailedError,
    `expected the recipe to end CANCELED, got ${String(error)}`,
  );
  const description = await handle.describe();
  assert.equal(description.status.name, 'CANCELLED');
  assert.equal(description.memo?.opsOutcome, 'canceled');
  assert.equal(description.searchAttributes.OpsOutcome?.[0], 'canceled');
  return description.memo ?? {};
}

/** Live recorded workers polling `taskQueue` (the project key is the directory's, whatever name the input gave). */
async function liveWorkers(taskQueue: string): Promise<number[]> {
  const records = await readPidRecords(h.settings.stateDir, { kind: 'worker' });
  return records.filter((r) => r.taskQueue === taskQueue && readProc(r.pid) !== undefined).map((r) => r.pid);
}

describe('cancelling a recipe', () => {
  it('ends a CleanStart CANCELED while it waits for its target', async () => {
    const project = `cancel-cs-${nanoid(6)}`;
    await h.withControlWorker(async () => {
      const handle = await h.client.workflow.start('CleanStart', {
        taskQueue: h.settings.opsTaskQueue,
        workflowId: `cancel-clean-start-${nanoid(8)}`,
        args: [waitingInput(project)],
      });
      await untilStep(handle, 'wait-target');
      const memo = await cancelAndExpectCanceled(handle);
      const report = memo.opsReport as { steps: { name: string; outcome: string }[] };
      assert.equal(report.steps.find((s) => s.name === 'wait-target')?.outcome, 'canceled');
      assert.equal(report.steps.find((s) => s.name === 'check-result')?.outcome, 'canceled');
    });
  });

  it('ends a TestInteractive CANCELED and stops the worker it started', async () => {
    const input = waitingInput(`cancel-ti-${nanoid(6)}`);
    await h.withControlWorker(async () => {
      const handle = await h.client.workflow.start('TestInteractive', {
        taskQueue: h.settings.opsTaskQueue,
        workflowId: `cancel-test-interactive-${nanoid(8)}`,
        args: [{ ...input, interactions: [{ query: 'get_status' }], resultTimeoutSeconds: 600 }],
      });
      await untilStep(handle, 'wait-target');
      assert.equal((await liveWorkers(input.taskQueue)).length, 1, 'the recipe started one worker');
      const memo = await cancelAndExpectCanceled(handle);
      const report = memo.opsReport as {
        steps: { name: string; outcome: string }[];
        target?: { workflowId: string };
        targetCleanup?: { terminated: boolean; leftRunning: boolean };
      };
      assert.equal(report.steps.find((s) => s.name === 'stop-worker')?.outcome, 'ok');
      assert.deepEqual(await liveWorkers(input.taskQueue), [], 'no worker is left running');
      assert.deepEqual(
        [report.targetCleanup?.terminated, report.targetCleanup?.leftRunning],
        [true, false],
        'the target it started is terminated (cleanupTarget defaults to terminate)',
      );
      const target = await h.client.workflow.getHandle(report.target!.workflowId).describe();
      assert.equal(target.status.name, 'TERMINATED');
    });
  });

  it('ends a ClearStalledEnvironment CANCELED while it waits for approval, touching nothing', async () => {
    const taskQueue = uniqueQueue('clear-cancel');
    // A workflow nobody polls for: a stall of class no-worker, planned for terminate.
    const target = await h.client.workflow.start('NobodyPolls', {
      taskQueue,
      workflowId: `nobody-${nanoid(8)}`,
      args: [],
    });
    try {
      await waitUntil(
        'the target to be visible',
        async () =>
          (await h.client.workflow.count(`TaskQueue = "${taskQueue}"`)).count > 0 ? true : undefined,
        30_000,
      );
      await h.withControlWorker(async () => {
        const handle = await h.client.workflow.start('ClearStalledEnvironment', {
          taskQueue: h.settings.opsTaskQueue,
          workflowId: `cancel-clear-${nanoid(8)}`,
          args: [{ taskQueue, policy: { noWorkerAfterMs: 0 } }],
        });
        await waitUntil(
          'the plan to wait for approval',
          () => handle.query<PendingApproval | null>('pendingApproval').then((p) => p ?? undefined),
          60_000,
        );
        await cancelAndExpectCanceled(handle);
      });
      assert.equal((await target.describe()).status.name, 'RUNNING', 'the planned workflow was not touched');
    } finally {
      await target.terminate('test cleanup').catch(() => undefined);
    }
  });
});
