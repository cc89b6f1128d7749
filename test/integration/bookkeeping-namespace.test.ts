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
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';

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
