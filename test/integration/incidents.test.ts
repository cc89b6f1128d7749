// Incidents on a real server: every stall a sweep finds becomes an Incident workflow in the
// bookkeeping namespace, counted once per sweep (a retried sweep counts nothing twice), acknowledged,
// snoozed, resolved when the sweep no longer sees it or its run closed, and reopened when it comes back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  WorkflowUpdateFailedError,
  type Client,
  type WorkflowHandle,
  type WorkflowHandleWithFirstExecutionRunId,
} from '@temporalio/client';
import { nanoid } from 'nanoid';
import type { DebugStalledReport } from '../../workflows/debug-stalled.js';
import { INCIDENT_QUERY, type Incident, type IncidentState } from '../../src/contract/incidents.js';
import { NativeConnection } from '@temporalio/worker';
import { IncidentAttributesMissingError } from '../../src/errors.js';
import { bookkeepingClient, ensureBookkeepingNamespace } from '../../src/temporal/bookkeeping.js';
import {
  ensureIncidentAttributes,
  listIncidents,
  moveIncident,
  reportSighting,
} from '../../src/temporal/incidents.js';
import { cliIn } from '../helpers/cli-in-process.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { waitFor } from '../helpers/processes.js';

let h: Harness;
let bookkeeping: Client;

before(async () => {
  h = await createHarness();
  bookkeeping = bookkeepingClient(h.client, h.settings.bookkeepingNamespace);
});
after(async () => {
  await h.cleanup();
});

/** A workflow nobody polls for: a no-worker stall at once with `noWorkerAfterMs: 0`. */
async function unpolledTarget(taskQueue: string): Promise<WorkflowHandleWithFirstExecutionRunId> {
  const target = await h.client.workflow.start('NobodyPolls', {
    taskQueue,
    workflowId: `nobody-${nanoid(8)}`,
    args: [],
  });
  await waitFor(
    'the target to be visible',
    async () => (await h.client.workflow.count(`TaskQueue = "${taskQueue}"`)).count > 0,
    30_000,
  );
  return target;
}

/** The sweep run of the last `sweep()`, `<workflowId>/<runId>`: what its incident moves are keyed by. */
let lastSweep = '';

/** One sweep of `taskQueue` reporting to the incidents; `stallAfterMs` 0 makes an unpolled run a stall. */
async function sweep(taskQueue: string, stallAfterMs = 0): Promise<DebugStalledReport> {
  const handle = await h.client.workflow.start<(i: unknown) => Promise<DebugStalledReport>>('DebugStalled', {
    taskQueue: h.settings.opsTaskQueue,
    workflowId: `sweep-${nanoid(8)}`,
    args: [{ taskQueue, incidents: true, policy: { noWorkerAfterMs: stallAfterMs } }],
    workflowExecutionTimeout: '2m',
  });
  lastSweep = `${handle.workflowId}/${handle.firstExecutionRunId}`;
  return handle.result();
}

/** The one incident about `target`, once the incident list shows it in `state`. */
async function onlyIncident(target: WorkflowHandle, state: IncidentState) {
  return waitFor(
    `the incident of ${target.workflowId} to be listed as ${state}`,
    async () => {
      const listed = (await listIncidents(bookkeeping, h.settings.opsTaskQueue, { states: [] })).filter(
        (entry) => entry.fingerprint.workflowId === target.workflowId,
      );
      return listed.length === 1 && listed[0]?.state === state ? listed[0] : undefined;
    },
    30_000,
  );
}

const read = (id: string) => bookkeeping.workflow.getHandle(id).query<Incident>(INCIDENT_QUERY);

