// The replayOpenWorkflows activity on a real worker: it returns the report, fails with a stable
// type when no verdict is possible, and a cancelled check leaves no process behind.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { ActivityFailure, CancelledFailure } from '@temporalio/common';
import { bundleWorkflowCode, NativeConnection, Worker } from '@temporalio/worker';
import { createReplayActivities, REPLAY_CHECK_FAILED } from '../../activities/replay-activities.js';
import { targetEnv } from '../../src/control-worker.js';
import type { ReplayReport } from '../../src/host/replay/report-types.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { processesOnQueue, venvPython, waitFor } from '../helpers/processes.js';
import {
  copyReplayProject,
  REPLAY_WORKER,
  replayFixtures,
  startReplayWorker,
  startWaitingGreeter,
  waitListed,
  type ReplayProject,
} from './replay-fixture.js';

const quiet = { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error() {} };

let h: Harness;
let project: ReplayProject;
let queue: string;
let probeQueue: string;
let worker: Worker;
let running: Promise<void>;
const started: string[] = [];

before(async () => {
  h = await createHarness();
  queue = uniqueQueue('replay-act');
  probeQueue = uniqueQueue('replay-probe');
  project = await copyReplayProject('replay-act');
  await startReplayWorker(h.client, h.settings.stateDir, project, queue);
  const greeterId = `greeter-act-${Date.now()}`;
  started.push(greeterId);
  await startWaitingGreeter(h.client, queue, greeterId);
  await waitListed(h.client, queue, 1);
  const bundle = await bundleWorkflowCode({
    workflowsPath: join(replayFixtures, 'probe-workflow.ts'),
    logger: quiet as never,
  });
  worker = await Worker.create({
    connection: await NativeConnection.connect({ address: testTarget().address }),
    taskQueue: probeQueue,
    workflowBundle: bundle,
    activities: createReplayActivities({
      client: h.client,
      settings: h.settings,
      workerEnv: targetEnv(testTarget()),
      address: testTarget().address,
    }),
  });
  running = worker.run();
});

after(async () => {
  worker.shutdown();
  await running;
  for (const id of started)
    await h.client.workflow
      .getHandle(id)
      .terminate('test over')
      .catch(() => undefined);
  await h.cleanup();
});

const probe = (input: Record<string, unknown>) =>
  h.client.workflow.start('ReplayProbe', {
    taskQueue: probeQueue,
    workflowId: uniqueQueue('probe'),
    args: [{ projectDir: project.dir, taskQueue: queue, workerCommand: REPLAY_WORKER, ...input }],
  });

describe('replayOpenWorkflows activity', () => {
  it('returns the report of a careless edit', async () => {
    await project.editWorkflow('        await workflow.sleep(1)\n');
    const { report } = (await (await probe({})).result()) as { report: ReplayReport };
    assert.deepEqual([report.checked, report.wouldBreak], [1, 1]);
    assert.equal(report.results[0]?.divergence?.produced, 'StartTimer');
    await project.git('checkout', '--', 'greeting_impl.py');
  });

  it('fails with type ReplayCheckError and the reason when no verdict is possible', async () => {
    const { failure } = (await (await probe({ workerCommand: `${venvPython} -c pass` })).result()) as {
      failure: { type: string; nonRetryable: boolean; details: { reason: string }[] };
    };
    assert.equal(failure.type, REPLAY_CHECK_FAILED);
    assert.equal(failure.nonRetryable, true);
    assert.equal(failure.details[0]?.reason, 'no-worker');
  });

  it('stops the worker command and its process group when cancelled', async () => {
    const sleepy = uniqueQueue('replay-sleepy');
    const waiting = `unpolled-${Date.now()}`;
    started.push(waiting);
    // A run nobody polls is still open: there is something to replay.
    await h.client.workflow.start('WaitsForSignal', { taskQueue: sleepy, workflowId: waiting });
    await waitListed(h.client, sleepy, 1);
    // Through /bin/sh (it has shell syntax): the shell and its python share the group. This host's
    // policy must allow shell syntax for that.
    h.settings.policy = { ...h.settings.policy, allowShell: true };
    const handle = await probe({
      taskQueue: sleepy,
      workerCommand: `${venvPython} -c "import time; time.sleep(600)"`,
    });
    await waitFor('the replay command to run', () => processesOnQueue(sleepy).length >= 2, 30_000);
    await handle.cancel();
    await assert.rejects(handle.result(), (error: unknown) => {
      assert.ok(error instanceof WorkflowFailedError);
      assert.ok(error.cause instanceof CancelledFailure || error.cause instanceof ActivityFailure);
      return true;
    });
    await waitFor('the replay processes to be gone', () => processesOnQueue(sleepy).length === 0, 30_000);
  });
});
