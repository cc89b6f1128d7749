// prepareProject on real directories under the remote defaults (a server that is not loopback):
// registered projects only, their own commands, and a forged later step caught by confirmPrepared.
import assert from 'node:assert/strict';
import { cp, mkdir, mkdtemp, rm, symlink } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packageRoot } from '../../src/config.js';
import { InvalidInputError, PolicyRefusedError } from '../../src/errors.js';
import { rememberWorkerCommand } from '../../src/host/records/last-command.js';
import { writePidRecord } from '../../src/host/records/pid-file.js';
import { confirmPrepared, prepareProject, type PrepareContext } from '../../src/host/projects/prepare.js';
import { localUserPolicy } from '../../src/host/projects/policy.js';
import { loadPolicy } from '../../src/host/projects/load-policy.js';
import { addProject } from '../../src/host/projects/registry.js';
import { venvPython } from '../../src/host/projects/example.js';

let root: string;
let context: PrepareContext;
const command = `${venvPython} worker.py`;

async function project(name: string): Promise<string> {
  const dir = join(root, name);
  await mkdir(dir, { recursive: true });
  await cp(join(packageRoot, 'examples', 'orders'), dir, { recursive: true });
  return dir;
}

before(async () => {
  root = await mkdtemp(join(process.env.TEMPORAL_OPS_TEST_ROOT ?? '/tmp', 'prepare-'));
  const stateDir = join(root, 'state');
  const policy = await loadPolicy(stateDir, {}, 'temporal.example.com:7233');
  context = { stateDir, defaultWorkerCommand: 'uv run worker', policy };
});

after(async () => {
  await rm(root, { recursive: true, force: true });
});

describe('prepareProject under the remote defaults', () => {
  it('refuses an unregistered directory before looking at its commands', async () => {
    const dir = await project('unregistered');
    await assert.rejects(
      prepareProject({ projectDir: dir, workerCommand: 'nonexistent-program' }, context),
      (error) => {
        assert.ok(error instanceof PolicyRefusedError);
        assert.deepEqual([error.field, error.value, error.rule], ['projectDir', dir, 'allowedRoots']);
        assert.match(
          error.message,
          /refused by the remote policy of this host \(server temporal\.example\.com:7233/,
        );
        assert.match(error.fix, new RegExp(`temporal-ops project add ${dir}`));
        return true;
      },
    );
  });

  it('refuses a missing directory outside the policy without saying whether it exists', async () => {
    await assert.rejects(prepareProject({ projectDir: join(root, 'nowhere') }, context), PolicyRefusedError);
  });

  it('runs a registered directory (by any path) with its registered command and key', async () => {
    const dir = await project('shop');
    await symlink(dir, join(root, 'shop-link'));
    await addProject(context.stateDir, { projectDir: dir, workerCommand: command, taskQueue: 'orders' });
    const prepared = await prepareProject(
      { projectDir: join(root, 'shop-link'), project: 'storefront' },
      context,
    );
    assert.deepEqual(prepared, {
      project: 'shop',
      projectDir: dir,
      workerCommand: command,
      taskQueue: 'orders',
    });
    await confirmPrepared(prepared, context);
  });

  it('refuses free-form worker and starter commands for a registered directory', async () => {
    const dir = join(root, 'shop');
    await assert.rejects(
      prepareProject({ projectDir: dir, workerCommand: `${venvPython} -m http.server` }, context),
      (error) =>
        error instanceof PolicyRefusedError &&
        error.rule === 'allowFreeFormCommands' &&
        error.field === 'workerCommand',
    );
    await assert.rejects(
      prepareProject({ projectDir: dir, starterCommand: `${venvPython} starter.py` }, context),
      (error) => error instanceof PolicyRefusedError && error.field === 'start.command',
    );
    await addProject(context.stateDir, {
      projectDir: dir,
      workerCommand: command,
      starterCommand: `${venvPython} starter.py`,
    });
    const prepared = await prepareProject(
      { projectDir: dir, starterCommand: `${venvPython} starter.py` },
      context,
    );
    assert.equal(prepared.workerCommand, command);
  });

  it('catches a later step handed a forged key or command', async () => {
    const other = await project('billing');
    await addProject(context.stateDir, { projectDir: other, workerCommand: command });
    await assert.rejects(
      confirmPrepared({ project: 'shop', projectDir: other, workerCommand: command }, context),
      (error) => error instanceof InvalidInputError && error.field === 'project',
    );
    await assert.rejects(
      confirmPrepared(
        { project: 'billing', projectDir: other, workerCommand: 'sh -c "curl x | sh"' },
        context,
      ),
      PolicyRefusedError,
    );
  });
});

describe('one rule for the worker command', () => {
  it('takes the input, then the registration, then the worker recorded on the queue, then the setting', async () => {
    const open = { ...context, policy: localUserPolicy() };
    const dir = await project('rule');
    const commandFor = async (input: { workerCommand?: string; taskQueue?: string }) =>
      (await prepareProject({ projectDir: dir, ...input }, open)).workerCommand;
    const prepared = await prepareProject(
      { projectDir: dir, workerCommand: command, taskQueue: 'rule-q' },
      open,
    );
    await writePidRecord(open.stateDir, {
      kind: 'worker',
      pid: 999_999,
      pgid: 999_999,
      startTime: '1',
      cmdline: [],
      cwd: dir,
      project: prepared.project,
      taskQueue: 'rule-q',
      logPath: join(root, 'rule.log'),
      fingerprint: 'x',
      command: `${venvPython} recorded.py`,
      startedAt: new Date().toISOString(),
      host: 'h',
    });
    assert.equal(await commandFor({ taskQueue: 'rule-q' }), `${venvPython} recorded.py`);
    // Another queue's worker is not this queue's command: the setting applies.
    assert.equal(await commandFor({ taskQueue: 'other-q' }), 'uv run worker');
    await addProject(open.stateDir, { projectDir: dir, workerCommand: `${venvPython} registered.py` });
    assert.equal(await commandFor({ taskQueue: 'rule-q' }), `${venvPython} registered.py`);
    assert.equal(await commandFor({ taskQueue: 'rule-q', workerCommand: command }), command);
  });

  it("after the queue's worker was stopped (its record gone), takes the command last launched there", async () => {
    const open = { ...context, policy: localUserPolicy() };
    const dir = await project('stopped');
    const { project: key } = await prepareProject({ projectDir: dir, workerCommand: command }, open);
    await rememberWorkerCommand(open.stateDir, {
      project: key,
      taskQueue: 'stopped-q',
      command: `${venvPython} -m app.worker`,
    });
    await rememberWorkerCommand(open.stateDir, { project: key, taskQueue: 'other-q', command });
    const prepared = await prepareProject({ projectDir: dir, taskQueue: 'stopped-q' }, open);
    assert.equal(prepared.workerCommand, `${venvPython} -m app.worker`);
    assert.equal(
      (await prepareProject({ projectDir: dir, taskQueue: 'third-q' }, open)).workerCommand,
      'uv run worker',
    );
  });
});
