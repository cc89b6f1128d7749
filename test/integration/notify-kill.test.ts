// A control worker killed (-9) while it posts a sweep's notices to a webhook that has not answered
// yet: the next control worker sends the message again, and the receiver accepts exactly one; a
// later sweep sends nothing more.
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
import { startReceiver, type Receiver } from '../helpers/receiver.js';

let h: Harness;
let receiver: Receiver;
const workers: ControlWorkerProcess[] = [];
const targets: WorkflowHandle[] = [];

before(async () => {
  h = await createHarness();
  receiver = await startReceiver({ hold: true });
});
after(async () => {
  for (const worker of workers) await worker.stop();
  for (const target of targets) await target.terminate('test cleanup').catch(() => undefined);
  await receiver.close();
  await h.cleanup();
});

describe('a sweep killed while it delivers its notices', () => {
  it('delivers the grouped message once: sent again after the kill, accepted once, never again', async () => {
    const taskQueue = uniqueQueue('notify-kill');
    for (let i = 0; i < 3; i += 1)
      targets.push(
        await h.client.workflow.start('NobodyPolls', {
          taskQueue,
          workflowId: `nobody-${nanoid(8)}`,
          args: [],
        }),
      );
    await waitFor(
      'the targets to be visible',
      async () => (await h.client.workflow.count(`TaskQueue = "${taskQueue}"`)).count === 3,
      30_000,
    );
    const env = controlWorkerEnv(h.settings.stateDir, h.settings.opsTaskQueue);
    const first = await startControlWorkerProcess(env);
    workers.push(first);
    const input = { taskQueue, incidents: true, policy: { noWorkerAfterMs: 0 }, notify: [receiver.url] };
    const sweep = (id: string) =>
      h.client.workflow.start<(i: unknown) => Promise<DebugStalledReport>>('DebugStalled', {
        taskQueue: h.settings.opsTaskQueue,
        workflowId: id,
        args: [input],
        workflowExecutionTimeout: '3m',
      });
    const killed = await sweep(`sweep-${nanoid(8)}`);
    await waitFor('the first message to arrive', async () => receiver.arrived.length > 0, 90_000, {
      intervalMs: 10,
    });
    process.kill(first.pid, 'SIGKILL');
    await first.exited;
    await receiver.heldClosed;
    assert.equal(receiver.accepted.length, 0, 'the held message was never answered');
    workers.push(await startControlWorkerProcess(env));

    const report = await killed.result();
    assert.equal(report.stalledCount, 3);
    assert.deepEqual(
      report.notifications?.map((n) => [n.sent, n.failed]),
      [[3, undefined]],
      JSON.stringify(report.notifications),
    );
    assert.equal(receiver.accepted.length, 1, 'exactly one delivery accepted');
    const [held, delivered] = receiver.arrived;
    const key = delivered?.headers['idempotency-key'];
    assert.ok(typeof key === 'string' && key.length > 0);
    assert.equal(held?.headers['idempotency-key'], key, 'the message sent again carries the same key');
    const body = receiver.accepted[0]?.body as {
      idempotencyKey: string;
      notifications: { transition: string }[];
    };
    assert.equal(body.idempotencyKey, key);
    assert.deepEqual(
      body.notifications.map((n) => n.transition),
      ['opened', 'opened', 'opened'],
    );

    const again = await (await sweep(`sweep-${nanoid(8)}`)).result();
    assert.deepEqual(
      again.notifications?.map((n) => n.sent),
      [0],
    );
    assert.equal(receiver.accepted.length, 1, 'a later sweep sends nothing more');
    assert.equal(receiver.arrived.length, 2);

    const ids = new Set(targets.map((t) => t.workflowId));
    const incidents = (
      await listIncidents(
        bookkeepingClient(h.client, h.settings.bookkeepingNamespace),
        h.settings.opsTaskQueue,
      )
    ).filter((entry) => ids.has(entry.fingerprint.workflowId));
    assert.equal(incidents.length, 3);
    for (const incident of incidents) assert.deepEqual(incident.notify?.pending, []);
  });
});
