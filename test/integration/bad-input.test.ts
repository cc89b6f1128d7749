// Bad input fails the real recipe workflow at once: a non-retryable InvalidInputError naming the
// field and the value, before any activity is scheduled (no worker started, no lock taken).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ApplicationFailure, WorkflowFailedError } from '@temporalio/client';
import { nanoid } from 'nanoid';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from 'execa';
import type { Progress } from '../../workflows/lib/checklist.js';
import { packageRoot } from '../../src/config.js';
import { FailureType } from '../../src/contract/failure-types.js';
import { readPidRecords } from '../../src/host/records/pid-file.js';
import { stopRecorded } from '../../src/host/workers/stop.js';
import { exampleCleanStartInput, exampleProjectDir, venvPython } from '../../src/host/projects/example.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { waitFor } from '../helpers/processes.js';

let h: Harness;

before(async () => {
  h = await createHarness();
});

after(async () => {
  await h.cleanup();
});

const cleanStart = { projectDir: '/srv/shop', taskQueue: 'orders', start: { workflowType: 'Order' } };
const mib = 'q'.repeat(1 << 20);

/** workflow type, input, text the failure message must contain (field and quoted value). */
const cases: [string, unknown, string][] = [
  [
    'CleanStart',
    { ...cleanStart, resultRule: { statusKeys: 'status' } },
    'resultRule.statusKeys: expected an array of strings, such as ["status"], got "status"',
  ],
  [
    'CleanStart',
    { ...cleanStart, resultRule: { errorValues: 5 } },
    'resultRule.errorValues: expected an array of strings',
  ],
  ['CleanStart', { ...cleanStart, resultRule: { bogus: [1] } }, 'resultRule.bogus: expected no such field'],
  ['CleanStart', { ...cleanStart, taskQueue: mib }, `taskQueue: expected a task queue name`],
  ['CleanStart', { ...cleanStart, host: 'no host!' }, 'host: expected a host name'],
  ['CleanStart', { ...cleanStart, project: '../../etc' }, 'project: expected a project name'],
  [
    'CleanStart',
    { ...cleanStart, taskqueue: 'orders' },
    'taskqueue: expected no such field (known: projectDir,',
  ],
  [
    'EnsureWorker',
    { projectDir: 'relative/shop', taskQueue: 'orders' },
    'projectDir: expected an absolute path, got "relative/shop"',
  ],
  [
    'EnsureWorker',
    { projectDir: '/srv/shop', taskQueue: 'orders', env: { A: 1 } },
    'env.A: expected a string value, got 1',
  ],
  [
    'TestInteractive',
    { ...cleanStart, interactions: [{ signal: 'a' }, { signal: 'b', update: 'c' }] },
    'interactions[1]: expected exactly one of "signal", "update" or "query", got {"signal":"b","update":"c"}',
  ],
  ['TestInteractive', { ...cleanStart, interactions: [] }, 'interactions: expected a non-empty array'],
  ['DebugStalled', { act: true }, 'act: expected false unless projectDir is given'],
  ['DebugStalled', { policy: { noWorkerAfterMs: -1 } }, 'policy.noWorkerAfterMs: expected a number from 0'],
  ['DebugStalled', { replayGate: { onBreak: 'later' } }, 'replayGate.onBreak: expected one of ask,'],
  ['ClearStalledEnvironment', { mode: 'nuke' }, 'mode: expected one of auto, terminate, cancel, got "nuke"'],
  ['ClearStalledEnvironment', { verdicts: ['healthy-wait'] }, 'verdicts[0]: expected a stalled verdict'],
  [
    'ClearStalledEnvironment',
    { action: 'terminate' },
    'action: expected an action together with query, pattern',
  ],
  ['ClearStalledEnvironment', { pattern: 'order-*' }, 'pattern: expected no pattern without action'],
];

interface Outcome {
  error: unknown;
  activitiesScheduled: number;
  /** Workflow tasks that failed (and were retried) before the run ended. */
  workflowTasksFailed: number;
}

async function run(workflowType: string, input: unknown): Promise<Outcome> {
  const handle = await h.client.workflow.start(workflowType, {
    taskQueue: h.settings.opsTaskQueue,
    workflowId: `bad-input-${workflowType}-${nanoid(8)}`,
    args: [input],
    workflowExecutionTimeout: '2m',
  });
  const error = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  const events = (await handle.fetchHistory()).events ?? [];
  const activitiesScheduled = events.filter((e) => e.activityTaskScheduledEventAttributes).length;
  const workflowTasksFailed = events.filter((e) => e.workflowTaskFailedEventAttributes).length;
  return { error, activitiesScheduled, workflowTasksFailed };
}

