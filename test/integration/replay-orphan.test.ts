// kill -9 of the control worker while a replay check runs: the replay process carries its spawn
// token and a record, so a fresh control worker, or the next replay check, stops it; a replay
// whose control worker still runs is left alone.
import assert from 'node:assert/strict';
import { mkdtemp, readdir, writeFile } from 'node:fs/promises';
import { hostname } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Client } from '@temporalio/client';
import { bundleWorkflowCode } from '@temporalio/worker';
import { nanoid } from 'nanoid';
import { packageRoot } from '../../src/config.js';
import { readProc } from '../../src/host/records/proc.js';
import { replayCheck } from '../../src/host/replay/replay-check.js';
import { stopOrphanedReplays } from '../../src/host/replay/replay-runs.js';
import { testClient, uniqueQueue } from '../helpers/harness.js';
import {
  controlWorkerEnv,
  envTokenOf,
  processesOnQueue,
  startControlWorkerProcess,
  venvPython,
  waitFor,
  type ControlWorkerProcess,
} from '../helpers/processes.js';
import { checkOptions, copyReplayProject, waitListed, type ReplayProject } from './replay-fixture.js';

const root = process.env.TEMPORAL_OPS_TEST_ROOT ?? '/tmp';
let client: Client;
let env: Record<string, string>;
let stateDir: string;
let opsQueue: string;
let project: ReplayProject;
const started: string[] = [];

before(async () => {
  client = await testClient();
  stateDir = await mkdtemp(join(root, 'replay-orphan-state-'));
  opsQueue = uniqueQueue('ops-replay-orphan');
  project = await copyReplayProject('replay-orphan');
  // Loads the hook (it is a Python with temporalio), then replays nothing for ten minutes.
  await writeFile(join(project.dir, 'sleeper.py'), 'import time\n\ntime.sleep(600)\n');
  const stepBundle = join(await mkdtemp(join(root, 'steps-')), 'step-bundle.js');
  const bundle = await bundleWorkflowCode({
    workflowsPath: join(packageRoot, 'test', 'helpers', 'step-workflows.ts'),
    logger: { log() {}, trace() {}, debug() {}, info() {}, warn() {}, error: console.error } as never,
  });
  await writeFile(stepBundle, bundle.code);
  env = controlWorkerEnv(stateDir, opsQueue, stepBundle);
});

after(async () => {
  for (const id of started)
    await client.workflow
      .getHandle(id)
      .terminate('test over')
      .catch(() => undefined);
  await client.connection.close();
});

/** Replay processes started for `queue`, each with the spawn token it carries. */
function replayProcesses(queue: string): Map<number, string | undefined> {
  return new Map(processesOnQueue(queue).map((pid) => [pid, envTokenOf(pid)]));
}

/**
 * Starts a control worker, has it run a replay check of a queue with one open run (through the
 * host activity, as a recipe's gate does), and kills it with -9 once the replay process runs.
 * Returns the orphaned replay processes' pids.
 */
async function orphanReplay(queue: string): Promise<number[]> {
  const waiting = `unpolled-${nanoid(8)}`;
  started.push(waiting);
  await client.workflow.start('WaitsForSignal', { taskQueue: queue, workflowId: waiting });
  await waitListed(client, queue, 1);
  const doomed: ControlWorkerProcess = await startControlWorkerProcess(env);
  const stepId = `replay-step-${nanoid(8)}`;
  started.push(stepId);
  await client.workflow.start('ScheduleActivity', {
    taskQueue: `${opsQueue}-steps`,
    workflowId: stepId,
    args: [
      {
        taskQueue: `${opsQueue}@${hostname()}`,
        activity: 'replayOpenWorkflows',
        args: [{ projectDir: project.dir, taskQueue: queue, workerCommand: `${venvPython} sleeper.py` }],
      },
    ],
  });
  try {
    const replaying = await waitFor(
      'the replay process to run',
      () => {
        const found = replayProcesses(queue);
        return found.size > 0 && found;
      },
      60_000,
    );
    const tokens = new Set(replaying.values());
    assert.equal(tokens.size, 1, `one spawn token for the replay's processes: ${[...tokens].join(', ')}`);
    assert.ok([...tokens][0], 'the replay process carries a spawn token');
    assert.deepEqual(await stopOrphanedReplays(stateDir), [], 'a replay whose owner runs is left alone');
    assert.ok(processesOnQueue(queue).length > 0, 'the live owner still has its replay process');
    process.kill(doomed.pid, 'SIGKILL');
    assert.equal((await doomed.exited).signal, 'SIGKILL');
    const orphans = [...replaying.keys()];
    assert.ok(
      orphans.some((pid) => readProc(pid) !== undefined),
      'the replay process outlived its control worker',
    );
    return orphans;
  } catch (error) {
    await doomed.stop(1000);
    throw error;
  }
}

async function replayRecords(): Promise<string[]> {
  return (await readdir(join(stateDir, 'replays')).catch(() => [] as string[])).filter((n) =>
    n.endsWith('.json'),
  );
}

describe('a replay process whose control worker was killed with -9', () => {
  it('is stopped by the next control worker to start', async () => {
    const queue = uniqueQueue('replay-orphan-start');
    const orphans = await orphanReplay(queue);
    const fresh = await startControlWorkerProcess(env);
    try {
      await waitFor('the orphaned replay to be stopped', () => processesOnQueue(queue).length === 0, 30_000);
      for (const pid of orphans) assert.equal(readProc(pid), undefined, `replay process ${pid} is gone`);
      await waitFor('its record to be removed', async () => (await replayRecords()).length === 0);
    } finally {
      await fresh.stop();
    }
  });

  it('is stopped by the next replay check', async () => {
    const queue = uniqueQueue('replay-orphan-check');
    await orphanReplay(queue);
    // A check of a queue with nothing open: it starts no process, but first stops orphans.
    const report = await replayCheck(client, checkOptions(project, stateDir, uniqueQueue('replay-empty')));
    assert.equal(report.checked, 0);
    assert.deepEqual(processesOnQueue(queue), [], 'no replay process is left');
    assert.deepEqual(await replayRecords(), [], 'no replay record is left');
  });
});
