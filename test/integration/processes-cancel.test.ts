// Cancellation: a step that stops waiting cleans up what it owes, and leaves the lock free.
import assert from 'node:assert/strict';
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readPidRecords } from '../../src/host/records/pid-file.js';
import { clientPollerSource } from '../../src/host/workers/pollers.js';
import { freshToken } from '../../src/host/records/spawn-token.js';
import { runStarterOnce } from '../../src/host/starter/starter-run.js';
import { ensureWorker, stopProjectWorkers } from '../../src/host/workers/workers.js';
import { createHarness, testTarget, uniqueQueue, type Harness } from '../helpers/harness.js';
import {
  copyOrders,
  fixturesDir,
  ordersSpec,
  processesOnQueue,
  scratchDir,
  venvPython,
  waitFor,
} from '../helpers/processes.js';

let h: Harness;
let dir: string;

before(async () => {
  h = await createHarness();
  dir = await copyOrders(await scratchDir('cancels'));
});

after(async () => {
  await h.cleanup();
});

async function runsFile(): Promise<string> {
  const path = join(await mkdtemp(join(dir, 'runs-')), 'runs.txt');
  await writeFile(path, '');
  return path;
}

const lines = async (path: string) => (await readFile(path, 'utf8')).split('\n').filter(Boolean);

describe('cancellation and retries of process steps', () => {
  it('cancelling the wait for readiness stops the fresh worker, forgets it and frees the lock', async () => {
    const queue = uniqueQueue('never-polls');
    const spec = ordersSpec(h.settings.stateDir, 'cancels', dir, queue, {
      command: `${venvPython} -c "import time; time.sleep(120)"`,
    });
    const cancel = new AbortController();
    const ensuring = ensureWorker(spec, {
      ready: { timeoutMs: 60_000, pollers: clientPollerSource(h.client) },
      signal: cancel.signal,
    });
    await waitFor('the worker to be spawned', () => processesOnQueue(queue).length > 0);
    cancel.abort(new Error('recipe cancelled'));
    await assert.rejects(ensuring, /recipe cancelled/);
    assert.deepEqual(processesOnQueue(queue), [], 'the worker that never became ready is gone');
    assert.deepEqual(await readPidRecords(h.settings.stateDir, { project: 'cancels' }), []);
    assert.deepEqual(
      await stopProjectWorkers(h.settings.stateDir, 'cancels', 1000, {}, { timeoutMs: 2000 }),
      [],
    );
  });

  const env = () => ({ TEMPORAL_ADDRESS: testTarget().address, TEMPORAL_NAMESPACE: 'default' });

  it('a second call with the same token reads the first run instead of running the starter again', async () => {
    const runs = await runsFile();
    const run = {
      stateDir: h.settings.stateDir,
      token: freshToken(),
      command: `${venvPython} ${join(fixturesDir, 'counting_starter.py')} --runs-file ${runs}`,
      cwd: dir,
      env: { ...env(), TEMPORAL_TASK_QUEUE: uniqueQueue('once') },
      timeoutMs: 30_000,
    };
    const first = await runStarterOnce(run);
    const second = await runStarterOnce(run);
    assert.match(first.workflowId ?? '', /^counted-/);
    assert.equal(first.recovered, false);
    assert.equal(first.exitCode, 0);
    assert.deepEqual(
      { id: second.workflowId, run: second.runId, recovered: second.recovered },
      {
        id: first.workflowId,
        run: first.runId,
        recovered: true,
      },
    );
    assert.equal((await lines(runs)).length, 1);
  });

  it('a cancelled starter is left to finish unless the recipe itself was cancelled', async () => {
    const base = {
      stateDir: h.settings.stateDir,
      cwd: dir,
      timeoutMs: 30_000,
    };
    for (const stop of [false, true]) {
      const runs = await runsFile();
      const queue = uniqueQueue('cancelled-starter');
      const cancel = new AbortController();
      const run = {
        ...base,
        token: freshToken(),
        command: `${venvPython} ${join(fixturesDir, 'counting_starter.py')} --runs-file ${runs} --sleep 2`,
        env: { ...env(), TEMPORAL_TASK_QUEUE: queue },
        signal: cancel.signal,
        stopOnCancel: () => stop,
      };
      const running = runStarterOnce(run);
      await waitFor('the starter to run', async () => (await lines(runs)).length > 0);
      cancel.abort(new Error('cancelled'));
      await assert.rejects(running, /cancelled/);
      if (stop) {
        assert.deepEqual(processesOnQueue(queue), [], 'the starter was stopped');
      } else {
        const again = await runStarterOnce({ ...run, signal: undefined });
        assert.equal(again.recovered, true);
        assert.match(
          again.workflowId ?? '',
          /^counted-/,
          'the orphaned starter finished and its output was read',
        );
        assert.equal((await lines(runs)).length, 1);
      }
    }
  });

  it('a starter that outlives its bound is stopped and reported as timed out', async () => {
    const runs = await runsFile();
    const queue = uniqueQueue('slow-starter');
    await assert.rejects(
      runStarterOnce({
        stateDir: h.settings.stateDir,
        token: freshToken(),
        command: `${venvPython} ${join(fixturesDir, 'counting_starter.py')} --runs-file ${runs} --sleep 30`,
        cwd: dir,
        env: { ...env(), TEMPORAL_TASK_QUEUE: queue },
        timeoutMs: 1500,
      }),
      (error: unknown) =>
        error instanceof Error && error.name === 'StarterFailedError' && /1500 ms/.test(error.message),
    );
    assert.deepEqual(processesOnQueue(queue), []);
  });
});
