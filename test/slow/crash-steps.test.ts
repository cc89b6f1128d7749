// kill -9 of the control worker inside a process step, then a fresh control worker: the step's
// retry adopts or stops what the killed attempt left. One worker, no orphan, one starter run.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { nanoid } from 'nanoid';
import type { StarterReport } from '../../activities/process-activities.js';
import { packageRoot } from '../../src/config.js';
import { FAILPOINTS, type Failpoint } from '../../src/host/records/failpoint.js';
import { readPidRecords } from '../../src/host/records/pid-file.js';
import { stopRecorded } from '../../src/host/workers/stop.js';
import type { EnsureWorkerRecipeReport } from '../../workflows/ensure-worker.js';
import { testClient, uniqueQueue } from '../helpers/harness.js';
import {
  assertOneWorkerNoOrphan,
  controlWorkerEnv,
  copyOrders,
  fixturesDir,
  scratchDir,
  startControlWorkerProcess,
  tokensOnQueue,
  venvPython,
  waitFor,
} from '../helpers/processes.js';

const root = process.env.TEMPORAL_OPS_TEST_ROOT ?? '/tmp';
let client: Client;
let env: Record<string, string>;
let stateDir: string;
let opsQueue: string;
let projectDir: string;
const project = 'crashy';
const queue = uniqueQueue('crash');

before(async () => {
  client = await testClient();
  stateDir = await mkdtemp(join(root, 'crash-state-'));
  opsQueue = uniqueQueue('ops-crash');
  projectDir = await copyOrders(await scratchDir(project), { git: true });
  const stepBundle = join(await mkdtemp(join(root, 'steps-')), 'step-bundle.js');
  const bundle = await bundleWorkflowCode({
    workflowsPath: join(packageRoot, 'test', 'helpers', 'step-workflows.ts'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error } as never,
  });
  await writeFile(stepBundle, bundle.code);
  env = controlWorkerEnv(stateDir, opsQueue, stepBundle);
});

after(async () => {
  for (const record of await readPidRecords(stateDir)) await stopRecorded(stateDir, record, 2000);
  await client.connection.close();
});

/** Starts a control worker armed with `failpoint`, starts the step, and waits until the failpoint killed it. */
async function crashAt<T>(failpoint: Failpoint, start: () => Promise<T>): Promise<T> {
  const doomed = await startControlWorkerProcess({ ...env, TEMPORAL_OPS_FAILPOINT: failpoint });
  const started = await start();
  const exit = await Promise.race([doomed.exited, sleep(120_000).then(() => undefined)]);
  if (!exit) await doomed.stop(1000);
  assert.equal(exit?.signal, 'SIGKILL', `the control worker reached ${failpoint} and died of it`);
  return started;
}

/** Runs `fn` while a fresh control worker (no failpoint) serves the queues, then stops it. */
async function withFreshWorker<T>(fn: () => Promise<T>): Promise<T> {
  const fresh = await startControlWorkerProcess(env);
  try {
    return await fn();
  } finally {
    await fresh.stop();
  }
}

const ensureInstants = FAILPOINTS.filter((f) => f.startsWith('ensure:'));

/** Instants after the spawn: the retry must take over the worker the killed attempt spawned. */
const spawnedBeforeCrash = new Set<Failpoint>([
  'ensure:after-spawn',
  'ensure:after-record',
  'ensure:during-ready',
]);

describe('kill -9 of the control worker inside EnsureWorker, then a restart', () => {
  for (const failpoint of ensureInstants) {
    it(`at ${failpoint}: the recipe ends ok with exactly one worker and no orphan`, async () => {
      const before = await readPidRecords(stateDir, { kind: 'worker', project });
      const handle = await crashAt(failpoint, () =>
        client.workflow.start('EnsureWorker', {
          taskQueue: opsQueue,
          workflowId: `crash-ensure-${failpoint.replace(':', '-')}-${nanoid(6)}`,
          args: [{ projectDir, project, taskQueue: queue, workerCommand: `${venvPython} worker.py` }],
          workflowExecutionTimeout: '6m',
        }),
      );
      const report = (await withFreshWorker(() => handle.result())) as EnsureWorkerRecipeReport;
      assert.equal(report.ok, true, report.problem);
      const worker = await assertOneWorkerNoOrphan(client, stateDir, project, queue);
      assert.equal(report.worker?.worker.pid, worker.pid, 'the report names the worker that runs');
      if (spawnedBeforeCrash.has(failpoint))
        assert.equal(report.worker?.recovered, true, 'the retry took over the spawned worker');
      if (failpoint === 'ensure:during-stop') {
        assert.ok(before.length > 0, 'there was an older worker to stop');
        assert.ok(!before.some((r) => r.pid === worker.pid), 'the older worker was replaced');
      }
    });
  }
});

const starterInstants = FAILPOINTS.filter((f) => f.startsWith('starter:'));

describe('kill -9 of the control worker while a starter runs, then a restart', () => {
  for (const failpoint of starterInstants) {
    it(`at ${failpoint}: the starter ran once and the step names the workflow it started`, async () => {
      const starterQueue = uniqueQueue('starter');
      const runsFile = join(await mkdtemp(join(root, 'runs-')), 'runs.txt');
      await writeFile(runsFile, '');
      const command = `${venvPython} ${join(fixturesDir, 'counting_starter.py')} --runs-file ${runsFile} --sleep 3`;
      const handle = await crashAt(failpoint, () =>
        client.workflow.start('RunStarterStep', {
          taskQueue: `${opsQueue}-steps`,
          workflowId: `crash-starter-${failpoint.replace(':', '-')}-${nanoid(6)}`,
          args: [
            {
              hostQueue: `${opsQueue}@${hostname()}`,
              starter: { projectDir, taskQueue: starterQueue, command, timeoutSeconds: 60 },
            },
          ],
          workflowExecutionTimeout: '5m',
        }),
      );
      const report = (await withFreshWorker(() => handle.result())) as StarterReport;
      const runs = (await readFile(runsFile, 'utf8')).split('\n').filter(Boolean);
      assert.equal(runs.length, 1, `the starter ran ${runs.length} times`);
      if (failpoint !== 'starter:before-spawn') assert.equal(report.recovered, true);
      const described = await client.workflow.getHandle(report.workflowId, report.runId).describe();
      assert.equal(described.taskQueue, starterQueue);
      const listed = await waitFor('the started workflow to be listed', async () => {
        const ids: string[] = [];
        for await (const w of client.workflow.list({ query: `TaskQueue = '${starterQueue}'` }))
          ids.push(w.workflowId);
        return ids.length > 0 && ids;
      });
      assert.deepEqual(listed, [report.workflowId], 'exactly one target workflow, the one reported');
      assert.deepEqual([...tokensOnQueue(starterQueue).keys()], [], 'no starter left running');
    });
  }
});
