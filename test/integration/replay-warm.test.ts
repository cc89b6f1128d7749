// Warm replay processes: a check leaves processes with the SDK imported that wait before the
// program's own code runs. The next check lets them go and sees the code as it is then; they end
// with their owner, even after a kill -9, and a warm process that is gone is replaced by a cold one.
import assert from 'node:assert/strict';
import { readdir, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { after, afterEach, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { nanoid } from 'nanoid';
import { packageRoot } from '../../src/config.js';
import { replayCheck } from '../../src/host/replay/replay-check.js';
import { stopOrphanedReplays } from '../../src/host/replay/replay-runs.js';
import { drainWarm } from '../../src/host/replay/warm-pool.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import { processesOnQueue, waitFor } from '../helpers/processes.js';
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
const started: string[] = [];

before(async () => {
  h = await createHarness();
});

// A test that fails halfway leaves no warm process to the next.
afterEach(() => drainWarm());

after(async () => {
  for (const id of started)
    await h.client.workflow
      .getHandle(id)
      .terminate('test over')
      .catch(() => undefined);
  await h.cleanup();
});

const NEW_ACTIVITY =
  '        await workflow.execute_activity(farewell, name, start_to_close_timeout=timedelta(seconds=10))\n';

/** Replay processes of `queue` that wait warm (the check's own and the real worker excluded). */
function warmOnQueue(queue: string): number[] {
  return processesOnQueue(queue).filter((pid) => {
    try {
      return readFileSync(`/proc/${pid}/environ`, 'latin1').includes('\0TEMPORAL_OPS_REPLAY_WAIT=');
    } catch {
      return false;
    }
  });
}

/** A project whose worker served two Greeters, now waiting for `go`, on a queue of their own. */
async function twoWaitingGreeters(name: string): Promise<{ project: ReplayProject; queue: string }> {
  const project = await copyReplayProject(name);
  const queue = uniqueQueue(name);
  await startReplayWorker(h.client, h.settings.stateDir, project, queue);
  for (let i = 0; i < 2; i++) {
    const id = `greeter-${i}-${nanoid(6)}`;
    started.push(id);
    await startWaitingGreeter(h.client, queue, id);
  }
  await waitListed(h.client, queue, 2);
  return { project, queue };
}

/** Two waiting Greeters checked once with warm processes kept: the one warm process left. */
async function checkedOnce(name: string) {
  const { project, queue } = await twoWaitingGreeters(name);
  const options = checkOptions(project, h.settings.stateDir, queue, { processes: 1, keepWarm: true });
  await replayCheck(h.client, options);
  const [warm] = await waitFor(
    'a warm replay process',
    () => warmOnQueue(queue).length === 1 && warmOnQueue(queue),
    30_000,
  );
  return { project, queue, options, warm: warm as number };
}

async function replayRecords(): Promise<string[]> {
  const names = await promisify(readdir)(join(h.settings.stateDir, 'replays')).catch(() => [] as string[]);
  return names.filter((n) => n.endsWith('.json'));
}

describe('warm replay processes', () => {
  it('let the next check replay the code as it is when the check runs, not when they started', async () => {
    const { project, queue } = await twoWaitingGreeters('replay-warm');
    const options = checkOptions(project, h.settings.stateDir, queue, { processes: 1, keepWarm: true });
    const first = await replayCheck(h.client, options);
    assert.deepEqual([first.checked, first.replays, first.warmProcesses ?? 0], [2, 2, 0]);
    const [warm] = await waitFor(
      'a warm replay process',
      () => warmOnQueue(queue).length === 1 && warmOnQueue(queue),
      30_000,
    );
    // `ps` shows our warm program, never the project's worker command, while it waits.
    const cmdline = readFileSync(`/proc/${warm}/cmdline`, 'latin1').split('\0');
    assert.ok(
      cmdline.some((w) => w.endsWith('temporal_ops_warm.py')),
      cmdline.join(' '),
    );
    assert.ok(!cmdline.some((w) => w.includes('replay_worker')), cmdline.join(' '));
    // The project's code changes while the warm process waits: the check must see the new code.
    await project.editWorkflow(NEW_ACTIVITY);
    const second = await replayCheck(h.client, options);
    assert.equal(second.warmProcesses, 1, 'the waiting process replayed');
    assert.deepEqual([second.checked, second.wouldBreak], [2, 2]);
    for (const result of second.results) {
      assert.equal(result.cause, 'nondeterminism', result.workflowId);
      assert.equal(result.divergence?.recorded, 'greet', result.workflowId);
    }
    assert.ok(!warmOnQueue(queue).includes(warm as number), 'the warm process that replayed is gone');
    await drainWarm();
    assert.deepEqual(warmOnQueue(queue), [], 'drained: no warm process is left');
    assert.deepEqual(await replayRecords(), [], 'no replay record is left');
  });

  it('do not stand for a worker command whose wrapper files changed: the check starts cold', async () => {
    const { project, queue, options, warm } = await checkedOnce('replay-warm-wrapper');
    // A pyproject.toml appears (as `uv run` would now read one): what the command starts may differ.
    await writeFile(join(project.dir, 'pyproject.toml'), '[project]\nname = "shop"\nversion = "0"\n');
    const report = await replayCheck(h.client, options);
    assert.deepEqual([report.checked, report.replays, report.warmProcesses ?? 0], [2, 2, 0]);
    assert.ok(!warmOnQueue(queue).includes(warm), 'the stale warm process was stopped');
    // The cold check recorded the launch anew: the one after it is warm again.
    await waitFor('a new warm replay process', () => warmOnQueue(queue).length === 1, 30_000);
    const again = await replayCheck(h.client, options);
    assert.equal(again.warmProcesses, 1);
  });

  it('a warm process that is gone is replaced by a cold one, with the same verdict', async () => {
    const { project, options, warm } = await checkedOnce('replay-warm-gone');
    process.kill(warm, 'SIGKILL');
    await project.editWorkflow(NEW_ACTIVITY);
    const report = await replayCheck(h.client, options);
    assert.deepEqual([report.checked, report.wouldBreak, report.warmProcesses ?? 0], [2, 2, 0]);
  });

  it('a warm process whose SDK changed on disk while it waited replays nothing: a cold one does', async () => {
    const { project, queue } = await twoWaitingGreeters('replay-warm-stale');
    // A directory on the command's PYTHONPATH, seen before site-packages: empty while the process starts.
    const sdkDir = join(project.dir, 'sdk-path');
    await mkdir(sdkDir);
    const options = checkOptions(project, h.settings.stateDir, queue, {
      processes: 1,
      keepWarm: true,
      env: { PYTHONPATH: sdkDir },
    });
    await replayCheck(h.client, options);
    await waitFor('a warm replay process', () => warmOnQueue(queue).length === 1, 30_000);
    // Now a temporalio of another version is installed there, as an upgrade of the environment would.
    const distInfo = join(sdkDir, 'temporalio-99.0.0.dist-info');
    await mkdir(distInfo);
    await writeFile(join(distInfo, 'METADATA'), 'Metadata-Version: 2.1\nName: temporalio\nVersion: 99.0.0\n');
    await project.editWorkflow(NEW_ACTIVITY);
    const report = await replayCheck(h.client, options);
    // Had the warm process replayed with the SDK it holds in memory, it would count here.
    assert.deepEqual([report.checked, report.wouldBreak, report.warmProcesses ?? 0], [2, 2, 0]);
  });

  it('end with their owner: a kill -9 of it leaves no warm process and, once orphans are stopped, no record', async () => {
    const { project, queue } = await twoWaitingGreeters('replay-warm-kill');
    const target = testTarget();
    const options = checkOptions(project, h.settings.stateDir, queue, { processes: 1 });
    const child = execa(
      process.execPath,
      [
        '--import',
        'tsx',
        join(replayFixtures, 'warm-child.ts'),
        target.address,
        target.namespace,
        JSON.stringify(options),
      ],
      { cwd: packageRoot, reject: false },
    );
    try {
      const [warm] = await waitFor(
        'a warm replay process of the child',
        () => warmOnQueue(queue).length === 1 && warmOnQueue(queue),
        60_000,
      );
      child.kill('SIGKILL');
      assert.equal((await child).signal, 'SIGKILL');
      // Its stdin reads end of input: it exits before the program's own code runs.
      await waitFor(`warm process ${warm} to exit`, () => warmOnQueue(queue).length === 0, 15_000);
      await stopOrphanedReplays(h.settings.stateDir);
      assert.deepEqual(await replayRecords(), [], 'no replay record is left');
    } finally {
      child.kill('SIGKILL');
      await child;
    }
  });
});
