// CleanStart end to end: a real dev server, the real example Python project, real processes.
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { execa } from 'execa';
import { nanoid } from 'nanoid';
import type { CleanStartReport } from '../../workflows/clean-start.js';
import { defaultTemporalCli } from '../../src/config.js';
import { listPollers } from '../../src/temporal/task-queue.js';
import { readPidRecords } from '../../src/host/records/pid-file.js';
import { groupMembers, readProc } from '../../src/host/records/proc.js';
import { pidOfIdentity } from '../../src/host/workers/readiness.js';
import { exampleCleanStartInput, exampleProjectDir, venvPython } from '../../src/host/projects/example.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { fixturesDir } from '../helpers/processes.js';

let h: Harness;

before(async () => {
  h = await createHarness();
});

after(async () => {
  await h.cleanup();
});

function orderInput(taskQueue: string, extra: Record<string, unknown> = {}) {
  return {
    ...exampleCleanStartInput(taskQueue),
    project: `orders-${nanoid(6)}`,
    start: { workflowType: 'Order', args: [{ orderId: nanoid(6), items: ['book'] }] },
    ...extra,
  };
}

function runCleanStart(input: unknown): Promise<CleanStartReport> {
  return h.client.workflow.execute('CleanStart', {
    taskQueue: h.settings.opsTaskQueue,
    workflowId: `test-clean-start-${nanoid(8)}`,
    args: [input],
    workflowExecutionTimeout: '3m',
  });
}

/** Process groups of the live pollers (under `uv run`, the poller is uv's Python child in the worker's group). */
async function livePollerGroups(taskQueue: string): Promise<number[]> {
  const pollers = await listPollers(h.client, taskQueue);
  return pollers
    .map((p) => pidOfIdentity(p.identity))
    .flatMap((pid) => (pid === undefined ? [] : [readProc(pid)?.pgid]))
    .filter((pgid): pgid is number => pgid !== undefined);
}

