// One at a time per project: twenty concurrent ensures (in one process, as recipes, and from
// separate CLI processes) end with exactly one worker and no orphan.
import assert from 'node:assert/strict';
import { mkdtemp } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { nanoid } from 'nanoid';
import type { CleanStartReport } from '../../workflows/clean-start.js';
import { listPollers } from '../../src/temporal/task-queue.js';
import { packageRoot } from '../../src/config.js';
import { readPidRecords } from '../../src/host/records/pid-file.js';
import { clientPollerSource } from '../../src/host/workers/pollers.js';
import { groupMembers, readProc } from '../../src/host/records/proc.js';
import { pidOfIdentity } from '../../src/host/workers/readiness.js';
import { stopProjectWorkers, ensureWorker } from '../../src/host/workers/workers.js';
import { exampleCleanStartInput, exampleProjectDir } from '../../src/host/projects/example.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { ordersSpec, processesOnQueue, venvPython } from '../helpers/processes.js';

let h: Harness;

before(async () => {
  h = await createHarness();
});

after(async () => {
  await h.cleanup();
});

/** Asserts the end state: one record, one live process group, it alone polls, nothing outside it runs for the queue. */
async function assertExactlyOneWorker(stateDir: string, project: string, queue: string): Promise<number> {
  const records = await readPidRecords(stateDir, { kind: 'worker', project });
  assert.equal(records.length, 1, `records: ${records.map((r) => r.pid).join(', ')}`);
  const [worker] = records as [(typeof records)[number]];
  const group = groupMembers(worker.pgid).map((m) => m.pid);
  assert.ok(group.includes(worker.pid), 'the recorded worker runs');
  assert.deepEqual(
    processesOnQueue(queue).filter((pid) => !group.includes(pid)),
    [],
    'no orphan outside its group',
  );
  // Under `uv run`, the poller is uv's Python child: judge pollers by their process group.
  const polling = (await listPollers(h.client, queue))
    .map((p) => pidOfIdentity(p.identity))
    .flatMap((pid) => (pid === undefined ? [] : [readProc(pid)?.pgid]))
    .filter((pgid) => pgid !== undefined);
  assert.deepEqual([...new Set(polling)], [worker.pgid]);
  return worker.pid;
}

describe('one at a time per project', () => {
  it('twenty concurrent ensures in one process: one starts a worker, nineteen adopt it', async () => {
    const queue = uniqueQueue('twenty');
    const spec = ordersSpec(h.settings.stateDir, 'twenty', exampleProjectDir, queue);
    const ready = { timeoutMs: 30_000, pollers: clientPollerSource(h.client) };
    const outcomes = await Promise.all(Array.from({ length: 20 }, () => ensureWorker(spec, { ready })));
    assert.deepEqual(outcomes.filter((o) => o.action === 'started').length, 1);
    assert.equal(new Set(outcomes.map((o) => o.record.pid)).size, 1);
    await assertExactlyOneWorker(h.settings.stateDir, 'twenty', queue);
    await stopProjectWorkers(h.settings.stateDir, 'twenty', 3000);
    assert.deepEqual(processesOnQueue(queue), []);
  });

  it('twenty concurrent CleanStart recipes on one project all succeed with one worker', async () => {
    const queue = uniqueQueue('recipes');
    const project = `recipes-${nanoid(4)}`;
    const reports = await h.withControlWorker(() =>
      Promise.all(
        Array.from(
          { length: 20 },
          (_, i) =>
            h.client.workflow.execute('CleanStart', {
              taskQueue: h.settings.opsTaskQueue,
              workflowId: `concurrent-clean-start-${nanoid(8)}`,
              args: [
                {
                  ...exampleCleanStartInput(queue),
                  project,
                  start: { workflowType: 'Order', args: [{ orderId: `c${i}`, items: ['book'] }] },
                },
              ],
              workflowExecutionTimeout: '3m',
            }) as Promise<CleanStartReport>,
        ),
      ),
    );
    const pid = await assertExactlyOneWorker(h.settings.stateDir, reports[0]!.project, queue);
    assert.deepEqual(
      reports.filter((r) => !r.ok).map((r) => r.problem),
      [],
    );
    assert.deepEqual(
      [...new Set(reports.map((r) => r.worker?.pid))],
      [pid],
      'every recipe ran against the one worker',
    );
  });

  it('concurrent `worker ensure` from separate CLI processes end with one worker', async () => {
    const queue = uniqueQueue('cli');
    const stateDir = await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? '/tmp', 'cli-state-'));
    const args = [
      'worker',
      'ensure',
      '--project-dir',
      exampleProjectDir,
      '--project',
      'clients',
      '--task-queue',
      queue,
      '--worker-command',
      `${venvPython} worker.py`,
    ];
    const env = { TEMPORAL_ADDRESS: testTarget().address, TEMPORAL_OPS_STATE_DIR: stateDir };
    const bin = join(packageRoot, 'bin', 'temporal-ops.mjs');
    try {
      const runs = await Promise.all(
        Array.from({ length: 3 }, () =>
          execa(process.execPath, [bin, ...args], { env, reject: false, timeout: 90_000 }),
        ),
      );
      assert.deepEqual(
        runs.map((r) => r.exitCode),
        [0, 0, 0],
        runs.map((r) => r.stderr).join('\n'),
      );
      await assertExactlyOneWorker(stateDir, 'clients', queue);
    } finally {
      await stopProjectWorkers(stateDir, 'clients', 3000);
    }
    assert.deepEqual(processesOnQueue(queue), []);
  });
});
