// Every `…Seconds` of a recipe input is a bound on the recipe, tested at a small value: a target
// that never closes ends the wait with a timeout outcome naming the bound (the test's own timeout,
// far below the retries' old sum, is the guard against a wait that outlives it).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { nanoid } from 'nanoid';
import type { CleanStartReport } from '../../workflows/clean-start.js';
import type { TestInteractiveReport } from '../../workflows/test-interactive.js';
import { exampleCleanStartInput } from '../../src/recipes/example-target.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';

let h: Harness;
before(async () => {
  h = await createHarness();
});
after(async () => {
  await h.cleanup();
});

/** The example's worker, and its Approval workflow, which waits for a signal nobody sends. */
function neverClosing() {
  const { projectDir, workerCommand, env } = exampleCleanStartInput();
  return {
    projectDir,
    workerCommand,
    env,
    taskQueue: uniqueQueue('bounds'),
    project: `bounds-${nanoid(6)}`,
    start: { workflowType: 'Approval', args: [{ requestId: `r-${nanoid(4)}` }] },
  };
}

function run<R>(type: string, input: unknown): Promise<R> {
  return h.client.workflow.execute(type, {
    taskQueue: h.settings.opsTaskQueue,
    workflowId: `bounds-${type}-${nanoid(8)}`,
    args: [input],
  });
}

describe('resultTimeoutSeconds', () => {
  const guard = { timeout: 100_000 };

  it(
    'CleanStart: a target that never closes ends the recipe with the timeout, naming the bound',
    guard,
    async () => {
      const report = await h.withControlWorker(() =>
        run<CleanStartReport>('CleanStart', { ...neverClosing(), resultTimeoutSeconds: 5 }),
      );
      assert.equal(report.ok, false);
      assert.equal(report.problem, 'target still RUNNING when resultTimeoutSeconds (5 s) ran out');
      assert.equal(report.failedStep, 'check-result');
      assert.equal(report.target && 'status' in report.target && report.target.status, 'RUNNING');
      assert.equal(report.steps.find((s) => s.name === 'wait-target')?.outcome, 'ok');
    },
  );

  it(
    'TestInteractive: the same, after its interactions, and the worker is still stopped',
    guard,
    async () => {
      const report = await h.withControlWorker(() =>
        run<TestInteractiveReport>('TestInteractive', {
          ...neverClosing(),
          interactions: [{ query: 'get_status' }],
          resultTimeoutSeconds: 5,
        }),
      );
      assert.equal(report.ok, false);
      assert.equal(report.failedStep, 'check-result');
      assert.match(report.problem ?? '', /target still RUNNING when resultTimeoutSeconds \(5 s\) ran out/);
      assert.equal(report.steps.find((s) => s.name === 'stop-worker')?.outcome, 'ok');
    },
  );
});
