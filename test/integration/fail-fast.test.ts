// Requests that cannot succeed fail in seconds and say why: a host no control worker polls, and a
// visibility query the server rejects (InvalidInput in every recipe that takes one).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { nanoid } from 'nanoid';
import type { CleanStartReport } from '../../workflows/clean-start.js';
import { exampleCleanStartInput } from '../../src/host/projects/example.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';

let h: Harness;
before(async () => {
  h = await createHarness();
});
after(async () => {
  await h.cleanup();
});

function run(type: string, input: unknown): Promise<unknown> {
  return h.client.workflow.execute(type, {
    taskQueue: h.settings.opsTaskQueue,
    workflowId: `fail-fast-${nanoid(8)}`,
    args: [input],
    workflowExecutionTimeout: '2m',
  });
}

describe('failing fast', () => {
  it('a host that no control worker polls fails the recipe in seconds, naming the host and its queue', async () => {
    const report = (await h.withControlWorker(() =>
      run('CleanStart', {
        ...exampleCleanStartInput(uniqueQueue('orders')),
        host: 'nohost',
        start: { workflowType: 'Order', args: [{ orderId: 'x', items: [] }] },
      }),
    )) as CleanStartReport;
    assert.equal(report.ok, false);
    assert.equal(report.failedStep, 'pin-host');
    assert.match(
      report.problem ?? '',
      new RegExp(`host "nohost": no control worker polls task queue "${h.settings.opsTaskQueue}@nohost"`),
    );
  });

  for (const type of ['DebugStalled', 'ClearStalledEnvironment'])
    it(`${type}: a visibility query the server rejects is InvalidInput, at once`, async () => {
      const error = await h.withControlWorker(() =>
        run(type, { query: 'nope nope' }).then(
          () => undefined,
          (e: unknown) => e,
        ),
      );
      assert.ok(error instanceof WorkflowFailedError, `${type} fails, got ${String(error)}`);
      assert.equal((error.cause as { type?: string } | undefined)?.type, 'InvalidInputError');
      assert.match(
        error.cause?.message ?? '',
        /query: expected a visibility query the server accepts, got "nope nope"/,
      );
    });
});
