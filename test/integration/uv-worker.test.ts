// The runbook's own worker command, for real: `uv run worker` in the example uv project, offline,
// polls the server; stopping its group leaves no Python child behind (uv does not exec Python).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { execa } from 'execa';
import { packageRoot } from '../../src/config.js';
import { assertRunnable } from '../../src/host/projects/executable.js';
import { clientPollerSource } from '../../src/host/workers/pollers.js';
import { groupMembers, readProc } from '../../src/host/records/proc.js';
import { pidOfIdentity } from '../../src/host/workers/readiness.js';
import { ensureWorker, stopProjectWorkers } from '../../src/host/workers/workers.js';
import { exampleProjectDir } from '../../src/host/projects/example.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import { ordersSpec, processesOnQueue, waitFor } from '../helpers/processes.js';

const venvBin = join(packageRoot, '.venv', 'bin');
// UV_OFFLINE: uv must not reach an index at run time; a worker that needed one would fail to start.
const uvEnv = { PATH: `${venvBin}:${process.env.PATH ?? ''}`, UV_OFFLINE: '1' };

let h: Harness;

before(async () => {
  h = await createHarness();
  assert.ok(
    existsSync(join(venvBin, 'uv')) && existsSync(join(exampleProjectDir, '.venv', 'bin', 'worker')),
    'uv and the synced example project come from `node scripts/setup.mjs`',
  );
});

after(async () => {
  await h.cleanup();
});

describe('uv run worker', () => {
  it('polls offline, serves `uv run starter`, and stopping the group leaves no orphan', async () => {
    const queue = uniqueQueue('uv');
    const spec = ordersSpec(h.settings.stateDir, 'uv-orders', exampleProjectDir, queue, {
      command: 'uv run worker',
      env: uvEnv,
    });
    const outcome = await ensureWorker(spec, {
      ready: { timeoutMs: 60_000, pollers: clientPollerSource(h.client) },
    });
    assert.equal(outcome.action, 'started');
    const uvPid = outcome.record.pid;
    assert.match(readProc(uvPid)?.cmdline.join(' ') ?? '', /uv run worker$/);

    // The poller the server sees is uv's Python child, in uv's process group.
    const pollerPid = pidOfIdentity(outcome.ready?.pollerIdentity ?? '');
    assert.ok(pollerPid !== undefined && pollerPid !== uvPid, `poller pid ${pollerPid} is not uv's`);
    const python = readProc(pollerPid);
    assert.equal(python?.ppid, uvPid);
    assert.equal(python?.pgid, outcome.record.pgid);
    assert.match(python?.cmdline.join(' ') ?? '', /python.*\bworker\b/);

    const started = await execa('uv', ['run', 'starter', '--task-queue', queue, '--wait'], {
      cwd: exampleProjectDir,
      env: { ...uvEnv, ...spec.baseEnv },
      timeout: 60_000,
    });
    assert.match(started.stdout, /^Result: \{.*"status": "ok"/m);

    const stopped = await stopProjectWorkers(h.settings.stateDir, 'uv-orders', 3000);
    assert.deepEqual(
      stopped.map((s) => [s.pid, s.result]),
      [[uvPid, 'stopped']],
    );
    assert.ok(stopped[0]?.members.includes(pollerPid), 'the stop saw the Python child in the group');
    await waitFor('the Python child to be gone', () => readProc(pollerPid) === undefined, 10_000);
    assert.deepEqual(groupMembers(outcome.record.pgid), []);
    assert.deepEqual(processesOnQueue(queue), []);
  });

  it("finds uv in the setup's venv when the PATH it is given lacks uv", async () => {
    const queue = uniqueQueue('uv');
    const pathWithoutUv = (process.env.PATH ?? '')
      .split(delimiter)
      .filter((dir) => dir !== '' && !existsSync(join(dir, 'uv')))
      .join(delimiter);
    const env = { PATH: pathWithoutUv, UV_OFFLINE: '1' };
    assert.equal(
      assertRunnable('uv run worker', 'workerCommand', exampleProjectDir, pathWithoutUv),
      join(venvBin, 'uv'),
    );
    const spec = ordersSpec(h.settings.stateDir, 'uv-setup-copy', exampleProjectDir, queue, {
      command: 'uv run worker',
      env,
    });
    const outcome = await ensureWorker(spec, {
      ready: { timeoutMs: 60_000, pollers: clientPollerSource(h.client) },
    });
    assert.equal(outcome.action, 'started');
    assert.equal(readProc(outcome.record.pid)?.cmdline[0], join(venvBin, 'uv'));
    const stopped = await stopProjectWorkers(h.settings.stateDir, 'uv-setup-copy', 3000);
    assert.deepEqual(
      stopped.map((s) => s.result),
      ['stopped'],
    );
  });
});
