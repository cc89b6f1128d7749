// EnsureWorker as a recipe: routed to the host queue of the machine that owns the processes, and
// (with restartOnCrash) kept running by that host's control worker.
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { WorkflowFailedError } from '@temporalio/client';
import { nanoid } from 'nanoid';
import type { EnsureWorkerRecipeReport } from '../../workflows/ensure-worker.js';
import { readPidRecords } from '../../src/host/records/pid-file.js';
import { readProc } from '../../src/host/records/proc.js';
import { supervisesInBackground } from '../../src/host/workers/supervise.js';
import { stopProjectWorkers } from '../../src/host/workers/workers.js';
import { exampleProjectDir, venvPython } from '../../src/host/projects/example.js';
import { packageRoot } from '../../src/config.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { processesOnQueue, waitFor } from '../helpers/processes.js';

let h: Harness;

before(async () => {
  h = await createHarness();
});

after(async () => {
  await h.cleanup();
});

function ensureInput(taskQueue: string, extra: Record<string, unknown> = {}) {
  return {
    projectDir: exampleProjectDir,
    taskQueue,
    workerCommand: `${venvPython} worker.py`,
    project: `recipe-${nanoid(5)}`,
    host: h.settings.host,
    ...extra,
  };
}

describe('EnsureWorker recipe', () => {
  it('runs its process step on the host queue and restarts the worker after a crash', async () => {
    const taskQueue = uniqueQueue('recipe');
    const input = ensureInput(taskQueue, { restartOnCrash: { maxRestarts: 3, initialDelayMs: 100 } });
    const workflowId = `ensure-worker-${nanoid(8)}`;
    await h.withControlWorker(async () => {
      const report: EnsureWorkerRecipeReport = await h.client.workflow.execute('EnsureWorker', {
        taskQueue: h.settings.opsTaskQueue,
        workflowId,
        args: [input],
      });
      assert.equal(report.ok, true, report.problem);
      assert.equal(report.worker?.action, 'started');
      assert.equal(report.worker?.supervised, true);
      assert.ok(report.worker?.ready && report.worker.ready.waitedMs > 0);
      const first = report.worker.worker.pid;
      const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
      const queues = (history.events ?? []).flatMap((e) =>
        e.activityTaskScheduledEventAttributes ? [e.activityTaskScheduledEventAttributes] : [],
      );
      const ensure = queues.find((a) => a.activityType?.name === 'ensureWorker');
      assert.equal(ensure?.taskQueue?.name, `${h.settings.opsTaskQueue}@${h.settings.host}`);

      process.kill(-report.worker.worker.pgid, 'SIGKILL');
      const restarted = await waitFor('the control worker to restart it', async () =>
        (await readPidRecords(h.settings.stateDir, { project: input.project })).find(
          (r) => r.pid !== first && r.readyAtMs !== undefined,
        ),
      );
      assert.equal(restarted.restarts, 1);
      assert.ok(readProc(restarted.pid));
      // A stop (unlike a crash) removes the record, which ends supervision: nothing comes back.
      await stopProjectWorkers(h.settings.stateDir, input.project, 3000);
      // Once supervision has ended, nothing can restart the worker; a stop taken for a crash keeps it going.
      await waitFor(
        'the control worker to end its supervision',
        () => !supervisesInBackground(h.settings.stateDir, input.project, taskQueue),
      );
      assert.deepEqual(processesOnQueue(taskQueue), []);
    });
  });

  it('`worker ensure --host` from another machine runs there through its control worker', async () => {
    const taskQueue = uniqueQueue('remote');
    const cliState = await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? '/tmp', 'remote-cli-'));
    const args = [
      'worker',
      'ensure',
      '--host',
      h.settings.host,
      '--project-dir',
      exampleProjectDir,
      '--project',
      'remote',
      '--task-queue',
      taskQueue,
      '--worker-command',
      `${venvPython} worker.py`,
      '--json',
    ];
    // The CLI pretends to run elsewhere; the harness's control worker is the one on h.settings.host.
    const env = {
      TEMPORAL_ADDRESS: testTarget().address,
      TEMPORAL_OPS_HOST: 'elsewhere',
      TEMPORAL_OPS_TASK_QUEUE: h.settings.opsTaskQueue,
      TEMPORAL_OPS_STATE_DIR: cliState,
    };
    const run = await h.withControlWorker(() =>
      execa(process.execPath, [join(packageRoot, 'bin', 'temporal-ops.mjs'), ...args], {
        env,
        reject: false,
        timeout: 90_000,
      }),
    );
    assert.equal(run.exitCode, 0, run.stderr);
    const report = JSON.parse(run.stdout) as EnsureWorkerRecipeReport;
    assert.equal(report.ok, true, report.problem);
    const [record] = await readPidRecords(h.settings.stateDir, { project: report.project });
    assert.equal(record?.pid, report.worker?.worker.pid, "the worker belongs to that host's control worker");
    assert.deepEqual(await readPidRecords(cliState), [], 'nothing was started where the CLI ran');
    await stopProjectWorkers(h.settings.stateDir, report.project, 3000);
  });

  it('fails fast on bad input, naming the field and the value', async () => {
    const error = await h.withControlWorker(() =>
      h.client.workflow
        .execute('EnsureWorker', {
          taskQueue: h.settings.opsTaskQueue,
          workflowId: `ensure-worker-${nanoid(8)}`,
          args: [ensureInput('q', { mode: 'sometimes' })],
        })
        .then(
          () => undefined,
          (e: unknown) => e,
        ),
    );
    assert.ok(error instanceof WorkflowFailedError);
    assert.match(
      (error.cause as Error).message,
      /mode: expected one of ensure, start, restart, got "sometimes"/,
    );
  });
});
