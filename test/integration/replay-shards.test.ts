// A replay check spread over several replay processes: every run is reported whichever process
// replayed it, and neither a cancellation nor a kill -9 of the check leaves any of them behind.
import assert from 'node:assert/strict';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { nanoid } from 'nanoid';
import { packageRoot } from '../../src/config.js';
import { ReplayCheckError } from '../../src/errors.js';
import { readProc } from '../../src/host/records/proc.js';
import { parseHookLines } from '../../src/host/replay/hook-output.js';
import { replayCheck } from '../../src/host/replay/replay-check.js';
import { stopOrphanedReplays } from '../../src/host/replay/replay-runs.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { envTokenOf, processesOnQueue, venvPython, waitFor } from '../helpers/processes.js';
import {
  checkOptions,
  copyReplayProject,
  replayFixtures,
  startReplayWorker,
  startWaitingGreeter,
  waitListed,
  type ReplayProject,
} from './replay-fixture.js';

let h: Harness;
let project: ReplayProject;
const started: string[] = [];

before(async () => {
  h = await createHarness();
  project = await copyReplayProject('replay-shards');
  // Loads the hook (it is a Python with temporalio), then replays nothing for ten minutes.
  await writeFile(join(project.dir, 'sleeper.py'), 'import time\n\ntime.sleep(600)\n');
});

after(async () => {
  for (const id of started)
    await h.client.workflow
      .getHandle(id)
      .terminate('test over')
      .catch(() => undefined);
  await h.cleanup();
});

async function replayRecords(): Promise<string[]> {
  const dir = join(h.settings.stateDir, 'replays');
  return (await readdir(dir).catch(() => [] as string[])).filter((n) => n.endsWith('.json'));
}

/** `count` WaitsForSignal runs on a queue nobody polls, listed. */
async function unpolledRuns(queue: string, count: number): Promise<void> {
  for (let i = 0; i < count; i++) {
    const workflowId = `unpolled-${nanoid(8)}`;
    started.push(workflowId);
    await h.client.workflow.start('WaitsForSignal', { taskQueue: queue, workflowId });
  }
  await waitListed(h.client, queue, count);
}

/** Waits until `count` replay processes run for `queue`; returns them with the token each carries. */
async function replayProcesses(queue: string, count: number): Promise<Map<number, string | undefined>> {
  return waitFor(
    `${count} replay processes for ${queue}`,
    () => {
      const pids = processesOnQueue(queue);
      return pids.length === count && new Map(pids.map((pid) => [pid, envTokenOf(pid)]));
    },
    60_000,
  );
}

describe('a replay check spread over several processes', () => {
  it('reports every run, breaks found by any process included', async () => {
    const queue = uniqueQueue('replay-shards');
    await startReplayWorker(h.client, h.settings.stateDir, project, queue);
    const greeters = Array.from({ length: 4 }, (_, i) => `greeter-${i}-${nanoid(6)}`);
    for (const id of greeters) {
      started.push(id);
      await startWaitingGreeter(h.client, queue, id);
    }
    const waiters = [`waiter-a-${nanoid(6)}`, `waiter-b-${nanoid(6)}`];
    for (const id of waiters) {
      started.push(id);
      await h.client.workflow.start('WaitsForSignal', { taskQueue: queue, workflowId: id });
    }
    await waitListed(h.client, queue, 6);
    await project.editWorkflow(
      '        await workflow.execute_activity(farewell, name, start_to_close_timeout=timedelta(seconds=10))\n',
    );
    const stateDir = h.settings.stateDir;
    const report = await replayCheck(
      h.client,
      checkOptions(project, stateDir, queue, { processes: 3, keepFiles: true }),
    );
    assert.equal(report.processes, 3);
    assert.deepEqual([report.checked, report.replays, report.wouldBreak], [6, 2, 4]);
    const outcomes = Object.fromEntries(report.results.map((r) => [r.workflowId, r.outcome]));
    assert.deepEqual(outcomes, {
      ...Object.fromEntries(greeters.map((id) => [id, 'would-break'])),
      ...Object.fromEntries(waiters.map((id) => [id, 'replays'])),
    });
    for (const id of greeters) {
      const broken = report.results.find((r) => r.workflowId === id);
      assert.equal(broken?.cause, 'nondeterminism', id);
      assert.equal(broken?.divergence?.recorded, 'greet', id);
    }
    // Two runs per process: at most two breaks were the first process's, the others a later one's.
    const checks = (await readdir(join(stateDir, 'replay'))).filter((n) => n.startsWith('check-'));
    const laterBreaks: string[] = [];
    for (const check of checks)
      for (const shard of [1, 2]) {
        const text = await readFile(join(stateDir, 'replay', check, `output-${shard}.jsonl`), 'utf8').catch(
          () => '',
        );
        for (const line of parseHookLines(text))
          if (line.kind === 'result' && line.outcome === 'would-break') laterBreaks.push(line.workflowId);
      }
    assert.ok(
      laterBreaks.length >= 2,
      `breaks replayed by the second and third process: ${laterBreaks.join(', ')}`,
    );
  });

  it('leaves none of its processes when cancelled', async () => {
    const queue = uniqueQueue('replay-shards-cancel');
    await unpolledRuns(queue, 2);
    const stop = new AbortController();
    const checking = replayCheck(
      h.client,
      checkOptions(project, h.settings.stateDir, queue, {
        workerCommand: `${venvPython} sleeper.py`,
        processes: 2,
        signal: stop.signal,
      }),
    );
    const running = await replayProcesses(queue, 2);
    assert.equal(new Set(running.values()).size, 1, 'both processes carry the check’s one spawn token');
    stop.abort();
    await assert.rejects(
      checking,
      (error) => error instanceof ReplayCheckError && error.reason === 'cancelled',
    );
    assert.deepEqual(processesOnQueue(queue), [], 'no replay process is left');
    for (const pid of running.keys()) assert.equal(readProc(pid), undefined, `replay process ${pid} is gone`);
    assert.deepEqual(await replayRecords(), [], 'no replay record is left');
  });

  it('leaves none of its processes once orphans are stopped after a kill -9 of the check', async () => {
    const queue = uniqueQueue('replay-shards-kill');
    await unpolledRuns(queue, 2);
    const target = testTarget();
    const options = checkOptions(project, h.settings.stateDir, queue, {
      workerCommand: `${venvPython} sleeper.py`,
      processes: 2,
    });
    const child = execa(
      process.execPath,
      [
        '--import',
        'tsx',
        join(replayFixtures, 'check-child.ts'),
        target.address,
        target.namespace,
        JSON.stringify(options),
      ],
      { cwd: packageRoot, reject: false },
    );
    try {
      const orphans = [...(await replayProcesses(queue, 2)).keys()];
      child.kill('SIGKILL');
      assert.equal((await child).signal, 'SIGKILL');
      assert.deepEqual(processesOnQueue(queue).sort(), orphans.sort(), 'both processes outlived the check');
      const stopped = await stopOrphanedReplays(h.settings.stateDir);
      assert.deepEqual(
        stopped.map((s) => [s.killed.sort(), s.gone]),
        [[orphans.sort(), true]],
        'one record names both processes',
      );
      assert.deepEqual(processesOnQueue(queue), [], 'no replay process is left');
      assert.deepEqual(await replayRecords(), [], 'no replay record is left');
    } finally {
      child.kill('SIGKILL');
      await child;
    }
  });
});
