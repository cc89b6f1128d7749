// Project shapes for the replay gate: fixture projects written like real ones (uv script entry
// point, src layout, `env PYTHONPATH=…`, shell wrapper, Makefile, one file that is worker and
// starter), each with a run planted on the live server, and a guard that watches that server while
// a check runs: no new poller on the run's task queue, and the run's history does not move.
import assert from 'node:assert/strict';
import { cp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Client } from '@temporalio/client';
import { execa } from 'execa';
import { nanoid } from 'nanoid';
import { packageRoot } from '../../src/config.js';
import { eventTypeName } from '../../src/inspect/history.js';
import { clientPollerSource } from '../../src/host/workers/pollers.js';
import { ensureWorker, stopProjectWorkers } from '../../src/host/workers/workers.js';
import type { ReplayCheckOptions } from '../../src/host/replay/replay-check.js';
import { listPollers } from '../../src/temporal/task-queue.js';
import { testTarget, uniqueQueue } from '../helpers/harness.js';
import { ordersSpec, scratchDir, venvPython, waitFor } from '../helpers/processes.js';

const venvBin = join(packageRoot, '.venv', 'bin');

export interface Shape {
  /** Folder under test/fixtures. */
  fixture: string;
  /** The worker command, for a copy of the fixture in `dir`. */
  command(dir: string): string;
  /** Project env of the worker (as the user would register it). */
  env?(dir: string): Record<string, string>;
  /** The task queue the code hard-codes; otherwise it reads TEMPORAL_TASK_QUEUE. */
  fixedQueue?: string;
  /** The workflow file and the line (its start) of the activity call a careless edit precedes. */
  workflowFile: string;
  activityCall: string;
  workflowType: string;
  signal: string;
  /** The program starts its own run, with this id (the samples' worker-and-starter style). */
  ownRunId?: string;
}

const python = venvPython;

export const shapes = {
  uvRun: {
    fixture: 'shape-src-layout',
    command: () => 'uv run worker',
    env: () => ({ PATH: `${venvBin}:${process.env.PATH ?? ''}`, UV_OFFLINE: '1' }),
    workflowFile: 'src/ledger/workflows.py',
    activityCall: '        balance = await workflow.execute_activity(',
    workflowType: 'Reconcile',
    signal: 'approve',
  },
  srcModule: {
    fixture: 'shape-src-layout',
    command: () => '.venv/bin/python -m ledger.worker',
    workflowFile: 'src/ledger/workflows.py',
    activityCall: '        balance = await workflow.execute_activity(',
    workflowType: 'Reconcile',
    signal: 'approve',
  },
  envPythonPath: {
    fixture: 'shape-app-pythonpath',
    command: (dir) => `env PYTHONPATH=${dir} ${python} -m app.worker`,
    fixedQueue: 'invoices',
    workflowFile: 'app/workflows.py',
    activityCall: '        invoice = await workflow.execute_activity(',
    workflowType: 'SendInvoice',
    signal: 'mark_paid',
  },
  binWrapper: {
    fixture: 'shape-bin-wrapper',
    command: () => './bin/worker',
    env: () => ({ PYTHON: python }),
    workflowFile: 'workflows.py',
    activityCall: '        rate = await workflow.execute_activity(',
    workflowType: 'Ship',
    signal: 'dispatch',
  },
  pythonFile: {
    fixture: 'shape-bin-wrapper',
    command: () => `${python} worker.py`,
    env: (dir) => ({ PYTHONPATH: join(dir, 'lib') }),
    workflowFile: 'workflows.py',
    activityCall: '        rate = await workflow.execute_activity(',
    workflowType: 'Ship',
    signal: 'dispatch',
  },
  make: {
    fixture: 'shape-makefile',
    command: () => 'make worker',
    env: () => ({ PYTHON: python }),
    workflowFile: 'notify/workflows.py',
    activityCall: '        receipt = await workflow.execute_activity(',
    workflowType: 'Remind',
    signal: 'ack',
  },
  singleFile: {
    fixture: 'shape-single-file',
    command: () => `${python} hello_signal.py`,
    fixedQueue: 'hello-signal-task-queue',
    workflowFile: 'hello_signal.py',
    activityCall: '        greeting = await workflow.execute_activity(',
    workflowType: 'GreetingWorkflow',
    signal: 'exit',
    ownRunId: 'hello-signal-workflow-id',
  },
} satisfies Record<string, Shape>;

/** A copy of a shape's fixture with one run waiting on the live server, its worker stopped. */
export interface PlantedRun {
  shape: Shape;
  dir: string;
  taskQueue: string;
  workflowId: string;
  /** Poller identities listed before any check (the stopped worker's linger for minutes). */
  knownPollers: Set<string>;
  historyLength: number;
  /** Inserts a timer before the activity (a careless edit), or restores the file. */
  edit(careless: boolean): Promise<void>;
}

async function historyLength(client: Client, workflowId: string): Promise<number> {
  return (await client.workflow.getHandle(workflowId).fetchHistory()).events?.length ?? 0;
}

