// TestInteractive end to end on the example's Approval workflow (signal, update, query).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { nanoid } from 'nanoid';
import type { TestInteractiveReport } from '../../workflows/test-interactive.js';
import { readProc } from '../../src/host/records/proc.js';
import { exampleCleanStartInput } from '../../src/host/projects/example.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';

let h: Harness;
before(async () => {
  h = await createHarness();
});
after(async () => {
  await h.cleanup();
});

function approvalInput(interactions: unknown[], extra: Record<string, unknown> = {}) {
  const { projectDir, workerCommand } = exampleCleanStartInput();
  return {
    projectDir,
    workerCommand,
    taskQueue: uniqueQueue('approvals'),
    project: `approvals-${nanoid(6)}`,
    start: { workflowType: 'Approval', args: [{ requestId: 'r-1' }] },
    interactions,
    ...extra,
  };
}

function run(input: unknown): Promise<TestInteractiveReport> {
  return h.client.workflow.execute('TestInteractive', {
    taskQueue: h.settings.opsTaskQueue,
    workflowId: `test-interactive-${nanoid(8)}`,
    args: [input],
    workflowExecutionTimeout: '3m',
  });
}

describe('TestInteractive', () => {
  it('drives the workflow through an update, a rejected update, a query and a signal, checks the result and stops the worker', async () => {
    const report = await h.withControlWorker(() =>
      run(
        approvalInput(
          [
            { update: 'set_note', args: ['looks good'], expect: 1 },
            { update: 'set_note', args: [''], expectError: 'empty' },
            { query: 'get_status', expect: { state: 'pending', notes: ['looks good'] } },
            { signal: 'approve', args: [{ approved: true, by: 'ops' }] },
          ],
          { expectResult: { status: 'ok' } },
        ),
      ),
    );
    assert.equal(report.ok, true, report.problem);
    assert.deepEqual(
      report.interactions.map((i) => [i.kind, i.name, i.ok, i.accepted]),
      [
        ['update', 'set_note', true, true],
        ['update', 'set_note', true, false],
        ['query', 'get_status', true, true],
        ['signal', 'approve', true, true],
      ],
    );
    assert.equal(report.target && 'status' in report.target && report.target.status, 'COMPLETED');
    assert.equal(readProc(report.worker!.pid), undefined, 'the worker was stopped at the end');
    assert.equal(report.steps.find((s) => s.name === 'stop-worker')?.outcome, 'ok');
  });

  it('reports the first answer that misses its expectation, and still cleans up', async () => {
    const report = await h.withControlWorker(() =>
      run(
        approvalInput([
          { query: 'get_status', expect: { state: 'approved' } },
          { signal: 'approve', args: [{ approved: true }] },
        ]),
      ),
    );
    assert.equal(report.ok, false);
    assert.equal(report.failedStep, 'interact-1');
    assert.equal(report.interactions[0]?.ok, false, 'the interaction that missed its expectation says so');
    assert.match(report.interactions[0]?.mismatch ?? '', /approved/);
    assert.match(report.problem ?? '', /value.state: expected "approved", got "pending"/);
    assert.equal(report.steps.find((s) => s.name === 'interact-2')?.outcome, 'skipped');
    assert.equal(
      readProc(report.worker!.pid),
      undefined,
      'the worker was stopped even though the test failed',
    );
  });

  it('fails fast naming the bad interaction', async () => {
    const error = await h.withControlWorker(() =>
      run(approvalInput([{ signal: 'approve', update: 'set_note' }])).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    assert.ok(error instanceof WorkflowFailedError);
    assert.match(
      String(error.cause?.message),
      /interactions\[0\]: expected exactly one of "signal", "update" or "query"/,
    );
  });
});
