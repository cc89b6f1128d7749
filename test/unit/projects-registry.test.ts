// Registering projects on this host: add, list, re-add, remove, and what each refuses.
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { InvalidInputError } from '../../src/errors.js';
import { writePidRecord } from '../../src/host/records/pid-file.js';
import { bootId, readProc } from '../../src/host/records/proc.js';
import { registryPath, workerFor } from '../../src/host/projects/registry-store.js';
import { addProject, listProjects, removeProject } from '../../src/host/projects/registry.js';

let root: string;
let stateDir: string;

before(async () => {
  root = await mkdtemp(join(tmpdir(), 'projects-registry-'));
  stateDir = join(root, 'state');
  for (const dir of ['shop', 'billing', 'other/shop']) await mkdir(join(root, dir), { recursive: true });
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('project registry', () => {
  it('round-trips add, list and remove', async () => {
    const added = await addProject(stateDir, {
      projectDir: join(root, 'shop'),
      workerCommand: 'uv run worker',
      taskQueue: 'orders',
    });
    assert.equal(added.key, 'shop');
    assert.equal(added.source, 'registered');
    await addProject(stateDir, { projectDir: join(root, 'billing', '..', 'billing'), project: 'pay' });
    assert.deepEqual(
      (await listProjects(stateDir)).map((p) => [
        p.key,
        p.projectDir,
        p.workerCommand ?? null,
        p.workers ?? null,
      ]),
      [
        ['pay', join(root, 'billing'), null, null],
        ['shop', join(root, 'shop'), null, [{ taskQueue: 'orders', workerCommand: 'uv run worker' }]],
      ],
    );
    assert.equal((await removeProject(stateDir, 'pay'))?.key, 'pay');
    assert.equal((await removeProject(stateDir, join(root, 'shop')))?.key, 'shop');
    assert.deepEqual(await listProjects(stateDir), []);
    assert.equal(await removeProject(stateDir, 'pay'), undefined, 'removing an unknown project is a no-op');
  });

  it('re-adding a directory replaces its registration and keeps its key', async () => {
    await addProject(stateDir, { projectDir: join(root, 'shop'), workerCommand: 'uv run worker' });
    const again = await addProject(stateDir, {
      projectDir: join(root, 'shop'),
      workerCommand: 'python worker.py',
    });
    assert.equal(again.key, 'shop');
    assert.deepEqual(
      (await listProjects(stateDir)).map((p) => p.workerCommand),
      ['python worker.py'],
    );
    const file = JSON.parse(await readFile(registryPath(stateDir), 'utf8')) as {
      projects: { key: string }[];
    };
    assert.deepEqual(
      file.projects.map((p) => p.key),
      ['shop'],
    );
  });

  it('refuses a second directory under a held key, a rename, an unsafe name and shell syntax', async () => {
    await assert.rejects(
      addProject(stateDir, { projectDir: join(root, 'other', 'shop'), project: 'shop' }),
      /"shop" is .*\/shop\)/,
    );
    await assert.rejects(
      addProject(stateDir, { projectDir: join(root, 'shop'), project: 'store' }),
      /project: expected the key "shop" this host already uses/,
    );
    await assert.rejects(
      addProject(stateDir, { projectDir: join(root, 'billing'), project: '../../etc' }),
      /project: expected a project key/,
    );
    await assert.rejects(
      addProject(stateDir, { projectDir: join(root, 'billing'), workerCommand: 'cd src && uv run worker' }),
      (error: unknown) => error instanceof InvalidInputError && error.field === 'workerCommand',
    );
    await assert.rejects(
      addProject(stateDir, { projectDir: join(root, 'missing') }),
      /projectDir: expected an existing directory/,
    );
    const shell = await addProject(stateDir, {
      projectDir: join(root, 'billing'),
      workerCommand: 'cd src && uv run worker',
      allowShell: true,
    });
    assert.equal(shell.allowShell, true);
  });

  it('registers one worker per task queue, keeping the others and the default', async () => {
    const dir = join(root, 'samples');
    await mkdir(dir, { recursive: true });
    await addProject(stateDir, { projectDir: dir, workerCommand: 'uv run worker', envAllow: ['APP_*'] });
    await addProject(stateDir, {
      projectDir: dir,
      taskQueue: 'hello',
      workerCommand: 'python -m hello.worker',
    });
    await addProject(stateDir, {
      projectDir: dir,
      taskQueue: 'orders',
      workerCommand: 'python -m orders.worker',
    });
    const replaced = await addProject(stateDir, {
      projectDir: dir,
      taskQueue: 'hello',
      workerCommand: 'python -m hello.worker2',
      starterCommand: 'python -m hello.starter',
    });
    assert.equal(replaced.workerCommand, 'uv run worker', 'a queue worker keeps the default');
    assert.deepEqual(replaced.envAllow, ['APP_*'], 'a queue worker keeps the directory settings');
    assert.deepEqual(replaced.workers, [
      {
        taskQueue: 'hello',
        workerCommand: 'python -m hello.worker2',
        starterCommand: 'python -m hello.starter',
      },
      { taskQueue: 'orders', workerCommand: 'python -m orders.worker' },
    ]);
    assert.equal(workerFor(replaced, 'orders')?.workerCommand, 'python -m orders.worker');
    assert.equal(workerFor(replaced, 'shipping'), undefined);
    assert.equal(workerFor(replaced), undefined, 'no queue named: the default, not a guess');
    const again = await addProject(stateDir, { projectDir: dir, workerCommand: 'python worker.py' });
    assert.equal(again.workerCommand, 'python worker.py');
    assert.equal(again.envAllow, undefined, 'a default re-registration replaces the settings');
    assert.equal(again.workers?.length, 2, 'and keeps the workers');
    const left = await removeProject(stateDir, 'samples', 'hello');
    assert.deepEqual(left?.workers, [{ taskQueue: 'orders', workerCommand: 'python -m orders.worker' }]);
    assert.equal(await removeProject(stateDir, 'samples', 'hello'), undefined, 'no such worker any more');
    assert.deepEqual(
      (await listProjects(stateDir)).find((p) => p.key === 'samples')?.workers?.map((w) => w.taskQueue),
      ['orders'],
    );
    assert.equal((await removeProject(stateDir, dir))?.key, 'samples');
  });

  it("reads an older file's one queued registration as that queue's worker", async () => {
    const dir = join(root, 'legacy');
    await mkdir(dir, { recursive: true });
    const own = join(root, 'legacy-state');
    await mkdir(own, { recursive: true });
    const old = {
      key: 'legacy',
      projectDir: dir,
      source: 'registered',
      workerCommand: 'python worker.py',
      taskQueue: 'orders',
      addedAt: '2026-01-01T00:00:00.000Z',
    };
    await writeFile(registryPath(own), JSON.stringify({ projects: [old] }));
    const [entry] = await listProjects(own);
    assert.ok(entry);
    assert.equal(entry.workerCommand, undefined);
    assert.deepEqual(entry.workers, [{ taskQueue: 'orders', workerCommand: 'python worker.py' }]);
    assert.equal(workerFor(entry)?.taskQueue, 'orders', 'its one worker needs no queue named');
    const added = await addProject(own, {
      projectDir: dir,
      taskQueue: 'billing',
      workerCommand: 'python b.py',
    });
    assert.deepEqual(
      added.workers?.map((w) => [w.taskQueue, w.workerCommand]),
      [
        ['billing', 'python b.py'],
        ['orders', 'python worker.py'],
      ],
    );
  });

  it('refuses to remove a project while a recorded worker of it runs', async () => {
    const self = readProc(process.pid);
    assert.ok(self);
    await writePidRecord(stateDir, {
      kind: 'worker',
      pid: process.pid,
      pgid: process.pid,
      startTime: self.startTime,
      bootId: bootId(),
      cmdline: self.cmdline,
      cwd: join(root, 'shop'),
      project: 'shop',
      taskQueue: 'orders',
      logPath: join(root, 'shop.log'),
      fingerprint: 'test',
      command: self.cmdline.join(' '),
      startedAt: new Date().toISOString(),
      host: 'test',
    });
    await assert.rejects(removeProject(stateDir, 'shop'), new RegExp(`pids ${process.pid}; stop them with`));
    assert.deepEqual(
      (await listProjects(stateDir)).map((p) => p.key),
      ['billing', 'shop'],
    );
  });
});
