// Our bookkeeping workflows live in a namespace of their own: a recipe's ProjectHost runs there and
// never in the user's namespace; a dev server gets the namespace created, any other server an error
// naming the one command an administrator runs.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Client } from '@temporalio/client';
import { NativeConnection } from '@temporalio/worker';
import { nanoid } from 'nanoid';
import type { CleanStartReport } from '../../workflows/clean-start.js';
import { BookkeepingNamespaceMissingError } from '../../src/errors.js';
import { exampleCleanStartInput } from '../../src/host/projects/example.js';
import { ensureBookkeepingNamespace } from '../../src/temporal/bookkeeping.js';
import { isNotFound } from '../../src/temporal/grpc.js';
import type { HostClaim, HostOwner } from '../../src/contract/host-claim.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { waitFor } from '../helpers/processes.js';

let h: Harness;
let connection: NativeConnection;

before(async () => {
  h = await createHarness();
  connection = await NativeConnection.connect({ address: testTarget().address });
});

after(async () => {
  await connection?.close();
  await h?.cleanup();
});

describe('bookkeeping namespace', () => {
  it("runs a recipe's ProjectHost in the bookkeeping namespace, registered by the control worker, not in the user's", async () => {
    // A namespace this dev server does not have yet: the control worker registers it and polls it at once.
    h.settings.bookkeepingNamespace = `bookkeeping-${nanoid(8)}`;
    const input = {
      ...exampleCleanStartInput(uniqueQueue('orders')),
      project: `orders-${nanoid(6)}`,
      start: { workflowType: 'Order', args: [{ orderId: nanoid(6), items: ['book'] }] },
    };
    const report = await h.withControlWorker(() =>
      h.client.workflow.execute<(i: unknown) => Promise<CleanStartReport>>('CleanStart', {
        taskQueue: h.settings.opsTaskQueue,
        workflowId: `bookkeeping-${nanoid(8)}`,
        args: [input],
        workflowExecutionTimeout: '3m',
      }),
    );
    assert.equal(report.ok, true, report.problem);
    const projectHostId = `${h.settings.opsTaskQueue}/project:${input.projectDir}`;
    const bookkeeping = new Client({
      connection: h.client.connection,
      namespace: h.settings.bookkeepingNamespace,
    });
    const described = await bookkeeping.workflow.getHandle(projectHostId).describe();
    assert.equal(described.type, 'ProjectHost');
    assert.equal(described.status.name, 'RUNNING');
    await assert.rejects(h.client.workflow.getHandle(projectHostId).describe(), (error: unknown) =>
      isNotFound(error),
    );
  });

  it("moves the ProjectHost runs an earlier version left in the user's namespace, keeping their owner", async () => {
    h.settings.bookkeepingNamespace = `bookkeeping-${nanoid(8)}`;
    const oldId = `${h.settings.opsTaskQueue}/project:/old/${nanoid(6)}`;
    const notOurs = `billing/project:${nanoid(6)}`;
    // As an earlier version left them: RUNNING in the user's namespace, on a queue nobody polls now.
    const idle = uniqueQueue('old-bookkeeping');
    for (const workflowId of [oldId, notOurs])
      await h.client.workflow.start('ProjectHost', {
        taskQueue: idle,
        workflowId,
        args: [{ owner: { host: 'old-host', sinceMs: 1 } }],
      });
    const bookkeeping = new Client({
      connection: h.client.connection,
      namespace: h.settings.bookkeepingNamespace,
    });
    const owner = await h.withControlWorker(async () => {
      await waitFor(
        'the old ProjectHost to be moved',
        async () => (await h.client.workflow.getHandle(oldId).describe()).status.name === 'TERMINATED',
        30_000,
      );
      // A claim by another host, neither forced nor a takeover, answers the owner carried over.
      return bookkeeping.workflow.getHandle(oldId).executeUpdate<HostOwner, [HostClaim]>('claim', {
        args: [{ host: 'other-host' }],
      });
    });
    assert.equal(owner.host, 'old-host');
    const other = await h.client.workflow.getHandle(notOurs).describe();
    assert.equal(other.status.name, 'RUNNING', 'a ProjectHost whose ID is not under our queue is not ours');
    await h.client.workflow.getHandle(notOurs).terminate('test over');
  });

  it('creates a missing bookkeeping namespace on a dev server, once', async () => {
    const namespace = `bookkeeping-${nanoid(8)}`;
    const { address } = testTarget();
    assert.equal(await ensureBookkeepingNamespace(connection, namespace, address), 'created');
    assert.equal(await ensureBookkeepingNamespace(connection, namespace, address), 'exists');
  });

  it('names the command an administrator runs when the server is not a local dev server', async () => {
    const namespace = `bookkeeping-${nanoid(8)}`;
    // The same server, reached (as far as the check knows) at an address that is not loopback.
    await assert.rejects(
      ensureBookkeepingNamespace(connection, namespace, '192.0.2.1:7233'),
      (error: unknown) => {
        assert.ok(error instanceof BookkeepingNamespaceMissingError);
        assert.equal(error.namespace, namespace);
        assert.match(
          error.message,
          new RegExp(`temporal operator namespace create --namespace ${namespace}`),
        );
        assert.match(error.message, /TEMPORAL_OPS_BOOKKEEPING_NAMESPACE/);
        return true;
      },
    );
    await assert.rejects(connection.workflowService.describeNamespace({ namespace }), (error: unknown) =>
      isNotFound(error),
    );
  });
});