describe('bad recipe input', () => {
  it('covers every workflow recipe', () => {
    assert.ok(cases.length >= 12);
    const types = new Set(cases.map(([type]) => type));
    for (const type of [
      'CleanStart',
      'EnsureWorker',
      'TestInteractive',
      'DebugStalled',
      'ClearStalledEnvironment',
    ])
      assert.ok(types.has(type), type);
  });

  it('fails each recipe fast with a non-retryable InvalidInputError naming the field and value', async () => {
    const outcomes = await h.withControlWorker(() =>
      Promise.all(cases.map(([type, input]) => run(type, input))),
    );
    for (const [n, [type, , message]] of cases.entries()) {
      const { error, activitiesScheduled, workflowTasksFailed } = outcomes[n]!;
      assert.ok(error instanceof WorkflowFailedError, `${type} case ${n} fails, got ${String(error)}`);
      const cause = error.cause;
      assert.ok(cause instanceof ApplicationFailure, `${type} case ${n}: an ApplicationFailure`);
      assert.equal(cause.type, 'InvalidInputError');
      assert.equal(cause.nonRetryable, true);
      assert.ok(cause.message.startsWith(`${type} input is invalid: `), cause.message);
      assert.ok(cause.message.includes(message), `${type} case ${n}: ${cause.message.slice(0, 300)}`);
      assert.equal(activitiesScheduled, 0, `${type} case ${n} refuses before any step runs`);
      // Failed by its first workflow task: a recipe stuck retrying its task would take minutes.
      assert.equal(workflowTasksFailed, 0, `${type} case ${n} retried its workflow task`);
    }
  });

  it('quotes a huge value shortened, so the failure stays small', async () => {
    const { error } = await h.withControlWorker(() => run('CleanStart', { ...cleanStart, taskQueue: mib }));
    assert.ok(error instanceof WorkflowFailedError);
    const cause = error.cause as ApplicationFailure;
    assert.ok(
      cause.message.includes(`got "${mib.slice(0, 60)}… (1048576 characters)"`),
      cause.message.slice(0, 300),
    );
    assert.ok(cause.message.length < 2000);
  });
});

/** Starts a recipe with one hand-built payload (what a client of any SDK could send), returns its failure. */
async function runRaw(
  workflowType: string,
  data: string,
  encoding = 'json/plain',
): Promise<{ error: unknown; taskFailures: number }> {
  const workflowId = `bad-payload-${workflowType}-${nanoid(8)}`;
  await h.client.workflowService.startWorkflowExecution({
    namespace: h.client.options.namespace,
    workflowId,
    workflowType: { name: workflowType },
    taskQueue: { name: h.settings.opsTaskQueue },
    input: { payloads: [{ metadata: { encoding: Buffer.from(encoding) }, data: Buffer.from(data) }] },
    requestId: nanoid(),
    identity: 'bad-input test',
  });
  const handle = h.client.workflow.getHandle(workflowId);
  const error = await handle.result().then(
    () => undefined,
    (e: unknown) => e,
  );
  const history = await handle.fetchHistory();
  const taskFailures = (history.events ?? []).filter((e) => e.workflowTaskFailedEventAttributes).length;
  return { error, taskFailures };
}

const shop = '"projectDir": "/srv/shop", "taskQueue": "orders"';
const deep = 20_000;

/** recipe, raw payload data (and encoding), text the failure must contain. */
const payloadCases: [string, string, string, string?][] = [
  ['CleanStart', `{${shop}, "start": {"workflowT`, 'not valid JSON'],
  [
    'EnsureWorker',
    `{${shop}, "readyTimeoutSeconds": Infinity}`,
    'the number Infinity, which JSON does not allow',
  ],
  ['TestInteractive', `{${shop}, "resultTimeoutSeconds": -Infinity}`, 'the number -Infinity'],
  ['DebugStalled', `{"policy": {"noWorkerAfterMs": NaN}}`, 'the number NaN'],
  [
    'CleanStart',
    `{${shop}, "start": {"workflowType": "Order", "args": [${'['.repeat(deep)}${']'.repeat(deep)}]}}`,
    'nested more than 100 levels deep',
  ],
  ['ClearStalledEnvironment', `{"mode": "cancel"}`, 'Unknown encoding: binary/nonsense', 'binary/nonsense'],
];