describe('incidents', () => {
  it('opens one per stall, counts each sweep once, keeps an ack, and resolves when the run closes', async () => {
    const taskQueue = uniqueQueue('incident-close');
    const target = await unpolledTarget(taskQueue);
    try {
      await h.withControlWorker(async () => {
        const first = await sweep(taskQueue);
        assert.equal(first.ok, false);
        assert.deepEqual(first.incidents, { opened: 1, reopened: 0, seenAgain: 0, resolved: 0, repeated: 0 });
        const listed = await onlyIncident(target, 'open');
        assert.equal(listed.fingerprint.workflowId, target.workflowId);
        assert.equal(listed.fingerprint.verdict, 'no-worker');
        assert.equal(listed.seenCount, 1);
        const described = await bookkeeping.workflow.getHandle(listed.id).describe();
        assert.equal(described.type, 'Incident');
        assert.deepEqual(described.searchAttributes.OpsIncidentState, ['open']);
        assert.deepEqual(described.searchAttributes.OpsVerdict, ['no-worker']);

        const second = await sweep(taskQueue);
        assert.equal(second.incidents?.seenAgain, 1);
        const twice = await read(listed.id);
        assert.equal(twice.seenCount, 2);
        assert.ok(twice.lastSeenMs > twice.firstSeenMs);

        // The second sweep's activity run again (a retry, or a control worker killed mid-way):
        // the same update ID gets the first answer back, and nothing is counted twice.
        const retried = await reportSighting(
          bookkeeping,
          h.settings.opsTaskQueue,
          lastSweep,
          sightingOf(twice),
          Date.now(),
        );
        assert.equal(retried.incident.seenCount, 2);
        assert.equal((await read(listed.id)).seenCount, 2);

        const acked = await moveIncident(bookkeeping, listed.id, { kind: 'ack', by: 'ann' });
        assert.equal(acked.incident.state, 'acknowledged');
        assert.equal(acked.incident.acknowledgedBy, 'ann');
        await onlyIncident(target, 'acknowledged');
        assert.equal((await sweep(taskQueue)).incidents?.seenAgain, 1);
        assert.equal((await read(listed.id)).state, 'acknowledged');

        await target.terminate('the test fixes it');
        const closing = await sweep(taskQueue);
        assert.equal(closing.incidents?.resolved, 1);
        const handle = bookkeeping.workflow.getHandle(listed.id);
        const last = (await handle.result()) as Incident;
        assert.equal(last.state, 'resolved');
        assert.equal(last.resolvedReason, 'the run closed: TERMINATED');
        assert.equal(last.seenCount, 3);
        assert.deepEqual((await handle.describe()).searchAttributes.OpsIncidentState, ['resolved']);
      });
    } finally {
      await target.terminate('test cleanup').catch(() => undefined);
    }
  });

  it('resolves a stall the sweep no longer sees, reopens it when it comes back, and wakes a snooze', async () => {
    const taskQueue = uniqueQueue('incident-reopen');
    const target = await unpolledTarget(taskQueue);
    try {
      await h.withControlWorker(async () => {
        assert.equal((await sweep(taskQueue)).incidents?.opened, 1);
        const { id } = await onlyIncident(target, 'open');
        // With a day's patience, a run nobody polls for is no stall: this sweep no longer sees it.
        const calm = await sweep(taskQueue, 86_400_000);
        assert.equal(calm.stalledCount, 0);
        assert.equal(calm.incidents?.resolved, 1);
        const resolved = await read(id);
        assert.equal(resolved.state, 'resolved');
        assert.equal(resolved.resolvedReason, 'the sweep no longer sees it stalled');
        await onlyIncident(target, 'resolved');

        const back = await sweep(taskQueue);
        assert.equal(back.incidents?.reopened, 1);
        const reopened = await read(id);
        assert.equal(reopened.state, 'reopened');
        assert.equal(reopened.reopenCount, 1);
        assert.equal(reopened.seenCount, 2);

        const snoozed = await moveIncident(bookkeeping, id, {
          kind: 'snooze',
          by: 'bob',
          untilMs: Date.now() + 1500,
        });
        assert.equal(snoozed.incident.state, 'snoozed');
        await waitFor('the snooze to end', async () => (await read(id)).state === 'open', 30_000);
        await assert.rejects(
          moveIncident(bookkeeping, id, { kind: 'snooze', by: 'bob', untilMs: Date.now() - 1 }),
          (error: unknown) =>
            error instanceof WorkflowUpdateFailedError &&
            /untilMs: expected a time after now/.test(error.cause?.message ?? ''),
        );
        const byHand = await moveIncident(bookkeeping, id, { kind: 'resolve', by: 'bob', reason: 'fixed' });
        assert.equal(byHand.incident.state, 'resolved');
      });
    } finally {
      await target.terminate('test cleanup').catch(() => undefined);
    }
  });

  it('is listed, shown, acknowledged, snoozed and resolved from the CLI, with documented exit codes', async () => {
    const taskQueue = uniqueQueue('incident-cli');
    const target = await unpolledTarget(taskQueue);
    try {
      await h.withControlWorker(async () => {
        assert.equal((await sweep(taskQueue)).incidents?.opened, 1);
        const { id } = await onlyIncident(target, 'open');
        const listed = await cli('incidents', 'list', '-o', 'json');
        assert.equal(listed.code, 0, listed.err);
        const rows = JSON.parse(listed.out) as { id: string; state: string }[];
        assert.deepEqual(
          rows.filter((r) => r.id === id).map((r) => r.state),
          ['open'],
        );
        const text = await cli('incidents', 'list', '--state', 'open');
        assert.match(text.out, new RegExp(`${id}\\s+open\\s+no-worker\\s+seen 1`));

        const shown = await cli('incidents', 'show', id.replace(/^incident-/, ''));
        assert.equal(shown.code, 0, shown.err);
        assert.match(shown.out, new RegExp(`run ${target.firstExecutionRunId}`));
        assert.match(shown.out, /new -> open by sweep/);

        const acked = await cli('incidents', 'ack', id, '-o', 'json');
        assert.equal(acked.code, 0, acked.err);
        assert.equal((JSON.parse(acked.out) as Incident).acknowledgedBy, 'cli-user');
        const snoozed = await cli('incidents', 'snooze', id, '--for', '1h', '--by', 'ann', '--json');
        assert.equal(snoozed.code, 0, snoozed.err);
        const until = (JSON.parse(snoozed.out) as Incident).snoozedUntilMs ?? 0;
        assert.ok(until > Date.now() + 3500_000, 'snoozed for about an hour');
        const resolved = await cli('incidents', 'resolve', id, '--reason', 'fixed the queue');
        assert.equal(resolved.code, 0, resolved.err);
        assert.match(resolved.out, /resolved\s+fixed the queue \(by cli-user\)/);

        const late = await cli('incidents', 'ack', id);
        assert.equal(late.code, 1);
        assert.match(late.err, /ack: the incident is resolved/);
        assert.equal((await cli('incidents', 'show', 'incident-0000000000000000')).code, 7);
        const noFor = await cli('incidents', 'snooze', id);
        assert.equal(noFor.code, 2);
        assert.match(noFor.err, /--for is required/);
      });
    } finally {
      await target.terminate('test cleanup').catch(() => undefined);
    }
  });

  it('registers its search attributes on a dev server, and elsewhere names the command an administrator runs', async () => {
    const namespace = `incidents-${nanoid(8)}`;
    const { address } = testTarget();
    const connection = await NativeConnection.connect({ address });
    try {
      await ensureBookkeepingNamespace(connection, namespace, address);
    } finally {
      await connection.close();
    }
    const fresh = bookkeepingClient(h.client, namespace);
    await assert.rejects(ensureIncidentAttributes(fresh, '192.0.2.1:7233'), (error: unknown) => {
      assert.ok(error instanceof IncidentAttributesMissingError);
      assert.deepEqual(error.missing, ['OpsIncidentState', 'OpsVerdict']);
      assert.match(
        error.message,
        new RegExp(
          `temporal operator search-attribute create --namespace ${namespace} --name OpsIncidentState --type Keyword --name OpsVerdict --type Keyword`,
        ),
      );
      return true;
    });
    assert.equal(await ensureIncidentAttributes(fresh, address), 'created');
    assert.equal(await ensureIncidentAttributes(fresh, address), 'exists');
  });
});

/** Runs the CLI in-process on this harness's settings. */
const cli = (...argv: string[]) => cliIn(h, ...argv);

/** The sighting a sweep sends for what `incident` is about. */
function sightingOf(incident: Incident) {
  return {
    ...incident.fingerprint,
    workflowType: incident.workflowType,
    taskQueue: incident.taskQueue,
    summary: incident.summary,
    remedy: incident.remedy,
  };
}
