// A samples-style repository (test/fixtures/shape-samples): one directory, three workers, each
// hard-coding its own task queue, all registered for that directory. Two run and serve their
// queues; DebugStalled `act` on a workflow of the third queue starts exactly that queue's worker
// from its registered command, and `worker stop --task-queue` stops only the worker it names.
import assert from 'node:assert/strict';
import { cp, realpath } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { nanoid } from 'nanoid';
import { packageRoot } from '../../src/config.js';
import { eventTypeName } from '../../src/inspect/history.js';
import { readPidRecords } from '../../src/host/records/pid-file.js';
import { readProc } from '../../src/host/records/proc.js';
import type { ProjectEntry } from '../../src/host/projects/registry.js';
import type { DebugStalledReport } from '../../workflows/debug-stalled.js';
import type { EnsureWorkerRecipeReport } from '../../workflows/ensure-worker.js';
import { createHarness, testTarget, type Harness } from '../helpers/harness.js';
import { scratchDir, venvPython } from '../helpers/processes.js';
import { startDebug, untilNoWorkerVerdict } from './debug-act-fixture.js';
import { terminateAll, uniqueId, waitUntil } from './diagnosis-fixture.js';

const bin = join(packageRoot, 'bin', 'temporal-ops.mjs');
const queues = {
  hello: 'samples-hello-task-queue',
  orders: 'samples-orders-task-queue',
  shipping: 'samples-shipping-task-queue',
} as const;
type Sample = keyof typeof queues;
const commandOf = (sample: Sample) => `${venvPython} -m ${sample}.worker`;

let h: Harness;
let dir: string;
let project: string;
const started: string[] = [];

/** The live recorded workers of the project, as [task queue, pid, command], by queue. */
async function liveWorkers(): Promise<[string, number, string][]> {
  const records = await readPidRecords(h.settings.stateDir, { kind: 'worker', project });
  return records
    .filter((r) => readProc(r.pid) !== undefined)
    .map((r): [string, number, string] => [r.taskQueue, r.pid, r.command])
    .sort((a, b) => a[0].localeCompare(b[0]));
}

function ensureWorker(sample: Sample): Promise<EnsureWorkerRecipeReport> {
  return h.client.workflow.execute('EnsureWorker', {
    taskQueue: h.settings.opsTaskQueue,
    workflowId: `samples-ensure-${sample}-${nanoid(6)}`,
    // No command: the one registered for the queue.
    args: [{ projectDir: dir, taskQueue: queues[sample], readyTimeoutSeconds: 60, graceSeconds: 3 }],
    workflowExecutionTimeout: '3m',
  });
}

/** `temporal-ops ARGS` as a user runs it, on this test's state dir and server. */
function cli(args: string[]) {
  return execa(process.execPath, [bin, ...args], {
    cwd: dir,
    env: { TEMPORAL_ADDRESS: testTarget().address, TEMPORAL_OPS_STATE_DIR: h.settings.stateDir },
    reject: false,
    timeout: 60_000,
  });
}

before(async () => {
  h = await createHarness();
  dir = await realpath(await scratchDir(`samples-${nanoid(4)}`));
  await cp(join(packageRoot, 'test', 'fixtures', 'shape-samples'), dir, { recursive: true });
  for (const sample of Object.keys(queues) as Sample[]) {
    const added = await cli([
      'project',
      'add',
      dir,
      '--task-queue',
      queues[sample],
      '--worker-command',
      commandOf(sample),
    ]);
    assert.equal(added.exitCode, 0, added.stderr);
  }
  const [json, text] = await Promise.all([cli(['project', 'list', '--json']), cli(['project', 'list'])]);
  const [entry] = JSON.parse(json.stdout) as ProjectEntry[];
  assert.ok(entry);
  project = entry.key;
  assert.deepEqual(
    entry.workers?.map((w) => [w.taskQueue, w.workerCommand]),
    [
      [queues.hello, commandOf('hello')],
      [queues.orders, commandOf('orders')],
      [queues.shipping, commandOf('shipping')],
    ],
    'one directory, three registered workers',
  );
  for (const sample of Object.keys(queues) as Sample[])
    assert.ok(text.stdout.includes(`queue  ${queues[sample]}  worker "${commandOf(sample)}"`), text.stdout);
});

after(async () => {
  await terminateAll(h.client, started);
  await h.cleanup();
});