describe('CleanStart', () => {
  it('starts one fresh worker, runs the target workflow and reports its checked result', async () => {
    const taskQueue = uniqueQueue('orders');
    const report = await h.withControlWorker(() => runCleanStart(orderInput(taskQueue)));
    assert.equal(report.ok, true, report.problem);
    assert.ok(report.worker && readProc(report.worker.pid), 'the worker is still running after the recipe');
    assert.equal(report.target && 'status' in report.target && report.target.status, 'COMPLETED');
    assert.deepEqual((report.target as { result: { status: string } }).result.status, 'ok');
    assert.deepEqual(
      report.steps.map((s) => [s.name, s.outcome]),
      [
        'verify-server',
        'pin-host',
        'prepare',
        'replay-gate',
        'ensure-worker',
        'start-target',
        'wait-target',
        'check-result',
      ].map((n) => [n, 'ok']),
    );
    assert.deepEqual(await livePollerGroups(taskQueue), [report.worker.pgid]);
  });

  it('is started by the plain temporal CLI and keeps its summary, input and outcome in memo and search attributes', async () => {
    const taskQueue = uniqueQueue('orders');
    const workflowId = `cli-clean-start-${nanoid(8)}`;
    const target = testTarget();
    await h.withControlWorker(async () => {
      await execa(defaultTemporalCli(), [
        'workflow',
        'start',
        '--address',
        target.address,
        '--type',
        'CleanStart',
        '--task-queue',
        h.settings.opsTaskQueue,
        '--workflow-id',
        workflowId,
        '--input',
        JSON.stringify(orderInput(taskQueue)),
      ]);
      const report: CleanStartReport = await h.client.workflow.getHandle(workflowId).result();
      assert.equal(report.ok, true, report.problem);
    });
    const description = await h.client.workflow.getHandle(workflowId).describe();
    assert.equal(description.memo?.opsOutcome, 'ok');
    // No static summary from the plain CLI: the recipe's own summary and input are in memo instead.
    assert.match(String(description.memo?.opsTitle), new RegExp(`^CleanStart of \\S+ on ${taskQueue}$`));
    assert.ok(
      String(description.memo?.opsInput).includes(`- **taskQueue**: \`${taskQueue}\``),
      String(description.memo?.opsInput),
    );
    assert.deepEqual(description.searchAttributes.OpsOutcome, ['ok']);
    assert.deepEqual(description.searchAttributes.OpsRecipe, ['CleanStart']);
  });

  it('replaces the previous worker: the old pid is gone and exactly one worker polls', async () => {
    const taskQueue = uniqueQueue('orders');
    const input = orderInput(taskQueue);
    const [first, second] = await h.withControlWorker(async () => [
      await runCleanStart(input),
      await runCleanStart(input),
    ]);
    assert.ok(first.ok && second.ok);
    assert.notEqual(first.worker!.pid, second.worker!.pid);
    assert.equal(readProc(first.worker!.pid), undefined, 'the first worker is gone');
    assert.deepEqual(
      second.stopped.map((s) => [s.pid, s.result]),
      [[first.worker!.pid, 'stopped']],
    );
    assert.deepEqual(await livePollerGroups(taskQueue), [second.worker!.pgid]);
    // One worker per task queue: the project's workers on other queues (earlier tests) are not this one's.
    const records = await readPidRecords(h.settings.stateDir, { kind: 'worker', project: second.project });
    assert.deepEqual(
      records.filter((r) => r.taskQueue === taskQueue).map((r) => r.pid),
      [second.worker!.pid],
    );
  });

  it('reports a worker that exits at once with its log tail, and leaves no process behind', async () => {
    const taskQueue = uniqueQueue('orders');
    const workerCommand = `${venvPython} -c 'import sys; print("config missing: ORDERS_DB_URL", flush=True); sys.exit(3)'`;
    const report = await h.withControlWorker(() => runCleanStart(orderInput(taskQueue, { workerCommand })));
    assert.equal(report.ok, false);
    assert.equal(report.failedStep, 'ensure-worker');
    // Failed on the exit itself, not at the end of the ready timeout (seen at once, or by the ready
    // check when its start time was read before it exited: the portable backend reads more slowly).
    assert.match(report.problem ?? '', /exited (at once \(.*\) )?before polling/);
    assert.match(report.worker?.logTail ?? '', /config missing: ORDERS_DB_URL/);
    assert.equal(groupMembers(report.worker!.pgid).length, 0, 'no orphan in the worker group');
  });

  it('stops a worker that never polls the target task queue and says so', async () => {
    const taskQueue = uniqueQueue('orders');
    const workerCommand = `env TEMPORAL_TASK_QUEUE=somewhere-else ${venvPython} worker.py`;
    const report = await h.withControlWorker(() =>
      runCleanStart({ ...orderInput(taskQueue), workerCommand, readyTimeoutSeconds: 4 }),
    );
    assert.equal(report.ok, false);
    assert.equal(report.failedStep, 'ensure-worker');
    assert.match(report.problem ?? '', new RegExp(`did not poll task queue "${taskQueue}"`));
    assert.equal(groupMembers(report.worker!.pgid).length, 0, 'the useless worker was stopped');
  });

  it('flags a COMPLETED result that reads like an error', async () => {
    const taskQueue = uniqueQueue('orders');
    const input = {
      ...orderInput(taskQueue),
      start: { workflowType: 'Order', args: [{ orderId: 'x1', fail: true }] },
    };
    const report = await h.withControlWorker(() => runCleanStart(input));
    assert.equal(report.ok, false);
    assert.equal(report.target && 'status' in report.target && report.target.status, 'COMPLETED');
    assert.match(report.problem ?? '', /reads like an error: result.status is "error"/);
  });

  it('reads the workflow ID from a starter command', async () => {
    const taskQueue = uniqueQueue('orders');
    const input = { ...orderInput(taskQueue), start: { command: `${venvPython} starter.py` } };
    const report = await h.withControlWorker(() => runCleanStart(input));
    assert.equal(report.ok, true, report.problem);
    assert.match(report.target!.workflowId, /^order-/);
  });

  it('matches a workflow ID pattern that backtracks without end in RegExp, and serves the next recipe', async () => {
    // In RegExp the optional tail retries 2^36 ways on the printed run ID before it gives up.
    const workflowIdPattern = String.raw`workflow id: (\S+)(?:\s+run id: (?:[\w-]|[0-9a-f-])+Z)?`;
    const hostile = {
      ...orderInput(uniqueQueue('orders')),
      start: { command: `${venvPython} starter.py`, workflowIdPattern },
    };
    const [first, next] = await h.withControlWorker(async () => [
      await runCleanStart(hostile),
      await runCleanStart(orderInput(uniqueQueue('orders'))),
    ]);
    assert.equal(first?.ok, true, first?.problem);
    assert.match(first?.target?.workflowId ?? '', /^order-[0-9a-f]{8}$/);
    assert.equal(next?.ok, true, next?.problem);
  });

  it('finds the workflow a starter started when it prints only the result', async () => {
    const taskQueue = uniqueQueue('orders');
    const idsFile = join(tmpdir(), `starter-ids-${nanoid(6)}`);
    const command = `${venvPython} ${join(fixturesDir, 'result_starter.py')} --ids-file ${idsFile}`;
    const report = await h.withControlWorker(() =>
      runCleanStart({ ...orderInput(taskQueue), start: { command } }),
    );
    assert.equal(report.ok, true, report.problem);
    const [startedId] = (await readFile(idsFile, 'utf8')).split('\n');
    assert.equal(report.target!.workflowId, startedId);
    assert.equal(report.target && 'status' in report.target && report.target.status, 'COMPLETED');
  });

  it('refuses to guess when a starter that prints no ID started two workflows, and names both', async () => {
    const taskQueue = uniqueQueue('orders');
    const idsFile = join(tmpdir(), `starter-ids-${nanoid(6)}`);
    const command = `${venvPython} ${join(fixturesDir, 'result_starter.py')} --count 2 --ids-file ${idsFile}`;
    const report = await h.withControlWorker(() =>
      runCleanStart({ ...orderInput(taskQueue), start: { command } }),
    );
    assert.equal(report.ok, false);
    assert.equal(report.failedStep, 'start-target');
    const ids = (await readFile(idsFile, 'utf8')).trim().split('\n');
    assert.equal(ids.length, 2);
    for (const id of ids) assert.ok(report.problem?.includes(id), `${id} is named in: ${report.problem}`);
    assert.match(report.problem ?? '', /2 workflows started on task queue/);
  });

  const invalid: [string, unknown, RegExp][] = [
    ['input that is not an object', 'orders', /input: expected one JSON object, got "orders"/],
    [
      'a missing projectDir',
      { taskQueue: 'q', start: { workflowType: 'Order' } },
      /projectDir: expected an absolute path, got nothing/,
    ],
    [
      'a relative projectDir',
      { projectDir: 'examples/orders', taskQueue: 'q', start: { workflowType: 'Order' } },
      /projectDir: expected an absolute path, got "examples\/orders"/,
    ],
    [
      'a mistyped field name',
      { projectDir: '/tmp', taskqueue: 'q', start: { workflowType: 'Order' } },
      /taskqueue: expected no such field/,
    ],
    [
      'a taskQueue that is a number',
      { projectDir: '/tmp', taskQueue: 7, start: { workflowType: 'Order' } },
      /taskQueue: expected a task queue name: 1 to 1000 characters, no control characters, got 7/,
    ],
    [
      'both start forms',
      { projectDir: '/tmp', taskQueue: 'q', start: { workflowType: 'Order', command: 'x' } },
      /either start.command or start.workflowType/,
    ],
    [
      'a projectDir that does not exist',
      {
        projectDir: join(exampleProjectDir, 'no-such-shop'),
        taskQueue: 'q',
        start: { workflowType: 'Order' },
      },
      /projectDir: expected an existing directory, got ".*\/no-such-shop"/,
    ],
    [
      'a worker command that is not found',
      {
        projectDir: exampleProjectDir,
        taskQueue: 'q',
        workerCommand: 'uvx-missing run worker',
        start: { workflowType: 'Order' },
      },
      /workerCommand: expected a command whose program "uvx-missing" exists/,
    ],
  ];
  for (const [title, input, message] of invalid) {
    it(`fails fast with a non-retryable error naming the field for ${title}`, async () => {
      const error = await h.withControlWorker(() =>
        runCleanStart(input).then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
      assert.ok(error instanceof WorkflowFailedError, `expected the workflow to fail, got ${String(error)}`);
      const cause = error.cause as { message: string; type?: string; nonRetryable?: boolean };
      assert.match(cause.message, message);
      assert.equal(cause.type, 'InvalidInputError');
      assert.equal(cause.nonRetryable, true);
    });
  }
});
