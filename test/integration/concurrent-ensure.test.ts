// Concurrent EnsureWorker recipes of one project (5, then 20, repeated): every one ends ok, exactly
// one worker polls at the end, no orphan. In one control worker, and in two sharing a state dir.
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { nanoid } from 'nanoid';
import { readPidRecords } from '../../src/host/records/pid-file.js';
import { stopRecorded } from '../../src/host/workers/stop.js';
import type { CleanStartReport } from '../../workflows/clean-start.js';
import type { EnsureWorkerRecipeReport } from '../../workflows/ensure-worker.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import {
  assertOneWorkerNoOrphan,
  controlWorkerEnv,
  copyOrders,
  scratchDir,
  startControlWorkerProcess,
  venvPython,
  type ControlWorkerProcess,
} from '../helpers/processes.js';

const root = process.env.TEMPORAL_OPS_TEST_ROOT ?? '/tmp';
let h: Harness;
let projectDir: string;

before(async () => {
  h = await createHarness();
  projectDir = await copyOrders(await scratchDir('busy'), { git: true });
});

after(async () => {
  await h.cleanup();
});

/** The worker part of a CleanStart report, in EnsureWorker's shape. */
function asEnsureReport(report: CleanStartReport): EnsureWorkerRecipeReport {
  const { worker } = report;
  return {
    ...report,
    recipe: 'EnsureWorker',
    worker: worker && {
      action: worker.action,
      reason: worker.reason,
      worker,
      supervised: false,
      ...(worker.adoptedFrom ? { adoptedFrom: worker.adoptedFrom } : {}),
    },
  } as EnsureWorkerRecipeReport;
}

/** Starts `n` recipes (EnsureWorker, or CleanStart running a target each) at once and checks the end state the project owes. */
async function ensureAtOnce(
  client: Client,
  opsQueue: string,
  stateDir: string,
  project: string,
  queue: string,
  n: number,
  recipe: 'EnsureWorker' | 'CleanStart' = 'EnsureWorker',
): Promise<void> {
  const base = { projectDir, project, taskQueue: queue, workerCommand: `${venvPython} worker.py` };
  const reports = await Promise.all(
    Array.from({ length: n }, async (_, i) => {
      const args =
        recipe === 'EnsureWorker'
          ? [base]
          : [{ ...base, start: { workflowType: 'Order', args: [{ orderId: `c${i}`, items: ['book'] }] } }];
      const report: unknown = await client.workflow.execute(recipe, {
        taskQueue: opsQueue,
        workflowId: `concurrent-${recipe}-${nanoid(8)}`,
        args,
        workflowExecutionTimeout: '5m',
      });
      return recipe === 'EnsureWorker'
        ? (report as EnsureWorkerRecipeReport)
        : asEnsureReport(report as CleanStartReport);
    }),
  );
  assert.deepEqual(
    reports.filter((r) => !r.ok).map((r) => r.problem),
    [],
    'every recipe ends ok',
  );
  const worker = await assertOneWorkerNoOrphan(client, stateDir, project, queue);
  const starters = reports.filter((r) => r.worker?.action === 'started').map((r) => r.worker?.worker.pid);
  assert.ok(starters.includes(worker.pid), 'the worker that runs was started by one of these recipes');
  for (const r of reports.filter((r) => r.worker?.action === 'adopted'))
    assert.ok(r.worker?.adoptedFrom, 'an adopting recipe says whose worker it adopted');
}

describe('concurrent EnsureWorker recipes of one project', () => {
  it('CleanStart in one control worker: 5 then 20 at once, five times, all ok with one worker', async () => {
    const project = `busy-${nanoid(4)}`;
    const queue = uniqueQueue('busy');
    await h.withControlWorker(async () => {
      for (let round = 0; round < 5; round++)
        for (const n of [5, 20])
          await ensureAtOnce(
            h.client,
            h.settings.opsTaskQueue,
            h.settings.stateDir,
            project,
            queue,
            n,
            'CleanStart',
          );
    });
  });

  it('EnsureWorker then CleanStart in two control worker processes sharing a state dir: 5 then 20 at once, all ok with one worker', async () => {
    const stateDir = await mkdtemp(join(root, 'shared-state-'));
    const opsQueue = uniqueQueue('ops-shared');
    const project = 'shared';
    const queue = uniqueQueue('shared');
    const env = controlWorkerEnv(stateDir, opsQueue);
    const workers: ControlWorkerProcess[] = [];
    try {
      workers.push(...(await Promise.all([startControlWorkerProcess(env), startControlWorkerProcess(env)])));
      for (const recipe of ['EnsureWorker', 'CleanStart'] as const)
        for (const n of [5, 20]) await ensureAtOnce(h.client, opsQueue, stateDir, project, queue, n, recipe);
    } finally {
      await Promise.all(workers.map((w) => w.stop()));
      for (const record of await readPidRecords(stateDir)) await stopRecorded(stateDir, record, 2000);
    }
  });
});
