// A control worker killed (-9) while the sweep reports to the incidents: the next control worker
// runs the report again, and every incident is opened once and counted once.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { WorkflowHandle } from '@temporalio/client';
import { nanoid } from 'nanoid';
import type { DebugStalledReport } from '../../workflows/debug-stalled.js';
import { bookkeepingClient } from '../../src/temporal/bookkeeping.js';
import { listIncidents } from '../../src/temporal/incidents.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import {
  controlWorkerEnv,
  startControlWorkerProcess,
  waitFor,
  type ControlWorkerProcess,
} from '../helpers/processes.js';

let h: Harness;
const workers: ControlWorkerProcess[] = [];
const targets: WorkflowHandle[] = [];

before(async () => {
  h = await createHarness();
});
after(async () => {
  for (const worker of workers) await worker.stop();
  for (const target of targets) await target.terminate('test cleanup').catch(() => undefined);
  await h.cleanup();
});

describe('a sweep killed while it reports to the incidents', () => {
  it('reports again on the next control worker, opening and counting each incident once', async () => {
    const taskQueue = uniqueQueue('incident-kill');
    for (let i = 0; i < 4; i += 1)
      targets.push(
        await h.client.workflow.start('NobodyPolls', {
          taskQueue,
          workflowId: `nobody-${nanoid(8)}`,
          args: [],
        }),
      );
    await waitFor(
      'the targets to be visible',
      async () => (await h.client.workflow.count(`TaskQueue = "${taskQueue}"`)).count === 4,
      30_000,
    );
    const env = controlWorkerEnv(h.settings.stateDir, h.settings.opsTaskQueue);
    const first = await startControlWorkerProcess(env);
    workers.push(first);
    const sweep = await h.client.workflow.start<(i: unknown) => Promise<DebugStalledReport>>('DebugStalled', {
      taskQueue: h.settings.opsTaskQueue,
      workflowId: `sweep-${nanoid(8)}`,
      args: [{ taskQueue, incidents: true, policy: { noWorkerAfterMs: 0 } }],
      workflowExecutionTimeout: '3m',
    });
    await waitFor(
      'the incident report to start',
      async () =>
        (await sweep.describe()).raw.pendingActivities?.some(
          (a) => a.activityType?.name === 'reportIncidents',
        ),
      60_000,
      { intervalMs: 10 },
    );
    process.kill(first.pid, 'SIGKILL');
    await first.exited;
    workers.push(await startControlWorkerProcess(env));

    const report = await sweep.result();
    assert.equal(report.stalledCount, 4);
    const moves = report.incidents!;
    assert.equal(moves.opened + moves.repeated, 4, JSON.stringify(moves));
    assert.equal(moves.seenAgain, 0);
    const history = await sweep.fetchHistory();
    const attempts = (history.events ?? [])
      .map((e) => e.activityTaskStartedEventAttributes?.attempt ?? 0)
      .filter((a) => a > 0);
    assert.ok(Math.max(...attempts) >= 2, 'an activity ran again after the kill');

    const ids = new Set(targets.map((t) => t.workflowId));
    const incidents = await waitFor('four incidents to be listed', async () => {
      const listed = await listIncidents(
        bookkeepingClient(h.client, h.settings.bookkeepingNamespace),
        h.settings.opsTaskQueue,
        { states: [] },
      );
      const ours = listed.filter((entry) => ids.has(entry.fingerprint.workflowId));
      return ours.length === 4 ? ours : undefined;
    });
    assert.deepEqual(
      incidents.map((i) => [i.state, i.seenCount]),
      Array.from({ length: 4 }, () => ['open', 1]),
    );
  });
});
