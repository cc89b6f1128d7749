// Every `…Seconds` of a recipe input is a bound on the recipe, tested at a small value: a target
// that never closes ends the wait with a timeout outcome naming the bound (the test's own timeout,
// far below the retries' old sum, is the guard against a wait that outlives it).
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { nanoid } from 'nanoid';
import type { CleanStartReport } from '../../workflows/clean-start.js';
import type { DebugStalledReport } from '../../workflows/debug-stalled.js';
import type { TestInteractiveReport } from '../../workflows/test-interactive.js';
import { exampleCleanStartInput } from '../../src/host/projects/example.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import {
  actInput,
  copyFixtures,
  fixWaitShown,
  startCopyWorker,
  startDebug,
  type FixtureCopy,
} from './debug-act-fixture.js';
import { terminateAll, uniqueId, waitUntil } from './diagnosis-fixture.js';

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

describe('DebugStalled act: approvalTimeoutSeconds, waitForFixSeconds, verifySeconds', () => {
  const guard = { timeout: 150_000 };
  const queue = uniqueQueue('bounds-act');
  const bug = uniqueId('codebug');
  let copy: FixtureCopy;

  before(async () => {
    copy = await copyFixtures('bounds-act');
    await startCopyWorker(h, copy, queue);
    await h.client.workflow.start('CodeBug', { taskQueue: queue, workflowId: bug, args: [{}] });
    await waitUntil(
      'the code bug to fail its workflow task again',
      async () =>
        ((await h.client.workflow.getHandle(bug).describe()).raw.pendingWorkflowTask?.attempt ?? 0) >= 2 ||
        undefined,
      60_000,
    );
  });
  after(async () => {
    await terminateAll(h.client, [bug]);
  });

  const actionOf = (report: DebugStalledReport) => report.actions?.find((a) => a.workflowId === bug);

  it('a plan nobody approves is refused once approvalTimeoutSeconds pass', guard, async () => {
    const report = await h.withControlWorker(async () => {
      const handle = await startDebug(
        h,
        actInput(copy, { taskQueue: queue, approvalTimeoutSeconds: 2, waitForFixSeconds: 60 }),
      );
      return (await handle.result()) as DebugStalledReport;
    });
    assert.equal(report.ok, false);
    assert.equal(report.failedStep, 'approval');
    assert.match(
      report.problem ?? '',
      /no approval within approvalTimeoutSeconds \(2 s\); nothing was touched/,
    );
    assert.equal(actionOf(report)?.applied, false);
  });

  it('a fix that does not come within waitForFixSeconds drops the remedy', guard, async () => {
    const report = await h.withControlWorker(async () => {
      const handle = await startDebug(
        h,
        actInput(copy, { taskQueue: queue, autoApprove: true, waitForFixSeconds: 3 }),
      );
      return (await handle.result()) as DebugStalledReport;
    });
    assert.equal(report.fixWait?.how, 'timeout');
    assert.equal(actionOf(report)?.applied, false);
    assert.match(actionOf(report)?.detail ?? '', /no code change in .* within waitForFixSeconds \(3 s\)/);
  });

  it('a remedy that does not take is reported NOT verified once verifySeconds pass', guard, async () => {
    const report = await h.withControlWorker(async () => {
      const handle = await startDebug(
        h,
        actInput(copy, { taskQueue: queue, autoApprove: true, waitForFixSeconds: 120, verifySeconds: 3 }),
      );
      await fixWaitShown(handle, copy);
      // Said fixed, though it is not: the restart on the same code cannot verify.
      await handle.executeUpdate('codeFixed', { args: ['test'] });
      return (await handle.result()) as DebugStalledReport;
    });
    assert.equal(actionOf(report)?.applied, true, actionOf(report)?.detail);
    assert.equal(actionOf(report)?.verified, false);
    assert.equal(
      report.steps.find((s) => s.name === 'verify')?.detail,
      '0 of 1 verified within verifySeconds (3 s)',
    );
  });
});