describe('a project with three workers on three task queues', () => {
  it("starts only the stalled queue's registered worker, and stops only the queue named", async () => {
    const [hello, orders] = await h.withControlWorker(() =>
      // Two queues of one project start side by side: neither waits for nor replaces the other.
      Promise.all([ensureWorker('hello'), ensureWorker('orders')]),
    );
    assert.equal(hello.ok, true, hello.problem);
    assert.equal(orders.ok, true, orders.problem);
    const running = await liveWorkers();
    assert.deepEqual(
      running.map(([queue, , command]) => [queue, command]),
      [
        [queues.hello, commandOf('hello')],
        [queues.orders, commandOf('orders')],
      ],
    );

    const waiting = uniqueId('samples-hello');
    const idle = uniqueId('samples-shipping');
    started.push(waiting, idle);
    await h.client.workflow.start('HelloSignal', {
      taskQueue: queues.hello,
      workflowId: waiting,
      args: ['bob'],
    });
    await waitUntil(
      `${waiting} to wait for its signal after the activity`,
      async () => {
        const history = await h.client.workflow.getHandle(waiting).fetchHistory();
        const types = (history.events ?? []).map(eventTypeName);
        const done = types.indexOf('ActivityTaskCompleted');
        return done > 0 && types.lastIndexOf('WorkflowTaskCompleted') > done ? true : undefined;
      },
      30_000,
      200,
    );
    await h.client.workflow.start('ShipOrder', {
      taskQueue: queues.shipping,
      workflowId: idle,
      args: ['o-1'],
    });

    const policy = { noWorkerAfterMs: 2000 };
    const report = await h.withControlWorker(async () => {
      await untilNoWorkerVerdict(h.client, idle, policy);
      const handle = await startDebug(h, {
        act: true,
        workflowId: idle,
        projectDir: dir,
        autoApprove: true,
        graceSeconds: 3,
        policy,
      });
      return (await handle.result()) as DebugStalledReport;
    });
    assert.equal(report.ok, true, report.problem);
    const [action] = report.actions ?? [];
    assert.deepEqual(
      [action?.workflowId, action?.verdict, action?.remedy, action?.applied, action?.verified],
      [idle, 'no-worker', 'start-worker', true, true],
    );
    assert.match(action?.detail ?? '', new RegExp(`on "${queues.shipping}"`));
    assert.match(action?.detail ?? '', /polls and the workflow task started/);
    const after = await liveWorkers();
    const shipping = after.find(([queue]) => queue === queues.shipping);
    assert.deepEqual(shipping?.slice(2), [commandOf('shipping')], 'the registered command of that queue');
    assert.equal(report.worker?.pid, shipping?.[1]);
    assert.deepEqual(
      after.filter(([queue]) => queue !== queues.shipping),
      running,
      'the other two workers are untouched (same pids)',
    );
    assert.deepEqual(report.worker?.replaced, [], 'nothing was stopped to make room');
    assert.deepEqual(await h.client.workflow.getHandle(idle).result(), {
      status: 'ok',
      note: 'carrier booked for o-1',
    });
    await h.client.workflow.getHandle(waiting).signal('proceed');
    assert.equal(await h.client.workflow.getHandle(waiting).result(), 'Hello, bob!');

    const stop = await cli(['worker', 'stop', '--project', project, '--task-queue', queues.orders, '--json']);
    assert.equal(stop.exitCode, 0, stop.stderr);
    const stopped = JSON.parse(stop.stdout) as { pid: number; result: string }[];
    const ordersPid = running.find(([queue]) => queue === queues.orders)?.[1];
    assert.deepEqual(
      stopped.map((o) => [o.pid, o.result]),
      [[ordersPid, 'stopped']],
    );
    assert.deepEqual(
      (await liveWorkers()).map(([queue, pid]) => [queue, pid]),
      after.filter(([queue]) => queue !== queues.orders).map(([queue, pid]) => [queue, pid]),
      'hello and shipping still run',
    );
    const removed = await cli(['project', 'remove', dir, '--task-queue', queues.orders, '--json']);
    assert.equal(removed.exitCode, 0, removed.stderr);
    assert.deepEqual(
      (JSON.parse(removed.stdout) as ProjectEntry).workers?.map((w) => w.taskQueue),
      [queues.hello, queues.shipping],
      "only the orders queue's registration is forgotten",
    );
  });
});
