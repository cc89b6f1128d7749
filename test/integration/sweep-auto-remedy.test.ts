// A sweep that applies remedies on its own (a schedule's --auto-remedy): DebugStalled with
// incidents, act without approval and only the `start-worker` kind starts the project's worker for
// a queue nobody polls, the workflow runs, and the remedy is recorded on the stall's incident.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { bookkeepingClient } from '../../src/temporal/bookkeeping.js';
import { listIncidents } from '../../src/temporal/incidents.js';
import type { DebugStalledReport } from '../../workflows/debug-stalled.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import { ACT_POLICY, actInput, copyFixtures, startDebug, untilNoWorkerVerdict } from './debug-act-fixture.js';
import { terminateAll, uniqueId } from './diagnosis-fixture.js';

let h: Harness;
let bookkeeping: Client;
const started: string[] = [];

before(async () => {
  h = await createHarness();
  bookkeeping = bookkeepingClient(h.client, h.settings.bookkeepingNamespace);
});

after(async () => {
  await terminateAll(h.client, started);
  await h.cleanup();
});

describe('a sweep with remedies of its own', () => {
  it('starts the worker of a queue nobody polls, without approval, and records it on the incident', async () => {
    const idle = uniqueQueue('auto-remedy');
    const copy = await copyFixtures('auto-remedy');
    const workflowId = uniqueId('auto-remedy');
    started.push(workflowId);
    await h.client.workflow.start('NoWorkerTarget', { taskQueue: idle, workflowId, args: [{}] });
    const report = await h.withControlWorker(async () => {
      await untilNoWorkerVerdict(h.client, workflowId, ACT_POLICY);
      const input = actInput(copy, {
        taskQueue: idle,
        incidents: true,
        autoApprove: true,
        remedies: ['start-worker'],
      });
      return (await (await startDebug(h, input)).result()) as DebugStalledReport;
    });
    assert.equal(report.ok, true, report.problem);
    const [action] = report.actions ?? [];
    assert.deepEqual(
      [action?.workflowId, action?.remedy, action?.applied, action?.verified],
      [workflowId, 'start-worker', true, true],
    );
    assert.deepEqual(await h.client.workflow.getHandle(workflowId).result(), { status: 'ok' });
    const [incident] = (await listIncidents(bookkeeping, h.settings.opsTaskQueue, { states: [] })).filter(
      (i) => i.fingerprint.workflowId === workflowId,
    );
    assert.ok(incident, 'the stall has its incident');
    assert.deepEqual(
      incident.remedies?.map((r) => [r.remedy, r.outcome]),
      [['start-worker', 'verified']],
    );
  });

  it('refuses remedies without act, naming the field', async () => {
    const error = await h.withControlWorker(async () => {
      const handle = await h.client.workflow.start('DebugStalled', {
        taskQueue: h.settings.opsTaskQueue,
        workflowId: uniqueId('auto-remedy-bad'),
        args: [{ remedies: ['start-worker'] }],
      });
      return handle.result().then(
        () => undefined,
        (e: unknown) => e as Error,
      );
    });
    assert.ok(error, 'the recipe fails');
    assert.match(
      String((error.cause as Error | undefined)?.message ?? error.message),
      /remedies.*only with act/,
    );
  });
});
