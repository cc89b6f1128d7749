// The open workflows the sweep benchmark runs against: mostly healthy waits on a live Python fixture
// worker, about 10% stalled across the verdict classes, and (for 10k) cheap no-worker filler.
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { packageRoot } from '../src/config.js';
import { eventTypeName } from '../src/inspect/history.js';
import { mapLimit } from '../src/inspect/pool.js';
import { clientPollerSource } from '../src/host/workers/pollers.js';
import { ensureWorker } from '../src/host/workers/workers.js';
import { venvPython } from '../src/host/projects/example.js';

const fixtureDir = join(packageRoot, 'test', 'fixtures', 'python');

const LIVE_QUEUE = 'bench-live';
const NDE_QUEUE = 'bench-nde';
const DEAD_QUEUES = Array.from({ length: 10 }, (_, i) => `bench-dead-${i}`);

interface Batch {
  type: string;
  count: number;
  taskQueue: string;
  args?: unknown[];
  workflowTaskTimeout?: string;
}

/** The 1,000-workflow mix: 900 healthy (timer, signal, update, heartbeating activity, recovered), 100 stalled. */
const MIX: Batch[] = [
  { type: 'WaitsForSignal', count: 400, taskQueue: LIVE_QUEUE },
  { type: 'WaitsForTimer', count: 400, taskQueue: LIVE_QUEUE },
  { type: 'WaitsForUpdate', count: 75, taskQueue: LIVE_QUEUE },
  { type: 'LongActivity', count: 20, taskQueue: LIVE_QUEUE },
  { type: 'FlakyOnce', count: 5, taskQueue: LIVE_QUEUE },
  { type: 'NoWorkerTarget', count: 20, taskQueue: 'bench-dead-0' },
  { type: 'CodeBug', count: 15, taskQueue: LIVE_QUEUE },
  { type: 'SandboxViolation', count: 12, taskQueue: LIVE_QUEUE },
  { type: 'UnregisteredType', count: 12, taskQueue: LIVE_QUEUE },
  // The fixture retries these every second forever: a few are a storm already, and the load they
  // put on a 2-core dev server would time the storm rather than the sweep.
  { type: 'RetryStorm', count: 8, taskQueue: LIVE_QUEUE },
  { type: 'MissingActivity', count: 8, taskQueue: LIVE_QUEUE },
  {
    type: 'SlowTask',
    count: 5,
    taskQueue: LIVE_QUEUE,
    args: [{ hangSeconds: 3600 }],
    workflowTaskTimeout: '1s',
  },
  { type: 'NonDeterministic', count: 20, taskQueue: NDE_QUEUE },
];

async function startBatch(client: Client, batch: Batch, prefix: string): Promise<string[]> {
  const ids = Array.from({ length: batch.count }, (_, i) => `${prefix}-${batch.type}-${i}`);
  await mapLimit(ids, 64, (workflowId) =>
    client.workflow.start(batch.type, {
      taskQueue: batch.taskQueue,
      workflowId,
      args: batch.args ?? [],
      ...(batch.workflowTaskTimeout && { workflowTaskTimeout: batch.workflowTaskTimeout }),
    }),
  );
  return ids;
}

async function fixtureWorker(
  client: Client,
  stateDir: string,
  address: string,
  project: string,
  taskQueue: string,
  codeVersion: string,
): Promise<void> {
  await ensureWorker(
    {
      stateDir,
      project,
      projectDir: fixtureDir,
      command: `${venvPython} worker.py`,
      taskQueue,
      env: { FIXTURE_CODE_VERSION: codeVersion },
      baseEnv: { TEMPORAL_ADDRESS: address, TEMPORAL_NAMESPACE: 'default' },
      graceMs: 3000,
    },
    { mode: 'restart', ready: { timeoutMs: 60_000, pollers: clientPollerSource(client) } },
  );
}

async function timerFiredAndCompleted(client: Client, workflowId: string): Promise<boolean> {
  const types = ((await client.workflow.getHandle(workflowId).fetchHistory()).events ?? []).map(
    eventTypeName,
  );
  const fired = types.indexOf('TimerFired');
  return fired >= 0 && types.slice(fired).includes('WorkflowTaskCompleted');
}

