// A spawn that cannot start fails in seconds with its errno, and leaves the project's lock free
// and no intent behind, so the next request of the project goes through.
import assert from 'node:assert/strict';
import { chmod, mkdtemp, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readIntents } from '../../src/host/records/intent.js';
import { readPidRecords } from '../../src/host/records/pid-file.js';
import { clientPollerSource } from '../../src/host/workers/pollers.js';
import { spawnDetached } from '../../src/host/workers/spawn.js';
import { SpawnFailedError } from '../../src/errors.js';
import { ensureWorker, stopProjectWorkers } from '../../src/host/workers/workers.js';
import { createHarness, uniqueQueue, type Harness } from '../helpers/harness.js';
import { copyOrders, ordersSpec, processesOnQueue, scratchDir } from '../helpers/processes.js';

let h: Harness;
let dir: string;

before(async () => {
  h = await createHarness();
  dir = await copyOrders(await scratchDir('spawnfail'));
});

after(async () => {
  await h.cleanup();
});

const MiB = 'x'.repeat(1 << 20);

describe('spawn errors fail fast with the errno', () => {
  const cases: [
    string,
    () => Promise<{ command: string; cwd: string; env: Record<string, string> }>,
    string,
  ][] = [
    ['a 1 MiB argument', async () => ({ command: `/bin/echo ${MiB}`, cwd: dir, env: {} }), 'E2BIG'],
    [
      'a 1 MiB environment value',
      async () => ({ command: '/bin/true', cwd: dir, env: { BIG: MiB } }),
      'E2BIG',
    ],
    [
      'a program that does not exist',
      async () => ({ command: '/no/such/program', cwd: dir, env: {} }),
      'ENOENT',
    ],
    [
      'a file that is not executable',
      async () => {
        const path = join(await mkdtemp(join(dir, 'x-')), 'not-executable');
        await writeFile(path, '#!/bin/sh\n');
        await chmod(path, 0o644);
        return { command: path, cwd: dir, env: {} };
      },
      'EACCES',
    ],
    [
      'a working directory that does not exist',
      async () => ({ command: '/bin/true', cwd: join(dir, 'gone'), env: {} }),
      'ENOENT',
    ],
  ];
  for (const [title, request, code] of cases) {
    it(`${title}: SpawnFailedError ${code}`, async () => {
      const logPath = join(await mkdtemp(join(dir, 'log-')), 'spawn.log');
      await assert.rejects(
        spawnDetached({ ...(await request()), logPath }),
        (error: unknown) => error instanceof SpawnFailedError && error.code === code,
      );
    });
  }

  it('a 1 MiB task queue fails ensureWorker with E2BIG; the lock is free and the next ensure starts a worker', async () => {
    const stateDir = h.settings.stateDir;
    const ready = { timeoutMs: 30_000, pollers: clientPollerSource(h.client) };
    await assert.rejects(
      ensureWorker(ordersSpec(stateDir, 'spawnfail', dir, MiB), { ready, lock: { timeoutMs: 5000 } }),
      (error: unknown) => error instanceof SpawnFailedError && error.code === 'E2BIG',
    );
    assert.deepEqual(await readIntents(stateDir, 'spawnfail'), [], 'the intent is gone');
    const queue = uniqueQueue('after-e2big');
    const outcome = await ensureWorker(ordersSpec(stateDir, 'spawnfail', dir, queue), {
      ready,
      lock: { timeoutMs: 5000 },
    });
    assert.equal(outcome.action, 'started');
    assert.ok(outcome.ready, 'the next ensure got a ready worker');
    assert.equal((await readPidRecords(stateDir, { project: 'spawnfail' })).length, 1);
    await stopProjectWorkers(stateDir, 'spawnfail', 3000);
    assert.deepEqual(processesOnQueue(queue), []);
  });
});
