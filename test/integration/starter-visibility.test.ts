// A starter that prints no workflow ID: its run is found through visibility from the lifetime the
// step recorded, so a retried step finds the same workflow even after others started on the queue.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { nanoid } from 'nanoid';
import { StarterFailedError } from '../../src/errors.js';
import { starterWorkflowFromVisibility } from '../../src/host/starter/starter-found.js';
import { runStarterOnce } from '../../src/host/starter/starter-run.js';
import { exampleProjectDir, venvPython } from '../../src/host/projects/example.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { fixturesDir } from '../helpers/processes.js';

let h: Harness;
// The starter's child handle is unref'd (a control worker outlives it): without a live handle of its
// own, this process could end its event loop before the child's exit is reaped.
let keepAlive: NodeJS.Timeout;

before(async () => {
  h = await createHarness();
  keepAlive = setInterval(() => undefined, 1000);
});

after(async () => {
  clearInterval(keepAlive);
  await h.cleanup();
});

function starterStep(taskQueue: string, token: string, args: string) {
  const command = `${venvPython} ${join(fixturesDir, 'result_starter.py')} --no-wait ${args}`;
  const target = testTarget();
  return {
    command,
    run: () =>
      runStarterOnce({
        stateDir: h.settings.stateDir,
        token,
        command,
        cwd: exampleProjectDir,
        env: {
          TEMPORAL_ADDRESS: target.address,
          TEMPORAL_NAMESPACE: target.namespace,
          TEMPORAL_TASK_QUEUE: taskQueue,
        },
        timeoutMs: 30_000,
      }),
  };
}

describe('the workflow of a starter that prints no ID', () => {
  it('is found, and a retried step finds the same one after another workflow started on the queue', async () => {
    const taskQueue = uniqueQueue('silent');
    const idsFile = join(h.settings.stateDir, `ids-${nanoid(6)}`);
    const step = starterStep(taskQueue, nanoid(24), `--ids-file ${idsFile}`);
    const find = async () =>
      starterWorkflowFromVisibility(
        h.client,
        { command: step.command, taskQueue },
        await step.run(),
        h.settings.opsTaskQueue,
      );
    const first = await find();
    assert.equal(first.workflowId, (await readFile(idsFile, 'utf8')).trim());
    await h.client.workflow.start('Order', {
      taskQueue,
      workflowId: `later-${nanoid(6)}`,
      args: [{ orderId: 'x' }],
    });
    const retried = await step.run();
    assert.equal(retried.recovered, true);
    assert.deepEqual(
      await starterWorkflowFromVisibility(
        h.client,
        { command: step.command, taskQueue },
        retried,
        h.settings.opsTaskQueue,
      ),
      first,
    );
  });

  it('is refused with every candidate named when the starter started two', async () => {
    const taskQueue = uniqueQueue('silent');
    const idsFile = join(h.settings.stateDir, `ids-${nanoid(6)}`);
    const step = starterStep(taskQueue, nanoid(24), `--count 2 --ids-file ${idsFile}`);
    const outcome = await step.run();
    const ids = (await readFile(idsFile, 'utf8')).trim().split('\n');
    await assert.rejects(
      starterWorkflowFromVisibility(
        h.client,
        { command: step.command, taskQueue },
        outcome,
        h.settings.opsTaskQueue,
      ),
      (error: unknown) =>
        error instanceof StarterFailedError &&
        error.reason === 'ambiguous' &&
        [...error.candidates].sort().join() === [...ids].sort().join(),
    );
  });

  it('fails as no-workflow-id, naming the queue, when the starter started nothing there', async () => {
    const taskQueue = uniqueQueue('silent');
    const step = starterStep(taskQueue, nanoid(24), '--count 0');
    const outcome = await step.run();
    await assert.rejects(
      starterWorkflowFromVisibility(
        h.client,
        { command: step.command, taskQueue },
        outcome,
        h.settings.opsTaskQueue,
        {
          settleMs: 500,
        },
      ),
      (error: unknown) =>
        error instanceof StarterFailedError &&
        error.reason === 'no-workflow-id' &&
        error.message.includes(`no workflow started on task queue "${taskQueue}"`),
    );
  });
});