/** Waits until at most `left` of the ids still have a pending first workflow task (the live worker is catching up). */
async function settle(client: Client, ids: string[], timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const pending = await mapLimit(ids, 32, async (workflowId) => {
      const d = await client.workflowService.describeWorkflowExecution({
        namespace: 'default',
        execution: { workflowId },
      });
      return d.pendingWorkflowTask ? 1 : 0;
    });
    const left = pending.reduce<number>((a, b) => a + b, 0);
    if (left === 0 || Date.now() > deadline) return;
    await sleep(1000);
  }
}

/** Starts the fixture workers and the 1,000-workflow mix, including non-determinism the way users hit it. */
export async function createMix(
  client: Client,
  stateDir: string,
  address: string,
  log: (line: string) => void,
): Promise<Record<string, number>> {
  await Promise.all([
    fixtureWorker(client, stateDir, address, 'bench-live', LIVE_QUEUE, '1'),
    fixtureWorker(client, stateDir, address, 'bench-nde', NDE_QUEUE, '1'),
  ]);
  const started = Date.now();
  const byType: Record<string, string[]> = {};
  for (const batch of MIX) byType[batch.type] = await startBatch(client, batch, 'mix');
  log(
    `started ${MIX.reduce((n, b) => n + b.count, 0)} workflows in ${((Date.now() - started) / 1000).toFixed(1)} s`,
  );
  const nde = byType.NonDeterministic ?? [];
  const deadline = Date.now() + 60_000;
  while (
    !(await Promise.all(nde.map((id) => timerFiredAndCompleted(client, id)))).every(Boolean) &&
    Date.now() < deadline
  )
    await sleep(500);
  await fixtureWorker(client, stateDir, address, 'bench-nde', NDE_QUEUE, '2');
  await mapLimit(nde, 16, (id) => client.workflow.getHandle(id).signal('go'));
  const healthy = ['WaitsForSignal', 'WaitsForTimer', 'WaitsForUpdate'].flatMap((t) => byType[t] ?? []);
  await settle(client, healthy, 120_000);
  log(`mix settled after ${((Date.now() - started) / 1000).toFixed(1)} s`);
  return Object.fromEntries(MIX.map((b) => [b.type, b.count]));
}

/** Cheap filler: `count` NoWorkerTarget workflows spread over queues nobody polls (no worker, no history). */
export async function addFiller(client: Client, count: number, offset = 0): Promise<void> {
  const ids = Array.from({ length: Math.max(0, count) }, (_, i) => `filler-${offset + i}`);
  await mapLimit(ids, 64, (workflowId, i) =>
    client.workflow.start('NoWorkerTarget', {
      taskQueue: DEAD_QUEUES[1 + (i % (DEAD_QUEUES.length - 1))] as string,
      workflowId,
    }),
  );
}

/**
 * Changes `count` runs of the mix between two sweeps: new retry storms and code bugs start, runs waiting
 * for a signal get it and finish, stalled runs are terminated (fixed). Each call picks fresh runs.
 */
let signalled = 0;
let rounds = 0;

export async function mutateMix(client: Client, count: number): Promise<void> {
  const round = rounds++;
  const quarter = Math.max(1, Math.floor(count / 4));
  const starts = [
    ...Array.from({ length: quarter }, (_, i) => ({ type: 'RetryStorm', id: `change-${round}-storm-${i}` })),
    ...Array.from({ length: quarter }, (_, i) => ({ type: 'CodeBug', id: `change-${round}-bug-${i}` })),
  ];
  const toSignal = Array.from({ length: quarter }, (_, i) => `mix-WaitsForSignal-${(signalled + i) % 400}`);
  signalled += quarter;
  const fixed = Array.from(
    { length: Math.max(0, count - 3 * quarter) },
    (_, i) => `mix-NoWorkerTarget-${(round * (count - 3 * quarter) + i) % 20}`,
  );
  await Promise.all([
    ...starts.map((s) => client.workflow.start(s.type, { taskQueue: LIVE_QUEUE, workflowId: s.id })),
    ...toSignal.map((id) =>
      client.workflow
        .getHandle(id)
        .signal('go')
        .catch(() => undefined),
    ),
    ...fixed.map((id) =>
      client.workflow
        .getHandle(id)
        .terminate('bench: fixed')
        .catch(() => undefined),
    ),
  ]);
}
