// CheckRecentResults on real Python runs that ended every way: COMPLETED with a good result,
// COMPLETED with a result that reads like an error, FAILED and TERMINATED. Ops workflows are left out.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { join } from 'node:path';
import { packageRoot } from '../../src/config.js';
import type { CheckRecentReport } from '../../workflows/check-recent-results.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { runResultFixtures, startResultsWorker, terminateAll, uniqueId } from './diagnosis-fixture.js';

let h: Harness;
const queue = uniqueQueue('results');
const ids = {
  ok: uniqueId('returns-ok'),
  error: uniqueId('returns-error'),
  failed: uniqueId('fails'),
  terminated: uniqueId('waits-terminated'),
  running: uniqueId('waits-running'),
  ops: uniqueId('ops-recipe'),
};

before(async () => {
  h = await createHarness();
  await startResultsWorker(h, queue);
  await Promise.all([
    runResultFixtures(h, queue, ids),
    // A recipe on the target queue that closed: ours, never checked.
    h.client.workflow.start('CleanStart', { taskQueue: queue, workflowId: ids.ops, args: [{}] }),
  ]);
  await h.client.workflow.getHandle(ids.ops).terminate('test: an ops workflow');
});

after(async () => {
  await terminateAll(h.client, Object.values(ids));
  await h.cleanup();
});

describe('CheckRecentResults', () => {
  it('checks every closed target run of the window: a good result passes, an error-like result, FAILED and TERMINATED do not', async () => {
    const report = await h.withControlWorker(
      () =>
        h.client.workflow.execute('CheckRecentResults', {
          taskQueue: h.settings.opsTaskQueue,
          workflowId: uniqueId('check-recent'),
          args: [{ minutes: 10, taskQueue: queue }],
        }) as Promise<CheckRecentReport>,
    );
    assert.equal(report.ok, false);
    const byId = new Map(report.workflows.map((w) => [w.workflowId, w]));
    assert.deepEqual([...byId.keys()].sort(), [ids.ok, ids.error, ids.failed, ids.terminated].sort());
    const row = (id: string) => {
      const w = byId.get(id)!;
      return [w.workflowType, w.status, w.resultOk];
    };
    assert.deepEqual(row(ids.ok), ['ReturnsOk', 'COMPLETED', true]);
    assert.deepEqual(byId.get(ids.ok)?.result, { status: 'ok' });
    assert.deepEqual(row(ids.error), ['ReturnsError', 'COMPLETED', false]);
    assert.equal(byId.get(ids.error)?.reason, 'COMPLETED but result.status is "error"');
    assert.deepEqual(byId.get(ids.error)?.result, {
      status: 'error',
      message: 'payment service unavailable',
    });
    assert.deepEqual(row(ids.failed), ['FailsWorkflow', 'FAILED', false]);
    assert.match(byId.get(ids.failed)?.reason ?? '', /^FAILED: .*card declined/);
    assert.deepEqual(row(ids.terminated), ['WaitsForever', 'TERMINATED', false]);
    assert.match(byId.get(ids.terminated)?.reason ?? '', /^TERMINATED: terminated: test: stop it/);
    assert.deepEqual(report.counts, {
      checked: 4,
      ok: 1,
      failing: 3,
      byStatus: { COMPLETED: 2, FAILED: 1, TERMINATED: 1 },
    });
    for (const w of report.workflows) assert.ok(w.runId.length > 0);
    assert.match(report.problem ?? '', /^3 of 4 closed in the last 10 min not ok/);
  });

  it('narrows by workflow type and judges by the given result rule', async () => {
    const report = await h.withControlWorker(
      () =>
        h.client.workflow.execute('CheckRecentResults', {
          taskQueue: h.settings.opsTaskQueue,
          workflowId: uniqueId('check-recent-types'),
          args: [
            {
              taskQueue: queue,
              workflowTypes: ['ReturnsOk', 'ReturnsError'],
              resultRule: { statusKeys: [] },
            },
          ],
        }) as Promise<CheckRecentReport>,
    );
    assert.equal(report.ok, true, report.problem);
    assert.deepEqual(
      report.workflows.map((w) => [w.workflowId, w.resultOk]).sort(),
      [
        [ids.error, true],
        [ids.ok, true],
      ].sort(),
    );
  });

  it('`run check-recent` prints the report and exits 1 when a run failed (real CLI)', async () => {
    const result = await h.withControlWorker(() =>
      execa(
        process.execPath,
        [
          join(packageRoot, 'bin', 'temporal-ops.mjs'),
          'run',
          'check-recent',
          '--task-queue',
          queue,
          '--minutes',
          '10',
          '--json',
        ],
        {
          env: { TEMPORAL_ADDRESS: testTarget().address, TEMPORAL_OPS_TASK_QUEUE: h.settings.opsTaskQueue },
          reject: false,
          timeout: 120_000,
        },
      ),
    );
    assert.equal(result.exitCode, 1, result.stderr);
    const printed = JSON.parse(result.stdout) as CheckRecentReport;
    assert.equal(printed.recipe, 'CheckRecentResults');
    assert.equal(printed.counts.checked, 4);
  });
});
