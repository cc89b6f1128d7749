// The recipe matrix for one project shape, through the real control worker on a fresh copy of the
// shape's fixture: TestInteractive, CleanStart (the project's own starter, or the worker program
// that starts its own run), `replay-check` as the CLI runs it for the directory the recipes
// recorded, and ClearStalledEnvironment on a run that fails its workflow task after a careless edit
// and restart, and on one whose worker is gone, each beside a healthy wait that it must leave alone.
import assert from 'node:assert/strict';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { execa } from 'execa';
import { nanoid } from 'nanoid';
import type { ClearStalledReport } from '../../workflows/clear-stalled-environment.js';
import type { CleanStartReport } from '../../workflows/clean-start.js';
import type { TestInteractiveReport } from '../../workflows/test-interactive.js';
import { packageRoot } from '../../src/config.js';
import { eventTypeName } from '../../src/inspect/history.js';
import { readPidRecords } from '../../src/host/records/pid-file.js';
import { readProc } from '../../src/host/records/proc.js';
import { pidOfIdentity } from '../../src/host/workers/readiness.js';
import { stopProjectWorkers } from '../../src/host/workers/workers.js';
import type { ReplayReport } from '../../src/host/replay/report-types.js';
import { listPollers } from '../../src/temporal/task-queue.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { waitFor } from '../helpers/processes.js';
import { guarded, shapes, type PlantedRun, type Shape } from '../integration/replay-shapes-fixture.js';
import { copyShape, recipeShapes, waitsForSignal, type ShapeName } from './recipe-shapes.js';

const bin = join(packageRoot, 'bin', 'temporal-ops.mjs');

