// Worker versioning on a real dev server: a run pinned to a worker deployment version whose workers
// are gone, while a worker of the current version polls the same queue, is version-mismatch (never
// no-worker: starting the current worker would not serve it); a run pinned by a versioning override
// likewise, and a pinned run whose activity attempt waits for its version; a run of the current
// version is a healthy wait.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { targetEnv } from '../../src/control-worker.js';
import type { Finding } from '../../src/contract/verdicts.js';
import { eventTypeName } from '../../src/inspect/history.js';
import { sweep } from '../../src/inspect/sweep.js';
import { clientPollerSource, localLivenessOracle } from '../../src/host/workers/pollers.js';
import { ensureWorker } from '../../src/host/workers/workers.js';
import { venvBin, venvPython } from '../../src/host/projects/example.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { fixtureDir, terminateAll, uniqueId, waitUntil } from './diagnosis-fixture.js';

let h: Harness;
const queue = uniqueQueue('versions');
const opsQueue = uniqueQueue('ops-versions');
const deployment = uniqueId('orders');
const project = uniqueId('versions');
const policy = { noWorkerAfterMs: 2000 };
const ids = {
  pinned: uniqueId('pinned-v1'),
  activity: uniqueId('activity-v1'),
  overridden: uniqueId('override-v1'),
  current: uniqueId('current-v2'),
};

function temporal(...args: string[]) {
  return execa(join(venvBin, 'temporal'), [
    ...args,
    '--address',
    testTarget().address,
    '--namespace',
    'default',
  ]);
}

/** Replaces the queue's worker with one of Build ID `buildId`, and makes that version current. */
async function versionedWorker(buildId: string): Promise<void> {
  await ensureWorker(
    {
      stateDir: h.settings.stateDir,
      project,
      projectDir: fixtureDir,
      command: `${venvPython} worker.py`,
      taskQueue: queue,
      env: { FIXTURE_DEPLOYMENT: deployment, FIXTURE_BUILD_ID: buildId },
      baseEnv: targetEnv(testTarget()),
      graceMs: 3000,
    },
    { mode: 'restart', ready: { timeoutMs: 30_000, pollers: clientPollerSource(h.client) } },
  );
  // The version exists once its worker polled: until then the server refuses to make it current.
  await waitUntil(
    `version ${buildId} to become current`,
    async () => {
      await temporal(
        'worker',
        'deployment',
        'set-current-version',
        '--deployment-name',
        deployment,
        '--build-id',
        buildId,
        '--yes',
      );
      return true;
    },
    30_000,
  );
}

async function firstTaskDone(workflowId: string): Promise<void> {
  await waitUntil(
    `${workflowId} to complete its first workflow task`,
    async () => {
      const history = await h.client.workflow.getHandle(workflowId).fetchHistory();
      return (history.events ?? []).some((e) => eventTypeName(e) === 'WorkflowTaskCompleted')
        ? true
        : undefined;
    },
    30_000,
  );
}

async function sweepQueue(): Promise<Map<string, Finding>> {
  const found = new Map<string, Finding>();
  // This host's /proc tells the stopped v1 worker's lingering poller for a ghost, as the CLI's sweep does.
  const oracle = localLivenessOracle();
  for await (const item of sweep(h.client, { taskQueue: queue, opsTaskQueue: opsQueue, policy, oracle })) {
    assert.notEqual(item.kind, 'error', JSON.stringify(item));
    if (item.kind === 'finding') found.set(item.finding.workflowId, item.finding);
  }
  return found;
}

before(async () => {
  h = await createHarness();
  await versionedWorker('v1');
  await h.client.workflow.start('WaitsForSignal', { taskQueue: queue, workflowId: ids.pinned });
  // Its activity runs on v1; stopping that worker fails the attempt, and the retry waits for v1.
  await h.client.workflow.start('LongActivity', { taskQueue: queue, workflowId: ids.activity, args: [{}] });
  await firstTaskDone(ids.pinned);
  await waitUntil(
    'the v1 activity to start',
    async () =>
      (await h.client.workflow.getHandle(ids.activity).describe()).raw.pendingActivities?.[0]?.lastStartedTime
        ? true
        : undefined,
    30_000,
  );
  await versionedWorker('v2');
  await h.client.workflow.start('WaitsForSignal', { taskQueue: queue, workflowId: ids.current });
  await h.client.workflow.start('WaitsForSignal', { taskQueue: queue, workflowId: ids.overridden });
  await Promise.all([firstTaskDone(ids.current), firstTaskDone(ids.overridden)]);
  // Pinned to v1 by hand, though it started on v2.
  await temporal(
    'workflow',
    'update-options',
    '--workflow-id',
    ids.overridden,
    '--versioning-override-behavior',
    'pinned',
    '--versioning-override-deployment-name',
    deployment,
    '--versioning-override-build-id',
    'v1',
  );
  // Each pinned run now has a workflow task only a v1 worker may take.
  await h.client.workflow.getHandle(ids.pinned).signal('go');
  await h.client.workflow.getHandle(ids.overridden).signal('go');
});

after(async () => {
  await terminateAll(h.client, Object.values(ids));
  await h.cleanup();
});

describe('worker versioning on a real dev server', () => {
  it('calls runs pinned to a version no live poller serves version-mismatch, naming the version and what is served', async () => {
    const found = await waitUntil(
      'both pinned runs to be diagnosed',
      async () => {
        const f = await sweepQueue();
        const pinned = f.get(ids.pinned);
        const overridden = f.get(ids.overridden);
        const activity = f.get(ids.activity);
        return pinned &&
          overridden &&
          activity &&
          [pinned, overridden, activity].every((x) => x.verdict === 'version-mismatch')
          ? { pinned, overridden, activity, current: f.get(ids.current) }
          : undefined;
      },
      60_000,
      1000,
    );
    const { pinned, overridden, activity, current } = found;
    assert.deepEqual(pinned.evidence.version?.pinned, {
      deploymentName: deployment,
      buildId: 'v1',
      override: false,
    });
    assert.deepEqual(overridden.evidence.version?.pinned, {
      deploymentName: deployment,
      buildId: 'v1',
      override: true,
    });
    assert.deepEqual(pinned.evidence.version?.served, [{ deploymentName: deployment, buildId: 'v2' }]);
    assert.match(
      pinned.evidence.summary,
      new RegExp(`Build ID "v1".*the live pollers serve ${deployment}/v2`),
    );
    assert.equal(pinned.remedy.action, 'start-pinned-version');
    assert.equal(pinned.stalled, true);
    assert.equal(current?.verdict, 'healthy-wait', current?.evidence.summary);
    assert.match(
      activity.evidence.summary,
      /^Activity "heartbeat_forever" \(attempt [2-9]\d*\) scheduled .* Build ID "v1"/,
    );
    assert.deepEqual(activity.evidence.version?.served, [{ deploymentName: deployment, buildId: 'v2' }]);
  });
});
