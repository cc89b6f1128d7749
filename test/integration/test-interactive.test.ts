// TestInteractive end to end on the example's Approval workflow (signal, update, query).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { nanoid } from 'nanoid';
import type { TestInteractiveReport } from '../../workflows/test-interactive.js';
import { readProc } from '../../src/host/records/proc.js';
import { exampleCleanStartInput, venvPython } from '../../src/host/projects/example.js';
import { fixtureDir } from './diagnosis-fixture.js';
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
    assert.match(
      report.problem ?? '',
      /interaction 1 \(query get_status\): value.state: expected "approved", got "pending"/,
    );
    assert.equal(report.interactions[0]?.index, 1);
    assert.equal(report.steps.find((s) => s.name === 'interact-2')?.outcome, 'skipped');
    assert.deepEqual(
      report.targetCleanup,
      { cleanupTarget: 'terminate', terminated: true, leftRunning: false, status: 'TERMINATED' },
      'the target this recipe started is terminated by default when the test fails',
    );
    const target = await h.client.workflow.getHandle(report.target!.workflowId).describe();
    assert.equal(target.status.name, 'TERMINATED');
    assert.equal(
      readProc(report.worker!.pid),
      undefined,
      'the worker was stopped even though the test failed',
    );
  });

  it("carries a failed update's cause from the target, and leaves the target running with cleanupTarget: leave", async () => {
    const report = await h.withControlWorker(() =>
      run(approvalInput([{ update: 'set_note', args: [42], expect: 1 }], { cleanupTarget: 'leave' })),
    );
    const targetId = report.target!.workflowId;
    try {
      assert.equal(report.ok, false);
      assert.equal(report.failedStep, 'interact-1');
      const [update] = report.interactions;
      assert.equal(update?.accepted, false);
      assert.match(update?.error ?? '', /TypeError: Expected value to be str, was <class 'int'>/);
      assert.match(
        report.problem ?? '',
        /^interaction 1 \(update set_note\): failed: .*TypeError: Expected value/,
      );
      assert.deepEqual(report.targetCleanup, {
        cleanupTarget: 'leave',
        terminated: false,
        leftRunning: true,
        status: 'RUNNING',
      });
      assert.equal((await h.client.workflow.getHandle(targetId).describe()).status.name, 'RUNNING');
    } finally {
      await h.client.workflow.getHandle(targetId).terminate('test cleanup');
    }
  });

  it('reports a target wedged at start at once, with its workflow task failure, and terminates it', async () => {
    const report = await h.withControlWorker(() =>
      run({
        ...approvalInput([{ update: 'set_note', args: ['hi'], expect: 1 }]),
        start: { workflowType: 'Approval', args: [] },
      }),
    );
    assert.equal(report.ok, false);
    assert.equal(report.failedStep, 'wait-running', 'before the first interaction');
    assert.deepEqual(report.interactions, []);
    assert.match(
      report.workflowTaskFailure ?? '',
      /TypeError: .*missing 1 required positional argument: 'request'/,
    );
    assert.match(report.problem ?? '', /wedged at start: its first workflow task failed: TypeError: /);
    assert.equal(report.targetCleanup?.terminated, true);
    assert.equal(report.targetCleanup?.leftRunning, false);
    const target = await h.client.workflow.getHandle(report.target!.workflowId).describe();
    assert.equal(target.status.name, 'TERMINATED');
  });

  it('carries the workflow task failure of a target that an update wedged', async () => {
    const report = await h.withControlWorker(() =>
      run({
        ...approvalInput([{ update: 'explode-later', args: ['x'] }, { signal: 'done' }]),
        projectDir: fixtureDir,
        workerCommand: `${venvPython} worker.py`,
        start: { workflowType: 'UpdateHandlerBug', args: [{}] },
      }),
    );
    assert.equal(report.ok, false);
    assert.equal(report.failedStep, 'interact-1');
    assert.match(
      report.problem ?? '',
      /^interaction 1 \(update explode-later\): failed: .*workflow task failed: RuntimeError: update handler bug after a timer: x/,
    );
    assert.match(report.workflowTaskFailure ?? '', /RuntimeError: update handler bug after a timer: x/);
    assert.equal(report.targetCleanup?.terminated, true);
  });

  it('sends nothing to a wedged target: the next interaction fails at once with its failing workflow task', async () => {
    const report = await h.withControlWorker(() =>
      run({
        ...approvalInput([
          { update: 'explode-later', args: ['y'], expectError: 'update handler bug after a timer' },
          { signal: 'done' },
        ]),
        projectDir: fixtureDir,
        workerCommand: `${venvPython} worker.py`,
        start: { workflowType: 'UpdateHandlerBug', args: [{}] },
      }),
    );
    assert.equal(report.ok, false);
    assert.equal(report.failedStep, 'interact-2');
    assert.deepEqual(
      report.interactions.map((i) => [i.index, i.kind, i.name, i.ok, i.accepted]),
      [
        [1, 'update', 'explode-later', true, false],
        [2, 'signal', 'done', false, false],
      ],
    );
    assert.match(
      report.problem ?? '',
      /^interaction 2 \(signal done\): failed: not sent: the target's workflow task is failing: RuntimeError: update handler bug after a timer: y/,
    );
    assert.equal(report.targetCleanup?.terminated, true);
  });

  it('refuses a bad cleanupTarget, naming the field and the value', async () => {
    const error = await h.withControlWorker(() =>
      run(approvalInput([{ signal: 'approve' }], { cleanupTarget: 'nuke' })).then(
        () => undefined,
        (e: unknown) => e,
      ),
    );
    assert.ok(error instanceof WorkflowFailedError);
    assert.match(String(error.cause?.message), /cleanupTarget: expected one of terminate, leave, got "nuke"/);
    assert.equal((error.cause as { nonRetryable?: boolean } | undefined)?.nonRetryable, true);
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