async function pollerIdentities(client: Client, taskQueue: string): Promise<string[]> {
  const lists = await Promise.all(
    (['workflow', 'activity'] as const).map((kind) => listPollers(client, taskQueue, kind)),
  );
  return lists.flat().map((p) => p.identity);
}

/**
 * Copies the shape's fixture, starts its worker with its own command, gets one run to wait for its
 * signal after the activity, stops the worker and sends the signal: a workflow task then waits on
 * the live queue, and any poller would take it (the history would grow).
 */
export async function plantRun(client: Client, stateDir: string, shape: Shape): Promise<PlantedRun> {
  const dir = await scratchDir(`${shape.fixture}-${nanoid(4)}`);
  await cp(join(packageRoot, 'test', 'fixtures', shape.fixture), dir, { recursive: true });
  const env = shape.env?.(dir) ?? {};
  if (shape.fixture === 'shape-single-file') {
    // The file hard-codes localhost:7233: make it the live server of this test.
    const file = join(dir, shape.workflowFile);
    await writeFile(file, (await readFile(file, 'utf8')).replace('localhost:7233', testTarget().address));
  }
  if (shape.fixture === 'shape-src-layout')
    await execa(join(venvBin, 'uv'), ['sync', '--locked', '--offline', '--quiet', '--python', python], {
      cwd: dir,
      env: { UV_OFFLINE: '1', UV_PYTHON_DOWNLOADS: 'never' },
    });
  const taskQueue = shape.fixedQueue ?? uniqueQueue(shape.fixture);
  const project = `${shape.fixture}-${nanoid(4)}`;
  await ensureWorker(ordersSpec(stateDir, project, dir, taskQueue, { command: shape.command(dir), env }), {
    ready: { timeoutMs: 60_000, pollers: clientPollerSource(client) },
  });
  const workflowId = shape.ownRunId ?? `${shape.workflowType}-${nanoid(6)}`;
  if (!shape.ownRunId)
    await client.workflow.start(shape.workflowType, { taskQueue, workflowId, args: ['bob'] });
  await waitFor(
    `${workflowId} to wait for its signal`,
    async () => {
      const history = await client.workflow
        .getHandle(workflowId)
        .fetchHistory()
        .catch(() => undefined);
      const types = (history?.events ?? []).map(eventTypeName);
      const done = types.indexOf('ActivityTaskCompleted');
      return done > 0 && types.lastIndexOf('WorkflowTaskCompleted') > done;
    },
    30_000,
  );
  await stopProjectWorkers(stateDir, project, 3000);
  // Else the signal's workflow task goes to the stopped worker's sticky queue and times out to the
  // normal queue 5 s later (two more events), whoever polls.
  await client.workflowService.resetStickyTaskQueue({
    namespace: client.options.namespace,
    execution: { workflowId },
  });
  await client.workflow.getHandle(workflowId).signal(shape.signal);
  const file = join(dir, shape.workflowFile);
  const original = await readFile(file, 'utf8');
  assert.ok(original.includes(shape.activityCall), `${shape.workflowFile} has the activity call`);
  return {
    shape,
    dir,
    taskQueue,
    workflowId,
    knownPollers: new Set(await pollerIdentities(client, taskQueue)),
    historyLength: await historyLength(client, workflowId),
    async edit(careless: boolean) {
      const timer = '        await workflow.sleep(timedelta(seconds=1))\n';
      await writeFile(
        file,
        careless ? original.replace(shape.activityCall, timer + shape.activityCall) : original,
      );
    },
  };
}

/** Replay check options for a planted run (the worker's own command and env unless given). */
export function plantedOptions(
  run: PlantedRun,
  stateDir: string,
  extra: Partial<ReplayCheckOptions> = {},
): ReplayCheckOptions {
  const target = testTarget();
  return {
    projectDir: run.dir,
    taskQueue: run.taskQueue,
    workerCommand: run.shape.command(run.dir),
    env: run.shape.env?.(run.dir) ?? {},
    baseEnv: { TEMPORAL_ADDRESS: target.address, TEMPORAL_NAMESPACE: target.namespace },
    stateDir,
    timeoutMs: 60_000,
    ...extra,
  };
}

/**
 * Runs `check` while watching the live server; then asserts that no poller other than those
 * listed before ever appeared on the run's queue and that the run's history did not move.
 */
export async function guarded<T>(client: Client, run: PlantedRun, check: () => Promise<T>): Promise<T> {
  const seen = new Set<string>();
  let watching = true;
  const watch = (async () => {
    while (watching) {
      for (const identity of await pollerIdentities(client, run.taskQueue)) seen.add(identity);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  })();
  try {
    return await check();
  } finally {
    watching = false;
    await watch;
    for (const identity of await pollerIdentities(client, run.taskQueue)) seen.add(identity);
    const strangers = [...seen].filter((identity) => !run.knownPollers.has(identity));
    assert.deepEqual(strangers, [], `pollers appeared on the live queue ${run.taskQueue}`);
    assert.equal(await historyLength(client, run.workflowId), run.historyLength, 'the planted run moved');
  }
}