/** Registers the recipe matrix of one shape (one test file per shape calls this). */
export function recipeMatrix(name: ShapeName): void {
  const shape: Shape = shapes[name];
  const { starter, arg, result } = recipeShapes[name];
  let h: Harness;
  let dir: string;
  let stopControl: () => Promise<void>;
  const taskQueue = shape.fixedQueue ?? uniqueQueue(name);
  const label = `${name}-${nanoid(4)}`;
  const opened = new Set<string>();
  let projectKey = '';

  const workerInput = () => {
    const env = shape.env?.(dir);
    return {
      projectDir: dir,
      project: label,
      taskQueue,
      workerCommand: shape.command(dir),
      ...(env ? { env } : {}),
    };
  };

  const startRecipe = (type: string, input: unknown) =>
    h.client.workflow.start(type, {
      taskQueue: h.settings.opsTaskQueue,
      workflowId: `${type}-${label}-${nanoid(6)}`,
      args: [input],
      workflowExecutionTimeout: '4m',
    });

  /** Process groups of the live pollers of the queue (dead pollers linger in the list for minutes). */
  const livePollerGroups = async () =>
    [
      ...new Set(
        (await listPollers(h.client, taskQueue))
          .map((p) => pidOfIdentity(p.identity))
          .flatMap((pid) => (pid === undefined ? [] : [readProc(pid)?.pgid]))
          .filter((pgid): pgid is number => pgid !== undefined),
      ),
    ].sort((a, b) => a - b);

  /** The run the single-file program started, once it waits for its signal. */
  const ownRun = async () => {
    const handle = h.client.workflow.getHandle(shape.ownRunId ?? '');
    await waitFor(
      `${shape.ownRunId} to wait for its signal`,
      async () => {
        const d = await handle.describe().catch(() => undefined);
        return d?.status.name === 'RUNNING' && (await waitsForSignal(handle));
      },
      60_000,
    );
    opened.add(handle.workflowId);
    return handle;
  };

  const cli = (args: string[]) =>
    execa(process.execPath, [bin, ...args], {
      env: {
        TEMPORAL_ADDRESS: testTarget().address,
        TEMPORAL_OPS_STATE_DIR: h.settings.stateDir,
        TEMPORAL_OPS_TASK_QUEUE: h.settings.opsTaskQueue,
      },
      reject: false,
    });

  before(async () => {
    h = await createHarness();
    dir = await copyShape(shape);
    // The names the shape's env sets (PYTHON, PYTHONPATH, PATH...) are refused unless the project
    // allows them: register it as its users would, with no worker command of its own.
    const names = Object.keys(shape.env?.(dir) ?? {});
    if (names.length > 0) {
      const add = await cli([
        'project',
        'add',
        dir,
        '--project',
        label,
        ...names.flatMap((n) => ['--env-allow', n]),
      ]);
      assert.equal(add.exitCode, 0, add.stderr);
    }
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    const running = h.withControlWorker(() => released);
    stopControl = async () => {
      release();
      await running;
    };
  });

  after(async () => {
    for (const workflowId of opened)
      await h.client.workflow
        .getHandle(workflowId)
        .terminate('test over')
        .catch(() => undefined);
    await stopControl();
    await h.cleanup();
  });

  describe(`recipes on ${name} (${shape.command('<dir>')})`, () => {
    it('TestInteractive starts a fresh worker and the workflow, sends its signal and checks the result', async () => {
      const start = starter ? { workflowType: shape.workflowType, args: [arg] } : { byWorker: true };
      const handle = await startRecipe('TestInteractive', {
        ...workerInput(),
        start,
        interactions: [{ signal: shape.signal }],
        expectResult: result,
      });
      const report: TestInteractiveReport = await handle.result();
      assert.equal(report.ok, true, report.problem);
      if (shape.ownRunId) assert.equal(report.target?.workflowId, shape.ownRunId);
      assert.deepEqual(
        report.interactions.map((i) => [i.kind, i.name, i.ok]),
        [['signal', shape.signal, true]],
      );
      assert.equal(report.target && 'status' in report.target && report.target.status, 'COMPLETED');
      assert.deepEqual((report.target as { result?: unknown }).result, result);
      // Stopped after the test (the runbook's cleanup), or gone by itself with its run.
      assert.equal(readProc(report.worker!.pid), undefined, 'the worker is gone after the recipe');
      projectKey = report.project;
    });

    it(`CleanStart runs one fresh worker and ${starter ? "the project's starter" : 'the run the worker starts itself'}, and verifies the result`, async () => {
      const start = starter ? { command: starter(dir) } : { byWorker: true };
      const handle = await startRecipe('CleanStart', { ...workerInput(), start, resultTimeoutSeconds: 120 });
      let groupsWhileRunning: number[] | undefined;
      if (!starter) {
        // The samples' run waits for its signal: the user sends it while CleanStart waits.
        const run = await ownRun();
        groupsWhileRunning = await livePollerGroups();
        await run.signal(shape.signal);
      }
      const report: CleanStartReport = await handle.result();
      assert.equal(report.ok, true, report.problem);
      assert.deepEqual(
        report.steps.filter((s) => s.outcome !== 'ok').map((s) => [s.name, s.outcome, s.detail]),
        [],
      );
      assert.equal(report.target && 'status' in report.target && report.target.status, 'COMPLETED');
      assert.deepEqual((report.target as { result?: unknown }).result, result);
      const target = await h.client.workflow.getHandle(report.target!.workflowId).describe();
      assert.equal(target.type, shape.workflowType);
      assert.equal(target.taskQueue, taskQueue);
      const worker = report.worker!;
      if (starter) {
        assert.ok(readProc(worker.pid), 'the worker runs on after CleanStart');
        assert.deepEqual(await livePollerGroups(), [worker.pgid], 'exactly one worker polls the queue');
        const live = (
          await readPidRecords(h.settings.stateDir, { kind: 'worker', project: report.project })
        ).filter((r) => r.taskQueue === taskQueue && readProc(r.pid));
        assert.deepEqual(
          live.map((r) => r.pid),
          [worker.pid],
        );
      } else {
        assert.equal(report.target!.workflowId, shape.ownRunId);
        assert.deepEqual(groupsWhileRunning, [worker.pgid], 'exactly one worker polled while its run ran');
      }
      projectKey = report.project;
    });

    let waiting: PlantedRun;

    it('replay-check --project-dir, with the recorded worker command: passes on unchanged code, finds a careless edit, and never reaches the live queue', async () => {
      let handle: WorkflowHandle;
      if (starter) {
        handle = await h.client.workflow.start(shape.workflowType, {
          taskQueue,
          workflowId: `${shape.workflowType}-open-${nanoid(6)}`,
          args: [arg],
        });
        opened.add(handle.workflowId);
        await waitFor(`${handle.workflowId} to wait for its signal`, () => waitsForSignal(handle), 30_000);
      } else {
        // Its worker ended with its run; the user starts it again as recorded, and it starts a new run.
        const ensure = await cli(['worker', 'ensure', '--project-dir', dir, '--task-queue', taskQueue]);
        assert.equal(ensure.exitCode, 0, ensure.stderr);
        handle = await ownRun();
      }
      const file = join(dir, shape.workflowFile);
      const original = await readFile(file, 'utf8');
      waiting = {
        shape,
        dir,
        taskQueue,
        workflowId: handle.workflowId,
        knownPollers: new Set((await listPollers(h.client, taskQueue)).map((p) => p.identity)),
        historyLength: (await handle.fetchHistory()).events?.length ?? 0,
        async edit(careless: boolean) {
          const timer = '        await workflow.sleep(timedelta(seconds=1))\n';
          await writeFile(
            file,
            careless ? original.replace(shape.activityCall, timer + shape.activityCall) : original,
          );
        },
      };
      const check = async () => {
        const run = await guarded(h.client, waiting, () =>
          cli(['replay-check', '--project-dir', dir, '--json']),
        );
        return {
          exitCode: run.exitCode,
          stderr: run.stderr,
          report: run.stdout ? (JSON.parse(run.stdout) as ReplayReport) : undefined,
        };
      };
      const ofRun = (report?: ReplayReport) =>
        report?.results.find((r) => r.workflowId === handle.workflowId);

      const clean = await check();
      assert.equal(clean.exitCode, 0, clean.stderr);
      assert.equal(clean.report?.taskQueue, taskQueue);
      assert.equal(ofRun(clean.report)?.outcome, 'replays');

      await waiting.edit(true);
      const broken = await check();
      assert.equal(broken.exitCode, 10, broken.stderr);
      assert.equal(ofRun(broken.report)?.outcome, 'would-break');
      assert.equal(ofRun(broken.report)?.cause, 'nondeterminism');
      await waiting.edit(false);
    });

    const clearQueue = async (): Promise<ClearStalledReport> =>
      (
        await startRecipe('ClearStalledEnvironment', { taskQueue, autoApprove: true, cancelWaitSeconds: 0 })
      ).result();

    // The single file cannot be restarted beside its open run: it would start that run's ID again.
    if (starter)
      it('ClearStalledEnvironment terminates a run that a careless edit and restart left failing its workflow task', async () => {
        assert.ok(waiting, 'the waiting run of the replay check');
        const broken = await h.client.workflow.start(shape.workflowType, {
          taskQueue,
          workflowId: `${shape.workflowType}-edited-${nanoid(6)}`,
          args: [arg],
        });
        opened.add(broken.workflowId);
        await waitFor(`${broken.workflowId} to wait for its signal`, () => waitsForSignal(broken), 30_000);
        await waiting.edit(true);
        try {
          // As a user restarts it: the recorded command, queue and env.
          const restart = await cli(['worker', 'restart', '--project-dir', dir, '--project', projectKey]);
          assert.equal(restart.exitCode, 0, restart.stderr);
          await broken.signal(shape.signal);
          await waitFor(
            `${broken.workflowId} to fail its workflow task on the edited code`,
            async () => {
              const events = (await broken.fetchHistory()).events ?? [];
              return events.map(eventTypeName).includes('WorkflowTaskFailed');
            },
            30_000,
          );
          const report = await clearQueue();
          assert.equal(report.ok, true, report.problem);
          assert.deepEqual(
            report.cleared.map((r) => [r.workflowId, r.action, r.result]),
            [[broken.workflowId, 'terminate', 'terminated']],
          );
          assert.equal((await broken.describe()).status.name, 'TERMINATED');
          const healthy = await h.client.workflow.getHandle(waiting.workflowId).describe();
          assert.equal(healthy.status.name, 'RUNNING', 'the healthy wait is untouched');
        } finally {
          await waiting.edit(false);
        }
      });

    it('ClearStalledEnvironment terminates a run whose worker is gone and leaves the healthy wait', async () => {
      assert.ok(waiting, 'the waiting run of the replay check');
      await stopProjectWorkers(h.settings.stateDir, projectKey, 3000);
      assert.deepEqual(await livePollerGroups(), [], 'no worker left on the queue');
      const stalled = await h.client.workflow.start(shape.workflowType, {
        taskQueue,
        workflowId: `${shape.workflowType}-stalled-${nanoid(6)}`,
        args: [arg],
      });
      opened.add(stalled.workflowId);
      const report = await clearQueue();
      assert.equal(report.ok, true, report.problem);
      assert.deepEqual(
        report.cleared.map((r) => [r.workflowId, r.action, r.result]),
        [[stalled.workflowId, 'terminate', 'terminated']],
      );
      assert.equal((await stalled.describe()).status.name, 'TERMINATED');
      const healthy = await h.client.workflow.getHandle(waiting.workflowId).describe();
      assert.equal(healthy.status.name, 'RUNNING', 'the healthy wait is untouched');
    });
  });
}