describe('input the SDK cannot decode', () => {
  const hangGuard = { timeout: 120_000 };
  it(
    'fails each recipe with a non-retryable InvalidInputError naming the problem, without retrying its task',
    hangGuard,
    async () => {
      const outcomes = await h.withControlWorker(() =>
        Promise.all(payloadCases.map(([type, data, , encoding]) => runRaw(type, data, encoding))),
      );
      for (const [n, [type, , problem]] of payloadCases.entries()) {
        const { error, taskFailures } = outcomes[n]!;
        assert.ok(error instanceof WorkflowFailedError, `${type} case ${n} fails, got ${String(error)}`);
        const cause = error.cause;
        assert.ok(cause instanceof ApplicationFailure, `${type} case ${n}: an ApplicationFailure`);
        assert.equal(cause.type, 'InvalidInputError');
        assert.equal(cause.nonRetryable, true);
        assert.ok(
          cause.message.startsWith(
            `${type} input is invalid: input: expected one JSON object the SDK can decode`,
          ),
          cause.message,
        );
        assert.ok(cause.message.includes(problem), `${type} case ${n}: ${cause.message.slice(0, 300)}`);
        assert.equal(taskFailures, 0, `${type} case ${n}: no workflow task failed`);
      }
    },
  );
});

describe('after bad input', () => {
  it('a normal CleanStart of the same project succeeds', async () => {
    const report = await h.withControlWorker(() =>
      h.client.workflow.execute('CleanStart', {
        taskQueue: h.settings.opsTaskQueue,
        workflowId: `after-bad-input-${nanoid(8)}`,
        args: [
          {
            ...exampleCleanStartInput(uniqueQueue('orders')),
            start: { workflowType: 'Order', args: [{ orderId: nanoid(6), items: ['book'] }] },
          },
        ],
      }),
    );
    assert.equal(
      (report as { ok: boolean; problem?: string }).ok,
      true,
      (report as { problem?: string }).problem,
    );
  });

  it('a control worker stops on SIGTERM while an activity is stuck, without waiting it out', async () => {
    const stateDir = await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? tmpdir(), 'sigterm-'));
    const opsQueue = uniqueQueue('ops-sigterm');
    const serve = execa(process.execPath, [join(packageRoot, 'bin', 'temporal-ops.mjs'), 'serve'], {
      env: {
        TEMPORAL_ADDRESS: testTarget().address,
        TEMPORAL_OPS_STATE_DIR: stateDir,
        TEMPORAL_OPS_TASK_QUEUE: opsQueue,
      },
      reject: false,
      // Measure the control worker's own shutdown: no SIGKILL from execa after a delay.
      forceKillAfterDelay: false,
    });
    try {
      // A worker that never polls its queue keeps the ensure-worker activity waiting for two minutes.
      const handle = await h.client.workflow.start('EnsureWorker', {
        taskQueue: opsQueue,
        workflowId: `sigterm-${nanoid(8)}`,
        args: [
          {
            projectDir: exampleProjectDir,
            taskQueue: uniqueQueue('orders'),
            workerCommand: `env TEMPORAL_TASK_QUEUE=elsewhere ${venvPython} worker.py`,
            readyTimeoutSeconds: 120,
          },
        ],
      });
      await waitFor(
        'the ensure-worker step to run',
        async () => {
          const progress = await handle.query<Progress>('progress').catch(() => undefined);
          return progress?.steps.some((s) => s.name === 'ensure-worker' && s.outcome === 'running');
        },
        60_000,
      );
      serve.kill('SIGTERM');
      const result = await serve;
      // It did not wait the stuck activity out: the activity is still pending, its readiness wait
      // unanswered. Attempt 1, or attempt 2 when the shutdown's cancel of the first reached the
      // server first; never a readiness timeout (that would take the 120 s it asked for).
      const pending = (await handle.describe()).raw.pendingActivities ?? [];
      assert.deepEqual(
        pending.map((a) => a.activityType?.name),
        ['ensureWorker'],
      );
      const [stuck] = pending;
      assert.ok([1, 2].includes(stuck?.attempt ?? 0), `attempt ${stuck?.attempt}`);
      assert.notEqual(stuck?.lastFailure?.applicationFailureInfo?.type, FailureType.WorkerNotReady);
      assert.ok(
        result.exitCode === 0 || result.signal === 'SIGTERM',
        `exit ${result.exitCode} ${result.signal}`,
      );
      await handle.terminate('test over');
    } finally {
      serve.kill('SIGKILL');
      for (const record of await readPidRecords(stateDir)) await stopRecorded(stateDir, record, 2000);
    }
  });
});
